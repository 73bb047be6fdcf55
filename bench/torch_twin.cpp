// The libtorch twin of ember-bench: the same measures through Debian's libtorch, printed as
// "name value unit" lines for ember-bench to read.
//   ember-bench-torch            every measure
//   ember-bench-torch --startup  one 1-element add and exit
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>
#include <torch/torch.h>

#include <cstring>

#include "bench_timer.h"
#include "process_stats.h"

namespace {

at::Tensor noop_kernel(const at::Tensor& t) { return t; }
__attribute__((noinline)) at::Tensor direct_noop(const at::Tensor& t) { return t; }

}  // namespace

TORCH_LIBRARY(ember_bench, m) { m.def("noop(Tensor self) -> Tensor"); }
TORCH_LIBRARY_IMPL(ember_bench, CPU, m) { m.impl("noop", &noop_kernel); }

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--startup") == 0) {
    return at::add(at::ones({1}), at::ones({1})).item<float>() == 2.f ? 0 : 1;
  }
  at::set_num_threads(1);
  const bench::ProcessStats startup = bench::run_process("/proc/self/exe", "--startup");
  bench::report("startup_ms", startup.wall_ms, "ms");
  bench::report("startup_rss_mib", startup.peak_rss_mib, "MiB");

  auto op = c10::Dispatcher::singleton().findSchemaOrThrow("ember_bench::noop", "").typed<at::Tensor(const at::Tensor&)>();
  const at::Tensor t = at::ones({1});
  const double direct = bench::ns_per_call([&] { bench::keep(direct_noop(t)); }, 1000000);
  bench::report("dispatch_typed_ns", bench::ns_per_call([&] { bench::keep(op.call(t)); }, 1000000) - direct, "ns");
  const auto& handle = c10::Dispatcher::singleton().findSchemaOrThrow("ember_bench::noop", "");
  bench::report("dispatch_boxed_ns", bench::ns_per_call([&] {
    torch::jit::Stack stack;
    stack.emplace_back(t);
    handle.callBoxed(&stack);
  }, 1000000) - direct, "ns");

  const at::Tensor a = at::ones({1}), b = at::ones({1});
  bench::report("empty_1_ns", bench::ns_per_call([] { bench::keep(at::empty({1})); }, 200000), "ns");
  bench::report("add_1_ns", bench::ns_per_call([&] { bench::keep(at::add(a, b)); }, 200000), "ns");

  const at::Tensor ga = at::ones({1}).requires_grad_(), gb = at::ones({1}).requires_grad_();
  bench::report("add_1_grad_ns", bench::ns_per_call([&] { bench::keep(at::add(ga, gb)); }, 200000), "ns");
  const at::Tensor gx = at::rand({16}).requires_grad_(), gw = at::rand({16});
  bench::report("mul_sum_backward_ns", bench::ns_per_call([&] { (gx * gw).sum().backward(); }, 50000), "ns");

  constexpr int64_t n = 1024;
  const at::Tensor x = at::rand({n, n}), y = at::rand({n, n});
  bench::keep(at::mm(x, y));
  bench::report("sgemm_1024_gflops", 2.0 * n * n * n / bench::ns_per_call([&] { bench::keep(at::mm(x, y)); }, 3, 5), "GFLOP/s");

  constexpr int64_t h = 512;
  const at::Tensor ha = at::rand({h, h}).to(at::kBFloat16), hb = at::rand({h, h}).to(at::kBFloat16);
  bench::keep(at::mm(ha, hb));
  bench::report("bf16_gemm_512_gflops", 2.0 * h * h * h / bench::ns_per_call([&] { bench::keep(at::mm(ha, hb)); }, 5, 5),
                "GFLOP/s");

  const at::Tensor small_a = at::rand({16, 16}), small_b = at::rand({16, 16});
  bench::report("mm_16_ns", bench::ns_per_call([&] { bench::keep(at::mm(small_a, small_b)); }, 100000), "ns");

  constexpr int64_t m = 16 << 20;
  const at::Tensor p = at::rand({m}), q = at::rand({m});
  at::Tensor out = at::empty({m});
  const double bytes = 3.0 * m * sizeof(float);
  bench::report("add_16m_out_gbps", bytes / bench::ns_per_call([&] { at::add_out(out, p, q); }, 5, 7), "GB/s");
  bench::report("add_16m_gbps", bytes / bench::ns_per_call([&] { bench::keep(at::add(p, q)); }, 5, 7), "GB/s");

  constexpr int64_t k = 1 << 20;
  const at::Tensor e = at::rand({k});
  at::Tensor e_out = at::empty({k});
  bench::report("exp_1m_out_gbps", 2.0 * k * sizeof(float) / bench::ns_per_call([&] { at::exp_out(e_out, e); }, 20, 7), "GB/s");

  torch::manual_seed(0);
  torch::nn::Sequential mlp(torch::nn::Linear(784, 512), torch::nn::ReLU(), torch::nn::Linear(512, 256),
                            torch::nn::ReLU(), torch::nn::Linear(256, 10));
  torch::optim::SGD sgd(mlp->parameters(), torch::optim::SGDOptions(0.01));
  const at::Tensor mx = torch::randn({128, 784}), my = torch::randint(0, 10, {128});
  bench::report("mlp_step_us", bench::ns_per_call([&] {
    const at::Tensor loss = torch::nn::functional::cross_entropy(mlp->forward(mx), my);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
  }, 20, 7) / 1000, "us");

  torch::nn::MultiheadAttention attention(torch::nn::MultiheadAttentionOptions(128, 4));
  const at::Tensor ax = torch::randn({64, 16, 128});
  const at::Tensor causal = torch::ones({64, 64}, torch::kBool).triu(1);  // true: not allowed
  bench::report("attention_step_us", bench::ns_per_call([&] {
    attention->zero_grad();
    const at::Tensor out = std::get<0>(attention->forward(ax, ax, ax, {}, false, causal));
    (out * out).sum().backward();
  }, 10, 7) / 1000, "us");

  torch::manual_seed(0);
  torch::nn::Conv3d conv3d(torch::nn::Conv3dOptions(8, 16, 3).padding(1));
  const at::Tensor volume = torch::randn({4, 8, 16, 32, 32});
  bench::report("conv3d_step_us", bench::ns_per_call([&] {
    conv3d->zero_grad();
    conv3d->forward(volume).sum().backward();
  }, 3, 5) / 1000, "us");

  torch::manual_seed(0);
  const at::Tensor logits = torch::randn({100, 16, 30}).requires_grad_();
  const at::Tensor targets = torch::randint(1, 30, {16, 20});
  const at::Tensor input_lengths = torch::full({16}, 100, torch::kLong), target_lengths = torch::full({16}, 20, torch::kLong);
  bench::report("ctc_step_us", bench::ns_per_call([&] {
    if (logits.grad().defined()) logits.grad().zero_();
    torch::nn::functional::ctc_loss(at::log_softmax(logits, 2), targets, input_lengths, target_lengths).backward();
  }, 5, 5) / 1000, "us");

  torch::manual_seed(0);
  const at::Tensor lm = torch::randn({64, 32, 32}, torch::kFloat64);
  const at::Tensor spd = at::matmul(lm, lm.transpose(-2, -1)) + torch::eye(32, torch::kFloat64) * 32;
  const at::Tensor rhs = torch::randn({64, 32, 32}, torch::kFloat64);
  bench::report("solve_64x32_us", bench::ns_per_call([&] { bench::keep(at::linalg_solve(spd, rhs)); }, 50, 7) / 1000, "us");
  bench::report("cholesky_64x32_us", bench::ns_per_call([&] { bench::keep(at::linalg_cholesky(spd)); }, 50, 7) / 1000, "us");
  const at::Tensor square = torch::randn({128, 128}, torch::kFloat64);
  const at::Tensor symmetric = square + square.t();
  bench::report("eigh_128_us", bench::ns_per_call([&] { bench::keep(std::get<0>(at::linalg_eigh(symmetric))); }, 10, 7) / 1000, "us");
  const at::Tensor tall = torch::randn({256, 128});
  bench::report("svd_256x128_us", bench::ns_per_call([&] { bench::keep(std::get<1>(at::linalg_svd(tall, false))); }, 5, 7) / 1000, "us");

  torch::manual_seed(0);
  const at::Tensor sorted = std::get<0>(torch::randn({100000}).sort());
  const at::Tensor probes = torch::randn({1000000});
  bench::report("searchsorted_1m_us", bench::ns_per_call([&] { bench::keep(at::searchsorted(sorted, probes)); }, 1, 5) / 1000, "us");
  const at::Tensor src = torch::randn({1000000}), index = torch::randint(0, 10000, {1000000}), base = torch::zeros({10000});
  bench::report("scatter_amax_1m_us",
                bench::ns_per_call([&] { bench::keep(base.scatter_reduce(0, index, src, "amax")); }, 5, 5) / 1000, "us");
  at::Tensor fill = torch::empty({1000000});
  bench::report("uniform_1m_us", bench::ns_per_call([&] { fill.uniform_(); }, 5, 5) / 1000, "us");
  bench::report("normal_1m_us", bench::ns_per_call([&] { fill.normal_(); }, 5, 5) / 1000, "us");
  torch::manual_seed(0);
  const at::Tensor gamma_input = torch::rand({1000000}) * 20 + 0.01;
  bench::report("lgamma_1m_us", bench::ns_per_call([&] { bench::keep(at::lgamma(gamma_input)); }, 5, 5) / 1000, "us");
  bench::report("digamma_1m_us", bench::ns_per_call([&] { bench::keep(at::digamma(gamma_input)); }, 5, 5) / 1000, "us");
  bench::report("i0_1m_us", bench::ns_per_call([&] { bench::keep(at::i0(gamma_input)); }, 5, 5) / 1000, "us");
  bench::report("bessel_j0_1m_us",
                bench::ns_per_call([&] { bench::keep(torch::special::bessel_j0(gamma_input)); }, 5, 5) / 1000, "us");
  bench::report("bessel_k0_1m_us",
                bench::ns_per_call([&] { bench::keep(torch::special::modified_bessel_k0(gamma_input)); }, 5, 5) / 1000, "us");
  bench::report("poisson_1m_us", bench::ns_per_call([&] { bench::keep(at::poisson(gamma_input)); }, 3, 3) / 1000, "us");
  bench::report("standard_gamma_1m_us",
                bench::ns_per_call([&] { bench::keep(at::_standard_gamma(gamma_input)); }, 3, 3) / 1000, "us");
  const at::Tensor gamma_draws = at::_standard_gamma(gamma_input);
  bench::report("standard_gamma_grad_1m_us",
                bench::ns_per_call([&] { bench::keep(at::_standard_gamma_grad(gamma_input, gamma_draws)); }, 3, 3) / 1000, "us");
  const at::Tensor gamma_limit = torch::rand({1000000}) * 20 + 0.01;
  const at::Tensor trials = at::floor(gamma_input), chances = gamma_limit / 20.02;
  bench::report("binomial_1m_us", bench::ns_per_call([&] { bench::keep(at::binomial(trials, chances)); }, 3, 3) / 1000, "us");
  bench::report("igamma_1m_us", bench::ns_per_call([&] { bench::keep(at::igamma(gamma_input, gamma_limit)); }, 5, 5) / 1000, "us");
  const at::Tensor exp_input = torch::randn({64, 64}, torch::kFloat64) * 0.1;
  bench::report("matrix_exp_64_us", bench::ns_per_call([&] { bench::keep(at::linalg_matrix_exp(exp_input)); }, 20, 7) / 1000, "us");
  const at::Tensor image = torch::randn({8, 64, 32, 32});
  bench::report("unfold_3x3_us", bench::ns_per_call([&] {
    bench::keep(torch::nn::functional::unfold(image, torch::nn::functional::UnfoldFuncOptions({3, 3}).padding(1)));
  }, 5, 5) / 1000, "us");
  torch::manual_seed(0);
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(64, 128));
  const at::Tensor sequence = torch::randn({32, 16, 64});
  bench::report("lstm_step_us", bench::ns_per_call([&] {
    std::get<0>(lstm->forward(sequence)).sum().backward();
  }, 5, 5) / 1000, "us");
  return 0;
}
