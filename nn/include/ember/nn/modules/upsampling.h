// Upsample: interpolate as a layer, as PyTorch's nn.Upsample (a size or a scale factor, and the
// mode); PixelShuffle and PixelUnshuffle: sub-pixel rearrangement of channels into the plane and back;
// ChannelShuffle: groups of channels interleaved.
#pragma once

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

class Upsample final : public UnaryModule {
 public:
  explicit Upsample(functional::InterpolateOptions options);
  Tensor forward(const Tensor& input) override;
  const functional::InterpolateOptions options;

 private:
  std::string extra_repr() const override;
};

class PixelShuffle final : public UnaryModule {
 public:
  explicit PixelShuffle(int64_t upscale_factor);
  Tensor forward(const Tensor& input) override;
  const int64_t upscale_factor;

 private:
  std::string extra_repr() const override;
};

class PixelUnshuffle final : public UnaryModule {
 public:
  explicit PixelUnshuffle(int64_t downscale_factor);
  Tensor forward(const Tensor& input) override;
  const int64_t downscale_factor;

 private:
  std::string extra_repr() const override;
};

// ShuffleNet's interleaving of `groups` groups of channels.
class ChannelShuffle final : public UnaryModule {
 public:
  explicit ChannelShuffle(int64_t groups);
  Tensor forward(const Tensor& input) override { return functional::channel_shuffle(input, groups); }
  const int64_t groups;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
