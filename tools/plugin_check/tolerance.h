// How close a backend's results must be to the CPU backend's: |cpu - other| <= tolerance *
// (1 + |cpu|), exact for integers. Shared by ember-plugin-check and the GPU tests.
#pragma once

#include "ember/core/dtype.h"

namespace ember::plugin_check {

inline double tolerance(DType dtype) {
  switch (dtype) {
    case DType::Float16: return 1e-2;
    case DType::BFloat16: return 5e-2;
    case DType::Float32: return 1e-4;
    case DType::Float64: return 1e-10;
    default: return 0;
  }
}

}  // namespace ember::plugin_check
