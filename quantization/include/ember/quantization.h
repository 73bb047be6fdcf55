// Quantization: quantized tensors (ember/core/quantizer.h), observers, dynamic quantization of
// Linear layers, and static quantization of Linear / Conv2d models.
#pragma once

#include "ember/core/quantizer.h"
#include "ember/quantization/dynamic_linear.h"
#include "ember/quantization/int8_layer.h"
#include "ember/quantization/observer.h"
#include "ember/quantization/quantized_layers.h"
#include "ember/quantization/static_quantization.h"
