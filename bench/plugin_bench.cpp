// ember-bench-plugin: what a third-party device costs beside the CPU backend, measured in the
// same run: a call into one of its own kernels, a call through the CPU fallback (two transfers
// and a CPU kernel), and bandwidth of each.
//   EMBER_BACKEND_PATH=<folder with the plugin> ember-bench-plugin [--device toy]
#include <omp.h>

#include <cstring>
#include <string>

#include "bench_timer.h"
#include "ember/ember.h"

using namespace ember;

namespace {

struct Measure {
  const char* label;
  double device_value;
  double cpu_value;
};

// Nanoseconds per call of `op` on inputs of `n` floats, on `device`.
template <typename Op>
double ns_on(Device device, int64_t n, int calls, Op op) {
  const Tensor a = rand({n}).to(device), b = rand({n}).to(device);
  return bench::ns_per_call([&] { bench::keep(op(a, b)); }, calls);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string name = argc == 3 && std::strcmp(argv[1], "--device") == 0 ? argv[2] : "toy";
  try {
    require_backend(name);
  } catch (const Error& e) {
    std::printf("ember-bench-plugin: %s\n", e.what());
    return 77;
  }
  omp_set_num_threads(1);
  set_cpu_fallback_mode(CpuFallbackMode::Silent);
  const Device device(name), cpu("cpu");
  auto add_op = [](const Tensor& a, const Tensor& b) { return add(a, b); };  // the toy's own kernel
  auto exp_op = [](const Tensor& a, const Tensor&) { return exp(a); };       // the CPU fallback
  constexpr int64_t kLarge = 1 << 20;
  const double bytes_add = 3.0 * kLarge * sizeof(float), bytes_exp = 2.0 * kLarge * sizeof(float);
  const Measure rows[] = {
      {"add, 1 element, own kernel (ns)", ns_on(device, 1, 100000, add_op), ns_on(cpu, 1, 100000, add_op)},
      {"exp, 1 element, CPU fallback (ns)", ns_on(device, 1, 100000, exp_op), ns_on(cpu, 1, 100000, exp_op)},
      {"add 1M floats, own kernel (GB/s)", bytes_add / ns_on(device, kLarge, 50, add_op),
       bytes_add / ns_on(cpu, kLarge, 50, add_op)},
      {"exp 1M floats, CPU fallback (GB/s)", bytes_exp / ns_on(device, kLarge, 50, exp_op),
       bytes_exp / ns_on(cpu, kLarge, 50, exp_op)},
  };
  std::printf("%-40s %12s %12s %8s\n", "measure (1 thread)", name.c_str(), "cpu", "ratio");
  for (const Measure& m : rows) {
    std::printf("%-40s %12.4g %12.4g %7.2fx\n", m.label, m.device_value, m.cpu_value, m.device_value / m.cpu_value);
  }
  return 0;
}
