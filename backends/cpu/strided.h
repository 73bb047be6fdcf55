// The CPU backend's strided loops: the SDK's StridedLoop split across threads, the broadcasting
// copies that several kernels start from, and the dense copies they make possible.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <vector>

#include "ember/plugin.hpp"
#include "host_memory.h"
#include "parallel.h"

namespace ember::cpu {

// Calls f(ptrs, byte_strides, count) over every run of N operands (operand 0 is written),
// split across the OpenMP threads above the grain.
template <int N, typename F>
void for_each_strided(const sdk::TensorView (&operands)[N], F&& f) {
  const sdk::StridedLoop<N> loop(operands);
  parallel_for(loop.numel(), kParallelGrain, [&](int64_t begin, int64_t end) { loop.run(begin, end, f); });
}

// Calls f with an unsigned integer type of `item` bytes: copies need the size, not the dtype.
template <typename F>
void dispatch_item_size(int64_t item, F&& f) {
  switch (item) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    default: return f(uint64_t{});
  }
}

// out = src, broadcasting src; both of the same dtype. A memcpy of the element's constant size is
// one load and store, where a size known only at run time is a call per element.
inline void copy_strided(const sdk::TensorView& out, const sdk::TensorView& src) {
  const sdk::TensorView ops[2] = {out, src};
  dispatch_item_size(static_cast<int64_t>(sdk::dtype_size(out.dtype())), [&](auto element) {
    constexpr int64_t kItem = sizeof(element);
    for_each_strided<2>(ops, [](char** p, const int64_t* s, int64_t n) {
      if (s[0] == kItem && s[1] == kItem) {
        std::memcpy(p[0], p[1], n * kItem);  // a dense run
        return;
      }
      for (int64_t i = 0; i < n; ++i) std::memcpy(p[0] + i * s[0], p[1] + i * s[1], kItem);
    });
  });
}

// out = src converted to out's dtype, broadcasting src: the copy_ kernel's loop.
void copy_converting(const sdk::TensorView& out, const sdk::TensorView& src);

// A dense row-major tensor shaped like `like`, in `dtype`, holding `like`'s values converted when
// `load`, else unset (an output only to be written). Its block comes from the backend's own
// allocator, as a tensor's does: a fresh large block from glibc costs a page fault per 4 KiB on
// every call (Note [CPU block cache]), which doubled the time of a staged 256^3 bfloat16 matmul.
class DenseTensor {
 public:
  DenseTensor(const sdk::TensorView& like, int32_t dtype, bool load)
      : view_(*like.view), nbytes_(std::max<size_t>(static_cast<size_t>(like.numel()) * sdk::dtype_size(dtype), 1)) {
    strides_.resize(static_cast<size_t>(like.ndim()));
    int64_t stride = 1;
    for (int64_t d = like.ndim() - 1; d >= 0; --d) {
      strides_[static_cast<size_t>(d)] = stride;
      stride *= like.size(d);
    }
    view_.data = host_memory::allocate(nbytes_);
    if (!view_.data) throw std::bad_alloc();
    view_.offset = 0;
    view_.strides = strides_.data();
    view_.dtype = dtype;
    if (load) copy_converting(view(), like);
  }
  ~DenseTensor() { host_memory::release(view_.data, nbytes_); }
  DenseTensor(const DenseTensor&) = delete;
  DenseTensor& operator=(const DenseTensor&) = delete;
  sdk::TensorView view() const { return sdk::TensorView{&view_}; }

 private:
  ember_tensor_view view_;
  size_t nbytes_;
  std::vector<int64_t> strides_;
};

// A view read in row-major order where `row_major` asks for it: its own memory when contiguous,
// else a dense copy made once (a broadcast index, as take_along_dim makes, or a transposed
// operand), so that loops over flat positions serve every layout; without, the view as it is,
// for the strided loops.
class RowMajor {
 public:
  RowMajor(const sdk::TensorView& t, bool row_major) : view_(t) {
    if (!row_major || t.is_contiguous()) return;
    view_ = copy_.emplace(t, t.dtype(), /*load=*/true).view();
  }
  RowMajor(const RowMajor&) = delete;
  RowMajor& operator=(const RowMajor&) = delete;
  sdk::TensorView view() const { return view_; }

 private:
  std::optional<DenseTensor> copy_;
  sdk::TensorView view_;
};

}  // namespace ember::cpu
