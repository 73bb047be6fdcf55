// Padding layers, as PyTorch's: ReflectionPad, ReplicationPad, CircularPad, ZeroPad and
// ConstantPad over the last 1, 2 or 3 dimensions. `padding` is one count for every side, or the
// counts F.pad takes: (left, right[, top, bottom[, front, back]]).
#pragma once

#include <string>
#include <vector>

#include "ember/nn/module.h"

namespace ember::nn {

class PadLayer : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;

  const std::vector<int64_t> padding;  // two counts per padded dimension
  const std::string mode;
  const double value;  // constant mode only

 protected:
  PadLayer(const std::string& kind, int dims, std::vector<int64_t> padding, std::string mode, double value);

 private:
  std::string extra_repr() const override;
};

template <int Dims>
class ReflectionPad final : public PadLayer {
 public:
  explicit ReflectionPad(std::vector<int64_t> padding) : PadLayer("ReflectionPad", Dims, std::move(padding), "reflect", 0) {}
};
template <int Dims>
class ReplicationPad final : public PadLayer {
 public:
  explicit ReplicationPad(std::vector<int64_t> padding)
      : PadLayer("ReplicationPad", Dims, std::move(padding), "replicate", 0) {}
};
template <int Dims>
class CircularPad final : public PadLayer {
 public:
  explicit CircularPad(std::vector<int64_t> padding) : PadLayer("CircularPad", Dims, std::move(padding), "circular", 0) {}
};
template <int Dims>
class ZeroPad final : public PadLayer {
 public:
  explicit ZeroPad(std::vector<int64_t> padding) : PadLayer("ZeroPad", Dims, std::move(padding), "constant", 0) {}
};
template <int Dims>
class ConstantPad final : public PadLayer {
 public:
  ConstantPad(std::vector<int64_t> padding, double value) : PadLayer("ConstantPad", Dims, std::move(padding), "constant", value) {}
};

using ReflectionPad1d = ReflectionPad<1>;
using ReflectionPad2d = ReflectionPad<2>;
using ReflectionPad3d = ReflectionPad<3>;
using ReplicationPad1d = ReplicationPad<1>;
using ReplicationPad2d = ReplicationPad<2>;
using ReplicationPad3d = ReplicationPad<3>;
using CircularPad1d = CircularPad<1>;
using CircularPad2d = CircularPad<2>;
using CircularPad3d = CircularPad<3>;
using ZeroPad1d = ZeroPad<1>;
using ZeroPad2d = ZeroPad<2>;
using ZeroPad3d = ZeroPad<3>;
using ConstantPad1d = ConstantPad<1>;
using ConstantPad2d = ConstantPad<2>;
using ConstantPad3d = ConstantPad<3>;

}  // namespace ember::nn
