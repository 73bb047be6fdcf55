// Draws from the exponential, geometric, log-normal, Cauchy, Bernoulli, Poisson, gamma, binomial,
// Dirichlet and categorical distributions and random permutations: moments and frequencies against
// the distributions' own (within five standard errors), reproducibility under manual_seed, the
// gamma and Dirichlet draws' gradients, and errors.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <numeric>

#include "ember/binomial_draw.h"
#include "ember/gamma_draw.h"
#include "ember/poisson_draw.h"
#include "reference.h"

using namespace ember;

namespace {

constexpr int64_t kDraws = 200000;

// The fraction of `t`'s elements where `mask` holds.
double fraction(const Tensor& mask) { return mask.to(DType::Float64).mean().item<double>(); }

}  // namespace

TEST_CASE("exponential_, geometric_, log_normal_ and cauchy_ follow their distributions") {
  manual_seed(7);
  const Tensor e = empty({kDraws}, DType::Float64).exponential_(2.0);
  CHECK(e.amin().item<double>() >= 0);
  CHECK(std::abs(e.mean().item<double>() - 0.5) < 5 * 0.5 / std::sqrt(kDraws));
  CHECK(std::abs(fraction(e > 1) - std::exp(-2.0)) < 0.004);  // P(X > 1) = e^-2
  const Tensor e32 = empty({kDraws}).exponential_();
  CHECK(e32.dtype() == DType::Float32);
  CHECK(std::abs(e32.mean().item<double>() - 1) < 5 / std::sqrt(kDraws));

  // Trials up to the first success: P(X = k) = (1 - p)^(k - 1) p, mean 1 / p, variance (1 - p) / p^2.
  const Tensor g = empty({kDraws}, DType::Int64).geometric_(0.25);
  CHECK(g.amin().item<int64_t>() == 1);
  CHECK(std::abs(g.to(DType::Float64).mean().item<double>() - 4) < 5 * std::sqrt(12.0 / kDraws));
  CHECK(std::abs(fraction(g == 1) - 0.25) < 0.005);
  CHECK(std::abs(fraction(g == 3) - 0.75 * 0.75 * 0.25) < 0.005);

  const Tensor l = empty({kDraws}, DType::Float64).log_normal_(0.5, 0.25);
  CHECK(l.amin().item<double>() > 0);
  CHECK(std::abs(log(l).mean().item<double>() - 0.5) < 5 * 0.25 / std::sqrt(kDraws));
  CHECK(std::abs(log(l).std().item<double>() - 0.25) < 0.002);

  // Cauchy: half the mass within sigma of the median, a quarter beyond median + sigma.
  const Tensor c = empty({kDraws}, DType::Float64).cauchy_(1.0, 2.0);
  CHECK(std::abs(fraction(logical_and(c > -1, c < 3)) - 0.5) < 0.006);
  CHECK(std::abs(fraction(c > 3) - 0.25) < 0.005);

  manual_seed(11);
  const Tensor first = empty({16}).exponential_();
  manual_seed(11);
  CHECK(equal(empty({16}).exponential_(), first));

  CHECK_THROWS_WITH(empty({2}, DType::Int64).exponential_(), "[exponential_] self: expected a floating-point tensor, got int64");
  CHECK_THROWS_WITH(empty({2}).exponential_(0), "[exponential_] lambd: expected a positive finite value, got 0");
  CHECK_THROWS_WITH(empty({2}).geometric_(1), "[geometric_] p: expected a probability in (0, 1), got 1");
  CHECK_THROWS_WITH(empty({2}, DType::Bool).geometric_(0.5), "[geometric_] self: expected a numeric tensor, got bool");
  CHECK_THROWS_WITH(empty({2}).log_normal_(0, -1), "[log_normal_] std: expected a positive finite value, got -1");
  CHECK_THROWS_WITH(empty({2}).cauchy_(0, 0), "[cauchy_] sigma: expected a positive finite value, got 0");
}

TEST_CASE("bernoulli draws 1 with the probability given, in the input's dtype") {
  manual_seed(3);
  const Tensor p = tensor({0.f, 1.f, 0.3f}).repeat({kDraws / 4});
  const Tensor b = bernoulli(p).view({-1, 3});
  CHECK(b.dtype() == DType::Float32);
  CHECK(b.select(1, 0).amax().item<float>() == 0.f);
  CHECK(b.select(1, 1).amin().item<float>() == 1.f);
  CHECK(std::abs(fraction(b.select(1, 2) == 1) - 0.3) < 0.006);
  const Tensor fixed = ones({kDraws}, DType::Float64).bernoulli(0.2);
  CHECK(fixed.dtype() == DType::Float64);
  CHECK(std::abs(fraction(fixed == 1) - 0.2) < 0.005);
  CHECK(fraction(logical_or(fixed == 0, fixed == 1)) == 1);
  const Tensor flags = empty({kDraws}, DType::Int32).bernoulli_(0.7);
  CHECK(std::abs(fraction(flags == 1) - 0.7) < 0.006);
  CHECK_THROWS_WITH(bernoulli(tensor({0.5f, 1.5f})), "[bernoulli] self: expected probabilities in [0, 1]");
  CHECK_THROWS_WITH(bernoulli(tensor<int64_t>({1})), "[bernoulli] self: expected a floating-point tensor, got int64");
  CHECK_THROWS_WITH(zeros({2}).bernoulli_(-0.1), "[bernoulli_] p: expected a probability in [0, 1], got -0.1");
}

TEST_CASE("poisson: mean and variance equal to the rate by inversion and by rejection, its probabilities, errors") {
  manual_seed(3);
  // 0 and rates either side of the switch from inversion to rejection at 10.
  for (double rate : {0.0, 0.3, 4.0, 9.99, 10.0, 47.5, 1e4}) {
    CAPTURE(rate);
    const Tensor k = poisson(full({kDraws}, rate, DType::Float64));
    CHECK(equal(k, floor(k)));
    CHECK(k.amin().item<double>() >= 0);
    // The mean's standard error is sqrt(rate / n); the variance's about rate sqrt(2 / n) (plus the
    // excess kurtosis' 1 / rate share, small here).
    CHECK(std::abs(k.mean().item<double>() - rate) <= 5 * std::sqrt(rate / kDraws));
    CHECK(std::abs(k.var().item<double>() - rate) <= 5 * (rate + 1) * std::sqrt(2.0 / kDraws) + 1e-12);
  }
  // P(K = k) = e^-rate rate^k / k!, for the two methods' rates: each frequency within five
  // standard errors.
  for (double rate : {3.0, 25.0}) {
    CAPTURE(rate);
    const Tensor k = poisson(full({kDraws}, rate, DType::Float64));
    for (int64_t count : {0, 2, 3, 6, 20, 25, 31}) {
      CAPTURE(count);
      const double p = std::exp(count * std::log(rate) - rate - std::lgamma(count + 1.0));
      CHECK(std::abs(fraction(k == static_cast<double>(count)) - p) <= 5 * std::sqrt(p * (1 - p) / kDraws) + 1e-6);
    }
  }
  // Mixed rates in one tensor, in float32; draws repeat under manual_seed.
  const Tensor rates = tensor<float>({0.5f, 200.f, 0.f, 12.f}).repeat({50000});
  const Tensor mixed = poisson(rates);
  CHECK(mixed.dtype() == DType::Float32);
  const std::vector<double> means = reference::values(mixed.view({50000, 4}).to(DType::Float64).mean(0));
  const std::vector<double> expected = {0.5, 200, 0, 12};
  for (size_t i = 0; i < expected.size(); ++i) CHECK(std::abs(means[i] - expected[i]) <= 5 * std::sqrt(expected[i] / 50000));
  manual_seed(5);
  const Tensor first = poisson(rates.narrow(0, 0, 40));
  manual_seed(5);
  CHECK(equal(poisson(rates.narrow(0, 0, 40)), first));
  // No gradient reaches the rates.
  CHECK_FALSE(poisson(rates.narrow(0, 0, 4).requires_grad_()).requires_grad());
  CHECK_THROWS_WITH(poisson(tensor<float>({1.f, -0.5f})), "[poisson] self: expected finite, non-negative rates");
  CHECK_THROWS_WITH(poisson(reference::doubles({reference::kInf})), "[poisson] self: expected finite, non-negative rates");
  CHECK_THROWS_WITH(poisson(reference::doubles({reference::kNaN})), "[poisson] self: expected finite, non-negative rates");
  CHECK_THROWS_WITH(poisson(tensor<int64_t>({3})), "[poisson] self: expected a floating-point tensor, got int64");
}

// Element i draws from counter offset + i (ember/poisson_draw.h), so a plugin reproduces the CPU's
// counts, and the threads that split a tensor cannot change them.
TEST_CASE("poisson counts follow the SDK's per-element counters, in logical order whatever the strides") {
  manual_seed(17);
  const Tensor rates = (rand({40, 25}, DType::Float64) * 30).t();  // both methods, read through strides
  const RandomDraw state = random_state();
  const auto counts = reference::values(poisson(rates).contiguous());
  const auto expected_rates = reference::values(rates.contiguous());
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] != sdk::poisson_draw(expected_rates[i], state.seed, state.offset + i)) {
      FAIL_CHECK("element ", i, " (rate ", expected_rates[i], "): ", counts[i]);
    }
  }
  // float16 rates draw in double and round the counts to the dtype.
  manual_seed(18);
  const Tensor half_rates = full({1000}, 30.0, DType::Float16);
  const RandomDraw half_state = random_state();
  const auto half_counts = reference::values(poisson(half_rates).to(DType::Float64));
  for (size_t i = 0; i < half_counts.size(); ++i) {
    if (half_counts[i] != sdk::poisson_draw(30.0, half_state.seed, half_state.offset + i)) FAIL_CHECK("element ", i);
  }
  CHECK_THROWS_WITH(_poisson_counts(tensor<int64_t>({3})), "[_poisson_counts] self: expected a floating-point tensor, got int64");
}

TEST_CASE("_standard_gamma: moments and distribution function either side of shape 1, the counters, the floor, edges") {
  manual_seed(21);
  for (double alpha : {0.01, 0.3, 1.0, 2.5, 40.0}) {
    CAPTURE(alpha);
    const Tensor g = _standard_gamma(full({kDraws}, alpha, DType::Float64));
    CHECK(g.amin().item<double>() > 0);
    // Mean and variance alpha; the sample variance's standard error is alpha sqrt((2 + 6 / alpha) / n).
    CHECK(std::abs(g.mean().item<double>() - alpha) <= 5 * std::sqrt(alpha / kDraws));
    CHECK(std::abs(g.var().item<double>() - alpha) <= 5 * alpha * std::sqrt((2 + 6 / alpha) / kDraws));
    // P(G <= x) is the regularised lower incomplete gamma function.
    for (double x : {0.05, 0.5, 2.0, 40.0}) {
      CAPTURE(x);
      const double p = igamma(reference::doubles({alpha}), reference::doubles({x})).item<double>();
      CHECK(std::abs(fraction(g <= x) - p) <= 5 * std::sqrt(p * (1 - p) / kDraws) + 1e-6);
    }
  }
  // Element i draws from counter offset + i, read through strides, and contiguous in tiles. The
  // CPU forms round 1's normals with libmvec's log and cos, a few ulp from the C library's.
  for (const Tensor& shapes : {(rand({30, 20}, DType::Float64) * 3).t(), rand({1000}, DType::Float64) * 3}) {
    const RandomDraw state = random_state();
    const auto draws = reference::values(_standard_gamma(shapes).contiguous());
    const auto expected_shapes = reference::values(shapes.contiguous());
    for (size_t i = 0; i < draws.size(); ++i) {
      const double expected = std::max(sdk::gamma_draw(expected_shapes[i], state.seed, state.offset + i), DBL_MIN);
      if (!(std::abs(draws[i] - expected) <= 1e-13 * expected)) {
        FAIL_CHECK("element ", i, " (shape ", expected_shapes[i], "): ", draws[i], " against ", expected);
      }
    }
  }
  // A tiny shape underflows float32; its draws rise to the smallest normal float.
  const Tensor tiny = _standard_gamma(full({1000}, 1e-3, DType::Float32));
  CHECK(tiny.amin().item<float>() == FLT_MIN);
  CHECK(tiny.amax().item<float>() > FLT_MIN);
  // Shapes no sampler settles give NaN rather than a loop without end.
  const auto edges = reference::values(_standard_gamma(reference::doubles({0, -1, reference::kNaN, reference::kInf})));
  for (double e : edges) CHECK(std::isnan(e));
  CHECK(std::isnan(_poisson_counts(reference::doubles({reference::kNaN})).item<double>()));
  CHECK(std::isnan(_poisson_counts(reference::doubles({reference::kInf})).item<double>()));
  CHECK_THROWS_WITH(_standard_gamma(tensor<int64_t>({3})), "[_standard_gamma] self: expected a floating-point tensor, got int64");
}

TEST_CASE("_standard_gamma's gradient: dx/da at a fixed quantile, and the moments it reparameterises") {
  // -(dP/da) / (dP/dx) by 60-digit mpmath: in the power series, at a = 1 (where it is
  // ln x + gamma + e^x E1(x)), in the continued fraction and in Temme's band. (PyTorch's
  // approximations are off by 1.4e-4 and 4e-4 of the value at (5, 12) and (9, 3).)
  reference::check_close(reference::values(_standard_gamma_grad(reference::doubles({0.5, 1, 2.5, 40, 300, 5, 9}),
                                                                reference::doubles({0.3, 2, 2, 35, 310, 12, 3}))),
                         {1.0098019459488546, 1.6316914623497008, 0.9534627029186165, 0.93862102027777458,
                          1.0170493918351245, 1.5508363766251058, 0.55911742033334981},
                         1e-13);
  // float32 keeps float precision.
  reference::check_close(reference::values(_standard_gamma_grad(tensor<float>({5, 9}), tensor<float>({12, 3}))),
                         {1.5508363766251058, 0.55911742033334981}, 1e-7);
  // A tiny shape's tiny draw keeps its relative precision.
  CHECK(_standard_gamma_grad(reference::doubles({1e-3}), reference::doubles({1e-200})).item<double>() ==
        doctest::Approx(4.5994144666699882e-195).epsilon(1e-12));
  const auto off_domain = reference::values(_standard_gamma_grad(reference::doubles({0, -1, 2, 2, reference::kInf, 2}),
                                                                 reference::doubles({1, 1, 0, reference::kNaN, 1, reference::kInf})));
  for (double e : off_domain) CHECK(std::isnan(e));
  // E[x] = a for every a, so dx/da averages 1 over the draws; E[x^2] = a^2 + a, so 2 x dx/da
  // averages 2a + 1. Each within five standard errors of the per-draw values.
  manual_seed(24);
  const auto within_five_errors = [](const Tensor& per_draw, double expected) {
    const double error = per_draw.std().item<double>() / std::sqrt(static_cast<double>(per_draw.numel()));
    CHECK(std::abs(per_draw.mean().item<double>() - expected) <= 5 * error);
  };
  for (double alpha : {0.2, 1.0, 3.5, 60.0}) {
    CAPTURE(alpha);
    const Tensor shapes = full({kDraws}, alpha, DType::Float64).requires_grad_();
    const Tensor draws = _standard_gamma(shapes);
    const Tensor slopes = autograd::grad({draws.sum()}, {shapes})[0];
    within_five_errors(slopes, 1);
    within_five_errors(slopes * draws.detach() * 2, 2 * alpha + 1);
  }
  const Tensor single = full({4}, 2.0).requires_grad_();
  CHECK(autograd::grad({_standard_gamma(single).sum()}, {single})[0].dtype() == DType::Float32);
}

TEST_CASE("binomial: moments and probabilities by inversion and by rejection, flipped above 1/2, broadcasting, edges") {
  manual_seed(23);
  // n p either side of 10 (inversion below, rejection above), and probabilities above 1/2 drawn as
  // n minus a draw for 1 - p.
  const double cases[][2] = {{0, 0.3}, {5, 0.3}, {40, 0.2}, {100, 0.3}, {60, 0.9}, {1000, 0.75}, {7, 1}, {7, 0}};
  for (const auto& [n, p] : cases) {
    CAPTURE(n);
    CAPTURE(p);
    const Tensor k = binomial(full({kDraws}, n, DType::Float64), full({kDraws}, p, DType::Float64));
    CHECK(equal(k, floor(k)));
    CHECK(k.amin().item<double>() >= 0);
    CHECK(k.amax().item<double>() <= n);
    const double variance = n * p * (1 - p);
    CHECK(std::abs(k.mean().item<double>() - n * p) <= 5 * std::sqrt(variance / kDraws));
    CHECK(std::abs(k.var().item<double>() - variance) <= 5 * (variance + 1) * std::sqrt(2.0 / kDraws) + 1e-12);
  }
  // P(K = k) = C(n, k) p^k q^(n - k), for one case of each method: each frequency within five
  // standard errors.
  for (const auto& [n, p] : {std::pair{20.0, 0.3}, std::pair{200.0, 0.4}}) {
    CAPTURE(n);
    const Tensor k = binomial(full({kDraws}, n, DType::Float64), full({kDraws}, p, DType::Float64));
    for (double count : {0.0, 3.0, 6.0, 9.0, 70.0, 80.0, 95.0}) {
      if (count > n) continue;
      CAPTURE(count);
      const double probability = std::exp(std::lgamma(n + 1) - std::lgamma(count + 1) - std::lgamma(n - count + 1) +
                                          count * std::log(p) + (n - count) * std::log1p(-p));
      CHECK(std::abs(fraction(k == count) - probability) <= 5 * std::sqrt(probability * (1 - probability) / kDraws) + 1e-6);
    }
  }
  // Trials and probabilities broadcast; an int64 count promotes with float32 probabilities.
  const Tensor grid = binomial(full({3, 1}, 10.0), tensor<float>({0.f, 0.5f, 1.f}));
  CHECK(grid.sizes().equals({3, 3}));
  CHECK(to_vector<float>(grid.select(1, 0)) == std::vector<float>{0, 0, 0});
  CHECK(to_vector<float>(grid.select(1, 2)) == std::vector<float>{10, 10, 10});
  CHECK(binomial(tensor<int64_t>({4}), tensor<float>({0.5f})).dtype() == DType::Float32);
  // Element i draws from counter offset + i, read through strides.
  const Tensor trials = (rand({30, 20}, DType::Float64) * 60).floor().t(), chances = rand({20, 30}, DType::Float64);
  const RandomDraw state = random_state();
  const auto draws = reference::values(binomial(trials, chances).contiguous());
  const auto n = reference::values(trials.contiguous()), p = reference::values(chances);
  for (size_t i = 0; i < draws.size(); ++i) {
    if (draws[i] != sdk::binomial_draw(n[i], p[i], state.seed, state.offset + i)) FAIL_CHECK("element ", i, ": ", draws[i]);
  }
  // Parameters no sampler settles give NaN.
  const auto edges = reference::values(binomial(reference::doubles({2.5, -1, reference::kInf, 3, 3, 3}),
                                                reference::doubles({0.5, 0.5, 0.5, 1.5, -0.1, reference::kNaN})));
  for (double e : edges) CHECK(std::isnan(e));
  CHECK_THROWS_WITH(binomial(tensor<int64_t>({3}), tensor<int64_t>({1})), "[binomial] count: expected a floating-point tensor, got int64");
}

TEST_CASE("_sample_dirichlet: rows on the simplex with the concentrations' means") {
  manual_seed(22);
  const Tensor concentrations = tensor<double>({1, 2, 3, 0.1, 0.1, 0.8}, {2, 3});
  const Tensor draws = _sample_dirichlet(concentrations.unsqueeze(0).expand({50000, 2, 3}));
  CHECK(draws.sizes().equals({50000, 2, 3}));
  CHECK(draws.amin().item<double>() > 0);
  reference::check_close(reference::values(draws.sum(-1)), std::vector<double>(100000, 1.0), 1e-12);
  // Component i has mean a_i / a_0 and variance a_i (a_0 - a_i) / (a_0^2 (a_0 + 1)).
  const auto means = reference::values(draws.mean(0).flatten());
  const double a[2][3] = {{1, 2, 3}, {0.1, 0.1, 0.8}};
  for (int row = 0; row < 2; ++row) {
    const double total = a[row][0] + a[row][1] + a[row][2];
    for (int i = 0; i < 3; ++i) {
      CAPTURE(row);
      CAPTURE(i);
      const double variance = a[row][i] * (total - a[row][i]) / (total * total * (total + 1));
      CHECK(std::abs(means[row * 3 + i] - a[row][i] / total) <= 5 * std::sqrt(variance / 50000));
    }
  }
  // Gradients reach the concentrations through the gamma draws: E[x_0] = a_0 / a_sum, so
  // dx_0/da_j averages ([j = 0] a_sum - a_0) / a_sum^2 over the draws, here for a = (1, 2, 3).
  const Tensor leaves = concentrations.select(0, 0).unsqueeze(0).expand({50000, 3}).contiguous().requires_grad_();
  const Tensor first = _sample_dirichlet(leaves).select(1, 0);
  const Tensor slopes = autograd::grad({first.sum()}, {leaves})[0];
  const double expected_slopes[3] = {5.0 / 36, -1.0 / 36, -1.0 / 36};
  for (int j = 0; j < 3; ++j) {
    CAPTURE(j);
    const Tensor per_draw = slopes.select(1, j);
    CHECK(std::abs(per_draw.mean().item<double>() - expected_slopes[j]) <= 5 * per_draw.std().item<double>() / std::sqrt(50000.0));
  }
  CHECK_THROWS_WITH(_sample_dirichlet(reference::doubles({1.0}).sum()),
                    "[_sample_dirichlet] self: expected at least one dimension, got a 0-dim tensor");
}

TEST_CASE("multinomial draws categories by weight, with or without replacement") {
  manual_seed(5);
  // With replacement: frequencies as the weights, and a category of weight 0 never.
  const Tensor weights = tensor<double>({1, 0, 3, 6, 5, 5, 0, 0}, {2, 4});
  const Tensor picks = multinomial(weights, kDraws, true);
  CHECK(picks.dtype() == DType::Int64);
  CHECK(picks.sizes().equals({2, kDraws}));
  const double expected[2][4] = {{0.1, 0, 0.3, 0.6}, {0.5, 0.5, 0, 0}};
  for (int64_t row = 0; row < 2; ++row) {
    for (int64_t category = 0; category < 4; ++category) {
      CAPTURE(row);
      CAPTURE(category);
      const double seen = fraction(picks.select(0, row) == category), want = expected[row][category];
      if (want == 0) {
        CHECK(seen == 0);
      } else {
        CHECK(std::abs(seen - want) < 5 * std::sqrt(want * (1 - want) / kDraws));
      }
    }
  }
  // Without replacement: distinct picks, the first by weight, weight 0 never.
  const int64_t rows = 20000;
  const Tensor without = multinomial(tensor<float>({1, 2, 0, 4}).expand({rows, 4}), 3);
  CHECK(without.sizes().equals({rows, 3}));
  const std::vector<int64_t> all = to_vector<int64_t>(without);
  int64_t repeats = 0, zero_weight = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t* row = all.data() + r * 3;
    repeats += row[0] == row[1] || row[0] == row[2] || row[1] == row[2];
    zero_weight += std::count(row, row + 3, 2);
  }
  CHECK(repeats == 0);
  CHECK(zero_weight == 0);
  const Tensor first_pick = without.select(1, 0);
  for (const auto& [category, weight] : {std::pair{0, 1.0}, std::pair{1, 2.0}, std::pair{3, 4.0}}) {
    CAPTURE(category);
    const double want = weight / 7;
    CHECK(std::abs(fraction(first_pick == category) - want) < 5 * std::sqrt(want * (1 - want) / rows));
  }
  CHECK(multinomial(tensor({0.f, 2.f}), 1).sizes().equals({1}));

  CHECK_THROWS_WITH(multinomial(tensor({1.f, -1.f}), 1), "[multinomial] self: expected finite, non-negative weights");
  CHECK_THROWS_WITH(multinomial(zeros({2, 3}), 1), "[multinomial] self: expected every row to have a positive sum");
  CHECK_THROWS_WITH(multinomial(ones({2, 2, 2}), 1),
                    "[multinomial] self: expected a 1-D or 2-D floating-point tensor of weights with categories, got "
                    "float32 [2, 2, 2]");
  CHECK_THROWS_WITH(multinomial(ones({3}), 4), "[multinomial] num_samples: expected at most 3 (the categories) without "
                    "replacement, got 4");
  CHECK_THROWS_WITH(multinomial(tensor({1.f, 0.f, 1.f}), 3),
                    "[multinomial] self: 3 draws without replacement need as many categories of positive weight in "
                    "every row, got a row with 2");
  CHECK_THROWS_WITH(multinomial(ones({3}), 0, true), "[multinomial] num_samples: expected a positive count, got 0");
}

TEST_CASE("randperm is a uniformly random permutation, repeated by manual_seed") {
  manual_seed(21);
  const Tensor perm = randperm(1000);
  CHECK(perm.dtype() == DType::Int64);
  std::vector<int64_t> values = to_vector<int64_t>(perm), sorted = values;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  CHECK(sorted == identity);
  CHECK(values != identity);
  manual_seed(21);
  CHECK(to_vector<int64_t>(randperm(1000)) == values);
  // Each value first equally often: 4000 permutations of 4, 1000 each within five standard errors.
  std::vector<int64_t> firsts(4, 0);
  for (int i = 0; i < 4000; ++i) ++firsts[static_cast<size_t>(randperm(4)[0].item<int64_t>())];
  for (const int64_t count : firsts) CHECK(std::abs(count - 1000) < 5 * std::sqrt(4000 * 0.25 * 0.75));
  CHECK(randperm(5, DType::Int32).dtype() == DType::Int32);
  CHECK(randperm(0).numel() == 0);
  CHECK_THROWS_WITH(randperm(-1), "[randperm] n: expected a count >= 0, got -1");
  CHECK_THROWS_WITH(randperm(300, DType::UInt8), "[randperm] dtype: uint8 cannot hold the values 0 to 299");
}
