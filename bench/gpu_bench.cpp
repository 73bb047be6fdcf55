// ember-bench-gpu: Ember on a GPU backend (default cuda) against the goals of the GPU issue,
// beside a libtorch twin when its path is given (bench/torch_gpu_twin.cpp, built where torch is):
//   ember-bench-gpu [--backend cuda] [--twin path/to/torch-gpu-twin]
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "bench_timer.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/optim/sgd.h"

using namespace ember;

namespace {

using Results = std::map<std::string, double>;

Results run_twin(const std::string& path) {
  Results r;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(path.c_str(), "r"), pclose);
  if (!pipe) return r;
  char name[128], unit[32];
  double value;
  while (std::fscanf(pipe.get(), "%127s %lf %31s", name, &value, unit) == 3) r[name] = value;
  return r;
}

Results measure(Device gpu) {
  Results r;
  auto wait = [gpu] { synchronize(gpu); };
  const Tensor a = ones({1}, DType::Float32, gpu), b = ones({1}, DType::Float32, gpu);
  r["add_1_us"] = bench::ns_per_call([&] { bench::keep(add(a, b)); }, 20000, 9, wait) / 1000;

  constexpr int64_t n = int64_t{256} << 20;
  const Tensor x = rand({n}, DType::Float32, gpu), y = rand({n}, DType::Float32, gpu);
  Tensor sum = empty({n}, DType::Float32, gpu);
  r["add_256m_gbps"] = 3.0 * n * sizeof(float) / bench::ns_per_call([&] { add_out(sum, x, y); }, 10, 7, wait);

  constexpr int64_t m = 8192;
  const Tensor p = randn({m, m}, DType::BFloat16, gpu), q = randn({m, m}, DType::BFloat16, gpu);
  r["bf16_matmul_8192_tflops"] = 2.0 * m * m * m / bench::ns_per_call([&] { bench::keep(mm(p, q)); }, 10, 7, wait) / 1000;

  manual_seed(0);
  nn::Sequential model({std::make_shared<nn::Linear>(784, 512), std::make_shared<nn::ReLU>(),
                        std::make_shared<nn::Linear>(512, 256), std::make_shared<nn::ReLU>(),
                        std::make_shared<nn::Linear>(256, 10)});
  model.to(gpu);
  optim::SGD sgd(model.parameters(), {.lr = 0.01});
  const Tensor mx = randn({128, 784}, DType::Float32, gpu), my = randint(0, 10, {128}, DType::Int64, gpu);
  r["mlp_step_us"] = bench::ns_per_call([&] {
    const Tensor loss = nn::functional::cross_entropy(model(mx), my);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
  }, 50, 7, wait) / 1000;
  return r;
}

struct Row {
  const char* label;
  const char* key;
  bool higher_is_better;
  const char* goal;
};

}  // namespace

int main(int argc, char** argv) try {
  std::string backend = "cuda", twin;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--backend") == 0) backend = argv[i + 1];
    if (std::strcmp(argv[i], "--twin") == 0) twin = argv[i + 1];
  }
  require_backend(backend);
  const Results ember = measure(Device(backend));
  for (const auto& [name, value] : ember) bench::report(name, value, "");
  const Results torch = twin.empty() ? Results{} : run_twin(twin);
  const Row rows[] = {
      {"add, 1-element, per call (us)", "add_1_us", false, "<= 3 us"},
      {"add 256M floats, out= (GB/s)", "add_256m_gbps", true, ">= 0.95x libtorch"},
      {"bf16 matmul 8192^3 (TFLOP/s)", "bf16_matmul_8192_tflops", true, ">= 0.95x libtorch"},
      {"MLP 784-512-256-10 SGD step, b128 (us)", "mlp_step_us", false, "<= 0.5x libtorch"},
  };
  std::printf("\n%-42s %12s %12s %10s   %s\n", "measure", "ember", "libtorch", "ratio", "goal");
  for (const Row& row : rows) {
    const double e = ember.at(row.key);
    const auto t = torch.find(row.key);
    if (t != torch.end()) {
      std::printf("%-42s %12.4g %12.4g %9.2fx   %s\n", row.label, e, t->second, e / t->second, row.goal);
    } else {
      std::printf("%-42s %12.4g %12s %10s   %s\n", row.label, e, "-", "-", row.goal);
    }
  }
  return 0;
} catch (const ember::Error& e) {
  std::fprintf(stderr, "ember-bench-gpu: %s\n", e.what());
  return 1;
}
