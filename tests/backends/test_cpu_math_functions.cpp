// Elementwise functions and statistics written with other operators, against hand-computed
// values; their edge cases (zeros, infinities, NaN, -0.0) and errors on bad input.
#include <cmath>

#include "ember/autograd/gradcheck.h"
#include "reference.h"

using namespace ember;
using reference::check_close;
using reference::kInf;
using reference::kNaN;
using reference::doubles;
using reference::values;

TEST_CASE("hypot neither overflows nor underflows, and is infinite beside a NaN") {
  check_close(values(hypot(doubles({3, -4, 0, 1e200, 1e-200}), doubles({4, 3, 0, 1e200, 1e-200}))),
              {5, 5, 0, std::sqrt(2.0) * 1e200, std::sqrt(2.0) * 1e-200}, 1e-15);
  CHECK(values(hypot(doubles({kInf, kNaN, -kInf}), doubles({kNaN, kInf, kInf}))) == std::vector<double>{kInf, kInf, kInf});
  CHECK(hypot(tensor<float>({3}), doubles({4})).dtype() == DType::Float64);
  CHECK_THROWS_WITH(hypot(tensor<int64_t>({3}), tensor<int64_t>({4})),
                    "[hypot] self: expected floating-point operands, got int64 and int64");
}

TEST_CASE("xlogy is 0 where x is 0 unless y is NaN") {
  const auto r = values(xlogy(doubles({0, 0, 2, 0, 3}), doubles({0, kNaN, 3, kInf, -1})));
  CHECK(r[0] == 0);
  CHECK(std::isnan(r[1]));
  CHECK(r[2] == doctest::Approx(2 * std::log(3.0)));
  CHECK(r[3] == 0);
  CHECK(std::isnan(r[4]));
  CHECK(xlogy(tensor<int64_t>({1}), tensor<int64_t>({1})).dtype() == DType::Float32);
  // self broadcast over a shorter other.
  CHECK(values(xlogy(doubles({0, 1, 0, 2}, {2, 2}), doubles({0, std::exp(1.0)}))) == std::vector<double>{0, 1, 0, 2});
}

TEST_CASE("xlog1py is 0 where x is 0 unless y is NaN, and keeps log1p's precision") {
  const auto r = values(xlog1py(doubles({0, 0, 2, 3, 0}), doubles({-1, kNaN, 1e-20, std::exp(2.0) - 1, kInf})));
  CHECK(r[0] == 0);
  CHECK(std::isnan(r[1]));
  CHECK(r[2] == doctest::Approx(2e-20).epsilon(1e-15));
  CHECK(r[3] == doctest::Approx(6).epsilon(1e-15));
  CHECK(r[4] == 0);
}

TEST_CASE("fmax and fmin let a number win over NaN; maximum and minimum do not") {
  const Tensor a = doubles({1, kNaN, 3, kNaN, -0.5}), b = doubles({2, 4, kNaN, kNaN, -1});
  const auto hi = values(fmax(a, b)), lo = values(fmin(a, b));
  CHECK(std::vector<double>(hi.begin(), hi.begin() + 3) == std::vector<double>{2, 4, 3});
  CHECK(std::vector<double>(lo.begin(), lo.begin() + 3) == std::vector<double>{1, 4, 3});
  CHECK(std::isnan(hi[3]));
  CHECK(std::isnan(lo[3]));
  CHECK(hi[4] == -0.5);
  CHECK(lo[4] == -1);
  CHECK(std::isnan(values(maximum(a, b))[1]));
  CHECK(to_vector<int64_t>(tensor<int64_t>({3, -7}).fmax(tensor<int64_t>({5, -9}))) == std::vector<int64_t>{5, -7});
}

TEST_CASE("logaddexp2, ldexp and float_power") {
  check_close(values(logaddexp2(doubles({3, 0, 1000, -kInf}), doubles({3, 1, 1000, 2}))),
              {4, std::log2(3.0), 1001, 2}, 1e-15);
  CHECK(values(ldexp(doubles({1.5, -3, 1}), tensor<int64_t>({2, -1, 1023}))) == std::vector<double>{6, -1.5, std::ldexp(1.0, 1023)});
  CHECK(ldexp(tensor<int64_t>({1}), tensor<int64_t>({3})).dtype() == DType::Float32);
  // float_power computes in float64: 3^30 is exact there, not in float32.
  const Tensor p = float_power(tensor<int32_t>({3, 2}), tensor<int32_t>({30, -1}));
  CHECK(p.dtype() == DType::Float64);
  CHECK(values(p) == std::vector<double>{205891132094649.0, 0.5});
  CHECK(values(tensor<float>({1.5f}).float_power(2)) == std::vector<double>{2.25});
}

TEST_CASE("div rounds toward zero or -infinity on request, integers staying integers") {
  const Tensor a = doubles({7, -7, 7.5, -7.5}), b = doubles({2, 2, -2, -2});
  CHECK(values(div(a, b, "trunc")) == std::vector<double>{3, -3, -3, 3});
  CHECK(values(a.div(b, "floor")) == std::vector<double>{3, -4, -4, 3});
  CHECK(values(div(a, b, std::nullopt)) == std::vector<double>{3.5, -3.5, -3.75, 3.75});
  const Tensor i = tensor<int64_t>({7, -7, 7, -7}), j = tensor<int64_t>({2, 2, -2, -2});
  const Tensor truncated = div(i, j, "trunc");
  CHECK(truncated.dtype() == DType::Int64);
  CHECK(to_vector<int64_t>(truncated) == std::vector<int64_t>{3, -3, -3, 3});
  CHECK(to_vector<int64_t>(div(i, j, "floor")) == std::vector<int64_t>{3, -4, -4, 3});
  CHECK(div(i, j, std::nullopt).dtype() == DType::Float32);
  CHECK_THROWS_WITH(div(a, b, "round"), "[div] rounding_mode: expected 'trunc', 'floor' or None, got 'round'");
  CHECK_THROWS_WITH(div(i, tensor<int64_t>({0}), "trunc"), doctest::Contains("integer division by zero"));
}

TEST_CASE("copysign takes the sign bit of other, -0.0 included; frac, sinc, deg2rad, rad2deg") {
  CHECK(values(copysign(doubles({1, -2, 3, 4}), doubles({-0.0, 0.0, -1, 5}))) == std::vector<double>{-1, 2, -3, 4});
  const Tensor from_integers = copysign(tensor<int64_t>({1, -2}), tensor<int64_t>({-1, 1}));
  CHECK(from_integers.dtype() == DType::Float32);
  CHECK(values(from_integers) == std::vector<double>{-1, 2});
  CHECK(values(frac(doubles({1.5, -2.25, 3}))) == std::vector<double>{0.5, -0.25, 0});
  CHECK_THROWS_WITH(frac(tensor<int64_t>({1})), "[frac] self: expected a floating-point tensor, got int64");
  check_close(values(sinc(doubles({0, 0.5, -0.5, 1.5}))), {1, 2 / M_PI, 2 / M_PI, -2 / (3 * M_PI)}, 1e-15);
  check_close(values(deg2rad(tensor<int64_t>({180, -90}))), {M_PI, -M_PI / 2}, 1e-6);
  check_close(values(rad2deg(doubles({M_PI, 1}))), {180, 180 / M_PI}, 1e-12);
}

TEST_CASE("heaviside and logit") {
  CHECK(values(heaviside(doubles({-1, 0, 2, 0}, {2, 2}), doubles({0.5, 0.25}))) == std::vector<double>{0, 0.25, 1, 0.25});
  CHECK_THROWS_WITH(heaviside(doubles({1}), tensor<float>({1})),
                    "[heaviside] values: expected dtype float64 as self's, got float32");
  check_close(values(logit(doubles({0.5, 0.25, 0.75}))), {0, -std::log(3.0), std::log(3.0)}, 1e-15);
  // eps clamps first: 0 and 1 read as 0.1 and 0.9.
  check_close(values(logit(doubles({0, 1}), 0.1)), {-std::log(9.0), std::log(9.0)}, 1e-15);
  CHECK(values(logit(doubles({0, 1}))) == std::vector<double>{-kInf, kInf});
  CHECK_THROWS_WITH(logit(doubles({0.5}), 0.7), "[logit] eps: expected a value in [0, 0.5], got 0.7");
}

TEST_CASE("nansum and nanmean leave NaN out") {
  const Tensor x = doubles({1, kNaN, 3, kNaN, kNaN, kNaN}, {2, 3});
  CHECK(values(nansum(x, IntArrayRef{1})) == std::vector<double>{4, 0});
  const auto means = values(nanmean(x, IntArrayRef{1}));
  CHECK(means[0] == 2);
  CHECK(std::isnan(means[1]));
  CHECK(nansum(x).item<double>() == 4);
  CHECK(nanmean(x, IntArrayRef{0}, true).sizes().equals({1, 3}));
  CHECK(nansum(tensor<int64_t>({1, 2})).item<int64_t>() == 3);
  CHECK_THROWS_WITH(nanmean(tensor<int64_t>({1})), "[nanmean] self: expected a floating-point tensor, got int64");
}

TEST_CASE("quantile: each interpolation between the order statistics, q lists, keepdim, NaN rows") {
  const Tensor d = doubles({3, 1, 4, 1, 5, 9, 2, 6}, {2, 4});
  CHECK(values(quantile(d, 0.5, 1)) == std::vector<double>{2, 5.5});
  const Tensor listed = quantile(d, doubles({0, 0.25, 1}), 1, true);
  CHECK(listed.sizes().equals({3, 2, 1}));
  CHECK(values(listed) == std::vector<double>{1, 2, 1, 4.25, 4, 9});
  // Every element sorted: 1 1 2 3 4 5 6 9; q = 0.4 sits at position 2.8.
  CHECK(quantile(d, 0.4).item<double>() == doctest::Approx(2.8));
  CHECK(quantile(d, 0.4, std::nullopt, false, "lower").item<double>() == 2);
  CHECK(quantile(d, 0.4, std::nullopt, false, "higher").item<double>() == 3);
  CHECK(quantile(d, 0.4, std::nullopt, false, "midpoint").item<double>() == 2.5);
  CHECK(quantile(d, 0.4, std::nullopt, false, "nearest").item<double>() == 3);
  // Position 0.5 * 7 = 3.5: halves go to the even neighbour, as NumPy's.
  CHECK(quantile(d, 0.5, std::nullopt, false, "nearest").item<double>() == 4);
  CHECK(quantile(d, 0.5, std::nullopt, true).sizes().equals({1, 1}));
  CHECK(quantile(d.t(), doubles({0.5}), 0).sizes().equals({1, 2}));

  const Tensor with_nan = doubles({1, kNaN, 3, kNaN, kNaN, kNaN}, {2, 3});
  const auto plain = values(quantile(with_nan, 0.5, 1));
  CHECK((std::isnan(plain[0]) && std::isnan(plain[1])));
  const auto ignoring = values(nanquantile(with_nan, 0.5, 1));
  CHECK(ignoring[0] == 2);
  CHECK(std::isnan(ignoring[1]));

  CHECK_THROWS_WITH(quantile(d, 1.5), "[quantile] q: expected values in [0, 1]");
  CHECK_THROWS_WITH(quantile(d, tensor<float>({0.5})), "[quantile] q: expected dtype float64 as self's, got float32");
  CHECK_THROWS_WITH(quantile(d, 0.5, 1, false, "cubic"),
                    "[quantile] interpolation: expected 'linear', 'lower', 'higher', 'midpoint' or 'nearest', got 'cubic'");
  CHECK_THROWS_WITH(nanquantile(tensor<int64_t>({1}), 0.5),
                    "[nanquantile] self: expected a float32 or float64 tensor, got int64");
  CHECK_THROWS_WITH(quantile(doubles({}, {0}), 0.5), "[quantile] self: expected a non-empty tensor, got shape [0]");
}

TEST_CASE("cov with frequency and observation weights, and corrcoef") {
  const Tensor x = doubles({0, 1, 2, 2, 1, 0}, {2, 3});  // two variables, three observations
  CHECK(values(cov(x)) == std::vector<double>{1, -1, -1, 1});
  CHECK(values(cov(x, 0)) == std::vector<double>{2.0 / 3, -2.0 / 3, -2.0 / 3, 2.0 / 3});
  // Frequencies 1, 2, 1: observations 0, 1, 1, 2; the mean 1, squares summing to 2, over 4 - 1.
  check_close(values(cov(x, 1, tensor<int64_t>({1, 2, 1}))), {2.0 / 3, -2.0 / 3, -2.0 / 3, 2.0 / 3}, 1e-15);
  // Weights 1, 2, 1 as observation weights: 2 over 4 - (1 + 4 + 1) / 4, NumPy's correction.
  check_close(values(cov(x, 1, std::nullopt, doubles({1, 2, 1}))), {0.8, -0.8, -0.8, 0.8}, 1e-15);
  CHECK(cov(doubles({1, 2, 4})).item<double>() == doctest::Approx(7.0 / 3));
  CHECK(cov(doubles({1, 2, 4})).dim() == 0);
  check_close(values(corrcoef(doubles({1, 2, 3, 1, 3, 2}, {2, 3}))), {1, 0.5, 0.5, 1}, 1e-15);
  CHECK_THROWS_WITH(cov(x, 1, doubles({1, 2, 1})), "[cov] fweights: expected integer weights, got float64");
  CHECK_THROWS_WITH(cov(x, 1, tensor<int64_t>({1, 2})), "[cov] fweights: expected 3 weights, one per observation, got 2");
  CHECK_THROWS_WITH(cov(x, 1, std::nullopt, doubles({1, -2, 1})), "[cov] aweights: expected non-negative weights");
  CHECK_THROWS_WITH(cov(ones({2, 2, 2})), "[cov] self: expected at most 2 dimensions (variables, observations), got 3");
}

TEST_CASE("histc counts in equal bins, the top edge in the last, the data's range by default") {
  CHECK(values(histc(doubles({1, 2, 1, 4, 2.5, 10, -1}), 4, 0, 4)) == std::vector<double>{0, 2, 2, 1});
  const Tensor own_range = histc(tensor<float>({1, 2, 1, 4}), 3);
  CHECK(own_range.dtype() == DType::Float32);
  CHECK(values(own_range) == std::vector<double>{2, 1, 1});
  // One value: a unit range around it, so it lands in the middle bin.
  CHECK(values(histc(doubles({5, 5}), 3)) == std::vector<double>{0, 2, 0});
  CHECK_THROWS_WITH(histc(doubles({1}), 0), "[histc] bins: expected a positive number of bins, got 0");
  CHECK_THROWS_WITH(histc(doubles({1}), 3, 2, 1), "[histc] max: expected a value not below min (2), got 1");
  CHECK_THROWS_WITH(histc(doubles({1, kInf}), 3), "[histc] self: expected a finite range, got [1, inf]");
  CHECK_THROWS_WITH(histc(tensor<int64_t>({1}), 3), "[histc] self: expected a floating-point tensor, got int64");
}

TEST_CASE("histogram: any edges or equal bins over the data's range, weights, density, the edges returned") {
  // Edges 0, 1, 3, 4: bins [0, 1), [1, 3), [3, 4]; 4 is in the last, -1, 5 and NaN in none.
  const Tensor x = doubles({0.5, 1, 2.9, 3, 4, -1, 5, kNaN});
  const auto [hist, edges] = histogram(x, doubles({0, 1, 3, 4}));
  CHECK(values(hist) == std::vector<double>{1, 2, 2});
  CHECK(values(edges) == std::vector<double>{0, 1, 3, 4});
  const Tensor w = doubles({1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(values(std::get<0>(histogram(x, doubles({0, 1, 3, 4}), w))) == std::vector<double>{1, 5, 9});
  // density: count / (total * width): 1 / (5 * 1), 2 / (5 * 2), 2 / (5 * 1).
  CHECK(values(std::get<0>(x.histogram(doubles({0, 1, 3, 4}), std::nullopt, true))) == std::vector<double>{0.2, 0.2, 0.4});
  // Equal bins over [min, max] (NaN and infinities would make the range infinite: refused).
  const auto [counts, equal_edges] = histogram(doubles({1, 2, 1, 4}), 3);
  CHECK(values(counts) == std::vector<double>{2, 1, 1});
  CHECK(values(equal_edges) == std::vector<double>{1, 2, 3, 4});
  CHECK(values(std::get<1>(histogram(doubles({5, 5}), 2))) == std::vector<double>{4.5, 5, 5.5});
  // The weights receive the gradient of their bins.
  const Tensor weights = doubles({1, 1, 1, 1}).requires_grad_();
  const Tensor weighted = std::get<0>(histogram(doubles({0.5, 1.5, 2.5, 0.2}), doubles({0, 1, 2, 3}), weights));
  CHECK(values(autograd::grad({(weighted * doubles({1, 10, 100})).sum()}, {weights})[0]) == std::vector<double>{1, 10, 100, 1});
  CHECK_THROWS_WITH(histogram(x, doubles({1})), "[histogram] bins: expected a 1-D tensor of at least 2 edges, got shape [1]");
  CHECK_THROWS_WITH(histogram(x, 0), "[histogram] bins: expected a positive number of bins, got 0");
  CHECK_THROWS_WITH(histogram(x, 2), doctest::Contains("[histogram] self: expected a finite range"));
  CHECK_THROWS_WITH(histogram(tensor<int64_t>({1}), 2), "[histogram] self: expected a floating-point tensor, got int64");
}

TEST_CASE("trapezoid and cumulative_trapezoid: spacing, sample points along the dimension or shaped as y") {
  const Tensor y = doubles({1, 2, 4, 7, 0, 1, 1, 3}, {2, 4});
  // Unit spacing: (1+2)/2 + (2+4)/2 + (4+7)/2 = 10.
  CHECK(values(trapezoid(y)) == std::vector<double>{10, 3.5});
  CHECK(values(trapezoid(y, 0.5)) == std::vector<double>{5, 1.75});
  CHECK(values(trapezoid(y, 1, 0)) == std::vector<double>{0.5, 1.5, 2.5, 5});
  // Uneven points: widths 1, 3, 0.5.
  const Tensor x = doubles({0, 1, 4, 4.5});
  CHECK(values(trapezoid(y, x)) == std::vector<double>{1.5 + 9 + 2.75, 0.5 + 3 + 1});
  CHECK(values(trapezoid(y, x.unsqueeze(0).expand({2, 4}).contiguous() * doubles({1, 2}, {2, 1}))) ==
        std::vector<double>{1.5 + 9 + 2.75, 1 + 6 + 2});
  CHECK(values(cumulative_trapezoid(y)) == std::vector<double>{1.5, 4.5, 10, 0.5, 1.5, 3.5});
  CHECK(values(cumulative_trapezoid(y, x)) == std::vector<double>{1.5, 10.5, 13.25, 0.5, 3.5, 4.5});
  CHECK(cumulative_trapezoid(y, 2, 0).sizes().equals({1, 4}));
  // Integers integrate to floats; one sample or none has no area.
  const Tensor whole = trapezoid(tensor<int64_t>({1, 2, 3}));
  CHECK(is_floating(whole.dtype()));
  CHECK(whole.item<double>() == 4);
  CHECK(trapezoid(doubles({5})).item<double>() == 0);
  CHECK(values(trapezoid(zeros({2, 0}, DType::Float64))) == std::vector<double>{0, 0});
  CHECK(cumulative_trapezoid(zeros({2, 0}, DType::Float64)).sizes().equals({2, 0}));
  CHECK_THROWS_WITH(trapezoid(y, doubles({0, 1, 2})), "[trapezoid] x: expected 4 sample points, the size of dimension 1 of y, got 3");
  CHECK_THROWS_WITH(cumulative_trapezoid(y, ones({1, 2, 4}, DType::Float64)),
                    "[cumulative_trapezoid] x: expected a 1-D tensor or 2 dimensions as y, got 3");
  CHECK_THROWS_WITH(trapezoid(scalar_tensor(1.0)), "[trapezoid] y: expected at least one dimension, got a 0-dim tensor");
}

TEST_CASE("gradient: central differences inside, one-sided ones of either order at the ends, on any spacing") {
  // f[n] = 1 + n (n + 1) / 2: a quadratic, whose derivative n + 1/2 second-order differences give exactly.
  const Tensor f = doubles({1, 2, 4, 7, 11});
  CHECK(values(gradient(f)[0]) == std::vector<double>{1, 1.5, 2.5, 3.5, 4});
  CHECK(values(gradient(f, 1, std::nullopt, 2)[0]) == std::vector<double>{0.5, 1.5, 2.5, 3.5, 4.5});
  CHECK(values(gradient(f, 2.0)[0]) == std::vector<double>{0.5, 0.75, 1.25, 1.75, 2});
  // Uneven points: f = x^2 at x = 0, 1, 3, 6, 10; second order is exact, 2x, at the ends too.
  const Tensor x = doubles({0, 1, 3, 6, 10});
  CHECK(values(gradient(x * x, {x}, std::nullopt, 2)[0]) == std::vector<double>{0, 2, 6, 12, 20});
  CHECK(values(gradient(x * x, {x})[0]) == std::vector<double>{1, 2, 6, 12, 16});  // (1 - 0) / 1, (100 - 36) / 4
  // One tensor per dimension: f[i][j] = 10 i + j^2 on a 3 x 4 grid.
  const Tensor i = arange(3, DType::Float64).unsqueeze(1), j = arange(4, DType::Float64);
  const Tensor grid = i * 10 + j * j;
  const std::vector<Tensor> both = gradient(grid);
  REQUIRE(both.size() == 2);
  CHECK(values(both[0]) == std::vector<double>(12, 10));
  CHECK(values(both[1]) == std::vector<double>{1, 2, 4, 5, 1, 2, 4, 5, 1, 2, 4, 5});
  const std::vector<Tensor> scaled = gradient(grid, {2.0, 0.5}, {1, 0});  // a step per dimension, in dim's order
  CHECK(values(scaled[0]) == std::vector<double>{0.5, 1, 2, 2.5, 0.5, 1, 2, 2.5, 0.5, 1, 2, 2.5});
  CHECK(values(scaled[1]) == std::vector<double>(12, 20));
  CHECK(gradient(grid, 1.0, -1).size() == 1);
  // Integers differentiate to floats; two samples are enough for first order.
  const Tensor slope = gradient(tensor<int64_t>({1, 2, 4}))[0];
  CHECK(is_floating(slope.dtype()));
  CHECK(values(slope) == std::vector<double>{1, 1.5, 2});
  CHECK(values(gradient(doubles({3, 5}))[0]) == std::vector<double>{2, 2});

  // The derivative is linear in the samples, so autograd's gradient of it matches finite differences.
  const Tensor samples = doubles({0.3, -1.2, 2.5, 0.7, 1.1, -0.4}).reshape({2, 3}).requires_grad_();
  CHECK_NOTHROW(autograd::gradcheck([&](const autograd::TensorVector& t) {
    const std::vector<Tensor> d = gradient(t[0], {doubles({0, 0.5, 2})}, 1, 2);
    return d[0];
  }, {samples}));

  CHECK_THROWS_WITH(gradient(f, 1, std::nullopt, 3), "[gradient] edge_order: expected 1 or 2, got 3");
  CHECK_THROWS_WITH(gradient(doubles({3, 5}), 1, std::nullopt, 2),
                    "[gradient] self: expected at least edge_order + 1 = 3 samples along each dimension differentiated, "
                    "got 2 along dimension 0");
  CHECK_THROWS_WITH(gradient(grid, 1, {1, -1}), "[gradient] dim: expected distinct dimensions, got [1, -1]");
  CHECK_THROWS_WITH(gradient(grid, {1.0, 2.0, 3.0}),
                    "[gradient] spacing: expected one step or one per dimension differentiated (2), got 3");
  CHECK_THROWS_WITH(gradient(grid, {x}), "[gradient] spacing: expected one coordinate tensor per dimension differentiated "
                    "(2), got 1");
  CHECK_THROWS_WITH(gradient(f, {doubles({0, 1, 2})}), "[gradient] spacing: expected coordinates of 5 elements (the size "
                    "of dimension 0) as a 1-D tensor, got shape [3]");
  CHECK_THROWS_WITH(gradient(scalar_tensor(1.0)), "[gradient] self: expected at least one dimension, got a 0-dim tensor");
  CHECK_THROWS_WITH(gradient(grid, 1, 2), "[gradient] dim: expected a value in [-2, 1], got 2");
}

TEST_CASE("isposinf, isneginf and renorm") {
  const Tensor x = doubles({kInf, -kInf, kNaN, 1});
  CHECK(to_vector<bool>(isposinf(x)) == std::vector<bool>{true, false, false, false});
  CHECK(to_vector<bool>(x.isneginf()) == std::vector<bool>{false, true, false, false});
  CHECK(to_vector<bool>(isposinf(tensor<int64_t>({1, 2}))) == std::vector<bool>{false, false});
  // Rows of 2-norm 5 and 1: the first scaled down to 2 (less 1e-7 of it), the second left alone.
  const Tensor rows = doubles({3, 4, 0.6, 0.8}, {2, 2});
  check_close(values(rows.renorm(2, 0, 2)), {3 * 2 / (5 + 1e-7), 4 * 2 / (5 + 1e-7), 0.6, 0.8}, 1e-12);
  // Columns by the 1-norm: 3.6 and 4.8, both above 1.
  check_close(values(renorm(rows, 1, 1, 1)), {3 / (3.6 + 1e-7), 4 / (4.8 + 1e-7), 0.6 / (3.6 + 1e-7), 0.8 / (4.8 + 1e-7)}, 1e-12);
  CHECK_THROWS_WITH(rows.renorm(0, 0, 1), "[renorm] p: expected a positive norm order, got 0");
  CHECK_THROWS_WITH(rows.renorm(2, 0, -1), "[renorm] maxnorm: expected a non-negative norm, got -1");
  CHECK_THROWS_WITH(tensor<int64_t>({1}).renorm(2, 0, 1), "[renorm] self: expected a floating-point tensor, got int64");
}

TEST_CASE("frexp agrees with the C library's, subnormals, extremes and 16-bit floats included") {
  const std::vector<double> xs = {8, -3, 0.3, 1, 1e-310, 4.9406564584124654e-324, 1.7976931348623157e308, -123456.789};
  std::vector<double> mantissas;
  std::vector<int32_t> exponents;
  for (double x : xs) {
    int e = 0;
    mantissas.push_back(std::frexp(x, &e));
    exponents.push_back(e);
  }
  const auto [m, e] = frexp(tensor<double>(xs, {static_cast<int64_t>(xs.size())}));
  check_close(values(m), mantissas, 0);
  CHECK(e.dtype() == DType::Int32);
  CHECK(to_vector<int32_t>(e) == exponents);
  CHECK(exponents[5] == -1073);  // the smallest subnormal, 2^-1074
  // float32: the smallest subnormal and the largest value.
  const auto [mf, ef] = tensor<float>({1e-45f, 3.4028235e38f, -0.75f}).frexp();
  check_close(values(mf), {0.5, 0.99999994039535522, -0.75}, 0);
  CHECK(to_vector<int32_t>(ef) == std::vector<int32_t>{-148, 128, 0});
  // Zeros (signed), infinities and NaN are their own mantissa, exponent 0.
  const auto [ms, es] = frexp(doubles({0.0, -0.0, kInf, -kInf, kNaN}));
  check_close(values(ms), {0, 0, kInf, -kInf, kNaN}, 0);
  CHECK(std::signbit(values(ms)[1]));
  CHECK(to_vector<int32_t>(es) == std::vector<int32_t>{0, 0, 0, 0, 0});
  const auto [mh, eh] = frexp(tensor<float>({0.1f, 6.0e-8f}).to(DType::Float16));
  CHECK(mh.dtype() == DType::Float16);
  const std::vector<double> halves = values(tensor<float>({0.1f, 6.0e-8f}).to(DType::Float16));
  for (size_t i = 0; i < halves.size(); ++i) {
    int expected = 0;
    CHECK(values(mh)[i] == std::frexp(halves[i], &expected));
    CHECK(to_vector<int32_t>(eh)[i] == expected);
  }
  CHECK_THROWS_WITH(frexp(tensor<int64_t>({1})), "[frexp] self: expected a floating-point tensor, got int64");
}

TEST_CASE("nextafter steps to the neighbour in the tensor's own dtype, 16-bit floats included") {
  const Tensor from = doubles({1, 1, 0, 0, -0.0, kInf, 2, kNaN, 3, 1.7976931348623157e308});
  const Tensor to = doubles({2, 0, 1, -1, 1, 0, 2, 0, kNaN, kInf});
  std::vector<double> expected;
  for (size_t i = 0; i < 10; ++i) expected.push_back(std::nextafter(values(from)[i], values(to)[i]));
  check_close(values(nextafter(from, to)), expected, 0);
  CHECK(expected[2] == 4.9406564584124654e-324);
  CHECK(expected[9] == kInf);
  // float32 steps by its own spacing, and broadcasts.
  const Tensor single = nextafter(tensor<float>({1.f, -2.f}), tensor<float>({0.f}));
  CHECK(single.dtype() == DType::Float32);
  check_close(values(single), {std::nextafter(1.f, 0.f), std::nextafter(-2.f, 0.f)}, 0);
  // float16 (10 fraction bits) and bfloat16 (7): the step above 1 and below it (half as wide),
  // from 0 to the smallest subnormal, past the largest value to infinity, and back from it.
  const Tensor h = nextafter(doubles({1, 1, 0, 65504, kInf}).to(DType::Float16),
                             doubles({2, 0, -1, kInf, 0}).to(DType::Float16));
  CHECK(h.dtype() == DType::Float16);
  check_close(values(h), {1 + std::ldexp(1.0, -10), 1 - std::ldexp(1.0, -11), -std::ldexp(1.0, -24), kInf, 65504}, 0);
  const Tensor b = nextafter(doubles({1, 1, 0}).to(DType::BFloat16), doubles({2, 0, 1}).to(DType::BFloat16));
  check_close(values(b), {1 + std::ldexp(1.0, -7), 1 - std::ldexp(1.0, -8), std::ldexp(1.0, -133)}, 0);
  // The step toward zero from the smallest subnormal reaches -0.0 from below.
  CHECK(std::signbit(values(nextafter(doubles({-4.9406564584124654e-324}), doubles({1})))[0]));
  // In place, as a method.
  Tensor x = doubles({1});
  x.nextafter_(doubles({2}));
  CHECK(values(x)[0] == std::nextafter(1.0, 2.0));
}

TEST_CASE("the singular points of hypot, xlogy and sinc keep finite gradients") {
  const Tensor x = zeros({1}, DType::Float64).requires_grad_(), y = zeros({1}, DType::Float64).requires_grad_();
  const auto gradients = autograd::grad({(hypot(x, y) + xlogy(x, y) + sinc(x)).sum()}, {x, y});
  CHECK(values(gradients[0]) == std::vector<double>{0});
  CHECK(values(gradients[1]) == std::vector<double>{0});
  // Away from them, the textbook derivatives: d/dx xlogy = log y, d/dy = x / y, d/dx hypot = x / hypot.
  const Tensor a = doubles({3}).requires_grad_(), b = doubles({4}).requires_grad_();
  const auto away = autograd::grad({(hypot(a, b) + xlogy(a, b)).sum()}, {a, b});
  CHECK(away[0].item<double>() == doctest::Approx(0.6 + std::log(4.0)));
  CHECK(away[1].item<double>() == doctest::Approx(0.8 + 0.75));
}
