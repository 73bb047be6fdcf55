// ember-bench: Ember's figures against DESIGN.md's goals, with a libtorch twin and raw oneDNN
// measured in the same run where they are available.
//   ember-bench            every measure, then the comparison table
//   ember-bench --startup  one 1-element add and exit (timed from outside for start-up cost)
#include <omp.h>

#include <cstring>
#include <map>
#include <memory>
#include <oneapi/dnnl/dnnl.h>

#include "bench_timer.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/optim/sgd.h"
#include "process_stats.h"

using namespace ember;

namespace {

using Results = std::map<std::string, double>;

// The no-op operator: what the dispatcher adds over a direct call.
const schema::OpRecord kNoopRecord[] = {
    {"bench_noop(Tensor self) -> Tensor", "", "", false, &typeid(Tensor(const Tensor&))}};

Tensor noop_kernel(void*, const OperatorHandle&, DispatchKeySet, const Tensor& t) { return t; }
__attribute__((noinline)) Tensor direct_noop(const Tensor& t) { return t; }

void measure_dispatch(Results& r) {
  Dispatcher dispatcher(ArrayRef<schema::OpRecord>(kNoopRecord, 1));
  const OperatorHandle& op = dispatcher.op(0);
  RegistrationHandle handle = dispatcher.impl(op, default_device().slot(),
                                              KernelFunction::from_unboxed<Tensor, const Tensor&>(&noop_kernel), "bench");
  const Tensor t = ones({1});
  const double direct = bench::ns_per_call([&] { bench::keep(direct_noop(t)); }, 1000000);
  const double typed = bench::ns_per_call([&] { bench::keep(op.call<Tensor, const Tensor&>(t)); }, 1000000);
  const double boxed = bench::ns_per_call([&] {
    Stack stack;
    stack.push(t);
    op.call_boxed(stack);
  }, 1000000);
  r["dispatch_typed_ns"] = typed - direct;
  r["dispatch_boxed_ns"] = boxed - direct;
}

void measure_small_ops(Results& r) {
  const Tensor a = ones({1}), b = ones({1});
  r["empty_1_ns"] = bench::ns_per_call([] { bench::keep(empty({1})); }, 200000);
  r["add_1_ns"] = bench::ns_per_call([&] { bench::keep(add(a, b)); }, 200000);
}

void measure_autograd(Results& r) {
  Tensor a = ones({1}), b = ones({1});
  a.requires_grad_();
  b.requires_grad_();
  r["add_1_grad_ns"] = bench::ns_per_call([&] { bench::keep(add(a, b)); }, 200000);
  Tensor x = rand({16});
  x.requires_grad_();
  const Tensor w = rand({16});
  r["mul_sum_backward_ns"] = bench::ns_per_call([&] { (x * w).sum().backward(); }, 50000);
}

void measure_sgemm(Results& r) {
  constexpr int64_t n = 1024;
  const Tensor a = rand({n, n}), b = rand({n, n});
  const double flops = 2.0 * n * n * n;
  bench::keep(mm(a, b));  // the first call creates and caches the oneDNN primitive
  r["sgemm_1024_gflops"] = flops / bench::ns_per_call([&] { bench::keep(mm(a, b)); }, 3, 5);
  Tensor c = empty({n, n});
  const float* pa = a.data_ptr<float>();
  const float* pb = b.data_ptr<float>();
  float* pc = c.data_ptr<float>();
  r["raw_onednn_sgemm_1024_gflops"] = flops / bench::ns_per_call([&] {
    dnnl_sgemm('N', 'N', n, n, n, 1.0f, pa, n, pb, n, 0.0f, pc, n);
  }, 3, 5);
  // bfloat16: oneDNN's kernels where the CPU has the instructions, else float32 copies.
  constexpr int64_t h = 512;
  const Tensor ha = rand({h, h}).to(DType::BFloat16), hb = rand({h, h}).to(DType::BFloat16);
  bench::keep(mm(ha, hb));
  r["bf16_gemm_512_gflops"] = 2.0 * h * h * h / bench::ns_per_call([&] { bench::keep(mm(ha, hb)); }, 5, 5);
}

// A product small enough that per-call setup, not arithmetic, decides its time.
void measure_small_mm(Results& r) {
  const Tensor a = rand({16, 16}), b = rand({16, 16});
  r["mm_16_ns"] = bench::ns_per_call([&] { bench::keep(mm(a, b)); }, 100000);
}

void measure_add_16m(Results& r) {
  constexpr int64_t n = 16 << 20;
  const Tensor a = rand({n}), b = rand({n});
  Tensor out = empty({n});
  const double bytes = 3.0 * n * sizeof(float);
  r["add_16m_out_gbps"] = bytes / bench::ns_per_call([&] { add_out(out, a, b); }, 5, 7);
  r["add_16m_gbps"] = bytes / bench::ns_per_call([&] { bench::keep(add(a, b)); }, 5, 7);
}

void measure_exp_1m(Results& r) {
  constexpr int64_t n = 1 << 20;
  const Tensor a = rand({n});
  Tensor out = empty({n});
  r["exp_1m_out_gbps"] = 2.0 * n * sizeof(float) / bench::ns_per_call([&] { exp_out(out, a); }, 20, 7);
}

// One SGD training step of a 784-512-256-10 ReLU MLP on a batch of 128: forward, cross entropy,
// backward, update.
void measure_mlp_step(Results& r) {
  manual_seed(0);
  nn::Sequential model({std::make_shared<nn::Linear>(784, 512), std::make_shared<nn::ReLU>(),
                        std::make_shared<nn::Linear>(512, 256), std::make_shared<nn::ReLU>(),
                        std::make_shared<nn::Linear>(256, 10)});
  optim::SGD sgd(model.parameters(), {.lr = 0.01});
  const Tensor x = randn({128, 784}), y = randint(0, 10, {128});
  for (const bool autocast : {false, true}) {
    r[autocast ? "mlp_step_bf16_autocast_us" : "mlp_step_us"] = bench::ns_per_call([&] {
      Tensor loss;
      {
        AutocastGuard region("cpu", DType::BFloat16, autocast);
        loss = nn::functional::cross_entropy(model(x), y);
      }
      sgd.zero_grad();
      loss.backward();
      sgd.step();
    }, 20, 7) / 1000;
  }
}

// A one-layer LSTM over [32 steps, batch 16, 64 features] to 128 hidden units, forward and backward.
void measure_lstm_step(Results& r) {
  manual_seed(0);
  nn::LSTM lstm(64, 128);
  const Tensor sequence = randn({32, 16, 64});
  r["lstm_step_us"] =
      bench::ns_per_call([&] { std::get<0>(lstm.forward(sequence)).sum().backward(); }, 5, 5) / 1000;
}

// Causal self-attention through MultiheadAttention (L 64, batch 16, E 128, 4 heads), forward
// and backward, as a transformer layer's attention runs in training.
void measure_attention_step(Results& r) {
  manual_seed(0);
  nn::MultiheadAttention attention(128, 4);
  const Tensor x = randn({64, 16, 128});
  r["attention_step_us"] = bench::ns_per_call([&] {
    attention.zero_grad();
    const Tensor out = std::get<0>(attention.forward(x, x, x, {.need_weights = false, .is_causal = true}));
    (out * out).sum().backward();
  }, 10, 7) / 1000;
}

// Factorisations through LAPACK: a batch of small systems, where per-matrix overhead shows, and
// one larger eigenproblem and SVD, where LAPACK's own time does.
void measure_linalg(Results& r) {
  manual_seed(0);
  const Tensor m = randn({64, 32, 32}, DType::Float64);
  const Tensor spd = matmul(m, m.transpose(-2, -1)) + eye(32, std::nullopt, DType::Float64) * 32;
  const Tensor b = randn({64, 32, 32}, DType::Float64);
  r["solve_64x32_us"] = bench::ns_per_call([&] { bench::keep(linalg_solve(spd, b)); }, 50, 7) / 1000;
  r["cholesky_64x32_us"] = bench::ns_per_call([&] { bench::keep(linalg_cholesky(spd)); }, 50, 7) / 1000;
  const Tensor square = randn({128, 128}, DType::Float64);
  const Tensor symmetric = square + square.t();
  r["eigh_128_us"] = bench::ns_per_call([&] { bench::keep(std::get<0>(linalg_eigh(symmetric))); }, 10, 7) / 1000;
  const Tensor tall = randn({256, 128});
  r["svd_256x128_us"] = bench::ns_per_call([&] { bench::keep(std::get<1>(linalg_svd(tall, false))); }, 5, 7) / 1000;
}

// A 3-D convolution layer's forward and backward (N 4, C 8 -> 16, 16 x 32 x 32 volumes, kernel 3,
// padding 1): three 2-D convolutions over the folded depths.
void measure_conv3d_step(Results& r) {
  manual_seed(0);
  nn::Conv3d conv(8, 16, {3, 3, 3}, {.padding = {1, 1, 1}});
  const Tensor x = randn({4, 8, 16, 32, 32});
  r["conv3d_step_us"] = bench::ns_per_call([&] {
    conv.zero_grad();
    conv(x).sum().backward();
  }, 3, 5) / 1000;
}

// The CTC loss of a speech-sized batch (T 100, N 16, C 30, targets of 20), forward and backward.
void measure_ctc_step(Results& r) {
  manual_seed(0);
  const Tensor logits = randn({100, 16, 30}).requires_grad_();
  const Tensor targets = randint(1, 30, {16, 20});
  const Tensor input_lengths = full({16}, 100, DType::Int64), target_lengths = full({16}, 20, DType::Int64);
  r["ctc_step_us"] = bench::ns_per_call([&] {
    logits.set_grad(Tensor());
    nn::functional::ctc_loss(log_softmax(logits, 2), targets, input_lengths, target_lengths).backward();
  }, 5, 5) / 1000;
}

// Large searches and scatters: searchsorted's and scatter_reduce's CPU kernels.
void measure_search_and_scatter(Results& r) {
  manual_seed(0);
  const Tensor sorted = std::get<0>(randn({100000}).sort());
  const Tensor values = randn({1000000});
  r["searchsorted_1m_us"] = bench::ns_per_call([&] { bench::keep(searchsorted(sorted, values)); }, 1, 5) / 1000;
  const Tensor src = randn({1000000}), index = randint(0, 10000, {1000000}), self = zeros({10000});
  r["scatter_amax_1m_us"] = bench::ns_per_call([&] { bench::keep(self.scatter_reduce(0, index, src, "amax")); }, 5, 5) / 1000;
}

// The random fills on 1M floats: the SDK's Philox generator behind uniform_, normal_ and random_.
void measure_random_fills(Results& r) {
  manual_seed(0);
  Tensor x = empty({1000000});
  r["uniform_1m_us"] = bench::ns_per_call([&] { x.uniform_(); }, 5, 5) / 1000;
  r["normal_1m_us"] = bench::ns_per_call([&] { x.normal_(); }, 5, 5) / 1000;
}

// The gamma family on 1M positive floats: the C library's lgamma, digamma's shifted asymptotic
// series (plugins_sdk gamma_functions.h), the Bessel functions' Chebyshev expansions and Hankel
// forms (bessel_functions.h, bessel_jy.h, bessel_k.h), the incomplete gamma function's series,
// continued fraction and Temme expansion (incomplete_gamma.h, which also gives the gamma draws'
// gradient), and the Poisson, gamma and binomial samplers (poisson_draw.h, gamma_draw.h,
// binomial_draw.h).
void measure_gamma_functions(Results& r) {
  manual_seed(0);
  const Tensor x = rand({1000000}) * 20 + 0.01;
  r["lgamma_1m_us"] = bench::ns_per_call([&] { bench::keep(lgamma(x)); }, 5, 5) / 1000;
  r["digamma_1m_us"] = bench::ns_per_call([&] { bench::keep(digamma(x)); }, 5, 5) / 1000;
  r["i0_1m_us"] = bench::ns_per_call([&] { bench::keep(i0(x)); }, 5, 5) / 1000;
  r["bessel_j0_1m_us"] = bench::ns_per_call([&] { bench::keep(special_bessel_j0(x)); }, 5, 5) / 1000;
  r["bessel_k0_1m_us"] = bench::ns_per_call([&] { bench::keep(special_modified_bessel_k0(x)); }, 5, 5) / 1000;
  r["poisson_1m_us"] = bench::ns_per_call([&] { bench::keep(poisson(x)); }, 3, 3) / 1000;
  r["standard_gamma_1m_us"] = bench::ns_per_call([&] { bench::keep(_standard_gamma(x)); }, 3, 3) / 1000;
  const Tensor draws = _standard_gamma(x);
  r["standard_gamma_grad_1m_us"] = bench::ns_per_call([&] { bench::keep(_standard_gamma_grad(x, draws)); }, 3, 3) / 1000;
  const Tensor limit = rand({1000000}) * 20 + 0.01;
  const Tensor trials = floor(x), chances = limit / 20.02;
  r["binomial_1m_us"] = bench::ns_per_call([&] { bench::keep(binomial(trials, chances)); }, 3, 3) / 1000;
  r["igamma_1m_us"] = bench::ns_per_call([&] { bench::keep(igamma(x, limit)); }, 5, 5) / 1000;
}

// Composed matrix and image functions: linalg_matrix_exp (Pade approximants of matmul and
// linalg_solve) and unfold (one index_select of the padded plane).
void measure_matrix_exp_and_unfold(Results& r) {
  manual_seed(0);
  const Tensor a = randn({64, 64}, DType::Float64) * 0.1;
  r["matrix_exp_64_us"] = bench::ns_per_call([&] { bench::keep(linalg_matrix_exp(a)); }, 20, 7) / 1000;
  const Tensor image = randn({8, 64, 32, 32});
  r["unfold_3x3_us"] = bench::ns_per_call([&] { bench::keep(nn::functional::unfold(image, {3, 3}, {.padding = {1, 1}})); },
                                          5, 5) / 1000;
}

// Reads "name value unit" lines printed by the twin.
Results run_twin(const char* path) {
  Results r;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(path, "r"), pclose);
  if (!pipe) return r;
  char name[128], unit[32];
  double value;
  while (std::fscanf(pipe.get(), "%127s %lf %31s", name, &value, unit) == 3) r[name] = value;
  return r;
}

struct Row {
  const char* label;
  const char* key;
  const char* peer_key;  // in the twin's results, or "" for Ember's own
  bool higher_is_better;
  const char* goal;
};

void print_table(const Results& ember, const Results& torch) {
  const Row rows[] = {
      {"no-op dispatch, typed (ns over direct)", "dispatch_typed_ns", "dispatch_typed_ns", false, "<= 5 ns"},
      {"no-op dispatch, boxed (ns over direct)", "dispatch_boxed_ns", "dispatch_boxed_ns", false, "<= 20 ns"},
      {"empty({1}) (ns)", "empty_1_ns", "empty_1_ns", false, "<= 60 ns"},
      {"add, 1-element (ns)", "add_1_ns", "add_1_ns", false, "<= 150 ns"},
      {"add, 1-element, recording autograd (ns)", "add_1_grad_ns", "add_1_grad_ns", false, "<= 350 ns"},
      {"(x * w).sum().backward(), 16 elements (ns)", "mul_sum_backward_ns", "mul_sum_backward_ns", false, "<= 0.5x libtorch"},
      {"start to first op (ms)", "startup_ms", "startup_ms", false, "<= 50 ms"},
      {"start to first op, peak RSS (MiB)", "startup_rss_mib", "startup_rss_mib", false, "<= 40 MiB"},
      {"sgemm 1024, 1 thread (GFLOP/s)", "sgemm_1024_gflops", "sgemm_1024_gflops", true, ">= 0.9x raw oneDNN"},
      {"  raw oneDNN sgemm (GFLOP/s)", "raw_onednn_sgemm_1024_gflops", "", true, "peer"},
      {"bfloat16 mm 512, 1 thread (GFLOP/s)", "bf16_gemm_512_gflops", "bf16_gemm_512_gflops", true, ">= 1.0x libtorch"},
      {"mm 16x16x16, 1 thread (ns)", "mm_16_ns", "mm_16_ns", false, "-"},
      {"add 16M floats, out=, 1 thread (GB/s)", "add_16m_out_gbps", "add_16m_out_gbps", true, ">= 1.0x libtorch"},
      {"add 16M floats, 1 thread (GB/s)", "add_16m_gbps", "add_16m_gbps", true, ">= 1.0x libtorch"},
      {"exp 1M floats, out=, 1 thread (GB/s)", "exp_1m_out_gbps", "exp_1m_out_gbps", true, ">= 1.0x libtorch"},
      {"MLP 784-512-256-10 SGD step, b128, 1 thread (us)", "mlp_step_us", "mlp_step_us", false, "<= 0.6x libtorch"},
      {"causal self-attention fwd+bwd, L64 N16 E128 h4 (us)", "attention_step_us", "attention_step_us", false, "-"},
      {"Conv3d 8->16 k3 fwd+bwd, [4, 8, 16, 32, 32] (us)", "conv3d_step_us", "conv3d_step_us", false, "-"},
      {"ctc_loss fwd+bwd, T100 N16 C30 S20 (us)", "ctc_step_us", "ctc_step_us", false, "-"},
      {"linalg_solve, 64 x [32, 32] float64 (us)", "solve_64x32_us", "solve_64x32_us", false, "-"},
      {"linalg_cholesky, 64 x [32, 32] float64 (us)", "cholesky_64x32_us", "cholesky_64x32_us", false, "-"},
      {"linalg_eigh, [128, 128] float64 (us)", "eigh_128_us", "eigh_128_us", false, "-"},
      {"linalg_svd, [256, 128] float32, reduced (us)", "svd_256x128_us", "svd_256x128_us", false, "-"},
      {"searchsorted, 1M values into 100K sorted (us)", "searchsorted_1m_us", "searchsorted_1m_us", false, "-"},
      {"scatter_reduce amax, 1M into 10K (us)", "scatter_amax_1m_us", "scatter_amax_1m_us", false, "-"},
      {"uniform_, 1M floats (us)", "uniform_1m_us", "uniform_1m_us", false, "-"},
      {"normal_, 1M floats (us)", "normal_1m_us", "normal_1m_us", false, "-"},
      {"lgamma, 1M floats (us)", "lgamma_1m_us", "lgamma_1m_us", false, "-"},
      {"digamma, 1M floats (us)", "digamma_1m_us", "digamma_1m_us", false, "-"},
      {"i0, 1M floats (us)", "i0_1m_us", "i0_1m_us", false, "-"},
      {"special_bessel_j0, 1M floats (us)", "bessel_j0_1m_us", "bessel_j0_1m_us", false, "-"},
      {"special_modified_bessel_k0, 1M floats (us)", "bessel_k0_1m_us", "bessel_k0_1m_us", false, "-"},
      {"poisson, 1M rates in (0, 20) (us)", "poisson_1m_us", "poisson_1m_us", false, "-"},
      {"_standard_gamma, 1M shapes in (0, 20) (us)", "standard_gamma_1m_us", "standard_gamma_1m_us", false, "-"},
      {"_standard_gamma_grad, 1M shapes and draws (us)", "standard_gamma_grad_1m_us", "standard_gamma_grad_1m_us", false, "-"},
      {"binomial, 1M, trials to 20, p in (0, 1) (us)", "binomial_1m_us", "binomial_1m_us", false, "-"},
      {"igamma, 1M floats (us)", "igamma_1m_us", "igamma_1m_us", false, "-"},
      {"linalg_matrix_exp, [64, 64] float64 (us)", "matrix_exp_64_us", "matrix_exp_64_us", false, "-"},
      {"unfold 3x3 pad 1, [8, 64, 32, 32] (us)", "unfold_3x3_us", "unfold_3x3_us", false, "-"},
      {"LSTM 64->128, T 32, b16, forward+backward (us)", "lstm_step_us", "lstm_step_us", false, "-"},
      {"MLP step under bfloat16 autocast (us)", "mlp_step_bf16_autocast_us", "", false, "-"},
  };
  std::printf("\n%-50s %12s %12s %10s   %s\n", "measure", "ember", "libtorch", "ratio", "goal");
  for (const Row& row : rows) {
    const auto e = ember.find(row.key);
    if (e == ember.end()) continue;
    std::printf("%-50s %12.4g", row.label, e->second);
    const auto t = row.peer_key[0] ? torch.find(row.peer_key) : torch.end();
    if (t != torch.end()) {
      std::printf(" %12.4g %9.2fx", t->second, e->second / t->second);
    } else {
      std::printf(" %12s %10s", "-", "-");
    }
    std::printf("   %s\n", row.goal);
  }
  const auto sg = ember.find("sgemm_1024_gflops"), raw = ember.find("raw_onednn_sgemm_1024_gflops");
  if (sg != ember.end() && raw != ember.end()) {
    std::printf("\nsgemm vs raw oneDNN: %.2fx (goal >= 0.9x)\n", sg->second / raw->second);
  }
  const auto fp32 = ember.find("mlp_step_us"), bf16 = ember.find("mlp_step_bf16_autocast_us");
  if (fp32 != ember.end() && bf16 != ember.end()) {
    std::printf("MLP step, bfloat16 autocast vs float32: %.2fx the time\n", bf16->second / fp32->second);
  }
  if (torch.empty()) std::printf("\nlibtorch twin not built (Debian's libtorch-dev not found): no ratios\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--startup") == 0) {
    return add(ones({1}), ones({1})).item<float>() == 2.f ? 0 : 1;
  }
  omp_set_num_threads(1);
  Results r;
  const bench::ProcessStats startup = bench::run_process("/proc/self/exe", "--startup");
  r["startup_ms"] = startup.wall_ms;
  r["startup_rss_mib"] = startup.peak_rss_mib;
  measure_dispatch(r);
  measure_small_ops(r);
  measure_autograd(r);
  measure_sgemm(r);
  measure_small_mm(r);
  measure_add_16m(r);
  measure_exp_1m(r);
  measure_mlp_step(r);
  measure_attention_step(r);
  measure_conv3d_step(r);
  measure_ctc_step(r);
  measure_linalg(r);
  measure_search_and_scatter(r);
  measure_random_fills(r);
  measure_gamma_functions(r);
  measure_matrix_exp_and_unfold(r);
  measure_lstm_step(r);
  for (const auto& [name, value] : r) bench::report(name, value, "");
#ifdef EMBER_TORCH_TWIN
  print_table(r, run_twin(EMBER_TORCH_TWIN));
#else
  print_table(r, {});
#endif
  return 0;
}
