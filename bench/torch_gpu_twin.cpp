// The libtorch twin of ember-bench-gpu: the same measures through libtorch on CUDA, printed as
// "name value unit" lines. Built where a CUDA torch is installed, e.g. against a torch wheel:
//   T=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')
//   g++ -O2 -std=c++17 bench/torch_gpu_twin.cpp -Ibench -I$T/include -I$T/include/torch/csrc/api/include \
//       -L$T/lib -Wl,-rpath,$T/lib -ltorch -ltorch_cpu -ltorch_cuda -lc10 -lc10_cuda -o torch-gpu-twin
#include <torch/cuda.h>
#include <torch/torch.h>

#include "bench_timer.h"

int main() {
  const auto cuda = torch::kCUDA;
  auto wait = [] { torch::cuda::synchronize(); };
  const auto f32 = torch::TensorOptions().device(cuda).dtype(torch::kFloat32);
  const at::Tensor a = torch::ones({1}, f32), b = torch::ones({1}, f32);
  bench::report("add_1_us", bench::ns_per_call([&] { bench::keep(at::add(a, b)); }, 20000, 9, wait) / 1000, "us");

  constexpr int64_t n = int64_t{256} << 20;
  const at::Tensor x = torch::rand({n}, f32), y = torch::rand({n}, f32);
  at::Tensor sum = torch::empty({n}, f32);
  bench::report("add_256m_gbps", 3.0 * n * sizeof(float) / bench::ns_per_call([&] { at::add_out(sum, x, y); }, 10, 7, wait), "GB/s");

  constexpr int64_t m = 8192;
  const auto bf16 = torch::TensorOptions().device(cuda).dtype(torch::kBFloat16);
  const at::Tensor p = torch::randn({m, m}, bf16), q = torch::randn({m, m}, bf16);
  bench::report("bf16_matmul_8192_tflops", 2.0 * m * m * m / bench::ns_per_call([&] { bench::keep(at::mm(p, q)); }, 10, 7, wait) / 1000, "TFLOP/s");

  torch::manual_seed(0);
  torch::nn::Sequential mlp(torch::nn::Linear(784, 512), torch::nn::ReLU(), torch::nn::Linear(512, 256),
                            torch::nn::ReLU(), torch::nn::Linear(256, 10));
  mlp->to(cuda);
  torch::optim::SGD sgd(mlp->parameters(), torch::optim::SGDOptions(0.01));
  const at::Tensor mx = torch::randn({128, 784}, f32), my = torch::randint(0, 10, {128}, torch::TensorOptions().device(cuda).dtype(torch::kLong));
  bench::report("mlp_step_us", bench::ns_per_call([&] {
    const at::Tensor loss = torch::nn::functional::cross_entropy(mlp->forward(mx), my);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
  }, 50, 7, wait) / 1000, "us");
  return 0;
}
