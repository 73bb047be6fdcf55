// Unary math on large contiguous float32/bfloat16 tensors through oneDNN's JIT eltwise
// primitives, which vectorise exp, log, tanh and friends that the plain loop leaves to libm.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>
#include <optional>

#include "ember/plugin.hpp"

namespace ember::cpu {

// Below this many elements the plain loop wins: a primitive call has microseconds of overhead.
constexpr int64_t kDnnlEltwiseMinElements = 16384;

struct EltwiseAlgorithm {
  dnnl::algorithm algorithm;
  float alpha = 0.f;
};

// Runs `alg` from `in` into `out` when both are contiguous float32 or bfloat16 of the same
// dtype and large enough; returns false (having done nothing) otherwise.
bool run_dnnl_eltwise(const EltwiseAlgorithm& alg, const sdk::TensorView& out, const sdk::TensorView& in);

}  // namespace ember::cpu
