// index_select, gather and the indexed writes (index_add, index_copy, scatter_add, scatter), with
// every index checked against the size it indexes.
#include <cstring>
#include <string>

#include "kernel_families.h"
#include "kernels.h"
#include "strided.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

int64_t read_index(const TensorView& index, int64_t offset_elements) {
  if (index.dtype() == EMBER_DTYPE_INT32) return index.data<int32_t>()[offset_elements];
  return index.data<int64_t>()[offset_elements];
}

int64_t checked(int64_t i, int64_t size, int64_t dim) {
  if (i < -size || i >= size) {
    throw sdk::KernelError(EMBER_STATUS_INVALID_ARGUMENT, "index " + std::to_string(i) +
                                                              " is out of range for dimension " +
                                                              std::to_string(dim) + " of size " +
                                                              std::to_string(size));
  }
  return i < 0 ? i + size : i;
}

// Element offsets of linear position `linear` in a tensor of `shape` with `strides`.
int64_t offset_of(int64_t linear, const TensorView& shape, const TensorView& strided, int64_t* index_out) {
  int64_t offset = 0;
  for (int64_t d = shape.ndim() - 1; d >= 0; --d) {
    const int64_t i = linear % shape.size(d);
    linear /= shape.size(d);
    index_out[d] = i;
    offset += i * strided.stride(d);
  }
  return offset;
}

void index_select_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output(), self = args.tensor(0), index = args.tensor(2);
  const int64_t dim = args.to_int_list(1).first[0];
  const size_t item = sdk::dtype_size(out.dtype());
  const int64_t index_stride = index.ndim() == 0 ? 0 : index.stride(0);
  int64_t position[sdk::StridedLoop<1>::kMaxDims];
  for (int64_t linear = 0; linear < out.numel(); ++linear) {
    const int64_t out_offset = offset_of(linear, out, out, position);
    int64_t self_offset = 0;
    for (int64_t d = 0; d < self.ndim(); ++d) {
      const int64_t i = d == dim ? checked(read_index(index, position[d] * index_stride), self.size(d), d) : position[d];
      self_offset += i * self.stride(d);
    }
    std::memcpy(out.bytes() + out_offset * item, self.bytes() + self_offset * item, item);
  }
}

void gather_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output(), self = args.tensor(0), index = args.tensor(2);
  const int64_t dim = args.to_int_list(1).first[0];
  const size_t item = sdk::dtype_size(out.dtype());
  int64_t position[sdk::StridedLoop<1>::kMaxDims];
  for (int64_t linear = 0; linear < out.numel(); ++linear) {
    const int64_t out_offset = offset_of(linear, out, out, position);
    int64_t index_offset = 0, self_offset = 0;
    for (int64_t d = 0; d < index.ndim(); ++d) index_offset += position[d] * index.stride(d);
    for (int64_t d = 0; d < self.ndim(); ++d) {
      const int64_t i = d == dim ? checked(read_index(index, index_offset), self.size(d), d) : position[d];
      self_offset += i * self.stride(d);
    }
    std::memcpy(out.bytes() + out_offset * item, self.bytes() + self_offset * item, item);
  }
}

// out = self, then out[..., index[j], ...] (+)= source[..., j, ...] (index_add, index_copy) or
// out[index[p] at dim, rest of p] (+)= src[p] for every position p of index (scatter_add, scatter).
void indexed_write_kernel(const KernelArgs& args, void* user_data) {
  const backends::IndexedWrite write = backends::untag<backends::IndexedWrite>(user_data);
  const bool scatter = backends::walks_index(write), add = backends::adds(write);
  const TensorView out = args.output(), self = args.tensor(0), index = args.tensor(2), added = args.tensor(3);
  const int64_t dim = args.to_int_list(1).first[0];
  copy_strided(out, self);
  const TensorView& positions = scatter ? index : added;  // what the loop walks over
  const int64_t index_stride = index.ndim() == 0 ? 0 : index.stride(0);
  int64_t position[sdk::StridedLoop<1>::kMaxDims];
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = sdk::compute_t<T>;
    for (int64_t linear = 0; linear < positions.numel(); ++linear) {
      offset_of(linear, positions, positions, position);
      int64_t index_offset = 0, added_offset = 0, out_offset = 0;
      for (int64_t d = 0; d < positions.ndim(); ++d) {
        index_offset += position[d] * (scatter ? index.stride(d) : 0);
        added_offset += position[d] * added.stride(d);
      }
      if (!scatter) index_offset = position[dim] * index_stride;
      const int64_t target = checked(read_index(index, index_offset), out.size(dim), dim);
      for (int64_t d = 0; d < out.ndim(); ++d) out_offset += (d == dim ? target : position[d]) * out.stride(d);
      T& dst = out.data<T>()[out_offset];
      const T value = added.data<T>()[added_offset];
      dst = add ? static_cast<T>(static_cast<C>(dst) + static_cast<C>(value)) : value;
    }
  });
}

}  // namespace

void register_indexing_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  sdk::register_kernel(host, "index_select", &guarded_kernel<&index_select_kernel>);
  sdk::register_kernel(host, "gather", &guarded_kernel<&gather_kernel>);
  backends::register_family(host, backends::kIndexedWriteOps, &guarded_kernel<&indexed_write_kernel>);
}

}  // namespace ember::cpu
