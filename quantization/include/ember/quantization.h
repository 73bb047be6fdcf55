// Quantization: quantized tensors (ember/core/quantizer.h), observers, and dynamic quantization
// of Linear layers.
#pragma once

#include "ember/core/quantizer.h"
#include "ember/quantization/dynamic_linear.h"
#include "ember/quantization/int8_linear.h"
#include "ember/quantization/observer.h"
#include "ember/quantization/static_quantization.h"
