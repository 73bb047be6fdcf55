// The ROCm backend's matrix product: the portable tiled kernel for every dtype, as Debian's
// ROCm ships no hipBLAS.
#include "gpu_kernels.h"

namespace ember::gpu {

void product(const sdk::TensorView& out, const sdk::TensorView& a, const sdk::TensorView& b, double alpha,
             double beta) {
  tiled_matmul(out, a, b, alpha, beta);
}

}  // namespace ember::gpu
