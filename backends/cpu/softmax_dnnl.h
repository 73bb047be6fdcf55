// softmax and log_softmax of large contiguous float32/bfloat16 tensors through oneDNN's JIT
// primitive, which vectorises the exponentials the plain loop computes one at a time in double.
#pragma once

#include "ember/plugin.hpp"

namespace ember::cpu {

// Below this many elements the loop wins: a primitive call has microseconds of overhead.
constexpr int64_t kDnnlSoftmaxMinElements = 16384;

// Runs softmax (or log_softmax when `log`) over `axis` from `in` into `out` when both are
// contiguous float32 or bfloat16 of the same dtype and large enough; returns false (having done
// nothing) otherwise.
bool run_dnnl_softmax(bool log, const sdk::TensorView& out, const sdk::TensorView& in, int64_t axis);

}  // namespace ember::cpu
