// The dropouts: of elements, of whole channels (dropout1d/2d/3d), and alpha dropout, which keeps
// a SELU network's zero mean and unit variance, of elements or channels.
#include <cmath>

#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

// -SELU's negative saturation, lambda * alpha: where alpha dropout sends a dropped element.
constexpr double kSeluSaturation = 1.7580993408473766;

// `input` with elements (or, with `channels`, whole [N, C] channels) dropped with probability p:
// the rest scaled by 1 / (1 - p); with alpha, dropped ones set to the saturation value and the
// whole affinely corrected so that mean and variance are kept (PyTorch's formulas).
Tensor drop(const char* op, const Tensor& input, double p, bool training, bool channels, bool alpha) {
  EMBER_CHECK(p >= 0 && p <= 1, "[{}] p: expected a probability in [0, 1], got {}", op, p);
  // Evaluation passes anything through, quantized tensors of a converted model included.
  if (!training || p == 0) return input;
  EMBER_CHECK(is_floating(input.dtype()), "[{}] input: expected a floating-point tensor, got {}", op,
              dtype_name(input.dtype()));
  if (p == 1) return input * 0.0;
  DimVector noise_shape(input.sizes());
  if (channels) {
    // Every element after the batch and channel dimensions shares its channel's draw.
    for (size_t d = 2; d < noise_shape.size(); ++d) noise_shape[d] = 1;
  }
  const Tensor keep = ge(rand(noise_shape, input.dtype(), input.device()), p).to(input.dtype());
  if (!alpha) return input * (keep * (1.0 / (1.0 - p)));
  const double a = 1.0 / std::sqrt((kSeluSaturation * kSeluSaturation * p + 1) * (1 - p));
  return input * (keep * a) + (keep - 1) * (kSeluSaturation * a) + kSeluSaturation * a * p;
}

// Channel dropout's input: [N, C, *spatial] or unbatched [C, *spatial] with `spatial` dimensions.
Tensor drop_channels(const char* op, const Tensor& input, double p, bool training, int64_t spatial, const char* layout) {
  EMBER_CHECK(input.dim() == spatial + 1 || input.dim() == spatial + 2, "[{}] input: expected a {} tensor, got {}", op,
              layout, shape_str(input.sizes()));
  if (input.dim() == spatial + 2) return drop(op, input, p, training, true, false);
  return drop(op, input.unsqueeze(0), p, training, true, false).squeeze(0);
}

}  // namespace

Tensor dropout(const Tensor& input, double p, bool training) { return drop("dropout", input, p, training, false, false); }

Tensor dropout1d(const Tensor& input, double p, bool training) {
  return drop_channels("dropout1d", input, p, training, 1, "[N, C, L] or [C, L]");
}

Tensor dropout2d(const Tensor& input, double p, bool training) {
  return drop_channels("dropout2d", input, p, training, 2, "[N, C, H, W] or [C, H, W]");
}

Tensor dropout3d(const Tensor& input, double p, bool training) {
  return drop_channels("dropout3d", input, p, training, 3, "[N, C, D, H, W] or [C, D, H, W]");
}

Tensor alpha_dropout(const Tensor& input, double p, bool training) {
  return drop("alpha_dropout", input, p, training, false, true);
}

Tensor feature_alpha_dropout(const Tensor& input, double p, bool training) {
  EMBER_CHECK(input.dim() >= 2, "[feature_alpha_dropout] input: expected [N, C, ...], got {}", shape_str(input.sizes()));
  return drop("feature_alpha_dropout", input, p, training, true, true);
}

}  // namespace ember::nn::functional
