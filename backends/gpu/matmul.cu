// mm, bmm and addmm: the entry points, and the portable tiled product that serves every dtype
// (ROCm without hipBLAS, and the integer dtypes a vendor library lacks).
#include "gpu_kernels.h"

namespace ember::gpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

constexpr int kTile = 16;

template <typename T>
using acc_t = std::conditional_t<std::is_same_v<T, double>, double, std::conditional_t<is_floating_v<T>, float, int64_t>>;

// Element strides of a (possibly batched) matrix operand; batch stride 0 for 2-D.
struct Matrix {
  int64_t batch, rows, cols;
  explicit Matrix(const TensorView& t)
      : batch(t.ndim() == 3 ? t.stride(0) : 0), rows(t.stride(t.ndim() - 2)), cols(t.stride(t.ndim() - 1)) {}
};

// One kTile x kTile block of out per thread block, over tiles of a and b staged in shared memory.
template <typename T>
__global__ void tiled_kernel(T* out, const T* a, const T* b, Matrix so, Matrix sa, Matrix sb, int64_t n, int64_t m,
                             int64_t k, double alpha, double beta) {
  using A = acc_t<T>;
  using C = compute_t<T>;
  __shared__ A tile_a[kTile][kTile];
  __shared__ A tile_b[kTile][kTile];
  const int64_t batch = blockIdx.z;
  const int64_t row = blockIdx.y * kTile + threadIdx.y, col = blockIdx.x * kTile + threadIdx.x;
  a += batch * sa.batch;
  b += batch * sb.batch;
  A sum = 0;
  for (int64_t t = 0; t < k; t += kTile) {
    const int64_t ka = t + threadIdx.x, kb = t + threadIdx.y;
    tile_a[threadIdx.y][threadIdx.x] = row < n && ka < k ? static_cast<A>(static_cast<C>(a[row * sa.rows + ka * sa.cols])) : A(0);
    tile_b[threadIdx.y][threadIdx.x] = kb < k && col < m ? static_cast<A>(static_cast<C>(b[kb * sb.rows + col * sb.cols])) : A(0);
    __syncthreads();
    for (int i = 0; i < kTile; ++i) sum += tile_a[threadIdx.y][i] * tile_b[i][threadIdx.x];
    __syncthreads();
  }
  if (row < n && col < m) {
    T& dst = out[batch * so.batch + row * so.rows + col * so.cols];
    const double prior = beta != 0 ? beta * static_cast<double>(static_cast<C>(dst)) : 0.0;
    dst = static_cast<T>(static_cast<C>(alpha * static_cast<double>(sum) + prior));
  }
}

template <typename T>
void tiled_typed(const TensorView& out, const TensorView& a, const TensorView& b, double alpha, double beta) {
  const int64_t batches = out.ndim() == 3 ? out.size(0) : 1;
  const int64_t n = out.size(out.ndim() - 2), m = out.size(out.ndim() - 1), k = a.size(a.ndim() - 1);
  const dim3 grid(static_cast<unsigned>((m + kTile - 1) / kTile), static_cast<unsigned>((n + kTile - 1) / kTile),
                  static_cast<unsigned>(batches));
  const int device = out.view->device_index;
  DeviceGuard guard(device);
  tiled_kernel<T><<<grid, dim3(kTile, kTile), 0, stream(device)>>>(out.data<T>(), a.data<T>(), b.data<T>(), Matrix(out),
                                                                    Matrix(a), Matrix(b), n, m, k, alpha, beta);
  check_launch("matmul kernel");
}

void matmul_kernel(const KernelArgs& args, void* user_data) {
  const Product op = untag<Product>(user_data);
  const TensorView out = args.output();
  if (out.numel() == 0) return;
  if (op != Product::Addmm) return product(out, args.tensor(0), args.tensor(1), 1.0, 0.0);
  const double beta = args.to_double(3), alpha = args.to_double(4);
  if (beta != 0) copy_same_dtype(out, args.tensor(0));  // the starting value beta scales
  product(out, args.tensor(1), args.tensor(2), alpha, beta);
}

}  // namespace

void tiled_matmul(const TensorView& out, const TensorView& a, const TensorView& b, double alpha, double beta) {
  dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, bool>) {
      sdk::check(false, "matrix products need a numeric dtype, got bool");
    } else {
      tiled_typed<T>(out, a, b, alpha, beta);
    }
  });
}

void register_matmul_kernels(const ember_host_api* host) {
  register_family(host, backends::kProductOps, &sdk::guarded_kernel<&matmul_kernel>);
}

}  // namespace ember::gpu
