// Splits an iteration into kept (outer) and reduced (inner) dimensions so that each output
// element is produced by one pass over its reduced subspace, in row-major order.
#pragma once

#include <cstdint>
#include <vector>

#include "ember/plugin.hpp"

namespace ember::cpu {

struct ReductionGeometry {
  // Outer dims, innermost last: sizes, input strides and output strides (bytes).
  std::vector<int64_t> outer_sizes, outer_in, outer_out;
  // Reduced dims, innermost last: sizes, input strides and output strides (bytes; 0 for a
  // reduction, the real stride for softmax, whose output has the input's shape).
  std::vector<int64_t> inner_sizes, inner_in, inner_out;
  int64_t outer_numel = 1, inner_numel = 1;

  ReductionGeometry(const sdk::TensorView& out, const sdk::TensorView& in, const int64_t* dims, int64_t num_dims) {
    std::vector<bool> reduced(in.ndim(), false);
    for (int64_t i = 0; i < num_dims; ++i) reduced[dims[i]] = true;
    const int64_t in_item = static_cast<int64_t>(sdk::dtype_size(in.dtype()));
    const int64_t out_item = static_cast<int64_t>(sdk::dtype_size(out.dtype()));
    for (int64_t d = 0; d < in.ndim(); ++d) {
      const int64_t out_stride = out.size(d) == 1 ? 0 : out.stride(d) * out_item;
      auto& sizes = reduced[d] ? inner_sizes : outer_sizes;
      sizes.push_back(in.size(d));
      (reduced[d] ? inner_in : outer_in).push_back(in.stride(d) * in_item);
      (reduced[d] ? inner_out : outer_out).push_back(out_stride);
      (reduced[d] ? inner_numel : outer_numel) *= in.size(d);
    }
  }

  // Byte offsets of outer element `index` in the input and the output.
  void outer_offsets(int64_t index, int64_t& in_offset, int64_t& out_offset) const {
    in_offset = out_offset = 0;
    for (int64_t d = static_cast<int64_t>(outer_sizes.size()) - 1; d >= 0; --d) {
      const int64_t i = index % outer_sizes[d];
      index /= outer_sizes[d];
      in_offset += i * outer_in[d];
      out_offset += i * outer_out[d];
    }
  }

  // Calls f(in_offset, out_offset) for every reduced element, in row-major order.
  template <typename F>
  void for_each_inner(F&& f) const {
    const int64_t n = static_cast<int64_t>(inner_sizes.size());
    if (n == 0) {
      f(int64_t{0}, int64_t{0});
      return;
    }
    // An empty reduced dimension anywhere leaves nothing to visit; the walk below would still
    // visit the innermost dimension's elements once before noticing.
    if (inner_numel == 0) return;
    std::vector<int64_t> index(n, 0);
    int64_t in_offset = 0, out_offset = 0;
    const int64_t last = n - 1;
    for (;;) {
      for (int64_t i = 0; i < inner_sizes[last]; ++i) {
        f(in_offset + i * inner_in[last], out_offset + i * inner_out[last]);
      }
      int64_t d = last - 1;
      for (; d >= 0; --d) {
        in_offset += inner_in[d];
        out_offset += inner_out[d];
        if (++index[d] < inner_sizes[d]) break;
        in_offset -= inner_in[d] * inner_sizes[d];
        out_offset -= inner_out[d] * inner_sizes[d];
        index[d] = 0;
      }
      if (d < 0) return;
    }
  }
};

}  // namespace ember::cpu
