// The CPU backend's strided loops: the SDK's StridedLoop split across threads, and the
// broadcasting byte copy that several kernels start from.
#pragma once

#include <cstring>

#include "ember/plugin.hpp"
#include "parallel.h"

namespace ember::cpu {

// Calls f(ptrs, byte_strides, count) over every run of N operands (operand 0 is written),
// split across the OpenMP threads above the grain.
template <int N, typename F>
void for_each_strided(const sdk::TensorView (&operands)[N], F&& f) {
  const sdk::StridedLoop<N> loop(operands);
  parallel_for(loop.numel(), kParallelGrain, [&](int64_t begin, int64_t end) { loop.run(begin, end, f); });
}

// out = src, broadcasting src; both of the same dtype.
inline void copy_strided(const sdk::TensorView& out, const sdk::TensorView& src) {
  const sdk::TensorView ops[2] = {out, src};
  const size_t item = sdk::dtype_size(out.dtype());
  for_each_strided<2>(ops, [item](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) std::memcpy(p[0] + i * s[0], p[1] + i * s[1], item);
  });
}

}  // namespace ember::cpu
