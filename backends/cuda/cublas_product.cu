// The CUDA backend's matrix product: cuBLAS (cublasGemmEx / cublasGemmStridedBatchedEx) for
// float32, float64, float16 and bfloat16, the tiled kernel for the rest. Row-major products
// run as their column-major transposes (C^T = B^T A^T); TF32 only with EMBER_ALLOW_TF32=1, as
// PyTorch leaves it off for matmul by default.
#include <cublas_v2.h>

#include <cstdlib>
#include <mutex>
#include <optional>

#include "gpu_kernels.h"

namespace ember::gpu {
namespace {

using sdk::TensorView;

cublasHandle_t handle(int device) {
  static std::mutex mutex;
  static cublasHandle_t handles[64] = {};
  std::lock_guard lock(mutex);
  if (!handles[device]) {
    DeviceGuard guard(device);
    sdk::check(cublasCreate(&handles[device]) == CUBLAS_STATUS_SUCCESS, "creating the cuBLAS handle failed");
    cublasSetStream(handles[device], stream(device));
  }
  return handles[device];
}

// How cuBLAS sees a row-major [rows, cols] operand: as its column-major transpose, read with
// `op` and leading dimension `ld`; nullopt when it is not dense along either axis.
struct Operand {
  cublasOperation_t op;
  int64_t ld;
};

std::optional<Operand> as_operand(const TensorView& t) {
  const int64_t n = t.ndim(), rows = t.size(n - 2), cols = t.size(n - 1);
  const int64_t rs = t.stride(n - 2), cs = t.stride(n - 1);
  if ((cs == 1 || cols == 1) && (rs >= cols || rows == 1)) return Operand{CUBLAS_OP_N, std::max<int64_t>(rows == 1 ? cols : rs, 1)};
  if ((rs == 1 || rows == 1) && (cs >= rows || cols == 1)) return Operand{CUBLAS_OP_T, std::max<int64_t>(cols == 1 ? rows : cs, 1)};
  return std::nullopt;
}

struct Types {
  cudaDataType_t data;
  cublasComputeType_t compute;
};

std::optional<Types> cublas_types(int32_t dtype) {
  static const bool tf32 = [] {
    const char* v = std::getenv("EMBER_ALLOW_TF32");
    return v && v[0] == '1';
  }();
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: return Types{CUDA_R_32F, tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F};
    case EMBER_DTYPE_FLOAT64: return Types{CUDA_R_64F, CUBLAS_COMPUTE_64F};
    case EMBER_DTYPE_FLOAT16: return Types{CUDA_R_16F, CUBLAS_COMPUTE_32F};
    case EMBER_DTYPE_BFLOAT16: return Types{CUDA_R_16BF, CUBLAS_COMPUTE_32F};
    default: return std::nullopt;
  }
}

}  // namespace

void product(const TensorView& out, const TensorView& a, const TensorView& b, double alpha, double beta) {
  const auto types = cublas_types(out.dtype());
  const auto oa = as_operand(a), ob = as_operand(b), oc = as_operand(out);
  const bool row_major_out = oc && oc->op == CUBLAS_OP_N;
  if (!types || !oa || !ob || !row_major_out) return tiled_matmul(out, a, b, alpha, beta);
  const bool batched = out.ndim() == 3;
  const int64_t n = out.size(out.ndim() - 2), m = out.size(out.ndim() - 1), k = a.size(a.ndim() - 1);
  const int device = out.view->device_index;
  DeviceGuard guard(device);
  const double alpha_d = alpha, beta_d = beta;
  const float alpha_f = static_cast<float>(alpha), beta_f = static_cast<float>(beta);
  const bool wide = out.dtype() == EMBER_DTYPE_FLOAT64;
  const void* alpha_p = wide ? static_cast<const void*>(&alpha_d) : &alpha_f;
  const void* beta_p = wide ? static_cast<const void*>(&beta_d) : &beta_f;
  // Column-major: C^T [m, n] = B^T [m, k] * A^T [k, n].
  cublasStatus_t status;
  if (!batched) {
    status = cublasGemmEx(handle(device), ob->op, oa->op, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
                          alpha_p, b.bytes(), types->data, static_cast<int>(ob->ld), a.bytes(), types->data,
                          static_cast<int>(oa->ld), beta_p, out.bytes(), types->data, static_cast<int>(oc->ld),
                          types->compute, CUBLAS_GEMM_DEFAULT);
  } else {
    status = cublasGemmStridedBatchedEx(
        handle(device), ob->op, oa->op, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha_p,
        b.bytes(), types->data, static_cast<int>(ob->ld), b.stride(0), a.bytes(), types->data, static_cast<int>(oa->ld),
        a.stride(0), beta_p, out.bytes(), types->data, static_cast<int>(oc->ld), out.stride(0),
        static_cast<int>(out.size(0)), types->compute, CUBLAS_GEMM_DEFAULT);
  }
  sdk::check(status == CUBLAS_STATUS_SUCCESS, std::string("cuBLAS gemm failed: ") + cublasGetStatusString(status));
}

}  // namespace ember::gpu
