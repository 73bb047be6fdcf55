// Parameter initialisation in place, with PyTorch's formulas; each runs without recording.
#pragma once

#include <optional>
#include <string_view>

#include "ember/core/tensor.h"

namespace ember::nn::init {

// fan_in and fan_out of a weight: [out, in] or [out, in / groups, kH, kW].
int64_t fan_in(const Tensor& weight);
int64_t fan_out(const Tensor& weight);

void zeros_(const Tensor& t);
void ones_(const Tensor& t);
void constant_(const Tensor& t, double value);
void uniform_(const Tensor& t, double low, double high);
void normal_(const Tensor& t, double mean = 0, double std = 1);
// gain * sqrt(6 / (fan_in + fan_out)) bounds, or its normal counterpart.
void xavier_uniform_(const Tensor& t, double gain = 1);
void xavier_normal_(const Tensor& t, double gain = 1);
// For layers followed by ReLU-like activations with negative slope `a`, scaled by fan_in.
void kaiming_uniform_(const Tensor& t, double a = 0);
void kaiming_normal_(const Tensor& t, double a = 0);
// Normal draws truncated to [a, b] (absolute bounds), by PyTorch's inverse-CDF method: uniform
// draws between the bounds' CDF values mapped back through erfinv.
void trunc_normal_(const Tensor& t, double mean = 0, double std = 1, double a = -2, double b = 2);
// The identity matrix (a 2-D tensor), and the identity convolution (a weight [out, in, k...] that
// passes each of the first min(out, in) channels through its kernel's centre), as PyTorch's.
void eye_(const Tensor& t);
void dirac_(const Tensor& t);
// A (semi-)orthogonal matrix times `gain`, the tensor seen as [size(0), the rest]: orthonormal
// rows or columns, whichever are fewer, drawn uniformly (Q of a normal draw's QR, each column's
// sign set by R's diagonal), as PyTorch's.
void orthogonal_(const Tensor& t, double gain = 1);

// PyTorch's recommended gain for a nonlinearity: 1 for linear, the convolutions and sigmoid, 5/3
// for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu (slope `param`, 0.01 by
// default), 3/4 for selu.
double calculate_gain(std::string_view nonlinearity, std::optional<double> param = std::nullopt);

}  // namespace ember::nn::init
