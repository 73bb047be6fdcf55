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

// An index tensor's elements, its data pointer and dtype read once: loops that read an index per
// element should not reload them through the view each time (stores through char pointers may
// alias it, so the compiler cannot hoist them).
class IndexReader {
 public:
  explicit IndexReader(const TensorView& index)
      : wide_(index.dtype() != EMBER_DTYPE_INT32 ? index.data<int64_t>() : nullptr),
        narrow_(index.dtype() == EMBER_DTYPE_INT32 ? index.data<int32_t>() : nullptr) {}
  int64_t operator[](int64_t offset) const { return wide_ ? wide_[offset] : narrow_[offset]; }

 private:
  const int64_t* wide_;
  const int32_t* narrow_;
};

[[noreturn, gnu::cold, gnu::noinline]] void out_of_range(int64_t i, int64_t size, int64_t dim) {
  throw sdk::KernelError(EMBER_STATUS_INVALID_ARGUMENT, "index " + std::to_string(i) + " is out of range for dimension " +
                                                            std::to_string(dim) + " of size " + std::to_string(size));
}

// The index wrapped into [0, size); the error is built out of line, so that this inlines into
// the loops that call it per element.
inline int64_t checked(int64_t i, int64_t size, int64_t dim) {
  if (i < -size || i >= size) out_of_range(i, size, dim);
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

// The index's entries, each checked against `size` once and wrapped.
std::vector<int64_t> checked_indices(const TensorView& index, int64_t size, int64_t dim) {
  const int64_t n = index.numel(), stride = index.ndim() == 0 ? 0 : index.stride(0);
  const IndexReader read(index);
  std::vector<int64_t> wrapped(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) wrapped[static_cast<size_t>(j)] = checked(read[j * stride], size, dim);
  return wrapped;
}

// Whether out and src are contiguous and index covers src and out in every dimension but `dim`:
// then position (o, j, i) of index ([outer, n, inner], read row-major through RowMajor) is the
// same position of src, and lands at (o, index, i) of out ([outer, size, inner]).
bool scatter_is_contiguous(const TensorView& out, const TensorView& index, const TensorView& src, int64_t dim) {
  if (!out.is_contiguous() || !src.is_contiguous()) return false;
  for (int64_t d = 0; d < index.ndim(); ++d) {
    if (index.size(d) != src.size(d) || (d != dim && index.size(d) != out.size(d))) return false;
  }
  return true;
}

// The [outer, n, inner] walk of contiguous operands around `dim` (n = sizes[dim]): calls
// visit(o, j, p) for each block start, p the flat position of (o, j, 0).
template <typename Visit>
void over_blocks(const TensorView& shape, int64_t dim, Visit&& visit) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= shape.size(d);
  for (int64_t d = dim + 1; d < shape.ndim(); ++d) inner *= shape.size(d);
  const int64_t n = shape.ndim() == 0 ? 1 : shape.size(dim);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < n; ++j) visit(o, j, (o * n + j) * inner, inner);
  }
}

// Calls f(target, p) for every position p of a contiguous index walked as [outer, n, inner]
// around `dim`, target being the position (o, index[p], i) of a contiguous [outer, size, inner]
// tensor: the gathered or scattered-to element. Rows of one element (along the last dimension,
// the common case) run as one plain loop, not a call per element.
template <typename F>
void over_index_targets(const TensorView& index, int64_t dim, int64_t size, const IndexReader& targets, F&& f) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= index.size(d);
  for (int64_t d = dim + 1; d < index.ndim(); ++d) inner *= index.size(d);
  if (inner == 1) {
    const int64_t n = index.ndim() == 0 ? 1 : index.size(dim);
    for (int64_t o = 0, p = 0; o < outer; ++o) {
      const int64_t row = o * size;
      for (int64_t j = 0; j < n; ++j, ++p) f(row + checked(targets[p], size, dim), p);
    }
    return;
  }
  over_blocks(index, dim, [&](int64_t o, int64_t, int64_t p, int64_t) {
    for (int64_t i = 0; i < inner; ++i) f((o * size + checked(targets[p + i], size, dim)) * inner + i, p + i);
  });
}

// Copies `run` elements of sizeof(T) bytes. memcpy of a constant size is one load and store, so
// the run of one element (a gather along the last dimension) costs no call, and the bytes are
// copied whatever their dtype without reading a float through an integer type.
template <typename T>
void copy_run(char* dst, const char* src, int64_t run) {
  for (int64_t k = 0; k < run; ++k) std::memcpy(dst + k * sizeof(T), src + k * sizeof(T), sizeof(T));
}

// Note [Contiguous index_select]
// With self and out contiguous, out is [outer, n, inner] and self [outer, size, inner]: block
// (o, j) of out is block (o, index[j]) of self, `inner` elements in a row. The indices are read
// and checked once, not once per element.
void contiguous_index_select(const TensorView& out, const TensorView& self, const std::vector<int64_t>& picked,
                             int64_t dim) {
  const int64_t item = static_cast<int64_t>(sdk::dtype_size(out.dtype())), size = self.size(dim);
  char* const to = out.bytes();
  const char* const from = self.bytes();
  dispatch_item_size(item, [&](auto element) {
    using T = decltype(element);
    over_blocks(out, dim, [&](int64_t o, int64_t j, int64_t p, int64_t inner) {
      copy_run<T>(to + p * item, from + (o * size + picked[static_cast<size_t>(j)]) * inner * item, inner);
    });
  });
}

void index_select_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output(), self = args.tensor(0), index = args.tensor(2);
  const int64_t dim = args.to_int_list(1).first[0];
  if (out.is_contiguous() && self.is_contiguous()) {
    return contiguous_index_select(out, self, checked_indices(index, self.size(dim), dim), dim);
  }
  const size_t item = sdk::dtype_size(out.dtype());
  const int64_t index_stride = index.ndim() == 0 ? 0 : index.stride(0);
  const IndexReader read(index);
  int64_t position[sdk::StridedLoop<1>::kMaxDims];
  for (int64_t linear = 0; linear < out.numel(); ++linear) {
    const int64_t out_offset = offset_of(linear, out, out, position);
    int64_t self_offset = 0;
    for (int64_t d = 0; d < self.ndim(); ++d) {
      const int64_t i = d == dim ? checked(read[position[d] * index_stride], self.size(d), d) : position[d];
      self_offset += i * self.stride(d);
    }
    std::memcpy(out.bytes() + out_offset * item, self.bytes() + self_offset * item, item);
  }
}

void gather_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output(), self = args.tensor(0), index = args.tensor(2);
  const int64_t dim = args.to_int_list(1).first[0];
  const size_t item = sdk::dtype_size(out.dtype());
  // The scatter's geometry read the other way: out[(o, j, i)] = self[(o, index, i)].
  if (scatter_is_contiguous(self, index, out, dim)) {
    const RowMajor dense(index, true);
    const IndexReader read(dense.view());
    const int64_t size = self.size(dim);
    char* const to = out.bytes();
    const char* const from = self.bytes();
    return dispatch_item_size(static_cast<int64_t>(item), [&](auto element) {
      using T = decltype(element);
      over_index_targets(index, dim, size, read, [&](int64_t source, int64_t p) {
        copy_run<T>(to + p * sizeof(T), from + source * sizeof(T), 1);
      });
    });
  }
  const IndexReader read(index);
  int64_t position[sdk::StridedLoop<1>::kMaxDims];
  for (int64_t linear = 0; linear < out.numel(); ++linear) {
    const int64_t out_offset = offset_of(linear, out, out, position);
    int64_t index_offset = 0, self_offset = 0;
    for (int64_t d = 0; d < index.ndim(); ++d) index_offset += position[d] * index.stride(d);
    for (int64_t d = 0; d < self.ndim(); ++d) {
      const int64_t i = d == dim ? checked(read[index_offset], self.size(d), d) : position[d];
      self_offset += i * self.stride(d);
    }
    std::memcpy(out.bytes() + out_offset * item, self.bytes() + self_offset * item, item);
  }
}

// out = self, then out[..., index[j], ...] (+)= source[..., j, ...] (index_add, index_copy) or
// out[index[p] at dim, rest of p] (+)= src[p] for every position p of index (scatter_add,
// scatter). Contiguous operands are walked as [outer, n, inner] blocks, each index read once per
// block (index_add, index_copy) or per element (the scatters) without dividing out coordinates.
void indexed_write_kernel(const KernelArgs& args, void* user_data) {
  const backends::IndexedWrite write = backends::untag<backends::IndexedWrite>(user_data);
  const bool scatter = backends::walks_index(write), add = backends::adds(write);
  const TensorView out = args.output(), self = args.tensor(0), index = args.tensor(2), added = args.tensor(3);
  const int64_t dim = args.to_int_list(1).first[0];
  copy_strided(out, self);
  const int64_t size = out.size(dim);
  const bool contiguous = scatter ? scatter_is_contiguous(out, index, added, dim)
                                  : out.is_contiguous() && added.is_contiguous();
  const RowMajor dense(index, scatter && contiguous);
  const IndexReader targets(dense.view());
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = sdk::compute_t<T>;
    T* result = out.data<T>();
    const T* values = added.data<T>();
    const auto store = [&](int64_t out_offset, int64_t added_offset) {
      T& dst = result[out_offset];
      const T value = values[added_offset];
      dst = add ? static_cast<T>(static_cast<C>(dst) + static_cast<C>(value)) : value;
    };
    if (contiguous && !scatter) {
      const std::vector<int64_t> picked = checked_indices(index, size, dim);
      over_blocks(added, dim, [&](int64_t o, int64_t j, int64_t p, int64_t inner) {
        const int64_t at = (o * size + picked[static_cast<size_t>(j)]) * inner;
        for (int64_t i = 0; i < inner; ++i) store(at + i, p + i);
      });
      return;
    }
    if (contiguous) {
      over_index_targets(index, dim, size, targets, store);
      return;
    }
    const TensorView& positions = scatter ? index : added;  // what the loop walks over
    const int64_t index_stride = index.ndim() == 0 ? 0 : index.stride(0);
    int64_t position[sdk::StridedLoop<1>::kMaxDims];
    for (int64_t linear = 0; linear < positions.numel(); ++linear) {
      offset_of(linear, positions, positions, position);
      int64_t index_offset = 0, added_offset = 0, out_offset = 0;
      for (int64_t d = 0; d < positions.ndim(); ++d) {
        index_offset += position[d] * (scatter ? index.stride(d) : 0);
        added_offset += position[d] * added.stride(d);
      }
      if (!scatter) index_offset = position[dim] * index_stride;
      const int64_t target = checked(targets[index_offset], size, dim);
      for (int64_t d = 0; d < out.ndim(); ++d) out_offset += (d == dim ? target : position[d]) * out.stride(d);
      store(out_offset, added_offset);
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

template <ScatterReduction R, typename C>
C combine(C a, C b) {
  using Wide = typename Wrapping<C>::type;
  if constexpr (R == ScatterReduction::Sum || R == ScatterReduction::Mean) {
    return static_cast<C>(static_cast<Wide>(a) + static_cast<Wide>(b));
  } else if constexpr (R == ScatterReduction::Prod) {
    return static_cast<C>(static_cast<Wide>(a) * static_cast<Wide>(b));
  } else {
    if constexpr (std::is_floating_point_v<C>) {
      if (std::isnan(a) || std::isnan(b)) return std::isnan(a) ? a : b;
    }
    return (R == ScatterReduction::Amax) == (b > a) ? b : a;
  }
}

// Calls f with the reduction and whether values are counted as compile-time constants, so that
// the loop carries no switch and no flag (a mean always counts).
template <typename F>
void dispatch_reduction(ScatterReduction reduce, bool counting, F&& f) {
  using R = ScatterReduction;
  const auto with = [&](auto tag) {
    if (counting) return f(tag, std::true_type{});
    if constexpr (decltype(tag)::value != R::Mean) f(tag, std::false_type{});
  };
  switch (reduce) {
    case R::Sum: return with(std::integral_constant<R, R::Sum>{});
    case R::Prod: return with(std::integral_constant<R, R::Prod>{});
    case R::Mean: return with(std::integral_constant<R, R::Mean>{});
    case R::Amax: return with(std::integral_constant<R, R::Amax>{});
    case R::Amin: return with(std::integral_constant<R, R::Amin>{});
  }
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
// index. Where counting, each output element counts the values it has taken (self's among them
// with include_self): the first one replaces self's value when self is left out, and a mean
// divides by the count at the end.
void scatter_reduce_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output(), index = args.tensor(2), src = args.tensor(3);
  const int64_t dim = args.to_int_list(1).first[0];
  const ScatterReduction reduce = scatter_reduction(args.to_string(4));
  const bool include_self = args.to_bool(5);
  copy_strided(out, args.tensor(0));
  // Counts are needed for a mean, and to let the first value replace self's when self is left
  // out; otherwise every value simply combines with what is there.
  const bool counting = !include_self || reduce == ScatterReduction::Mean;
  std::vector<int64_t> taken(counting ? static_cast<size_t>(out.numel()) : 0, include_self ? 1 : 0);
  const bool contiguous = scatter_is_contiguous(out, index, src, dim);
  const RowMajor dense(index, contiguous);
  const IndexReader targets(dense.view());
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = sdk::compute_t<T>;
    if constexpr (std::is_same_v<T, bool>) {
      throw sdk::KernelError(EMBER_STATUS_INVALID_ARGUMENT, "scatter_reduce takes no bool tensors");
    } else {
      dispatch_reduction(reduce, counting, [&](auto tag, auto counts) {
        constexpr ScatterReduction R = decltype(tag)::value;
        T* result = out.data<T>();
        const T* values = src.data<T>();
        int64_t* const counted = taken.data();
        // `dense` numbers out's elements row-major, whatever its strides.
        const auto absorb = [&](int64_t out_offset, int64_t dense, int64_t src_offset) {
          T& dst = result[out_offset];
          const C value = static_cast<C>(values[src_offset]);
          const bool first = decltype(counts)::value && counted[dense]++ == 0;
          dst = static_cast<T>(first ? value : combine<R>(static_cast<C>(dst), value));
        };
        const int64_t size = out.size(dim);
        if (contiguous) {
          over_index_targets(index, dim, size, targets, [&](int64_t at, int64_t p) { absorb(at, at, p); });
        } else {
          int64_t position[sdk::StridedLoop<1>::kMaxDims];
          for (int64_t linear = 0; linear < index.numel(); ++linear) {
            offset_of(linear, index, index, position);
            int64_t index_offset = 0, src_offset = 0;
            for (int64_t d = 0; d < index.ndim(); ++d) {
              index_offset += position[d] * index.stride(d);
              src_offset += position[d] * src.stride(d);
            }
            const int64_t target = checked(targets[index_offset], size, dim);
            int64_t out_offset = 0, dense = 0;
            for (int64_t d = 0; d < out.ndim(); ++d) {
              const int64_t i = d == dim ? target : position[d];
              out_offset += i * out.stride(d);
              dense = dense * out.size(d) + i;
            }
            absorb(out_offset, dense, src_offset);
          }
        }
        if constexpr (R == ScatterReduction::Mean) {
          int64_t position[sdk::StridedLoop<1>::kMaxDims];
          for (int64_t linear = 0; linear < out.numel(); ++linear) {
            if (taken[linear] < 2) continue;
            T& dst = result[offset_of(linear, out, out, position)];
            dst = static_cast<T>(mean_of(static_cast<C>(dst), taken[linear]));
          }
        }
      });
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
