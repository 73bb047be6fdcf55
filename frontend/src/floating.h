// The operands of operators that compute in floating point.
#pragma once

#include "ember/core/tensor.h"

namespace ember::composite {

// `t` itself when floating, else converted to float32 (PyTorch's default dtype), as the operators
// that compute in floating point promote integers and bools.
inline Tensor as_floating(const Tensor& t) { return is_floating(t.dtype()) ? t : t.to(DType::Float32); }

// Refuses a tensor that is not floating-point: "[op] arg: expected a floating-point tensor, got int64".
inline void check_floating(const char* op, const char* arg, const Tensor& t) {
  EMBER_CHECK(is_floating(t.dtype()), "[{}] {}: expected a floating-point tensor, got {}", op, arg,
              dtype_name(t.dtype()));
}

}  // namespace ember::composite
