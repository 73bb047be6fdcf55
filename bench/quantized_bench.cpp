// ember-bench-quantized: float32 layers against the same layers quantized to int8, measured in
// the same run, 1 thread, batch 1, 32 and 256:
//   - a 1024x1024 Linear, dynamically (quantization::DynamicLinear) and statically
//     (quantization::QuantizedLinear, quint8 in and out) quantized;
//   - the digits CNN of examples/train_digits.cpp (conv-BN-ReLU-pool twice, Linear), statically
//     quantized through prepare / calibrate / convert.
// DESIGN's goal: int8 at least 2x faster from batch 32 on a CPU with AVX-512 VNNI.
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include "bench_timer.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/quantization.h"

using namespace ember;

namespace {

std::shared_ptr<nn::Sequential> digits_cnn() {
  using nn::functional::Conv2dOptions;
  using nn::functional::Pair;
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
      std::make_shared<nn::Conv2d>(1, 32, Pair{3, 3}, Conv2dOptions{.padding = {1, 1}}),
      std::make_shared<nn::BatchNorm2d>(32), std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(Pair{2, 2}),
      std::make_shared<nn::Conv2d>(32, 64, Pair{3, 3}, Conv2dOptions{.padding = {1, 1}}),
      std::make_shared<nn::BatchNorm2d>(64), std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(Pair{2, 2}),
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(64 * 2 * 2, 10)});
}

// One table row: float32 and int8 microseconds per call and the speedup.
template <typename Float, typename Int8>
void row(const char* name, int64_t batch, Float&& fp32_call, Int8&& int8_call) {
  const int calls = batch == 256 ? 20 : 200;
  const double fp32 = bench::ns_per_call(fp32_call, calls) / 1000;
  const double int8 = bench::ns_per_call(int8_call, calls) / 1000;
  std::printf("%-26s %6lld %14.1f %14.1f %9.2fx\n", name, static_cast<long long>(batch), fp32, int8, fp32 / int8);
}

}  // namespace

int main() {
  omp_set_num_threads(1);
  const bool vnni = dnnl::get_effective_cpu_isa() >= dnnl::cpu_isa::avx512_core_vnni ||
                    dnnl::get_effective_cpu_isa() == dnnl::cpu_isa::avx2_vnni;
  std::printf("1 thread; this CPU %s VNNI\n", vnni ? "has" : "lacks");
  std::printf("%-26s %6s %14s %14s %10s\n", "layer", "batch", "float32 (us)", "int8 (us)", "speedup");
  autograd::NoGradGuard no_grad;
  manual_seed(0);

  constexpr int64_t kFeatures = 1024;
  nn::Linear linear(kFeatures, kFeatures);
  quantization::DynamicLinear dynamic(linear);
  // Static: seven-bit parameters for the ranges of normal inputs and of the layer's outputs.
  const auto seven_bits = [](double lo, double hi) { return quantization::range_qparams(lo, hi, {.reduce_range = true}); };
  quantization::Quantize quantize(seven_bits(-4, 4));
  quantization::QuantizedLinear static_linear(linear, {seven_bits(-2, 2)});
  for (const int64_t batch : {1, 32, 256}) {
    const Tensor x = randn({batch, kFeatures});
    const Tensor qx = quantize.forward(x);
    row("Linear 1024, dynamic", batch, [&] { bench::keep(linear.forward(x)); }, [&] { bench::keep(dynamic.forward(x)); });
    row("Linear 1024, static", batch, [&] { bench::keep(linear.forward(x)); },
        [&] { bench::keep(static_linear.forward(qx)); });
  }

  const auto cnn = digits_cnn();
  cnn->eval();
  const auto prepared = quantization::prepare(*cnn);
  (*prepared)(rand({256, 1, 8, 8}));  // calibration on pixels in [0, 1], as the digits are
  const auto quantized = quantization::convert(*prepared);
  for (const int64_t batch : {1, 32, 256}) {
    const Tensor x = rand({batch, 1, 8, 8});
    row("digits CNN, static", batch, [&] { bench::keep((*cnn)(x)); }, [&] { bench::keep((*quantized)(x)); });
  }
  return 0;
}
