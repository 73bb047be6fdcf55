// Static post-training quantization of Sequential models, as PyTorch's prepare / calibrate /
// convert: activations become quint8 (per tensor) between the layers, Linear and Conv2d layers
// run their products in int8.
#pragma once

#include "ember/nn/modules/container.h"
#include "ember/nn/modules/normalization.h"
#include "ember/quantization/observer.h"
#include "ember/quantization/quantized_layers.h"

namespace ember::quantization {

// A Conv2d computing conv followed by batch_norm in evaluation mode (running statistics): the
// weight scaled by gamma / sqrt(var + eps) per output channel, the bias shifted to match.
std::shared_ptr<nn::Conv2d> fold_batch_norm(const nn::Conv2d& conv, const nn::BatchNorm2d& batch_norm);

// A copy of `model`'s layer list with an observer on its input and after every layer, each
// BatchNorm2d folded into the Conv2d before it; run calibration data through it, then convert.
// Layers: Linear, Conv2d (+ BatchNorm2d), ReLU, MaxPool2d, Flatten, Dropout. Activation observers
// use `activations` (seven-bit quint8 by default: exact int8 products on CPUs without VNNI, as
// PyTorch's default qconfig).
std::shared_ptr<nn::Sequential> prepare(const nn::Sequential& model,
                                        ObserverOptions activations = {.reduce_range = true});

// The quantized model of a prepared, calibrated one: Quantize, then QuantizedLinear and
// QuantizedConv2d for the Linear and Conv2d layers (a ReLU right after one is folded into it), the
// other layers as they are, then DeQuantize.
std::shared_ptr<nn::Sequential> convert(const nn::Sequential& prepared);

}  // namespace ember::quantization
