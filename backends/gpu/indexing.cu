// index_select, gather, the indexed writes (index_add, index_copy, scatter_add, scatter) and
// searchsorted on the GPU. Indices are checked on the device; the first one out of range is reported through an error
// slot of the call's own and becomes the same error the CPU backend raises. Accumulation uses
// atomic adds; stores to a repeated index race, and one of them wins.
#include <string>

#include "ember/sorted_search.h"
#include "gpu_kernels.h"

namespace ember::gpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

constexpr int kMaxDims = 16;

// A tensor's sizes and element strides, by value for kernels.
struct Layout {
  int ndim = 0;
  int64_t sizes[kMaxDims] = {};
  int64_t strides[kMaxDims] = {};
  explicit Layout(const TensorView& t) : ndim(static_cast<int>(t.ndim())) {
    sdk::check(ndim <= kMaxDims, "indexing takes at most 16 dimensions");
    for (int d = 0; d < ndim; ++d) {
      sizes[d] = t.size(d);
      strides[d] = t.stride(d);
    }
  }
};

// Coordinates of row-major position `linear` of `shape`.
__device__ void coordinates(const Layout& shape, int64_t linear, int64_t (&coords)[kMaxDims]) {
  for (int d = shape.ndim - 1; d >= 0; --d) {
    coords[d] = linear % shape.sizes[d];
    linear /= shape.sizes[d];
  }
}

__device__ int64_t dot(const Layout& strided, const int64_t (&coords)[kMaxDims]) {
  int64_t offset = 0;
  for (int d = 0; d < strided.ndim; ++d) offset += coords[d] * strided.strides[d];
  return offset;
}

__device__ int64_t read_index(const void* index, bool int32, int64_t offset) {
  return int32 ? static_cast<const int32_t*>(index)[offset] : static_cast<const int64_t*>(index)[offset];
}

// The index wrapped into [0, size), or -1 after reporting it.
__device__ int64_t checked(int64_t i, int64_t size, int64_t* error) {
  if (i >= -size && i < size) return i < 0 ? i + size : i;
  if (atomicCAS(reinterpret_cast<unsigned long long*>(error), ~0ull, 0ull) == ~0ull) error[1] = i;
  return -1;
}

void raise_if_reported(const ErrorSlot& slot, int64_t dim, int64_t size) {
  int64_t bad = 0;
  if (slot.read(&bad)) {
    throw sdk::KernelError(EMBER_STATUS_INVALID_ARGUMENT, "index " + std::to_string(bad) +
                                                              " is out of range for dimension " + std::to_string(dim) +
                                                              " of size " + std::to_string(size));
  }
}

struct IndexArg {
  const void* data;
  bool int32;
  explicit IndexArg(const TensorView& index)
      : data(index.bytes()), int32(index.dtype() == EMBER_DTYPE_INT32) {}
};

// A word of `Bytes` bytes, for moving elements whatever their dtype.
template <int Bytes> struct Word;
template <> struct Word<1> { using type = uint8_t; };
template <> struct Word<2> { using type = uint16_t; };
template <> struct Word<4> { using type = uint32_t; };
template <> struct Word<8> { using type = uint64_t; };

// Calls f with a zero of the unsigned word as wide as an element of `dtype`.
template <typename F>
void dispatch_word(int32_t dtype, F&& f) {
  switch (sdk::dtype_size(dtype)) {
    case 1: return f(Word<1>::type{});
    case 2: return f(Word<2>::type{});
    case 4: return f(Word<4>::type{});
    default: return f(Word<8>::type{});
  }
}

template <typename W>
void select_typed(const TensorView& out, const TensorView& self, const TensorView& index, int64_t dim, bool gather) {
  const Layout out_l(out), self_l(self), index_l(index);
  const IndexArg idx(index);
  const int device = out.view->device_index;
  const ErrorSlot slot(device);
  int64_t* error = slot.words();
  W* dst = out.data<W>();
  const W* src = self.data<W>();
  const int64_t index_stride = index.ndim() == 0 ? 0 : index.stride(0);
  launch_index(device, out.numel(), [=] __device__(int64_t linear) {
    int64_t coords[kMaxDims];
    coordinates(out_l, linear, coords);
    const int64_t at = gather ? dot(index_l, coords) : coords[dim] * index_stride;
    const int64_t out_offset = dot(out_l, coords);
    const int64_t i = checked(read_index(idx.data, idx.int32, at), self_l.sizes[dim], error);
    if (i < 0) return;
    coords[dim] = i;
    dst[out_offset] = src[dot(self_l, coords)];
  }, "index kernel");
  raise_if_reported(slot, dim, self.size(dim));
}

void select_kernel(const KernelArgs& args, void* user_data) {
  const TensorView out = args.output(), self = args.tensor(0), index = args.tensor(2);
  const int64_t dim = args.to_int_list(1).first[0];
  const bool gather = user_data != nullptr;
  dispatch_word(out.dtype(), [&](auto zero) { select_typed<decltype(zero)>(out, self, index, dim, gather); });
}

// Adds to a 16-bit float through compare-and-swap on the aligned 32-bit word that holds it, for
// runtimes without a native 16-bit atomicAdd.
template <typename T>
__device__ void atomic_add_16bit(T* address, T value) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(address);
  auto* word = reinterpret_cast<unsigned int*>(at & ~uintptr_t{3});
  const unsigned shift = static_cast<unsigned>(at & 2) * 8;
  unsigned int old = *word, assumed;
  do {
    assumed = old;
    const uint16_t bits = static_cast<uint16_t>(assumed >> shift);
    T current;
    memcpy(&current, &bits, sizeof bits);
    const T sum(static_cast<float>(current) + static_cast<float>(value));
    uint16_t sum_bits;
    memcpy(&sum_bits, &sum, sizeof sum_bits);
    old = atomicCAS(word, assumed, (assumed & ~(0xffffu << shift)) | (static_cast<unsigned>(sum_bits) << shift));
  } while (old != assumed);
}

template <typename T>
__device__ void atomic_accumulate(T* address, T value) {
  if constexpr (std::is_same_v<T, int64_t>) {
    atomicAdd(reinterpret_cast<unsigned long long*>(address), static_cast<unsigned long long>(value));
  } else if constexpr (sizeof(T) == 2 && !EMBER_GPU_NATIVE_16BIT_ATOMICS) {
    atomic_add_16bit(address, value);
  } else {
    atomicAdd(address, value);
  }
}

// Walks source's slices (scatter false) or index's positions (scatter true) and hands each
// element and its target to `store(target, value)`.
template <typename T, typename Store>
void indexed_write_typed(const TensorView& out, const TensorView& index, const TensorView& added, int64_t dim,
                         bool scatter, Store store) {
  const TensorView& positions = scatter ? index : added;  // what the kernel walks over
  const Layout out_l(out), index_l(index), added_l(added), walk(positions);
  const IndexArg idx(index);
  const int device = out.view->device_index;
  const ErrorSlot slot(device);
  int64_t* error = slot.words();
  T* dst = out.data<T>();
  const T* src = added.data<T>();
  const int64_t index_stride = index.ndim() == 0 ? 0 : index.stride(0);
  launch_index(device, positions.numel(), [=] __device__(int64_t linear) {
    int64_t coords[kMaxDims];
    coordinates(walk, linear, coords);
    const int64_t at = scatter ? dot(index_l, coords) : coords[dim] * index_stride;
    const T value = src[dot(added_l, coords)];
    const int64_t target = checked(read_index(idx.data, idx.int32, at), out_l.sizes[dim], error);
    if (target < 0) return;
    coords[dim] = target;
    store(dst + dot(out_l, coords), value);
  }, "indexed write kernel");
  raise_if_reported(slot, dim, out.size(dim));
}

// The device lambdas live in named templates: nvcc allows none inside a generic lambda.
template <typename W>
void store_typed(const TensorView& out, const TensorView& index, const TensorView& added, int64_t dim, bool scatter) {
  indexed_write_typed<W>(out, index, added, dim, scatter, [] __device__(W* target, W value) { *target = value; });
}

template <typename T>
void accumulate_typed(const TensorView& out, const TensorView& index, const TensorView& added, int64_t dim,
                      bool scatter) {
  constexpr bool supported = std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, gpu_half> ||
                             std::is_same_v<T, gpu_bfloat16> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>;
  if constexpr (!supported) {
    sdk::check(false, "index_add and scatter_add on the GPU take float, integer (32/64-bit) or 16-bit float tensors");
  } else {
    indexed_write_typed<T>(out, index, added, dim, scatter,
                           [] __device__(T* target, T value) { atomic_accumulate(target, value); });
  }
}

void indexed_write_kernel(const KernelArgs& args, void* user_data) {
  const backends::IndexedWrite write = backends::untag<backends::IndexedWrite>(user_data);
  const bool scatter = backends::walks_index(write);
  const TensorView out = args.output(), self = args.tensor(0), index = args.tensor(2), added = args.tensor(3);
  const int64_t dim = args.to_int_list(1).first[0];
  copy_same_dtype(out, self);
  if (backends::adds(write)) {
    dispatch_dtype(out.dtype(), [&](auto zero) { accumulate_typed<decltype(zero)>(out, index, added, dim, scatter); });
  } else {
    dispatch_word(out.dtype(), [&](auto zero) { store_typed<decltype(zero)>(out, index, added, dim, scatter); });
  }
}

// searchsorted: a thread per value. A value's coordinates in the leading dimensions are its
// row's in sorted_sequence (a 1-D one has a single row), so both offsets come from them.
template <typename T, typename Position, bool kRight>
void search_typed(const TensorView& out, const TensorView& sorted, const TensorView& values, const TensorView* sorter) {
  const Layout out_l(out), sorted_l(sorted), values_l(values), sorter_l(sorter ? *sorter : sorted);
  const int device = out.view->device_index;
  const ErrorSlot slot(device);
  int64_t* error = slot.words();
  Position* dst = out.data<Position>();
  const T* entries = sorted.data<T>();
  const T* src = values.data<T>();
  const int64_t* order = sorter ? sorter->data<int64_t>() : nullptr;
  const int last = sorted_l.ndim - 1;
  const int64_t m = sorted_l.sizes[last];
  launch_index(device, out.numel(), [=] __device__(int64_t linear) {
    using C = compute_t<T>;
    int64_t coords[kMaxDims];
    coordinates(values_l, linear, coords);
    int64_t row = 0, sorter_row = 0;
    for (int d = 0; d < last; ++d) {
      row += coords[d] * sorted_l.strides[d];
      sorter_row += coords[d] * sorter_l.strides[d];
    }
    const auto entry = [&](int, int64_t j) {
      if (order == nullptr) return static_cast<C>(entries[row + j * sorted_l.strides[last]]);
      const int64_t at = checked(order[sorter_row + j * sorter_l.strides[last]], m, error);
      return static_cast<C>(entries[row + (at < 0 ? 0 : at) * sorted_l.strides[last]]);
    };
    const C value[1] = {static_cast<C>(src[dot(values_l, coords)])};
    int64_t position[1];
    sdk::sorted_positions<kRight>(entry, m, value, position);
    dst[dot(out_l, coords)] = static_cast<Position>(position[0]);
  }, "searchsorted kernel");
  int64_t bad = 0;
  if (slot.read(&bad)) backends::sorter_out_of_range(bad, m);
}

void searchsorted_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output(), sorted = args.tensor(0), values = args.tensor(1);
  const TensorView sorter = args.is_none(5) ? sorted : args.tensor(5);
  const TensorView* sorter_or_none = args.is_none(5) ? nullptr : &sorter;
  const bool right = backends::searches_right(args);
  const bool narrow = out.dtype() == EMBER_DTYPE_INT32;
  dispatch_dtype(sorted.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (narrow && right) return search_typed<T, int32_t, true>(out, sorted, values, sorter_or_none);
    if (narrow) return search_typed<T, int32_t, false>(out, sorted, values, sorter_or_none);
    if (right) return search_typed<T, int64_t, true>(out, sorted, values, sorter_or_none);
    search_typed<T, int64_t, false>(out, sorted, values, sorter_or_none);
  });
}

}  // namespace

void register_indexing_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  sdk::register_kernel(host, "index_select", &guarded_kernel<&select_kernel>, nullptr);
  sdk::register_kernel(host, "gather", &guarded_kernel<&select_kernel>, reinterpret_cast<void*>(1));
  register_family(host, backends::kIndexedWriteOps, &guarded_kernel<&indexed_write_kernel>);
  sdk::register_kernel(host, "searchsorted", &guarded_kernel<&searchsorted_kernel>, nullptr);
}

}  // namespace ember::gpu
