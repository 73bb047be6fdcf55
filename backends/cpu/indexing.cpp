// index_select, gather and the indexed writes (index_add, index_copy, scatter_add, scatter,
// scatter_reduce), with every index checked against the size it indexes.
#include <cmath>
#include <concepts>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

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

enum class ScatterReduction { Sum, Prod, Mean, Amax, Amin };

ScatterReduction scatter_reduction(std::string_view name) {  // the meta function checked the name
  if (name == "sum") return ScatterReduction::Sum;
  if (name == "prod") return ScatterReduction::Prod;
  if (name == "mean") return ScatterReduction::Mean;
  return name == "amax" ? ScatterReduction::Amax : ScatterReduction::Amin;
}

// a (reduce) b in the compute type; integers wrap as PyTorch's do, through unsigned arithmetic
// (signed overflow is undefined), and NaN wins amax and amin.
template <typename C> struct Wrapping { using type = C; };
template <std::integral C> struct Wrapping<C> { using type = std::make_unsigned_t<C>; };

template <typename C>
C combine(ScatterReduction reduce, C a, C b) {
  using Wide = typename Wrapping<C>::type;
  switch (reduce) {
    case ScatterReduction::Sum:
    case ScatterReduction::Mean: return static_cast<C>(static_cast<Wide>(a) + static_cast<Wide>(b));
    case ScatterReduction::Prod: return static_cast<C>(static_cast<Wide>(a) * static_cast<Wide>(b));
    case ScatterReduction::Amax:
    case ScatterReduction::Amin:
      if constexpr (std::is_floating_point_v<C>) {
        if (std::isnan(a) || std::isnan(b)) return std::isnan(a) ? a : b;
      }
      return (reduce == ScatterReduction::Amax) == (b > a) ? b : a;
  }
  return a;
}

// A sum over `count` values as their mean; integers round towards -inf, as PyTorch's.
template <typename C>
C mean_of(C sum, int64_t count) {
  if constexpr (std::is_integral_v<C>) {
    const C n = static_cast<C>(count);
    return static_cast<C>(sum / n - (sum % n != 0 && sum < 0 ? 1 : 0));
  } else {
    return sum / static_cast<C>(count);
  }
}

// out = self, then out[index[p] at dim, rest of p] combined with src[p] for every position p of
// index. Each output element counts the values it has taken (self's among them with
// include_self): the first one replaces self's value when self is left out, and a mean divides
// by the count at the end.
void scatter_reduce_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output(), index = args.tensor(2), src = args.tensor(3);
  const int64_t dim = args.to_int_list(1).first[0];
  const ScatterReduction reduce = scatter_reduction(args.to_string(4));
  const bool include_self = args.to_bool(5);
  copy_strided(out, args.tensor(0));
  std::vector<int64_t> taken(static_cast<size_t>(out.numel()), include_self ? 1 : 0);
  int64_t position[sdk::StridedLoop<1>::kMaxDims];
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = sdk::compute_t<T>;
    if constexpr (std::is_same_v<T, bool>) {
      throw sdk::KernelError(EMBER_STATUS_INVALID_ARGUMENT, "scatter_reduce takes no bool tensors");
    } else {
      for (int64_t linear = 0; linear < index.numel(); ++linear) {
        offset_of(linear, index, index, position);
        int64_t index_offset = 0, src_offset = 0;
        for (int64_t d = 0; d < index.ndim(); ++d) {
          index_offset += position[d] * index.stride(d);
          src_offset += position[d] * src.stride(d);
        }
        const int64_t target = checked(read_index(index, index_offset), out.size(dim), dim);
        int64_t out_offset = 0, dense = 0;
        for (int64_t d = 0; d < out.ndim(); ++d) {
          const int64_t i = d == dim ? target : position[d];
          out_offset += i * out.stride(d);
          dense = dense * out.size(d) + i;
        }
        T& dst = out.data<T>()[out_offset];
        const C value = static_cast<C>(src.data<T>()[src_offset]);
        dst = static_cast<T>(taken[dense]++ == 0 ? value : combine(reduce, static_cast<C>(dst), value));
      }
      if (reduce != ScatterReduction::Mean) return;
      for (int64_t linear = 0; linear < out.numel(); ++linear) {
        if (taken[linear] < 2) continue;
        T& dst = out.data<T>()[offset_of(linear, out, out, position)];
        dst = static_cast<T>(mean_of(static_cast<C>(dst), taken[linear]));
      }
    }
  });
}

}  // namespace

void register_indexing_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  sdk::register_kernel(host, "index_select", &guarded_kernel<&index_select_kernel>);
  sdk::register_kernel(host, "gather", &guarded_kernel<&gather_kernel>);
  backends::register_family(host, backends::kIndexedWriteOps, &guarded_kernel<&indexed_write_kernel>);
  sdk::register_kernel(host, "scatter_reduce.two", &guarded_kernel<&scatter_reduce_kernel>);
}

}  // namespace ember::cpu
