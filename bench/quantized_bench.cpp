// ember-bench-quantized: a Linear layer in float32 against the same layer dynamically quantized
// to int8 (quantization::DynamicLinear), measured in the same run, 1 thread, batch 1, 32 and 256.
// DESIGN's goal: int8 at least 2x faster from batch 32 on a CPU with AVX-512 VNNI.
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include "bench_timer.h"
#include "ember/ember.h"
#include "ember/quantization.h"

using namespace ember;

int main() {
  omp_set_num_threads(1);
  constexpr int64_t kIn = 1024, kOut = 1024;
  manual_seed(0);
  nn::Linear linear(kIn, kOut);
  quantization::DynamicLinear dynamic(linear);
  const bool vnni = dnnl::get_effective_cpu_isa() >= dnnl::cpu_isa::avx512_core_vnni ||
                    dnnl::get_effective_cpu_isa() == dnnl::cpu_isa::avx2_vnni;
  std::printf("Linear %lldx%lld, 1 thread; this CPU %s VNNI\n", static_cast<long long>(kIn),
              static_cast<long long>(kOut), vnni ? "has" : "lacks");
  std::printf("%-8s %14s %14s %10s\n", "batch", "float32 (us)", "int8 (us)", "speedup");
  autograd::NoGradGuard no_grad;
  for (const int64_t batch : {1, 32, 256}) {
    const Tensor x = randn({batch, kIn});
    const int calls = batch == 256 ? 20 : 200;
    const double fp32 = bench::ns_per_call([&] { bench::keep(linear.forward(x)); }, calls) / 1000;
    const double int8 = bench::ns_per_call([&] { bench::keep(dynamic.forward(x)); }, calls) / 1000;
    std::printf("%-8lld %14.1f %14.1f %9.2fx\n", static_cast<long long>(batch), fp32, int8, fp32 / int8);
  }
  return 0;
}
