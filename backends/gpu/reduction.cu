// Reductions (sum, prod, mean, amax, amin, var, argmax, argmin, max.dim, min.dim), softmax, cumsum,
// cumprod and topk on the GPU: one block per output element (per row for the others), its
// threads striding over the reduced subspace and combining through shared memory. Same results as
// the CPU backend: NaN wins the extremes, ties go to the first index, var takes two passes, topk
// orders as the CPU's does.
#include <cmath>

#include "gpu_kernels.h"

namespace ember::gpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

constexpr int kMaxDims = 16;

// Kept (outer) and reduced (inner) dimensions, innermost last, strides in bytes. The output is
// keepdim-shaped; inner output strides serve softmax, whose output has the input's shape.
struct ReduceShape {
  int outer_ndim = 0, inner_ndim = 0;
  int64_t outer_sizes[kMaxDims], outer_in[kMaxDims], outer_out[kMaxDims], outer_out2[kMaxDims];
  int64_t inner_sizes[kMaxDims], inner_in[kMaxDims], inner_out[kMaxDims];
  int64_t outer_numel = 1, inner_numel = 1;

  ReduceShape(const TensorView& out, const TensorView* out2, const TensorView& in, const int64_t* dims, int64_t n) {
    sdk::check(in.ndim() <= kMaxDims, "reductions take at most 16 dimensions");
    bool reduced[kMaxDims] = {};
    for (int64_t i = 0; i < n; ++i) reduced[dims[i]] = true;
    const int64_t in_item = sdk::dtype_size(in.dtype()), out_item = sdk::dtype_size(out.dtype());
    for (int64_t d = 0; d < in.ndim(); ++d) {
      const int64_t out_stride = out.size(d) == 1 ? 0 : out.stride(d) * out_item;
      if (reduced[d]) {
        inner_sizes[inner_ndim] = in.size(d);
        inner_in[inner_ndim] = in.stride(d) * in_item;
        inner_out[inner_ndim++] = out_stride;
        inner_numel *= in.size(d);
      } else {
        outer_sizes[outer_ndim] = in.size(d);
        outer_in[outer_ndim] = in.stride(d) * in_item;
        outer_out2[outer_ndim] = out2 && out2->size(d) != 1 ? out2->stride(d) * 8 : 0;
        outer_out[outer_ndim++] = out_stride;
        outer_numel *= in.size(d);
      }
    }
  }

  __device__ void outer_offsets(int64_t o, int64_t& in, int64_t& out, int64_t& out2) const {
    in = out = out2 = 0;
    for (int d = outer_ndim - 1; d >= 0; --d) {
      const int64_t i = o % outer_sizes[d];
      o /= outer_sizes[d];
      in += i * outer_in[d];
      out += i * outer_out[d];
      out2 += i * outer_out2[d];
    }
  }

  __device__ void inner_offsets(int64_t r, int64_t& in, int64_t& out) const {
    in = out = 0;
    for (int d = inner_ndim - 1; d >= 0; --d) {
      const int64_t i = r % inner_sizes[d];
      r /= inner_sizes[d];
      in += i * inner_in[d];
      out += i * inner_out[d];
    }
  }
};

template <typename T>
using acc_t = std::conditional_t<std::is_same_v<T, double>, double,
                                 std::conditional_t<is_floating_v<T>, float, int64_t>>;

template <typename A>
__device__ __forceinline__ bool nan(A v) {
  if constexpr (std::is_floating_point_v<A>) return v != v;
  return false;
}

template <typename A>
struct Best {
  A value;
  int64_t index;  // -1: nothing seen
};

// The better of two candidates: NaN first, then the larger (smaller) value, then the lower index.
template <typename A>
__device__ Best<A> better(Best<A> a, Best<A> b, bool want_max) {
  if (a.index < 0) return b;
  if (b.index < 0) return a;
  const bool na = nan(a.value), nb = nan(b.value);
  if (na || nb) return na && nb ? (a.index < b.index ? a : b) : (na ? a : b);
  if (a.value == b.value) return a.index < b.index ? a : b;
  return (want_max ? b.value > a.value : b.value < a.value) ? b : a;
}

// Combines one value per thread of the block; every thread gets the result.
template <typename V, typename Combine>
__device__ V block_combine(V v, Combine combine) {
  __shared__ __align__(16) unsigned char raw[kThreads * 16];
  V* shared = reinterpret_cast<V*>(raw);
  shared[threadIdx.x] = v;
  __syncthreads();
  for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) shared[threadIdx.x] = combine(shared[threadIdx.x], shared[threadIdx.x + half]);
    __syncthreads();
  }
  const V result = shared[0];
  __syncthreads();  // the buffer is reused by the next call
  return result;
}

// Inclusive prefix sums (or products) of one value per thread of the block; `total` gets the whole
// block's.
template <typename A>
__device__ A block_inclusive_scan(A v, bool product, A& total) {
  __shared__ __align__(16) unsigned char raw[kThreads * 16];
  A* shared = reinterpret_cast<A*>(raw);
  shared[threadIdx.x] = v;
  __syncthreads();
  for (unsigned offset = 1; offset < blockDim.x; offset *= 2) {
    const A before = threadIdx.x >= offset ? shared[threadIdx.x - offset] : A(product ? 1 : 0);
    __syncthreads();  // every read of this round before any write
    shared[threadIdx.x] = product ? shared[threadIdx.x] * before : shared[threadIdx.x] + before;
    __syncthreads();
  }
  const A result = shared[threadIdx.x];
  total = shared[blockDim.x - 1];
  __syncthreads();  // the buffer is reused by the next call
  return result;
}

template <typename T>
__global__ void reduce_kernel(ReduceShape s, Reduce op, int64_t correction, char* out, char* out2, const char* in) {
  using A = acc_t<T>;
  using C = compute_t<T>;
  for (int64_t o = blockIdx.x; o < s.outer_numel; o += gridDim.x) {
    int64_t in_base, out_off, out2_off, in_off, unused;
    s.outer_offsets(o, in_base, out_off, out2_off);
    auto load = [&](int64_t r) {
      s.inner_offsets(r, in_off, unused);
      return static_cast<A>(static_cast<C>(*reinterpret_cast<const T*>(in + in_base + in_off)));
    };
    if (op == Reduce::Prod) {
      A product = 1;
      for (int64_t r = threadIdx.x; r < s.inner_numel; r += blockDim.x) product *= load(r);
      product = block_combine(product, [](A a, A b) { return a * b; });
      if (threadIdx.x == 0) *reinterpret_cast<T*>(out + out_off) = static_cast<T>(static_cast<C>(product));
    } else if (op == Reduce::Sum || op == Reduce::Mean || op == Reduce::Var) {
      A sum = 0;
      for (int64_t r = threadIdx.x; r < s.inner_numel; r += blockDim.x) sum += load(r);
      sum = block_combine(sum, [](A a, A b) { return a + b; });
      double result = static_cast<double>(sum);
      if (op != Reduce::Sum) {
        const double mean = result / static_cast<double>(s.inner_numel);
        result = mean;
        if (op == Reduce::Var) {
          A squares = 0;
          for (int64_t r = threadIdx.x; r < s.inner_numel; r += blockDim.x) {
            const A d = load(r) - static_cast<A>(mean);
            squares += d * d;
          }
          squares = block_combine(squares, [](A a, A b) { return a + b; });
          const double denominator = static_cast<double>(s.inner_numel - correction);
          result = denominator > 0 ? static_cast<double>(squares) / denominator : NAN;
        }
      }
      if (threadIdx.x == 0) *reinterpret_cast<T*>(out + out_off) = static_cast<T>(static_cast<C>(result));
    } else {
      const bool want_max = op == Reduce::Amax || op == Reduce::Argmax || op == Reduce::MaxDim;
      Best<A> best{A(0), -1};
      for (int64_t r = threadIdx.x; r < s.inner_numel; r += blockDim.x) best = better(best, Best<A>{load(r), r}, want_max);
      best = block_combine(best, [want_max](Best<A> a, Best<A> b) { return better(a, b, want_max); });
      if (threadIdx.x == 0) {
        if (op == Reduce::Argmax || op == Reduce::Argmin) {
          *reinterpret_cast<int64_t*>(out + out_off) = best.index;
        } else {
          *reinterpret_cast<T*>(out + out_off) = static_cast<T>(static_cast<C>(best.value));
          if (out2) *reinterpret_cast<int64_t*>(out2 + out2_off) = best.index;
        }
      }
    }
  }
}

unsigned grid_for(int64_t outputs) { return static_cast<unsigned>(outputs < 65535 * 4 ? (outputs > 0 ? outputs : 1) : 65535 * 4); }

template <typename T>
void reduce_typed(Reduce op, const KernelArgs& args, const int64_t* dims, int64_t num_dims) {
  const TensorView out = args.output(), in = args.tensor(0);
  const bool with_indices = args.num_outputs() > 1;
  const TensorView indices = with_indices ? args.output(1) : out;
  const ReduceShape s(out, with_indices ? &indices : nullptr, in, dims, num_dims);
  if (s.outer_numel == 0) return;
  const int64_t correction = op == Reduce::Var ? args.to_int(2) : 0;
  const int device = out.view->device_index;
  DeviceGuard guard(device);
  reduce_kernel<T><<<grid_for(s.outer_numel), kThreads, 0, stream(device)>>>(
      s, op, correction, out.bytes(), with_indices ? indices.bytes() : nullptr, in.bytes());
  check_launch("reduction kernel");
}

void reduce_kernel_entry(const KernelArgs& args, void* user_data) {
  const Reduce op = untag<Reduce>(user_data);
  const auto dims = args.to_int_list(1);
  dispatch_dtype(args.tensor(0).dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, bool>) {
      sdk::check(op != Reduce::Sum && op != Reduce::Prod && op != Reduce::Mean && op != Reduce::Var,
                 "this reduction needs a numeric tensor, got bool");
    }
    reduce_typed<T>(op, args, dims.first, dims.second);
  });
}

template <typename T>
__global__ void softmax_kernel(ReduceShape s, bool log_output, char* out, const char* in) {
  using A = acc_t<T>;
  using C = compute_t<T>;
  for (int64_t o = blockIdx.x; o < s.outer_numel; o += gridDim.x) {
    int64_t in_base, out_base, unused, in_off, out_off;
    s.outer_offsets(o, in_base, out_base, unused);
    auto load = [&](int64_t r) {
      s.inner_offsets(r, in_off, out_off);
      return static_cast<A>(static_cast<C>(*reinterpret_cast<const T*>(in + in_base + in_off)));
    };
    A max = -INFINITY;
    for (int64_t r = threadIdx.x; r < s.inner_numel; r += blockDim.x) max = fmax(max, load(r));
    max = block_combine(max, [](A a, A b) { return a > b ? a : b; });
    A sum = 0;
    for (int64_t r = threadIdx.x; r < s.inner_numel; r += blockDim.x) sum += exp(load(r) - max);
    sum = block_combine(sum, [](A a, A b) { return a + b; });
    const A log_sum = log(sum);
    for (int64_t r = threadIdx.x; r < s.inner_numel; r += blockDim.x) {
      const A shifted = load(r) - max;  // also sets out_off for element r
      const A value = log_output ? shifted - log_sum : exp(shifted) / sum;
      *reinterpret_cast<T*>(out + out_base + out_off) = static_cast<T>(static_cast<C>(value));
    }
  }
}

template <typename T>
void softmax_typed(bool log_output, const TensorView& out, const TensorView& in, const int64_t* dims, int64_t n) {
  if constexpr (!is_floating_v<T>) {
    sdk::check(false, "softmax needs a floating-point tensor");
  } else {
    const ReduceShape s(out, nullptr, in, dims, n);
    if (s.outer_numel == 0 || s.inner_numel == 0) return;
    const int device = out.view->device_index;
    DeviceGuard guard(device);
    softmax_kernel<T><<<grid_for(s.outer_numel), kThreads, 0, stream(device)>>>(s, log_output, out.bytes(), in.bytes());
    check_launch("softmax kernel");
  }
}

void softmax_entry(const KernelArgs& args, void* user_data) {
  const TensorView out = args.output(), in = args.tensor(0);
  const auto dims = args.to_int_list(1);
  dispatch_dtype(in.dtype(), [&](auto zero) {
    softmax_typed<decltype(zero)>(user_data != nullptr, out, in, dims.first, dims.second);
  });
}

// Running sums (or products) along the one reduced dimension, a block per row, the row taken
// kThreads elements at a time: each chunk is scanned in shared memory and combined with the
// chunks before it.
template <typename T>
__global__ void cumulative_kernel(ReduceShape s, bool product, char* out, const char* in) {
  using A = acc_t<T>;
  using C = compute_t<T>;
  const A identity = product ? 1 : 0;
  for (int64_t o = blockIdx.x; o < s.outer_numel; o += gridDim.x) {
    int64_t in_base, out_base, unused;
    s.outer_offsets(o, in_base, out_base, unused);
    A carry = identity;
    for (int64_t start = 0; start < s.inner_numel; start += blockDim.x) {
      const int64_t r = start + threadIdx.x;
      int64_t in_off = 0, out_off = 0;
      A value = identity;
      if (r < s.inner_numel) {
        s.inner_offsets(r, in_off, out_off);
        value = static_cast<A>(static_cast<C>(*reinterpret_cast<const T*>(in + in_base + in_off)));
      }
      A chunk_total;
      const A prefix = block_inclusive_scan(value, product, chunk_total);
      const A running = product ? carry * prefix : carry + prefix;
      if (r < s.inner_numel) *reinterpret_cast<T*>(out + out_base + out_off) = static_cast<T>(static_cast<C>(running));
      carry = product ? carry * chunk_total : carry + chunk_total;
    }
  }
}

// Whether (a, ia) comes before (b, ib) in topk's order: NaN before any number when largest and
// after every one otherwise, then by value, equal values by index, so that the order is total.
template <typename C>
__device__ bool comes_first(C a, int64_t ia, C b, int64_t ib, bool largest) {
  const bool a_nan = nan(a), b_nan = nan(b);
  if (a_nan != b_nan) return largest ? a_nan : b_nan;
  if (!a_nan && a != b) return largest ? a > b : a < b;
  return ia < ib;
}

// Rows up to this long are ranked in shared memory; longer ones run on the CPU.
constexpr int64_t kMaxTopKRow = 4096;

// A block per row: the row is read into shared memory, then each element's rank is the number of
// elements that come first; ranks are unique, so each of the k first positions is written once.
template <typename T>
__global__ void top_k_kernel(ReduceShape s, int64_t k, bool largest, int64_t value_step, int64_t index_step,
                             char* values, char* indices, const char* in) {
  using C = compute_t<T>;
  extern __shared__ __align__(16) unsigned char row_memory[];
  C* row = reinterpret_cast<C*>(row_memory);
  for (int64_t o = blockIdx.x; o < s.outer_numel; o += gridDim.x) {
    int64_t in_base, value_base, index_base, in_off, unused;
    s.outer_offsets(o, in_base, value_base, index_base);
    for (int64_t i = threadIdx.x; i < s.inner_numel; i += blockDim.x) {
      s.inner_offsets(i, in_off, unused);
      row[i] = static_cast<C>(*reinterpret_cast<const T*>(in + in_base + in_off));
    }
    __syncthreads();
    for (int64_t i = threadIdx.x; i < s.inner_numel; i += blockDim.x) {
      int64_t rank = 0;
      for (int64_t j = 0; j < s.inner_numel; ++j) rank += comes_first(row[j], j, row[i], i, largest);
      if (rank < k) {
        *reinterpret_cast<T*>(values + value_base + rank * value_step) = static_cast<T>(row[i]);
        *reinterpret_cast<int64_t*>(indices + index_base + rank * index_step) = i;
      }
    }
    __syncthreads();  // the row is refilled for the next one
  }
}

void top_k_entry(const KernelArgs& args, void*) {
  const TensorView values = args.output(0), indices = args.output(1), in = args.tensor(0);
  const int64_t k = args.to_int(1);
  const auto dims = args.to_int_list(2);
  const bool largest = args.to_bool(3);
  dispatch_dtype(in.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const ReduceShape s(values, &indices, in, dims.first, dims.second);
    if (s.outer_numel == 0 || k == 0) return;
    if (s.inner_numel > kMaxTopKRow) sdk::decline("topk: rows longer than 4096 elements are ranked on the CPU");
    const int64_t value_step = dims.second ? values.stride(dims.first[0]) * static_cast<int64_t>(sizeof(T)) : 0;
    const int64_t index_step = dims.second ? indices.stride(dims.first[0]) * static_cast<int64_t>(sizeof(int64_t)) : 0;
    const size_t row_bytes = static_cast<size_t>(s.inner_numel) * sizeof(compute_t<T>);
    const int device = values.view->device_index;
    DeviceGuard guard(device);
    top_k_kernel<T><<<grid_for(s.outer_numel), kThreads, row_bytes, stream(device)>>>(
        s, k, largest, value_step, index_step, values.bytes(), indices.bytes(), in.bytes());
    check_launch("topk kernel");
  });
}

// cumsum (user_data null) and cumprod; the input arrives in the output's dtype.
void cumulative_entry(const KernelArgs& args, void* user_data) {
  const TensorView out = args.output(), in = args.tensor(0);
  const auto dims = args.to_int_list(1);
  dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, bool>) {
      sdk::check(false, "running sums and products need a numeric output");
    } else {
      const ReduceShape s(out, nullptr, in, dims.first, dims.second);
      if (s.outer_numel == 0 || s.inner_numel == 0) return;
      const int device = out.view->device_index;
      DeviceGuard guard(device);
      cumulative_kernel<T><<<grid_for(s.outer_numel), kThreads, 0, stream(device)>>>(s, user_data != nullptr, out.bytes(),
                                                                                     in.bytes());
      check_launch("cumulative kernel");
    }
  });
}

}  // namespace

void register_reduction_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  register_family(host, backends::kReduceOps, &guarded_kernel<&reduce_kernel_entry>);
  sdk::register_kernel(host, "softmax.int", &guarded_kernel<&softmax_entry>, nullptr);
  sdk::register_kernel(host, "log_softmax.int", &guarded_kernel<&softmax_entry>, reinterpret_cast<void*>(1));
  sdk::register_kernel(host, "cumsum", &guarded_kernel<&cumulative_entry>, nullptr);
  sdk::register_kernel(host, "cumprod", &guarded_kernel<&cumulative_entry>, reinterpret_cast<void*>(1));
  sdk::register_kernel(host, "topk", &guarded_kernel<&top_k_entry>, nullptr);
}

}  // namespace ember::gpu
