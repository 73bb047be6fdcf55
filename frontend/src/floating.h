// The operand of an operator that computes in floating point.
#pragma once

#include "ember/core/tensor.h"

namespace ember::composite {

// `t` itself when floating, else converted to float32 (PyTorch's default dtype), as the operators
// that compute in floating point promote integers and bools.
inline Tensor as_floating(const Tensor& t) { return is_floating(t.dtype()) ? t : t.to(DType::Float32); }

}  // namespace ember::composite
