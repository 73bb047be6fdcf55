// Parameter initialisation in place, with PyTorch's formulas; each runs without recording.
#pragma once

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

}  // namespace ember::nn::init
