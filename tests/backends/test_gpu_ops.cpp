// Every operator on the GPU backend (EMBER_GPU_BACKEND, default "cuda") against the CPU
// backend on the same inputs, with a tolerance per dtype; gradients through the GPU; errors.
// Without a usable GPU the whole test reports a skip (exit code 77) and says why.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>

#include "ember/ember.h"
#include "ember/nn.h"
#include "reference.h"
#include "tolerance.h"

using namespace ember;

namespace {

// The GPU backend's first device; throws with the loader's reason when it is unavailable.
Device gpu() {
  static const Device device = [] {
    const std::string name = std::getenv("EMBER_GPU_BACKEND") ? std::getenv("EMBER_GPU_BACKEND") : "cuda";
    require_backend(name);
    return Device(name);
  }();
  return device;
}
const Device cpu("cpu");

// f on CPU inputs and on the same inputs moved to the GPU: same dtype, shape and values.
void check_same(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                double tol = -1) {
  std::vector<Tensor> on_gpu;
  for (const Tensor& t : inputs) on_gpu.push_back(t.to(gpu()));
  const Tensor expected = f(inputs), got = f(on_gpu);
  CHECK(got.device() == gpu());
  REQUIRE(got.dtype() == expected.dtype());
  REQUIRE(got.sizes().equals(expected.sizes()));
  const double t = tol >= 0 ? tol : plugin_check::tolerance(expected.dtype());
  const auto e = to_vector<double>(expected.to(DType::Float64));
  const auto g = to_vector<double>(got.to(cpu).to(DType::Float64));
  size_t bad = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    const bool same = e[i] == g[i] || (std::isnan(e[i]) && std::isnan(g[i]));  // equal infinities included
    if (!same && !(std::abs(e[i] - g[i]) <= t * (1 + std::abs(e[i])))) {
      if (bad++ < 3) MESSAGE("element ", i, ": cpu ", e[i], ", gpu ", g[i]);
    }
  }
  CHECK(bad == 0);
}

Tensor random(IntArrayRef shape, unsigned seed, DType dtype = DType::Float32) {
  return reference::random_tensor(shape, seed).to(dtype);
}

const DType kFloats[] = {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16};

}  // namespace


TEST_CASE("binary arithmetic and comparisons broadcast and promote as on the CPU") {
  using Fn = Tensor (*)(const Tensor&, const Tensor&);
  const Fn ops[] = {[](const Tensor& a, const Tensor& b) { return add(a, b, 2.5); },
                    [](const Tensor& a, const Tensor& b) { return sub(a, b); },
                    [](const Tensor& a, const Tensor& b) { return a * b; },
                    [](const Tensor& a, const Tensor& b) { return a / b; },
                    [](const Tensor& a, const Tensor& b) { return maximum(a, b); },
                    [](const Tensor& a, const Tensor& b) { return minimum(a, b); },
                    [](const Tensor& a, const Tensor& b) { return eq(a, b); },
                    [](const Tensor& a, const Tensor& b) { return lt(a, b); },
                    [](const Tensor& a, const Tensor& b) { return ge(a, b); },
                    [](const Tensor& a, const Tensor& b) { return nextafter(a, b); }};
  for (DType dtype : kFloats) {
    CAPTURE(dtype_name(dtype));
    for (Fn op : ops) {
      check_same([op](const std::vector<Tensor>& x) { return op(x[0], x[1]); },
                 {random({4, 1, 5}, 1, dtype), random({3, 5}, 2, dtype)});
    }
    check_same([](const std::vector<Tensor>& x) { return pow(abs(x[0]) + 0.5, x[1]); }, {random({6}, 3, dtype), random({6}, 4, dtype)});
  }
  // Integers, mixed dtypes, a transposed operand and a wrapped number.
  const Tensor ints = tensor<int64_t>({5, -3, 7, 2, 0, 9}, {2, 3});
  check_same([](const std::vector<Tensor>& x) { return x[0] * x[1] - x[0]; }, {ints, tensor<int64_t>({2, 3, -1})});
  check_same([](const std::vector<Tensor>& x) { return x[0] + x[1].transpose(0, 1); }, {random({3, 2}, 5), random({2, 3}, 6, DType::Float64)});
  check_same([](const std::vector<Tensor>& x) { return x[0] * 3 + 1.5; }, {ints});
  check_same([](const std::vector<Tensor>& x) { return pow(x[0], x[1]); },
             {tensor<int64_t>({3, 3, -2, 1, -1, 0}), tensor<int64_t>({39, 41, 5, -4, -3, -1})});
  check_same([](const std::vector<Tensor>& x) { return where(gt(x[0], x[1]), x[0], x[1]); }, {random({2, 7}, 7), random({7}, 8)});
  check_same([](const std::vector<Tensor>& x) {
    return atan2(x[0], x[1]) + remainder(x[0], x[1]) + fmod(x[0], x[1]) + logaddexp(x[0], x[1]);
  },
             {random({2, 7}, 9), random({7}, 10)});
  // The incomplete gamma functions and their slopes in a across their regions: both series, the
  // continued fraction and Temme's expansion.
  check_same([](const std::vector<Tensor>& x) {
    const Tensor a = abs(x[0]) * 40 + 0.1, at = abs(x[1]) * 40;
    return igamma(a, at) + igammac(a, at) * 3 + _igamma_grad(a, at) * 5 + _standard_gamma_grad(a, at + 0.01) * 7;
  },
             {random({2, 7}, 13, DType::Float64), random({7}, 14, DType::Float64)});
  check_same([](const std::vector<Tensor>& x) { return remainder(x[0], x[1]) * 100 + fmod(x[0], x[1]) + floor_divide(x[0], x[1]) * 1000; },
             {tensor<int64_t>({7, -7, 7, -7, 5, std::numeric_limits<int64_t>::min()}), tensor<int64_t>({2, 2, -2, -2, -1, -1})});
  check_same([](const std::vector<Tensor>& x) { return floor_divide(x[0] * 10, x[1]); }, {random({2, 7}, 11), random({7}, 12)});
  check_same([](const std::vector<Tensor>& x) { return logical_xor(x[0], x[1]); }, {ints, tensor<int64_t>({0, 3, 0})});
  const Tensor amounts = tensor<int64_t>({1, 64, -2});
  check_same([](const std::vector<Tensor>& x) { return (x[0] & x[1]) + (x[0] | x[1]) * 3 + (x[0] ^ x[1]) * 5 + ~x[0]; },
             {ints, tensor<int64_t>({6, -1, 3})});
  check_same([](const std::vector<Tensor>& x) { return (x[0] << x[1]) + (x[0] >> x[1]); }, {ints, amounts});
  check_same([](const std::vector<Tensor>& x) { return gcd(x[0], x[1]) + lcm(x[0], x[1]) * 7; },
             {ints, tensor<int64_t>({4, 0, -21})});
  check_same([](const std::vector<Tensor>& x) { return ~(x[0] ^ x[1]); },
             {tensor<bool>({true, false, true}), tensor<bool>({true, true, false})});
}

TEST_CASE("unary math matches for every floating dtype") {
  using Fn = Tensor (*)(const Tensor&);
  const Fn ops[] = {[](const Tensor& x) { return -x; },          [](const Tensor& x) { return abs(x); },
                    [](const Tensor& x) { return relu(x); },     [](const Tensor& x) { return exp(x); },
                    [](const Tensor& x) { return log(abs(x) + 0.1); }, [](const Tensor& x) { return sqrt(abs(x)); },
                    [](const Tensor& x) { return rsqrt(abs(x) + 0.1); }, [](const Tensor& x) { return sin(x); },
                    [](const Tensor& x) { return cos(x); },      [](const Tensor& x) { return tanh(x); },
                    [](const Tensor& x) { return sigmoid(x); },  [](const Tensor& x) { return gelu(x); },
                    [](const Tensor& x) { return gelu(x, "tanh"); }, [](const Tensor& x) { return silu(x); },
                    [](const Tensor& x) { return erf(x); },      [](const Tensor& x) { return clamp(x, -0.5, 1.0); },
                    [](const Tensor& x) { return floor(x * 3); }, [](const Tensor& x) { return ceil(x * 3); },
                    [](const Tensor& x) { return trunc(x * 3); }, [](const Tensor& x) { return sign(x); },
                    [](const Tensor& x) { return log1p(abs(x)); }, [](const Tensor& x) { return expm1(x); },
                    [](const Tensor& x) { return tan(x); },      [](const Tensor& x) { return asin(x * 0.4); },
                    [](const Tensor& x) { return acos(x * 0.4); }, [](const Tensor& x) { return atan(x); },
                    [](const Tensor& x) { return erfinv(x * 0.4); }, [](const Tensor& x) { return erfc(x); },
                    [](const Tensor& x) { return asinh(x); },    [](const Tensor& x) { return acosh(abs(x) + 1); },
                    [](const Tensor& x) { return atanh(x * 0.4); }, [](const Tensor& x) { return lgamma(x); },
                    [](const Tensor& x) { return digamma(x); },  [](const Tensor& x) { return polygamma(1, x); },
                    [](const Tensor& x) { return polygamma(3, abs(x) + 0.3); },
                    [](const Tensor& x) { return sinh(x); },     [](const Tensor& x) { return cosh(x); },
                    [](const Tensor& x) { return log2(abs(x) + 0.1); }, [](const Tensor& x) { return log10(abs(x) + 0.1); },
                    [](const Tensor& x) { return exp2(x); },     [](const Tensor& x) { return reciprocal(abs(x) + 0.1); },
                    [](const Tensor& x) { return x.norm(3, IntArrayRef{1}); }, [](const Tensor& x) { return x.nan_to_num().isfinite(); },
                    [](const Tensor& x) { return special_erfcx(x * 4); }, [](const Tensor& x) { return special_ndtri(sigmoid(x)); },
                    [](const Tensor& x) { return special_zeta(abs(x) + 1.5, x * 3); }, [](const Tensor& x) { return special_log_ndtr(x * 5); },
                    [](const Tensor& x) { return special_bessel_j0(x * 12); }, [](const Tensor& x) { return special_bessel_j1(x * 12); },
                    [](const Tensor& x) { return special_bessel_y0(abs(x) * 12); }, [](const Tensor& x) { return special_bessel_y1(abs(x) * 12); },
                    [](const Tensor& x) { return special_modified_bessel_k0(abs(x) * 4); },
                    [](const Tensor& x) { return special_modified_bessel_k1(abs(x) * 4); },
                    [](const Tensor& x) { return special_scaled_modified_bessel_k0(abs(x) * 4); },
                    [](const Tensor& x) { return special_scaled_modified_bessel_k1(abs(x) * 4); },
                    [](const Tensor& x) { return special_spherical_bessel_j0(x * 8); }};
  for (DType dtype : kFloats) {
    CAPTURE(dtype_name(dtype));
    for (Fn op : ops) check_same([op](const std::vector<Tensor>& x) { return op(x[0]); }, {random({3, 33}, 9, dtype).slice(1, 0, 33, 2)});
  }
  check_same([](const std::vector<Tensor>& x) { return abs(x[0]).neg(); }, {tensor<int64_t>({-4, 2, 0})});
  check_same([](const std::vector<Tensor>& x) { return sign(x[0]) + floor(x[0]); }, {tensor<int64_t>({-4, 2, 0})});
  check_same([](const std::vector<Tensor>& x) { return sign(x[0]); }, {tensor<uint8_t>({0, 7})});
}

TEST_CASE("reductions and softmax match, indices included") {
  const Tensor x = random({4, 5, 6}, 10);
  for (DType dtype : kFloats) {
    CAPTURE(dtype_name(dtype));
    const Tensor xd = x.to(dtype);
    check_same([](const std::vector<Tensor>& t) { return t[0].sum(); }, {xd}, dtype == DType::Float32 ? 1e-4 : -1);
    check_same([](const std::vector<Tensor>& t) { return t[0].sum({0, 2}, true); }, {xd});
    check_same([](const std::vector<Tensor>& t) { return t[0].mean(1); }, {xd});
    check_same([](const std::vector<Tensor>& t) { return t[0].var({2}, 1); }, {xd}, dtype == DType::BFloat16 ? 0.1 : -1);
    check_same([](const std::vector<Tensor>& t) { return t[0].amax(0); }, {xd});
    check_same([](const std::vector<Tensor>& t) { return t[0].amin({1, 2}); }, {xd});
    check_same([](const std::vector<Tensor>& t) { return (t[0] * 0.5 + 1).prod(2); }, {xd}, dtype == DType::BFloat16 ? 0.1 : -1);
    check_same([](const std::vector<Tensor>& t) { return t[0].softmax(2); }, {xd});
    check_same([](const std::vector<Tensor>& t) { return t[0].transpose(0, 2).log_softmax(1); }, {xd});
    check_same([](const std::vector<Tensor>& t) { return t[0].logsumexp({0, 2}); }, {xd});
    check_same([](const std::vector<Tensor>& t) { return t[0].transpose(0, 2).cumsum(1); }, {xd}, dtype == DType::Float32 ? 1e-4 : -1);
    check_same([](const std::vector<Tensor>& t) { return t[0].std(1); }, {xd}, dtype == DType::BFloat16 ? 0.1 : -1);
  }
  // Rows longer than a block are scanned a chunk at a time; integers sum exactly in int64.
  const Tensor long_rows = random({3, 1000}, 11);
  check_same([](const std::vector<Tensor>& t) { return t[0].cumsum(1); }, {long_rows}, 1e-4);
  check_same([](const std::vector<Tensor>& t) { return t[0].transpose(0, 1).cumsum(0, DType::Float64); }, {long_rows});
  check_same([](const std::vector<Tensor>& t) { return t[0].cumsum(1); }, {(long_rows * 1000).to(DType::Int32)});
  check_same([](const std::vector<Tensor>& t) { return t[0].cumsum(0); }, {zeros({0, 4})});
  check_same([](const std::vector<Tensor>& t) { return (t[0] / 16 + 1).cumprod(1); }, {long_rows}, 1e-4);
  check_same([](const std::vector<Tensor>& t) { return (t[0] * 3).to(DType::Int64).cumprod(0); }, {long_rows.narrow(1, 0, 20).t()});
  check_same([](const std::vector<Tensor>& t) { return t[0].flip({0, 2}).masked_fill(gt(t[0], t[0].mean()), -1); }, {x});
  check_same([](const std::vector<Tensor>& t) { return t[0].diff(2, 1) + t[0].select(2, 0).t().diff(2, 0).t().unsqueeze(2); }, {x});
  check_same([](const std::vector<Tensor>& t) { return lt(t[0], 0.5).count_nonzero({0, 2}); }, {x});
  check_same([](const std::vector<Tensor>& t) { return isclose(t[0], t[0] * 1.00001, 1e-6); }, {x});
  check_same([](const std::vector<Tensor>& t) { return std::get<0>(t[0].median(1)) + std::get<0>(t[0].kthvalue(2, 1)); }, {x});
  check_same([](const std::vector<Tensor>& t) { return std::get<1>(t[0].median(2, true)); }, {x});
  check_same([](const std::vector<Tensor>& t) { return searchsorted(std::get<0>(t[0].sort(2)), t[0].narrow(2, 0, 3), false, true); }, {x});
  check_same([](const std::vector<Tensor>& t) { return searchsorted(std::get<0>(t[0].sort()), t[1]); },
             {random({300}, 43), random({400}, 44)});
  // A sorter for a row left unsorted, int32 positions, the side as a word, a transposed row.
  check_same([](const std::vector<Tensor>& t) {
    return searchsorted(t[0], t[1], true, false, "right", std::get<1>(t[0].sort())) +
           searchsorted(std::get<0>(t[0].sort()).unsqueeze(1).t(), t[1].unsqueeze(0));
  }, {random({300}, 45), random({400}, 46)});
  check_same([](const std::vector<Tensor>& t) { return (t[0] * 5).abs().to(DType::Int64).reshape({-1}).bincount(); }, {x});
  check_same([](const std::vector<Tensor>& t) { return t[0].repeat_interleave(3, 1).tile({2, 1, 1}); }, {x});
  check_same([](const std::vector<Tensor>& t) { return std::get<2>((t[0] * 4).round().unique(true, true, true)); }, {x});
  check_same([](const std::vector<Tensor>& t) { return std::get<1>((t[0] * 2).round().unique_consecutive(true)); }, {x});
  check_same([](const std::vector<Tensor>& t) { return t[0].argmax(1); }, {x});
  check_same([](const std::vector<Tensor>& t) { return t[0].argmin(); }, {x});
  check_same([](const std::vector<Tensor>& t) { return std::get<1>(t[0].topk(3, 1)); }, {x});
  check_same([](const std::vector<Tensor>& t) { return std::get<0>(t[0].sort(-1, true)); }, {x});
  // Ties by index and NaN first (largest) or last (smallest), as on the CPU; rows past 4096
  // elements are ranked there.
  const Tensor ties = tensor({1.f, NAN, 3.f, 1.f, 3.f, NAN, 0.f, 2.f, 3.f, 1.f}, {2, 5});
  for (const bool largest : {true, false}) {
    CAPTURE(largest);
    check_same([largest](const std::vector<Tensor>& t) { return std::get<0>(t[0].topk(4, 1, largest)); }, {ties});
    check_same([largest](const std::vector<Tensor>& t) { return std::get<1>(t[0].topk(5, 1, largest)); }, {ties});
    check_same([largest](const std::vector<Tensor>& t) { return std::get<1>(t[0].transpose(0, 1).topk(2, 0, largest)); }, {ties});
  }
  check_same([](const std::vector<Tensor>& t) { return std::get<1>(t[0].sort(1)); }, {random({2, 5000}, 12)});
  check_same([](const std::vector<Tensor>& t) { return std::get<0>(t[0].to(DType::Int32).topk(3, 0)); }, {x.select(2, 0) * 10});
  check_same([](const std::vector<Tensor>& t) { return std::get<1>(t[0].max(2, true)); }, {x});
  check_same([](const std::vector<Tensor>& t) { return std::get<0>(t[0].min(0)); }, {x});
  check_same([](const std::vector<Tensor>& t) { return t[0].sum(); }, {tensor<int64_t>({1, 2, 3, 4})});
  const float nan = std::nanf("");
  check_same([](const std::vector<Tensor>& t) { return t[0].amax(); }, {tensor<float>({1, nan, 3})});
}

TEST_CASE("matrix products: cuBLAS for floats, the tiled kernel for integers, any layout") {
  for (DType dtype : kFloats) {
    CAPTURE(dtype_name(dtype));
    const double tol = dtype == DType::Float32 ? 1e-4 : -1;
    check_same([](const std::vector<Tensor>& t) { return mm(t[0], t[1]); }, {random({33, 17}, 11, dtype), random({17, 9}, 12, dtype)}, tol);
    check_same([](const std::vector<Tensor>& t) { return mm(t[0].transpose(0, 1), t[1].transpose(0, 1)); },
               {random({17, 33}, 13, dtype), random({9, 17}, 14, dtype)}, tol);
    check_same([](const std::vector<Tensor>& t) { return bmm(t[0], t[1]); }, {random({3, 5, 7}, 15, dtype), random({3, 7, 4}, 16, dtype)}, tol);
    check_same([](const std::vector<Tensor>& t) { return addmm(t[0], t[1], t[2], 0.5, 2.0); },
               {random({9}, 17, dtype), random({6, 8}, 18, dtype), random({8, 9}, 19, dtype)}, tol);
    check_same([](const std::vector<Tensor>& t) { return einsum("bhld,bhmd->bhlm", {t[0], t[1]}) + einsum("...ii->...i", {t[2]}).unsqueeze(-1); },
               {random({2, 3, 4, 5}, 20, dtype), random({2, 3, 4, 5}, 21, dtype), random({2, 3, 4, 4}, 22, dtype)}, tol);
  }
  check_same([](const std::vector<Tensor>& t) { return mm(t[0], t[1]); },
             {tensor<int64_t>({1, 2, 3, 4, 5, 6}, {2, 3}), tensor<int64_t>({7, 8, 9, 10, 11, 12}, {3, 2})});
}

TEST_CASE("copies, casts, fills, arange and seeded random draws") {
  const Tensor x = random({5, 6}, 20);
  for (DType from : {DType::Float32, DType::Float16, DType::Int64, DType::Bool}) {
    for (DType to : {DType::Float64, DType::BFloat16, DType::Int32, DType::UInt8}) {
      check_same([to](const std::vector<Tensor>& t) { return t[0].to(to); }, {(x * 3).to(from)});
    }
  }
  check_same([](const std::vector<Tensor>& t) { return t[0].transpose(0, 1).contiguous(); }, {x});
  check_same([](const std::vector<Tensor>& t) { return zeros({2, 6}, DType::Float32, t[0].device()).copy_(t[0].select(0, 1)); }, {x});
  check_same([](const std::vector<Tensor>& t) { return full({3, 2}, 2.5, DType::Float64, t[0].device()); }, {x});
  check_same([](const std::vector<Tensor>& t) { return arange(1, 4, 0.25, DType::Float32, t[0].device()); }, {x});
  for (DType dtype : {DType::Float32, DType::Float64}) {
    check_same([dtype](const std::vector<Tensor>& t) {
      manual_seed(7);
      // Odd sizes end on half a generator block; the transposed fill writes through strides.
      const Tensor transposed = empty({9, 7}, dtype, t[0].device()).t().normal_(1, 2);
      return cat({rand({101}, dtype, t[0].device()), randn({101}, dtype, t[0].device()), transposed.flatten()});
    }, {x}, 1e-6);
  }
  check_same([](const std::vector<Tensor>& t) {
    manual_seed(8);
    return rand({999}, DType::BFloat16, t[0].device()).to(DType::Float32);
  }, {x});
  check_same([](const std::vector<Tensor>& t) {
    manual_seed(8);
    const int64_t lowest = std::numeric_limits<int64_t>::min(), highest = std::numeric_limits<int64_t>::max();
    return cat({randint(-5, 5, {51}, DType::Int64, t[0].device()), empty({51}, DType::Int64, t[0].device()).random_(lowest, highest)});
  }, {x});
  // The other distributions are made of uniform draws, or drawn per element from Philox counters,
  // which every backend draws alike.
  check_same([](const std::vector<Tensor>& t) {
    manual_seed(9);
    const Device d = t[0].device();
    const Tensor weights = t[0].abs().to(DType::Float64);
    return cat({empty({64}, DType::Float64, d).exponential_(2), empty({64}, DType::Float64, d).cauchy_(1, 2),
                empty({64}, DType::Float64, d).geometric_(0.3), empty({64}, DType::Float64, d).log_normal_(),
                bernoulli(full({64}, 0.4, DType::Float64, d)), randperm(64, DType::Float64, d),
                multinomial(weights, 8, true).to(DType::Float64).flatten(),
                multinomial(weights, 4).to(DType::Float64).flatten(), poisson(full({64}, 3.0, DType::Float64, d)),
                poisson(full({64}, 30.0, DType::Float64, d)), _standard_gamma(full({64}, 0.4, DType::Float64, d)),
                _standard_gamma(full({64}, 3.0, DType::Float64, d)), _sample_dirichlet(t[0].abs().to(DType::Float64) + 0.1).flatten(),
                binomial(full({64}, 8.0, DType::Float64, d), full({64}, 0.3, DType::Float64, d)),
                binomial(full({64}, 300.0, DType::Float64, d), full({64}, 0.6, DType::Float64, d))});
  }, {x}, 1e-6);
}

TEST_CASE("indexing matches, and an index out of range is the CPU's error") {
  const Tensor x = random({4, 5}, 21);
  const Tensor idx = tensor<int64_t>({3, 0, -1, 3});
  check_same([&](const std::vector<Tensor>& t) { return t[0].index_select(0, idx.to(t[0].device())); }, {x});
  check_same([&](const std::vector<Tensor>& t) { return t[0].index_select(1, idx.to(DType::Int32).to(t[0].device())); }, {x});
  const Tensor gidx = tensor<int64_t>({4, 0, 1, 1, 2, 3, 0, 0}, {4, 2});
  check_same([&](const std::vector<Tensor>& t) { return t[0].gather(1, gidx.to(t[0].device())); }, {x});
  check_same([&](const std::vector<Tensor>& t) { return index_add(t[0], 0, idx.to(t[0].device()), t[1]); }, {x, random({4, 5}, 22)});
  check_same([&](const std::vector<Tensor>& t) { return scatter_add(t[0], 1, gidx.to(t[0].device()), t[1]); }, {x, random({4, 2}, 23)});
  check_same([&](const std::vector<Tensor>& t) {
    return cat({take(t[0], idx.to(t[0].device())), take_along_dim(t[0], gidx.narrow(1, 0, 1).to(t[0].device()), 1).flatten()});
  }, {x});
  for (const char* reduce : {"sum", "prod", "mean", "amax", "amin"}) {
    CAPTURE(reduce);
    check_same([&](const std::vector<Tensor>& t) {
      const Tensor src = t[1].detach().requires_grad_();
      const Tensor reduced = t[0].scatter_reduce(1, gidx.to(t[0].device()), src, reduce, std::string_view(reduce) != "sum");
      return cat({reduced.flatten().detach(), autograd::grad({reduced.square().sum()}, {src})[0].flatten()});
    }, {x, random({4, 3}, 23)});
  }
  // Stores without repeated targets, so that no race decides the result.
  const Tensor distinct = tensor<int64_t>({2, 0, 3});
  check_same([&](const std::vector<Tensor>& t) { return index_copy(t[0], 0, distinct.to(t[0].device()), t[1]); }, {x, random({3, 5}, 24)});
  check_same([&](const std::vector<Tensor>& t) { return t[0].scatter(1, gidx.narrow(1, 0, 1).to(t[0].device()), t[1]); },
             {x, random({4, 1}, 25)});
  check_same([&](const std::vector<Tensor>& t) { return t[0].to(DType::Int32).scatter(0, distinct.unsqueeze(1).to(t[0].device()), t[1].to(DType::Int32)); },
             {x * 10, random({3, 1}, 26) * 10});
  // Data-dependent sizes: nonzero, masked_select and mask indexing wait for the values.
  using namespace ember::indexing;
  check_same([](const std::vector<Tensor>& t) { return nonzero(gt(t[0], 0.3)); }, {x});
  check_same([](const std::vector<Tensor>& t) { return t[0].masked_select(lt(t[1], 0)); }, {x, random({5}, 27)});
  check_same([](const std::vector<Tensor>& t) {
    return t[0].index({Slice(1, None), tensor<int64_t>({4, 0, -2}).to(t[0].device())}) + t[0].index({gt(t[0], 0)}).sum();
  }, {x});
  check_same([](const std::vector<Tensor>& t) {
    Tensor y = t[0] * 1;
    y.index_put_({tensor<int64_t>({1, 3}).to(y.device()), Slice(None, None, 2)}, t[1]);
    y.index_put_({lt(y, -0.5)}, 0);
    return y;
  }, {x, random({3}, 28)});
  check_same([](const std::vector<Tensor>& t) {
    return cat({std::get<0>(mode(floor(t[0] * 2), 1)), std::get<1>(mode(floor(t[0] * 2), 1)).to(DType::Float32),
                select_scatter(t[0], t[1].select(0, 0), 0, 2).flatten(), argwhere(gt(t[0], 0)).flatten().to(DType::Float32)});
  }, {x, random({3, 5}, 30)});
  check_same([](const std::vector<Tensor>& t) {
    const Tensor rows = tensor<int64_t>({1, 0, 1}).to(t[0].device());
    return cat({t[0].masked_scatter(gt(t[0], 0), cat({t[1], t[1]}).flatten()).flatten(), t[0].index_fill(1, rows, -2).flatten(),
                t[0].index_reduce(0, rows, t[1], "amax").flatten(), t[0].index_reduce(0, rows, t[1], "mean", false).flatten()});
  }, {x, random({3, 5}, 29)});
  CHECK_THROWS_WITH(x.to(gpu()).index_select(0, tensor<int64_t>({1, 9}).to(gpu())),
                    doctest::Contains("index 9 is out of range for dimension 0 of size 4"));
}

TEST_CASE("convolutions and pooling match the CPU's oneDNN and loops") {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor x = random({2, 4, 7, 9}, 24, dtype), w = random({6, 2, 3, 2}, 25, dtype);
    auto conv = [](const std::vector<Tensor>& t) { return conv2d(t[0], t[1], {2, 1}, {1, 1}, {1, 2}, 2); };
    check_same(conv, {x, w});
    const Tensor y = conv({x, w});
    const Tensor dy = random(y.sizes(), 26, dtype);
    check_same([](const std::vector<Tensor>& t) { return conv2d_backward_input(t[0], t[1], {2, 4, 7, 9}, {2, 1}, {1, 1}, {1, 2}, 2); }, {dy, w});
    check_same([](const std::vector<Tensor>& t) { return conv2d_backward_weight(t[0], t[1], {6, 2, 3, 2}, {2, 1}, {1, 1}, {1, 2}, 2); },
               {dy, x}, dtype == DType::Float32 ? 1e-3 : -1);
    check_same([](const std::vector<Tensor>& t) { return std::get<0>(max_pool2d_with_indices(t[0], {3, 2}, {2, 2}, {1, 1})); }, {x});
    check_same([](const std::vector<Tensor>& t) { return std::get<1>(max_pool2d_with_indices(t[0], {3, 2}, {2, 2}, {1, 1})); }, {x});
  }
}

namespace {

// The gradients of `loss(model, device)` for every parameter of `model`, computed on `device`.
template <typename Loss>
std::vector<std::vector<double>> gradients_on(nn::Module& model, Device device, Loss loss) {
  model.to(device);
  model.zero_grad();
  loss(device).backward();
  std::vector<std::vector<double>> grads;
  for (const Tensor& p : model.parameters()) grads.push_back(to_vector<double>(p.grad().to(cpu)));
  return grads;
}

template <typename Loss>
void check_same_gradients(nn::Module& model, Loss loss) {
  model.to(DType::Float64);
  const auto on_cpu = gradients_on(model, cpu, loss), on_gpu = gradients_on(model, gpu(), loss);
  REQUIRE(on_cpu.size() == on_gpu.size());
  for (size_t i = 0; i < on_cpu.size(); ++i) reference::check_close(on_gpu[i], on_cpu[i], 1e-9);
}

}  // namespace

TEST_CASE("a small network's gradients through the GPU equal the CPU's") {
  manual_seed(3);
  nn::Sequential model({std::make_shared<nn::Conv2d>(1, 4, nn::functional::Pair{3, 3}, nn::functional::Conv2dOptions{.padding = {1, 1}}),
                        std::make_shared<nn::BatchNorm2d>(4), std::make_shared<nn::ReLU>(),
                        std::make_shared<nn::MaxPool2d>(nn::functional::Pair{2, 2}), std::make_shared<nn::Flatten>(),
                        std::make_shared<nn::Linear>(16, 3)});
  const Tensor x = random({5, 1, 4, 4}, 27, DType::Float64);
  const Tensor y = tensor<int64_t>({0, 2, 1, 1, 0});
  check_same_gradients(model, [&](Device device) {
    return nn::functional::cross_entropy(model(x.to(device)), y.to(device), {.label_smoothing = 0.1});
  });
}

TEST_CASE("attention and the newer layers differentiate on the GPU as on the CPU") {
  manual_seed(4);
  const auto attention = std::make_shared<nn::MultiheadAttention>(4, 2);
  const auto head = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
      std::make_shared<nn::RMSNorm>(std::vector<int64_t>{4}), std::make_shared<nn::GELU>(), std::make_shared<nn::Linear>(4, 4),
      std::make_shared<nn::LeakyReLU>(0.1)});
  nn::ModuleList model{attention, head};
  const Tensor x = random({3, 2, 4}, 28, DType::Float64);
  const Tensor padding = tensor<bool>({false, false, true, false, false, false}, {2, 3});
  check_same_gradients(model, [&](Device device) {
    const Tensor input = x.to(device);
    const Tensor attended = std::get<0>(attention->forward(input, input, input, {.key_padding_mask = padding.to(device)}));
    const Tensor y = (*head)(attended);
    return nn::functional::group_norm(y.permute({1, 2, 0}), 2).logsumexp({1, 2}).sum() + nn::functional::softplus(y).std();
  });
}

TEST_CASE("a convolutional encoder-decoder and the newer losses differentiate on the GPU as on the CPU") {
  manual_seed(5);
  const auto down = std::make_shared<nn::Conv1d>(2, 4, 3, nn::functional::Conv1dOptions{.stride = 2, .padding = 1});
  const auto up = std::make_shared<nn::ConvTranspose2d>(4, 2, nn::functional::Pair{2, 3},
                                                        nn::functional::ConvTranspose2dOptions{.stride = {2, 1}, .output_padding = {1, 0}});
  const auto pool = std::make_shared<nn::AdaptiveAvgPool2d>(nn::functional::Pair{3, 2});
  nn::ModuleList model{down, up, pool};
  const Tensor x = random({2, 2, 9}, 29, DType::Float64);
  check_same_gradients(model, [&](Device device) {
    namespace F = nn::functional;
    const Tensor encoded = nn::functional::hardswish((*down)(x.to(device)));  // [2, 4, 5]
    const Tensor decoded = F::mish((*up)(encoded.unsqueeze(2)));            // [2, 2, 3, 7]
    const Tensor pooled = (*pool)(decoded);                                 // [2, 2, 3, 2]
    const Tensor classes = tensor<int64_t>({0, 1, 1, 0, 2, 1, 1, 1, 0, 0, 2, 2}, {2, 3, 2}).to(device);
    return F::cross_entropy(pooled.permute({0, 2, 1, 3}), classes.narrow(1, 0, 2)) +
           F::smooth_l1_loss(pooled, decoded.narrow(2, 0, 3).narrow(3, 0, 2)) +
           F::kl_div(pooled.log_softmax(1), decoded.narrow(3, 0, 2).softmax(1).narrow(2, 0, 3), {.reduction = F::Reduction::BatchMean}) +
           F::interpolate(pooled, {.scale_factor = {1.5, 2}, .mode = "bilinear"}).square().mean();
  });
}

TEST_CASE("padding modes, pixel shuffle, instance norm, 1-D and adaptive pooling, unfold and fold match") {
  namespace F = nn::functional;
  const Tensor x = random({2, 4, 3, 4}, 31);
  for (const char* mode : {"reflect", "replicate", "circular"}) {
    CAPTURE(mode);
    check_same([mode](const std::vector<Tensor>& t) { return F::pad(t[0], {2, 1, 1, 2}, mode); }, {x});
  }
  check_same([](const std::vector<Tensor>& t) { return F::pixel_unshuffle(F::pixel_shuffle(t[0], 2) + 1, 2); }, {x});
  check_same([](const std::vector<Tensor>& t) { return F::instance_norm(t[0], t[0][0][0][0], t[0][1][0][0]); }, {x});
  check_same([](const std::vector<Tensor>& t) {
    return F::max_pool1d(t[0].flatten(2), 3, {.stride = 2, .padding = 1}) + F::avg_pool1d(t[0].flatten(2), 3, {.stride = 2, .padding = 1});
  }, {x});
  check_same([](const std::vector<Tensor>& t) {
    const auto [values, indices] = F::max_pool2d_with_indices(t[0], {2, 2}, {.padding = {1, 0}});
    return F::max_unpool2d(values, indices, {2, 2}, {.padding = {1, 0}, .output_size = F::Pair{3, 4}});
  }, {x});
  check_same([](const std::vector<Tensor>& t) {
    const Tensor a = t[0].detach().requires_grad_();
    const Tensor columns = F::unfold(a, {2, 2}, {.padding = {1, 0}, .stride = {1, 2}});
    const Tensor out = cat({F::adaptive_max_pool2d(a, {2, 3}).flatten(), F::adaptive_avg_pool3d(a, {3, 2, 3}).flatten(),
                            F::fold(columns.square(), {3, 4}, {2, 2}, {.padding = {1, 0}, .stride = {1, 2}}).flatten()});
    return cat({out.detach(), autograd::grad({out.square().sum()}, {a})[0].flatten()});
  }, {x.to(DType::Float64)});
}

TEST_CASE("bilinear, channel shuffle, response norm, LP pooling, pdist and the margin losses match, gradients included") {
  namespace F = nn::functional;
  check_same([](const std::vector<Tensor>& t) {
    const Tensor a = t[0].detach().requires_grad_();
    const Tensor rows = a.reshape({4, 12});
    const Tensor out = cat({F::bilinear(rows.narrow(1, 0, 3), rows.narrow(1, 3, 4), t[1]).flatten(),
                            F::channel_shuffle(a, 2).flatten(), F::local_response_norm(a, 3).flatten(),
                            F::lp_pool2d(a, 2, {2, 2}).flatten(), F::pdist(rows),
                            F::multi_margin_loss(rows, tensor<int64_t>({0, 5, 11, 2}).to(a.device()), {.p = 2}).unsqueeze(0),
                            F::multilabel_margin_loss(rows, tensor<int64_t>({1, 2, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0}).expand({4, 12})
                                                                .contiguous().to(a.device())).unsqueeze(0)});
    return cat({out.detach(), autograd::grad({out.square().sum()}, {a})[0].flatten()});
  }, {random({1, 4, 3, 4}, 45, DType::Float64), random({2, 3, 4}, 46, DType::Float64)});
}

TEST_CASE("recurrent and transformer layers differentiate on the GPU as on the CPU") {
  manual_seed(6);
  const auto lstm = std::make_shared<nn::LSTM>(3, 4, nn::RecurrentOptions{.num_layers = 2, .bidirectional = true});
  const auto gru = std::make_shared<nn::GRU>(8, 4, nn::RecurrentOptions{.batch_first = true});
  const auto encoder = std::make_shared<nn::TransformerEncoderLayer>(4, 2, nn::TransformerLayerOptions{.dim_feedforward = 6, .dropout = 0});
  nn::ModuleList model{lstm, gru, encoder};
  const Tensor x = random({5, 2, 3}, 30, DType::Float64);
  check_same_gradients(model, [&](Device device) {
    const Tensor sequence = std::get<0>(lstm->forward(x.to(device)));                        // [5, 2, 8]
    const Tensor summary = std::get<0>(gru->forward(sequence.transpose(0, 1))).transpose(0, 1);  // [5, 2, 4]
    return encoder->forward(summary, {.is_causal = true}).square().sum();
  });
}

TEST_CASE("3-D convolution, transposed convolution and pooling (2-D operators over depth taps) match") {
  namespace F = nn::functional;
  const Tensor x = random({2, 3, 5, 6, 4}, 34), w = random({4, 3, 2, 3, 2}, 35), b = random({4}, 36);
  check_same([](const std::vector<Tensor>& t) {
    return F::conv3d(t[0], t[1], t[2], {.stride = {2, 1, 1}, .padding = {1, 1, 0}}).flatten()
        .narrow(0, 0, 64) + F::max_pool3d(t[0], {2, 2, 2}, {.ceil_mode = true}).flatten().narrow(0, 0, 64) +
        F::avg_pool3d(t[0], {3, 2, 2}, {.padding = {1, 1, 1}}).flatten().narrow(0, 0, 64) +
        F::avg_pool3d(t[0], {2, 3, 2}, {.padding = {1, 1, 0}, .ceil_mode = true, .count_include_pad = false})
            .flatten().narrow(0, 0, 64);
  }, {x, w, b});
  check_same([](const std::vector<Tensor>& t) {
    return cat({F::conv_transpose3d(t[0], t[1].transpose(0, 1), Tensor(), {.stride = {2, 1, 2}, .output_padding = {1, 0, 0}}).flatten(),
                F::conv_transpose1d(t[0].flatten(2), t[1].flatten(2).transpose(0, 1), Tensor(), {.stride = 3}).flatten()});
  }, {x, w});
}
TEST_CASE("3-D max pooling indices and unpooling, and finite-difference gradients, match") {
  namespace F = nn::functional;
  const Tensor x = random({2, 3, 5, 6, 4}, 37);
  check_same([](const std::vector<Tensor>& t) {
    const auto [values, indices] = F::max_pool3d_with_indices(t[0], {2, 3, 2}, {.stride = F::Triple{1, 2, 2}, .padding = {1, 1, 0}});
    const Tensor unpooled = F::max_unpool3d(values, indices, {2, 3, 2},
                                            {.stride = F::Triple{1, 2, 2}, .padding = {1, 1, 0}, .output_size = F::Triple{5, 6, 4}});
    return cat({values.flatten(), indices.to(DType::Float32).flatten(), unpooled.flatten()});
  }, {x});
  check_same([](const std::vector<Tensor>& t) {
    const std::vector<Tensor> d = gradient(t[0], {0.5, 2.0}, {2, 4}, 2);
    return cat({d[0].flatten(), d[1].flatten()});
  }, {x});
}

TEST_CASE("embedding bags match, gradients included") {
  namespace F = nn::functional;
  const Tensor weight = random({6, 3}, 37, DType::Float64);
  for (const char* mode : {"sum", "mean", "max"}) {
    CAPTURE(mode);
    check_same([mode](const std::vector<Tensor>& t) {
      const Tensor w = t[0].detach().requires_grad_();
      const Tensor bags = F::embedding_bag(t[1], w, t[2], {.mode = mode, .padding_idx = 4});
      return cat({bags.flatten().detach(), autograd::grad({bags.square().sum()}, {w})[0].flatten()});
    }, {weight, tensor<int64_t>({0, 5, 4, 1, 1, 3, 2}), tensor<int64_t>({0, 3, 3, 5})});
  }
}

TEST_CASE("grid sampling through an affine grid matches, gradients included") {
  namespace F = nn::functional;
  check_same([](const std::vector<Tensor>& t) {
    const Tensor image = t[0].detach().requires_grad_(), theta = t[1].detach().requires_grad_();
    const Tensor out = F::grid_sample(image, F::affine_grid(theta, {2, 3, 5, 4}), {.padding_mode = "border"});
    const auto grads = autograd::grad({out.square().sum()}, {image, theta});
    return cat({out.flatten().detach(), grads[0].flatten(), grads[1].flatten()});
  }, {random({2, 3, 6, 7}, 39, DType::Float64), random({2, 2, 3}, 40, DType::Float64)});
}

TEST_CASE("the CTC loss matches, gradients included") {
  namespace F = nn::functional;
  check_same([](const std::vector<Tensor>& t) {
    const Tensor x = t[0].detach().requires_grad_();
    const Tensor loss = F::ctc_loss(log_softmax(x, 2), t[1], tensor<int64_t>({6, 4}), tensor<int64_t>({3, 2}),
                                    {.reduction = F::Reduction::None});
    return cat({loss.detach(), autograd::grad({loss.sum()}, {x})[0].flatten()});
  }, {random({6, 2, 4}, 38, DType::Float64), tensor<int64_t>({1, 3, 3, 2, 1, 0}, {2, 3})});
}

TEST_CASE("linear algebra on GPU tensors matches the CPU, gradients included") {
  // A backend without these kernels runs them through the CPU fallback; one with them must agree.
  const Tensor m = random({2, 4, 4}, 32, DType::Float64) + eye(4, std::nullopt, DType::Float64) * 4;
  const Tensor b = random({4, 3}, 33, DType::Float64);
  check_same([](const std::vector<Tensor>& t) {
    const Tensor a = t[0].detach().requires_grad_();
    const Tensor spd = matmul(a, a.transpose(-2, -1));
    const Tensor values = cat({linalg_cholesky(spd).flatten(), linalg_solve(a, t[1]).flatten(), linalg_det(a),
                               linalg_inv(a).flatten(), linalg_svdvals(a).flatten(), linalg_eigvalsh(spd).flatten(),
                               std::get<1>(linalg_qr(a)).abs().flatten(), std::get<0>(linalg_lu_factor(a)).flatten(),
                               linalg_lu_solve(std::get<0>(linalg_lu_factor(a)), std::get<1>(linalg_lu_factor(a)), t[1]).flatten(),
                               cholesky_solve(t[1], linalg_cholesky(spd)).flatten(), std::get<0>(linalg_solve_ex(a, t[1])).flatten()});
    return cat({values.detach(), autograd::grad({values.square().sum()}, {a})[0].flatten()});
  }, {m, b});
}

TEST_CASE("the composed math, statistics, matrix-building and matrix functions match, gradients included") {
  check_same([](const std::vector<Tensor>& t) {
    const Tensor a = t[0].detach().requires_grad_();
    const Tensor square = a.narrow(1, 0, 4) + eye(4, std::nullopt, DType::Float64, a.device()) * 3;
    const Tensor values = cat({hypot(a, t[1]).flatten(), xlogy(a, t[1].abs()).flatten(), copysign(a, t[1]).flatten(),
                               sinc(a).flatten(), nanmean(a, IntArrayRef{1}), quantile(a, 0.3, 1), cov(a).flatten(),
                               histc(a.detach(), 5), diag_embed(a, 1).flatten(), kron(a, t[1]).flatten(),
                               rot90(a).flatten(), tensordot(a, a, {1}, {1}).flatten(), linalg_norm(a, "nuc").unsqueeze(0),
                               linalg_cond(square, 1.0).unsqueeze(0), linalg_matrix_exp(square * 0.2).flatten()});
    return cat({values.detach(), autograd::grad({values.square().sum()}, {a})[0].flatten()});
  }, {random({4, 5}, 41, DType::Float64), random({5}, 42, DType::Float64)});
}

int main(int argc, char** argv) {
  try {
    gpu();
  } catch (const Error& e) {
    std::printf("skipped: no usable GPU backend: %s\n", e.what());
    return 77;  // CTest reports the test as skipped (SKIP_RETURN_CODE)
  }
  doctest::Context context(argc, argv);
  return context.run();
}

TEST_CASE("packed sequences, checkpoints and Functions differentiate on the GPU as on the CPU") {
  manual_seed(9);
  const auto lstm = std::make_shared<nn::LSTM>(3, 4, nn::RecurrentOptions{.bidirectional = true});
  const auto block = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
      std::make_shared<nn::Linear>(8, 8), std::make_shared<nn::Tanh>(), std::make_shared<nn::Linear>(8, 2)});
  nn::ModuleList model{lstm, block};
  const Tensor x = random({5, 3, 3}, 40, DType::Float64);
  const Tensor lengths = tensor<int64_t>({2, 5, 3});
  check_same_gradients(model, [&](Device device) {
    const nn::utils::rnn::PackedSequence packed =
        nn::utils::rnn::pack_padded_sequence(x.to(device), lengths, false, false);
    const Tensor steps = std::get<0>(lstm->forward_with_packed_input(packed)).data;  // [10, 8]
    return nn::utils::checkpoint_sequential(*block, 2, steps).square().sum();
  });
  const std::vector<Tensor> point = {random({4}, 41, DType::Float64), random({4}, 42, DType::Float64)};
  check_same([](const std::vector<Tensor>& in) {
    return autograd::functional::jacobian([](const autograd::TensorVector& v) { return sin(v[0]); }, {in[0]})[0];
  }, point);
  check_same([](const std::vector<Tensor>& in) {
    return std::get<1>(autograd::functional::hvp([](const autograd::TensorVector& v) { return v[0].pow(3).sum(); }, {in[0]},
                                     {in[1]}))[0];
  }, point);
}

TEST_CASE("autocast casts tensors on its own device type, and matches the CPU's mixed precision") {
  const auto autocast_product = [](const std::vector<Tensor>& in) {
    AutocastGuard autocast(in[0].device().backend_name(), DType::BFloat16);
    return softmax(mm(in[0], in[1]), 1);  // bfloat16 product, float32 softmax
  };
  check_same(autocast_product, {random({8, 16}, 43), random({16, 4}, 44)}, 2e-2);
  AutocastGuard cpu_only("cpu", DType::BFloat16);
  CHECK(mm(random({2, 2}, 45).to(gpu()), random({2, 2}, 46).to(gpu())).dtype() == DType::Float32);
}
