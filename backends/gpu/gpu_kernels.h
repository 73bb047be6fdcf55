// What the GPU kernel files share: device types per dtype, the launch shape, the elementwise
// launcher over a StridedGeometry, and the registration functions of each kernel family.
#pragma once

#include <type_traits>

#include "ember/plugin.hpp"
#include "gpu_device.h"
#include "kernel_families.h"

namespace ember::gpu {

constexpr int kThreads = 256;

inline unsigned blocks_for(int64_t n) {
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(blocks < 65535 * 8 ? (blocks > 0 ? blocks : 1) : 65535 * 8);
}

// Throws with the launch's error, if any.
inline void check_launch(const char* what) { check(gpuGetLastError(), what); }

// Calls f(T{}) with T the device type of `dtype`.
template <typename F>
decltype(auto) dispatch_dtype(int32_t dtype, F&& f) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: return f(float{});
    case EMBER_DTYPE_FLOAT64: return f(double{});
    case EMBER_DTYPE_FLOAT16: return f(gpu_half{});
    case EMBER_DTYPE_BFLOAT16: return f(gpu_bfloat16{});
    case EMBER_DTYPE_INT64: return f(int64_t{});
    case EMBER_DTYPE_INT32: return f(int32_t{});
    case EMBER_DTYPE_INT8: return f(int8_t{});
    case EMBER_DTYPE_UINT8: return f(uint8_t{});
    case EMBER_DTYPE_BOOL: return f(bool{});
  }
  throw sdk::KernelError(EMBER_STATUS_INVALID_ARGUMENT, "unknown dtype code " + std::to_string(dtype));
}

// Arithmetic on the 16-bit floats runs in float.
template <typename T> struct Compute { using type = T; };
template <> struct Compute<gpu_half> { using type = float; };
template <> struct Compute<gpu_bfloat16> { using type = float; };
template <typename T> using compute_t = typename Compute<T>::type;
template <typename T> constexpr bool is_floating_v = std::is_floating_point_v<compute_t<T>>;

// Converts through the compute types (float16 -> int8 goes float16 -> float -> int8); bool
// means "non-zero"; floats reach the integer types through int64, so out-of-range values wrap
// as on the CPU (and in PyTorch) instead of saturating.
template <typename To, typename From>
__device__ __forceinline__ To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return static_cast<compute_t<From>>(v) != compute_t<From>(0);
  } else if constexpr (std::is_integral_v<To> && !std::is_integral_v<compute_t<From>>) {
    return static_cast<To>(static_cast<int64_t>(static_cast<compute_t<From>>(v)));
  } else {
    return static_cast<To>(static_cast<compute_t<To>>(static_cast<compute_t<From>>(v)));
  }
}

// Byte pointers of element `i` of every operand.
template <int N>
__device__ __forceinline__ void operand_pointers(const sdk::StridedGeometry<N>& g, int64_t i, char* (&p)[N]) {
  for (int k = 0; k < N; ++k) p[k] = g.base[k];
  for (int d = 0; d < g.ndim; ++d) {
    const int64_t size = g.sizes[d];
    const int64_t index = d + 1 == g.ndim ? i : i % size;
    i = d + 1 == g.ndim ? 0 : i / size;
    for (int k = 0; k < N; ++k) p[k] += index * g.strides[d][k];
  }
}

template <int N, typename F>
__global__ void elementwise_kernel(sdk::StridedGeometry<N> g, int64_t n, F f) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    char* p[N];
    operand_pointers(g, i, p);
    f(p);
  }
}

// f(i) for every i in [0, n): kernels that compute their own addresses.
template <typename F>
__global__ void elementwise_index_kernel(int64_t n, F f) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    f(i);
  }
}

// Runs f(i) for i in [0, n) on `device`'s stream.
template <typename F>
void launch_index(int device, int64_t n, F f, const char* what) {
  if (n <= 0) return;
  DeviceGuard guard(device);
  elementwise_index_kernel<<<blocks_for(n), kThreads, 0, stream(device)>>>(n, f);
  check_launch(what);
}

// Elements per thread in map_kernel: several loads in flight per thread hide memory latency.
constexpr int kUnroll = 4;

// out = f(inputs...) with typed inputs: each thread loads the inputs of kUnroll elements
// (kThreads apart, so a warp reads contiguous segments) before computing and storing any, which
// keeps the loads in flight together.
template <typename Out, typename In, int N, typename F>
__global__ void map_kernel(sdk::StridedGeometry<N> g, int64_t n, F f) {
  constexpr int kInputs = N - 1;
  In in[kUnroll][kInputs > 0 ? kInputs : 1];
  Out* out[kUnroll];
  const int64_t first = static_cast<int64_t>(blockIdx.x) * kThreads * kUnroll + threadIdx.x;
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    const int64_t i = first + u * kThreads;
    if (i >= n) break;
    char* p[N];
    operand_pointers(g, i, p);
    out[u] = reinterpret_cast<Out*>(p[0]);
#pragma unroll
    for (int a = 0; a < kInputs; ++a) in[u][a] = *reinterpret_cast<const In*>(p[a + 1]);
  }
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    if (first + u * kThreads >= n) break;
    if constexpr (kInputs == 1) *out[u] = f(in[u][0]);
    if constexpr (kInputs == 2) *out[u] = f(in[u][0], in[u][1]);
  }
}

template <typename T>
struct alignas(sizeof(T) * kUnroll) Pack {
  T v[kUnroll];
};

// The contiguous case: kUnroll neighbouring elements per thread, each operand read and written
// in one wide access.
template <typename Out, typename In, int N, typename F>
__global__ void map_packed_kernel(Out* out, const In* a, const In* b, int64_t n, F f) {
  const int64_t i = (static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x) * kUnroll;
  if (i + kUnroll <= n) {
    const Pack<In> pa = *reinterpret_cast<const Pack<In>*>(a + i);
    Pack<Out> po;
    if constexpr (N == 2) {
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) po.v[u] = f(pa.v[u]);
    } else {
      const Pack<In> pb = *reinterpret_cast<const Pack<In>*>(b + i);
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) po.v[u] = f(pa.v[u], pb.v[u]);
    }
    *reinterpret_cast<Pack<Out>*>(out + i) = po;
  } else {
    for (int64_t j = i; j < n; ++j) {
      if constexpr (N == 2) out[j] = f(a[j]);
      if constexpr (N == 3) out[j] = f(a[j], b[j]);
    }
  }
}

// Whether every operand is dense and aligned for map_packed_kernel.
template <typename Out, typename In, int N>
bool packable(const sdk::StridedGeometry<N>& g) {
  if (g.ndim != 1) return false;
  for (int k = 0; k < N; ++k) {
    const int64_t item = k == 0 ? sizeof(Out) : sizeof(In);
    const size_t align = k == 0 ? alignof(Pack<Out>) : alignof(Pack<In>);
    if (g.strides[0][k] != item || reinterpret_cast<uintptr_t>(g.base[k]) % align != 0) return false;
  }
  return true;
}

// Runs out = f(a) or out = f(a, b) for every element of operand 0's shape (the inputs, of
// type In, broadcast), on the stream of operand 0's device.
template <typename Out, typename In, int N, typename F>
void launch_map(const sdk::TensorView (&operands)[N], F f) {
  static_assert(N == 2 || N == 3, "launch_map takes one or two inputs");
  const sdk::StridedGeometry<N> g(operands);
  const int64_t n = g.numel();
  if (n == 0) return;
  const int device = operands[0].view->device_index;
  DeviceGuard guard(device);
  const int64_t per_block = int64_t{kThreads} * kUnroll;
  const unsigned blocks = static_cast<unsigned>((n + per_block - 1) / per_block);
  if (packable<Out, In, N>(g)) {
    const In* b = N == 3 ? reinterpret_cast<const In*>(g.base[N - 1]) : nullptr;
    map_packed_kernel<Out, In, N><<<blocks, kThreads, 0, stream(device)>>>(
        reinterpret_cast<Out*>(g.base[0]), reinterpret_cast<const In*>(g.base[1]), b, n, f);
  } else {
    map_kernel<Out, In, N><<<blocks, kThreads, 0, stream(device)>>>(g, n, f);
  }
  check_launch("elementwise kernel");
}

// Runs f(pointers) for every element of operand 0's shape (the others broadcast), on the
// stream of operand 0's device.
template <int N, typename F>
void launch_elementwise(const sdk::TensorView (&operands)[N], F f) {
  const sdk::StridedGeometry<N> g(operands);
  const int64_t n = g.numel();
  if (n == 0) return;
  const int device = operands[0].view->device_index;
  DeviceGuard guard(device);
  elementwise_kernel<N><<<blocks_for(n), kThreads, 0, stream(device)>>>(g, n, f);
  check_launch("elementwise kernel");
}

// The shared operator families (Binary, Unary, Reduce, ...) and their helpers, by short name.
using namespace backends;

// out = src (same dtype), src broadcast to out's shape.
void copy_same_dtype(const sdk::TensorView& out, const sdk::TensorView& src);

void register_elementwise_kernels(const ember_host_api* host);
void register_copy_kernels(const ember_host_api* host);
void register_reduction_kernels(const ember_host_api* host);
void register_indexing_kernels(const ember_host_api* host);
void register_convolution_kernels(const ember_host_api* host);
void register_matmul_kernels(const ember_host_api* host);

// out = alpha * a @ b + beta * out for [n, k] x [k, m] (or batched [b, n, k] x [b, k, m]) in any
// numeric dtype: the portable tiled kernel.
void tiled_matmul(const sdk::TensorView& out, const sdk::TensorView& a, const sdk::TensorView& b, double alpha,
                  double beta);
// The same product through the vendor's BLAS where it has the dtype, else tiled_matmul; each
// vendor's backend folder defines it.
void product(const sdk::TensorView& out, const sdk::TensorView& a, const sdk::TensorView& b, double alpha,
             double beta);

}  // namespace ember::gpu
