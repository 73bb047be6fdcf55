// Elementwise CPU kernels against reference loops: broadcasting, type promotion, strides,
// in-place and out= variants.
#include <limits>

#include "reference.h"

using namespace ember;
using reference::check_close;

namespace {

template <typename F>
void check_binary(const Tensor& a, const Tensor& b, const Tensor& result, F f, double tol = 1e-6) {
  const DimVector shape(result.sizes());
  const auto av = to_vector<double>(a.contiguous()), bv = to_vector<double>(b.contiguous());
  std::vector<double> expected(result.numel());
  for (size_t i = 0; i < expected.size(); ++i) {
    expected[i] = f(av[reference::broadcast_index(i, shape, a.sizes())], bv[reference::broadcast_index(i, shape, b.sizes())]);
  }
  check_close(to_vector<double>(result), expected, tol);
}

}  // namespace

TEST_CASE("binary arithmetic broadcasts like NumPy") {
  const Tensor a = reference::random_tensor({2, 3, 4}, 1);
  const Tensor b = reference::random_tensor({3, 1}, 2);
  const Tensor sum = add(a, b, 2.5);
  CHECK(sum.sizes().equals({2, 3, 4}));
  check_binary(a, b, sum, [](double x, double y) { return x + 2.5 * y; });
  check_binary(a, b, sub(a, b), [](double x, double y) { return x - y; });
  check_binary(a, b, a * b, [](double x, double y) { return x * y; });
  check_binary(a, b, a / b, [](double x, double y) { return x / y; }, 1e-5);
  check_binary(a, b, maximum(a, b), [](double x, double y) { return std::max(x, y); });
  check_binary(a, b, minimum(b, a), [](double x, double y) { return std::min(y, x); });
  const Tensor base = abs(a) + 0.5;
  check_binary(base, b, pow(base, b), [](double x, double y) { return std::pow(x, y); }, 1e-5);
  CHECK_THROWS_WITH(add(a, reference::random_tensor({5}, 3)),
                    "[add.Tensor] other: shapes [2, 3, 4] and [5] do not broadcast (dimension 2: 4 vs 5)");
}

TEST_CASE("type promotion follows PyTorch's rules") {
  const Tensor f32 = tensor({1.5f, 2.5f});
  const Tensor i64 = tensor<int64_t>({3, 4});
  const Tensor i32 = tensor<int32_t>({5, 6});
  const Tensor u8 = tensor<uint8_t>({250, 7});
  const Tensor i8 = tensor<int8_t>({-1, 2});
  const Tensor flags = tensor<bool>({true, false});
  CHECK((f32 + i64).dtype() == DType::Float32);
  CHECK(to_vector<float>(f32 + i64) == std::vector<float>{4.5f, 6.5f});
  CHECK((i32 + i64).dtype() == DType::Int64);
  CHECK((u8 + i8).dtype() == DType::Int32);
  CHECK(to_vector<int64_t>(u8 + i8) == std::vector<int64_t>{249, 9});
  CHECK((flags + i32).dtype() == DType::Int32);
  CHECK((flags + flags).dtype() == DType::Bool);
  CHECK((i64 / i64).dtype() == DType::Float32);
  CHECK(to_vector<float>(tensor<int64_t>({7, 8}) / tensor<int64_t>({2, 2})) == std::vector<float>{3.5f, 4.f});
  // Zero-dim tensors and scalars only raise the category.
  CHECK((f32 + scalar_tensor(1.0, DType::Float64)).dtype() == DType::Float32);
  CHECK((i64 * 2.5).dtype() == DType::Float32);
  CHECK((i64 * 2).dtype() == DType::Int64);
  CHECK((u8 + 1).dtype() == DType::UInt8);
  // A C++ double keeps its precision with a float64 tensor, and does not widen a float32 one.
  CHECK((tensor<double>({1.0}) * 0.1).item<double>() == 0.1);
  CHECK((tensor({1.f}) * 0.1).dtype() == DType::Float32);
  CHECK(to_vector<int64_t>(u8 + 10) == std::vector<int64_t>{4, 17});  // uint8 wraps, as in PyTorch
  const Tensor h = tensor({1.f, 2.f}).to(DType::Float16);
  CHECK((h + h).dtype() == DType::Float16);
  CHECK((h + tensor({1.f, 1.f}).to(DType::BFloat16)).dtype() == DType::Float32);
  CHECK(to_vector<float>(h * h) == std::vector<float>{1.f, 4.f});
}

TEST_CASE("integer arithmetic wraps and integer powers are exact") {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max(), kMin = std::numeric_limits<int64_t>::min();
  CHECK(to_vector<int64_t>(tensor<int64_t>({kMax, kMin}) + 1) == std::vector<int64_t>{kMin, kMin + 1});
  CHECK(to_vector<int64_t>(-tensor<int64_t>({kMin})) == std::vector<int64_t>{kMin});
  CHECK(to_vector<int32_t>(tensor<int32_t>({2147483647}) * tensor<int32_t>({2})) == std::vector<int32_t>{-2});
  CHECK(sum(tensor<int64_t>({kMax, 1})).item<int64_t>() == kMin);
  // 3^39 needs 62 bits, more than a double holds exactly; 3^41 wraps.
  const Tensor base = tensor<int64_t>({3, 3, -2, 7, kMax});
  const Tensor exponent = tensor<int64_t>({39, 41, 5, 0, 3});
  CHECK(to_vector<int64_t>(pow(base, exponent)) ==
        std::vector<int64_t>{4052555153018976267, -420491770248316829, -32, 1, kMax});
  // A negative exponent gives the integer part of 1 / base^|e|, as in PyTorch.
  CHECK(to_vector<int64_t>(pow(tensor<int64_t>({1, -1, -1, 2, 0}), tensor<int64_t>({-3, -3, -2, -1, -2}))) ==
        std::vector<int64_t>{1, -1, 1, 0, 0});
  CHECK(to_vector<uint8_t>(pow(tensor<uint8_t>({3, 3}), tensor<uint8_t>({5, 6}))) == std::vector<uint8_t>{243, 217});
  CHECK(to_vector<int8_t>(pow(tensor<int8_t>({2, -2}), tensor<int8_t>({7, 7}))) == std::vector<int8_t>{-128, -128});
}

TEST_CASE("strided and overlapping operands") {
  const Tensor a = reference::random_tensor({4, 6}, 4);
  const Tensor at = a.transpose(0, 1);            // non-contiguous
  const Tensor sliced = a.slice(1, 1, 6, 2);      // stride 2 in the last dim
  CHECK_FALSE(at.is_contiguous());
  check_binary(at, at, at + at, [](double x, double y) { return x + y; });
  check_binary(sliced, sliced.slice(0, 0, 1), sliced * sliced.slice(0, 0, 1), [](double x, double y) { return x * y; });
  const Tensor row = reference::random_tensor({6}, 5);
  check_binary(a, row.expand({4, 6}), a - row.expand({4, 6}), [](double x, double y) { return x - y; });
}

TEST_CASE("in-place and out= variants write where they are told") {
  Tensor a = tensor({1.f, 2.f, 3.f});
  const Tensor same = a;
  a.add_(tensor({10.f, 20.f, 30.f}), 2);
  CHECK(to_vector<float>(same) == std::vector<float>{21.f, 42.f, 63.f});
  CHECK(a.impl()->version() == 1);
  a.mul_(scalar_tensor(2.0, DType::Float64));  // computed in float64 per element, written as float32
  CHECK(to_vector<float>(a) == std::vector<float>{42.f, 84.f, 126.f});
  Tensor ints = tensor<int64_t>({1, 2});
  CHECK_THROWS_WITH(ints.add_(tensor({0.5f, 0.5f})),
                    "[add_.Tensor] self: result type float32 can't be cast to the desired output type int64");
  CHECK_THROWS_WITH(tensor({1.f}).add_(tensor({1.f, 2.f})),
                    "[add_.Tensor] self: expected shape [2] for the result, got [1]");

  const Tensor out = zeros({3, 2});
  const Tensor out_t = out.transpose(0, 1);  // write through a transposed view
  add_out(out_t, ones({2, 3}), arange(3).to(DType::Float32));
  CHECK(to_vector<float>(out) == std::vector<float>{1.f, 1.f, 2.f, 2.f, 3.f, 3.f});
  CHECK_THROWS_WITH(add_out(zeros({4}), ones({3}), ones({3})),
                    "[add.Tensor_out] out: expected shape [3] for the result, got [4]");
  neg_out(out, out);
  CHECK(to_vector<float>(out)[5] == -3.f);
}

TEST_CASE("comparisons give bool, where selects") {
  const Tensor a = tensor({1.f, 5.f, 3.f});
  const Tensor b = tensor<int64_t>({2, 5, 1});
  CHECK(eq(a, b).dtype() == DType::Bool);
  CHECK(to_vector<bool>(eq(a, b)) == std::vector<bool>{false, true, false});
  CHECK(to_vector<bool>(ne(a, b)) == std::vector<bool>{true, false, true});
  CHECK(to_vector<bool>(lt(a, b)) == std::vector<bool>{true, false, false});
  CHECK(to_vector<bool>(le(a, b)) == std::vector<bool>{true, true, false});
  CHECK(to_vector<bool>(gt(a, b)) == std::vector<bool>{false, false, true});
  CHECK(to_vector<bool>(ge(a, b)) == std::vector<bool>{false, true, true});
  const Tensor picked = where(gt(a, b), a, scalar_tensor(-1.0));
  CHECK(to_vector<float>(picked) == std::vector<float>{-1.f, -1.f, 3.f});
  CHECK_THROWS_WITH(where(a, a, a), "[where.self] condition: expected dtype bool, got float32");
}

TEST_CASE("isclose, allclose and equal compare as PyTorch's") {
  const float inf = INFINITY, nan = NAN;
  const Tensor a = tensor({1.f, 1.f, 100.f, inf, inf, nan, 0.f});
  const Tensor b = tensor({1.f, 1.0001f, 100.001f, inf, -inf, nan, 1e-9f});
  CHECK(to_vector<bool>(isclose(a, b)) == std::vector<bool>{true, false, true, true, false, false, true});
  CHECK(to_vector<bool>(a.isclose(b, 0, 0, true)) == std::vector<bool>{true, false, false, true, false, true, false});
  CHECK(to_vector<bool>(isclose(a, b, 1e-3)) == std::vector<bool>{true, true, true, true, false, false, true});
  CHECK(to_vector<bool>(isclose(tensor<int64_t>({3, 10}), tensor<int64_t>({4, 12}), 0, 1)) == std::vector<bool>{true, false});
  CHECK(to_vector<bool>(isclose(tensor<bool>({true, false}), tensor<bool>({true, true}))) == std::vector<bool>{true, false});
  CHECK(allclose(tensor({1.f, 2.f}), tensor({1.f, 2.00001f})));
  CHECK_FALSE(allclose(tensor({1.f, 2.f}), tensor({1.f, 2.1f})));
  CHECK(allclose(tensor({nan}), tensor({nan}), 1e-5, 1e-8, true));
  CHECK_FALSE(allclose(tensor({nan}), tensor({nan})));
  CHECK(equal(arange(3), tensor<int64_t>({0, 1, 2})));
  CHECK_FALSE(equal(arange(3), arange(4)));
  CHECK_FALSE(equal(arange(3), tensor<int64_t>({0, 1, 3})));
  CHECK_FALSE(equal(ones({1, 3}), ones({3})));  // same elements broadcast, different shapes
  CHECK_THROWS_WITH(isclose(a, b.to(DType::Float64)), "[isclose] other: expected dtype float32 as self's, got float64");
  CHECK_THROWS_WITH(isclose(a, b, -1), "[isclose] rtol: expected a non-negative tolerance, got -1");
  CHECK_THROWS_WITH(isclose(a, b, 1e-5, -1), "[isclose] atol: expected a non-negative tolerance, got -1");
}

TEST_CASE("floor, ceil, trunc and sign: exact, keeping the dtype") {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = tensor<double>({-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, -inf, nan});
  check_close(to_vector<double>(floor(x)), {-3, -2, -1, 0, 0, 1, 2, -inf, nan}, 0);
  check_close(to_vector<double>(ceil(x)), {-2, -1, -0.0, 0, 1, 2, 3, -inf, nan}, 0);
  check_close(to_vector<double>(trunc(x)), {-2, -1, -0.0, 0, 0, 1, 2, -inf, nan}, 0);
  check_close(to_vector<double>(sign(x)), {-1, -1, -1, 0, 1, 1, 1, -1, 0}, 0);  // NaN: 0, as PyTorch's
  CHECK(std::signbit(to_vector<double>(ceil(x))[2]));  // ceil(-0.5) is -0, as C's
  CHECK(ceil(x.to(DType::Float16)).dtype() == DType::Float16);
  check_close(to_vector<double>(floor(x.to(DType::BFloat16))), {-3, -2, -1, 0, 0, 1, 2, -inf, nan}, 0);
  const Tensor ints = tensor<int64_t>({-7, 0, 5});
  CHECK(floor(ints).dtype() == DType::Int64);
  CHECK(to_vector<int64_t>(trunc(ints)) == std::vector<int64_t>{-7, 0, 5});
  CHECK(to_vector<int64_t>(sign(ints)) == std::vector<int64_t>{-1, 0, 1});
  CHECK(to_vector<int64_t>(sign(tensor<uint8_t>({0, 200}))) == std::vector<int64_t>{0, 1});
  CHECK(to_vector<bool>(sign(tensor<bool>({true, false}))) == std::vector<bool>{true, false});
  CHECK_THROWS_WITH(floor(tensor<bool>({true})),
                    "[floor] cpu plugin kernel failed (status 1): this operator does not support bool tensors");
  Tensor y = x.clone();
  y.floor_();
  check_close(to_vector<double>(y), to_vector<double>(floor(x)), 0);
}

TEST_CASE("log1p and expm1 keep the precision log(1 + x) and exp(x) - 1 lose near zero") {
  const Tensor tiny = tensor<double>({1e-20, -1e-17, 3.0, -1.0});
  check_close(to_vector<double>(log1p(tiny).narrow(0, 0, 3)), {1e-20, -1e-17, std::log(4.0)}, 1e-15);
  CHECK(log1p(tiny).select(0, 3).item<double>() == -std::numeric_limits<double>::infinity());
  check_close(to_vector<double>(expm1(tiny)), {1e-20, -1e-17, std::exp(3.0) - 1, std::exp(-1.0) - 1}, 1e-15);
  // In float32, 1 + 1e-10 is 1: the naive forms give 0.
  CHECK(log1p(tensor<float>({1e-10f})).item<float>() == doctest::Approx(1e-10).epsilon(1e-6).scale(0));
  CHECK(expm1(tensor<float>({1e-10f})).item<float>() == doctest::Approx(1e-10).epsilon(1e-6).scale(0));
  CHECK(log1p(tensor<int64_t>({0, 1})).dtype() == DType::Float32);
}

TEST_CASE("unary math matches the C library") {
  const Tensor x = reference::random_tensor({5, 7}, 6);
  const auto xv = to_vector<double>(x);
  auto expect = [&](const Tensor& result, double (*f)(double), double tol = 1e-6) {
    std::vector<double> e(xv.size());
    for (size_t i = 0; i < e.size(); ++i) e[i] = f(xv[i]);
    check_close(to_vector<double>(result), e, tol);
  };
  expect(neg(x), [](double v) { return -v; });
  expect(abs(x), [](double v) { return std::fabs(v); });
  expect(relu(x), [](double v) { return v > 0 ? v : 0.0; });
  expect(exp(x), [](double v) { return std::exp(v); });
  expect(log(abs(x)), [](double v) { return std::log(std::fabs(v)); }, 1e-5);
  expect(sqrt(abs(x)), [](double v) { return std::sqrt(std::fabs(v)); });
  expect(rsqrt(abs(x)), [](double v) { return 1 / std::sqrt(std::fabs(v)); }, 1e-5);
  expect(sin(x), [](double v) { return std::sin(v); });
  expect(cos(x), [](double v) { return std::cos(v); });
  expect(tanh(x), [](double v) { return std::tanh(v); });
  expect(sigmoid(x), [](double v) { return 1 / (1 + std::exp(-v)); });
  expect(silu(x), [](double v) { return v / (1 + std::exp(-v)); });
  expect(gelu(x), [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); });
  expect(gelu(x, "tanh"), [](double v) {
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  });
  expect(clamp(x, -0.5), [](double v) { return std::max(v, -0.5); });
  expect(clamp(x, -0.5, 0.25), [](double v) { return std::clamp(v, -0.5, 0.25); });
  expect(clamp_min(x, -0.5), [](double v) { return std::max(v, -0.5); });
  expect(x.clamp_max(0.25), [](double v) { return std::min(v, 0.25); });
  CHECK_THROWS_WITH(gelu(x, "fast"), "[gelu] cpu plugin kernel failed (status 1): approximate: expected 'none' or 'tanh', got 'fast'");
  const Tensor ints = tensor<int64_t>({1, 4});
  CHECK(sqrt(ints).dtype() == DType::Float32);
  CHECK(to_vector<float>(sqrt(ints)) == std::vector<float>{1.f, 2.f});
  CHECK(neg(ints).dtype() == DType::Int64);
  Tensor y = x.clone();
  y.exp_();
  check_close(to_vector<double>(y), to_vector<double>(exp(x)), 0);
}

TEST_CASE("large bfloat16 tensors run their unary math on any CPU, oneDNN's kernels or not") {
  // Past oneDNN's size threshold; on a CPU without bfloat16 instructions oneDNN has no kernel,
  // and the loop takes over. Either way the result is float32's, rounded to bfloat16.
  const Tensor x = reference::random_tensor({40000}, 7);
  const Tensor half_precision = x.to(DType::BFloat16);
  for (Tensor (*f)(const Tensor&) : {&relu, &exp, &tanh, &sigmoid}) {
    const Tensor got = f(half_precision);
    CHECK(got.dtype() == DType::BFloat16);
    check_close(to_vector<double>(got), to_vector<double>(f(half_precision.to(DType::Float32)).to(DType::BFloat16)), 1e-2);
  }
}

TEST_CASE("trigonometric, hyperbolic, base-2 and base-10 functions match the C library") {
  const Tensor x = reference::random_tensor({4, 6}, 9);  // in [-2, 2)
  const Tensor unit = x * 0.45;                           // inside (-1, 1)
  auto expect = [](const Tensor& input, const Tensor& result, double (*f)(double), double tol = 1e-6) {
    const auto in = to_vector<double>(input);
    std::vector<double> e(in.size());
    for (size_t i = 0; i < e.size(); ++i) e[i] = f(in[i]);
    check_close(to_vector<double>(result), e, tol);
  };
  expect(unit, tan(unit), [](double v) { return std::tan(v); });
  expect(unit, asin(unit), [](double v) { return std::asin(v); });
  expect(unit, acos(unit), [](double v) { return std::acos(v); });
  expect(x, atan(x), [](double v) { return std::atan(v); });
  expect(x, sinh(x), [](double v) { return std::sinh(v); }, 1e-5);
  expect(x, cosh(x), [](double v) { return std::cosh(v); }, 1e-5);
  expect(x, exp2(x), [](double v) { return std::exp2(v); }, 1e-5);
  const Tensor positive = abs(x) + 0.1;
  expect(positive, log2(positive), [](double v) { return std::log2(v); }, 1e-5);
  expect(positive, log10(positive), [](double v) { return std::log10(v); }, 1e-5);
  expect(positive, reciprocal(positive), [](double v) { return 1 / v; }, 1e-5);
  // Exact where the C library is exact, integers promote to float32, as PyTorch's.
  CHECK(to_vector<float>(log2(tensor<int64_t>({1, 8, 1024}))) == std::vector<float>{0, 3, 10});
  CHECK(to_vector<double>(log10(tensor<double>({1e-3, 1e6}))) == std::vector<double>{-3, 6});
  CHECK(reciprocal(tensor<int32_t>({4})).dtype() == DType::Float32);
  CHECK(to_vector<float>(reciprocal(tensor<float>({0.f, -0.f}))) ==
        std::vector<float>{std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()});
  CHECK(std::isnan(asin(tensor<float>({1.5f})).item<float>()));
  Tensor y = unit.clone();
  y.atan_();
  check_close(to_vector<double>(y), to_vector<double>(atan(unit)), 0);
}

TEST_CASE("erfinv inverts erf to double precision, tails included") {
  // References from mpmath at 30 digits.
  const std::vector<double> ys = {0.5, -0.9, 0.999999, 1e-10, 0.9999999999, -0.3, 0.75};
  const std::vector<double> xs = {0.47693627620446987338, -1.1630871536766741628, 3.4589107372754987775,
                                  8.8622692545275804594e-11, 4.5728249585449249378, -0.27246271472675434502,
                                  0.81341984759761854169};
  const std::vector<double> got = to_vector<double>(erfinv(tensor<double>(ys, {7})));
  for (size_t i = 0; i < xs.size(); ++i) CHECK(got[i] == doctest::Approx(xs[i]).epsilon(1e-13));
  const std::vector<float> single = to_vector<float>(erfinv(tensor<float>({0.5f, -0.9f, 0.75f})));
  CHECK(single[0] == doctest::Approx(0.4769363f).epsilon(1e-6));
  CHECK(single[1] == doctest::Approx(-1.1630872f).epsilon(1e-6));
  const std::vector<double> edges = to_vector<double>(tensor<double>({1, -1, 1.5, NAN, 0}).erfinv());
  CHECK(edges[0] == INFINITY);
  CHECK(edges[1] == -INFINITY);
  CHECK(std::isnan(edges[2]));
  CHECK(std::isnan(edges[3]));
  CHECK(edges[4] == 0);
  CHECK(erfinv(tensor<int64_t>({0})).dtype() == DType::Float32);  // integers compute in the default float
  Tensor in_place = tensor<double>({0.5});
  in_place.erfinv_();
  CHECK(in_place.item<double>() == doctest::Approx(xs[0]).epsilon(1e-13));
}

TEST_CASE("atan2 picks the quadrant from both signs") {
  const Tensor y = tensor<double>({1, 1, -1, -1, 0, 0});
  const Tensor x = tensor<double>({1, -1, 1, -1, 1, -1});
  check_close(to_vector<double>(atan2(y, x)), {M_PI / 4, 3 * M_PI / 4, -M_PI / 4, -3 * M_PI / 4, 0, M_PI}, 1e-15);
  const Tensor a = reference::random_tensor({3, 4}, 11), b = reference::random_tensor({4}, 12);
  check_binary(a, b, atan2(a, b), [](double p, double q) { return std::atan2(p, q); }, 1e-6);
  CHECK(atan2(tensor<int64_t>({1}), tensor<int64_t>({0})).dtype() == DType::Float32);
}

TEST_CASE("logaddexp adds exponentials without overflow, infinities and NaN included") {
  constexpr double inf = INFINITY;
  const Tensor a = tensor<double>({1000, 0, -inf, -inf, inf, inf, 2, NAN});
  const Tensor b = tensor<double>({1000, 1, -inf, 3, inf, -inf, 2, 0});
  const std::vector<double> sums = to_vector<double>(logaddexp(a, b));
  check_close({sums[0], sums[1], sums[3], sums[6]},
              {1000 + std::log(2.0), std::log(1 + std::exp(1.0)), 3, 2 + std::log(2.0)}, 1e-15);
  CHECK(sums[2] == -inf);
  CHECK(sums[4] == inf);
  CHECK(sums[5] == inf);
  CHECK(std::isnan(sums[7]));
  const Tensor x = reference::random_tensor({3, 4}, 13), y = reference::random_tensor({4}, 14);
  check_binary(x, y, logaddexp(x, y), [](double p, double q) { return std::log(std::exp(p) + std::exp(q)); }, 1e-6);
  CHECK(logaddexp(tensor<int64_t>({1}), tensor<int64_t>({1})).dtype() == DType::Float32);

  // The gradient is each operand's share of the sum; both at one infinity share it evenly.
  Tensor p = tensor<double>({0, -inf, inf, -inf});
  Tensor q = tensor<double>({0, 0, 1, -inf});
  p.requires_grad_();
  q.requires_grad_();
  logaddexp(p, q).sum().backward();
  CHECK(to_vector<double>(p.grad()) == std::vector<double>{0.5, 0, 1, 0.5});
  CHECK(to_vector<double>(q.grad()) == std::vector<double>{0.5, 1, 0, 0.5});
}

TEST_CASE("remainder takes the divisor's sign, fmod the dividend's") {
  const Tensor a = tensor<double>({5, -5, 5, -5, 5.5, 0});
  const Tensor b = tensor<double>({3, 3, -3, -3, 2, 7});
  CHECK(to_vector<double>(remainder(a, b)) == std::vector<double>{2, 1, -1, -2, 1.5, 0});
  CHECK(to_vector<double>(fmod(a, b)) == std::vector<double>{2, -2, 2, -2, 1.5, 0});
  CHECK(to_vector<double>(a % 3) == std::vector<double>{2, 1, 2, 1, 2.5, 0});
  const Tensor ia = tensor<int64_t>({7, -7, 7, -7}), ib = tensor<int64_t>({2, 2, -2, -2});
  CHECK(to_vector<int64_t>(remainder(ia, ib)) == std::vector<int64_t>{1, 1, -1, -1});
  CHECK(to_vector<int64_t>(fmod(ia, ib)) == std::vector<int64_t>{1, -1, 1, -1});
  CHECK(remainder(ia, ib).dtype() == DType::Int64);
  // The one quotient that overflows (it traps on x86 if divided) has remainder 0.
  const Tensor lowest = tensor<int64_t>({std::numeric_limits<int64_t>::min()});
  CHECK(to_vector<int64_t>(remainder(lowest, tensor<int64_t>({-1}))) == std::vector<int64_t>{0});
  CHECK(to_vector<int32_t>(fmod(tensor<int32_t>({std::numeric_limits<int32_t>::min()}), tensor<int32_t>({-1}))) ==
        std::vector<int32_t>{0});
  CHECK(to_vector<uint8_t>(remainder(tensor<uint8_t>({250}), tensor<uint8_t>({7}))) == std::vector<uint8_t>{5});
  // Floats divided by zero give NaN; integers are refused, as PyTorch's CPU kernels refuse them.
  CHECK(std::isnan(remainder(tensor<float>({1.f}), tensor<float>({0.f})).item<float>()));
  CHECK_THROWS_WITH(remainder(ia, tensor<int64_t>({1, 0, 1, 1})),
                    "[remainder.Tensor] cpu plugin kernel failed (status 1): other: integer division by zero");
  CHECK_THROWS_WITH(fmod(ia, tensor<int64_t>({0})),
                    "[fmod.Tensor] cpu plugin kernel failed (status 1): other: integer division by zero");
  CHECK_THROWS_WITH(remainder(tensor<bool>({true}), tensor<bool>({true})),
                    doctest::Contains("does not support bool tensors"));
  // Large enough to run on several threads: the refusal still comes back as an error.
  Tensor many = ones({1 << 17}, DType::Int32);
  CHECK_THROWS_WITH(many.remainder_(zeros({1 << 17}, DType::Int32)), doctest::Contains("integer division by zero"));
  const Tensor r = reference::random_tensor({3, 4}, 13), d = abs(reference::random_tensor({4}, 14)) + 0.5;
  check_binary(r, d, remainder(r, d), [](double p, double q) { return p - q * std::floor(p / q); }, 1e-6);
  check_binary(r, d, fmod(r, d), [](double p, double q) { return std::fmod(p, q); }, 1e-6);
}

TEST_CASE("floor_divide rounds toward negative infinity, as Python's //") {
  const Tensor ia = tensor<int64_t>({7, -7, 7, -7, 6, -6}), ib = tensor<int64_t>({2, 2, -2, -2, 3, 3});
  CHECK(to_vector<int64_t>(floor_divide(ia, ib)) == std::vector<int64_t>{3, -4, -4, 3, 2, -2});
  CHECK(to_vector<int64_t>(ia.floor_divide(3)) == std::vector<int64_t>{2, -3, 2, -3, 2, -2});
  // lowest // -1 overflows: it wraps to lowest (x86 traps if divided), as two's complement does.
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  CHECK(to_vector<int64_t>(floor_divide(tensor<int64_t>({lowest}), tensor<int64_t>({-1}))) == std::vector<int64_t>{lowest});
  CHECK(to_vector<int8_t>(floor_divide(tensor<int8_t>({-128, -7}), tensor<int8_t>({-1, 2}))) == std::vector<int8_t>{-128, -4});
  CHECK(to_vector<uint8_t>(floor_divide(tensor<uint8_t>({250}), tensor<uint8_t>({7}))) == std::vector<uint8_t>{35});
  CHECK_THROWS_WITH(floor_divide(ia, tensor<int64_t>({0})),
                    "[floor_divide] cpu plugin kernel failed (status 1): other: integer division by zero");
  // Floats: from fmod's exact remainder, so 1 // 0.1 is 9 (0.1 is a little above a tenth), where
  // floor(1 / 0.1) would give 10; zeros keep the quotient's sign; a zero divisor gives +-inf/NaN.
  const std::vector<double> q = to_vector<double>(floor_divide(tensor<double>({1, 7.5, -7.5, 0, -0.0, 3, -3, 0}),
                                                               tensor<double>({0.1, 2, 2, -3, 3, 0, 0, 0})));
  CHECK(std::vector<double>(q.begin(), q.end() - 1) == std::vector<double>{9, 3, -4, 0, 0, INFINITY, -INFINITY});
  CHECK(std::signbit(q[3]));
  CHECK(std::signbit(q[4]));
  CHECK(std::isnan(q[7]));
  const Tensor r = reference::random_tensor({3, 4}, 15) * 10, d = abs(reference::random_tensor({4}, 16)) + 0.5;
  check_binary(r, d, floor_divide(r, d), [](double p, double s) { return std::floor(p / s); }, 1e-6);
}

TEST_CASE("bitwise and, or, xor and not on integers and bools, with numbers and compound assignment") {
  const Tensor a = tensor<int32_t>({12, -1, 0, 0x55}), b = tensor<int32_t>({10, 7, -1, 0x0f});
  CHECK(to_vector<int32_t>(a & b) == std::vector<int32_t>{8, 7, 0, 0x05});
  CHECK(to_vector<int32_t>(a | b) == std::vector<int32_t>{14, -1, -1, 0x5f});
  CHECK(to_vector<int32_t>(a ^ b) == std::vector<int32_t>{6, -8, -1, 0x5a});
  CHECK(to_vector<int32_t>(~a) == std::vector<int32_t>{-13, 0, -1, ~0x55});
  CHECK((a & 3).dtype() == DType::Int32);  // a number keeps the tensor's dtype
  CHECK(to_vector<int32_t>(a & 3) == std::vector<int32_t>{0, 3, 0, 1});
  // uint8 complements within 8 bits; mixed widths promote.
  CHECK(to_vector<uint8_t>(~tensor<uint8_t>({0, 200})) == std::vector<uint8_t>{255, 55});
  CHECK((tensor<int8_t>({1}) | tensor<int64_t>({256})).dtype() == DType::Int64);
  const Tensor t = tensor<bool>({true, true, false, false}), f = tensor<bool>({true, false, true, false});
  CHECK(to_vector<bool>(t & f) == std::vector<bool>{true, false, false, false});
  CHECK(to_vector<bool>(t | f) == std::vector<bool>{true, true, true, false});
  CHECK(to_vector<bool>(t ^ f) == std::vector<bool>{false, true, true, false});
  CHECK(to_vector<bool>(~t.slice(0, 1, 3)) == std::vector<bool>{false, true});
  Tensor c = a.clone();
  c &= b;
  c |= 16;
  c ^= tensor<int32_t>({1});
  CHECK(to_vector<int32_t>(c) == std::vector<int32_t>{25, 22, 17, 20});
  CHECK_THROWS_WITH(tensor<float>({1}) & tensor<float>({1}), "[bitwise_and.Tensor] self: expected integral or bool tensors, got float32");
  CHECK_THROWS_WITH(a | 0.5, "[bitwise_or.Tensor] self: expected integral or bool tensors, got float32");
  CHECK_THROWS_WITH(~tensor<double>({1}), "[bitwise_not] self: expected integral or bool tensors, got float64");
}

TEST_CASE("shifts are defined for every amount: 0 past the width to the left, the sign fill to the right") {
  const Tensor x = tensor<int64_t>({1, -8, 5, -8, 3, 3, -3});
  const Tensor amount = tensor<int64_t>({3, 1, 63, 2, 64, -1, 70});
  CHECK(to_vector<int64_t>(x << amount) ==
        std::vector<int64_t>{8, -16, std::numeric_limits<int64_t>::min(), -32, 0, 0, 0});
  CHECK(to_vector<int64_t>(x >> amount) == std::vector<int64_t>{0, -4, 0, -2, 0, 0, -1});
  // Bits shifted out of a narrow type are lost, not kept in a wider intermediate.
  CHECK(to_vector<uint8_t>(tensor<uint8_t>({255, 3}) << 7) == std::vector<uint8_t>{128, 128});
  CHECK(to_vector<int8_t>(tensor<int8_t>({-128, 64}) >> 7) == std::vector<int8_t>{-1, 0});
  Tensor y = tensor<int32_t>({1, 2});
  y <<= 4;
  y >>= tensor<int32_t>({1, 2});
  CHECK(to_vector<int32_t>(y) == std::vector<int32_t>{8, 8});
  CHECK_THROWS_WITH(tensor<bool>({true}) << tensor<bool>({true}),
                    doctest::Contains("this operator does not support bool tensors"));
}

TEST_CASE("gcd and lcm are non-negative, gcd(0, 0) = 0, and lowest does not overflow") {
  const Tensor a = tensor<int64_t>({12, -12, 0, 0, 7, 6, std::numeric_limits<int64_t>::min()});
  const Tensor b = tensor<int64_t>({18, 18, 5, 0, -13, -4, 0});
  CHECK(to_vector<int64_t>(gcd(a, b)) == std::vector<int64_t>{6, 6, 5, 0, 1, 2, std::numeric_limits<int64_t>::min()});
  CHECK(to_vector<int64_t>(lcm(a, b)) == std::vector<int64_t>{36, 36, 0, 0, 91, 12, 0});
  CHECK(to_vector<uint8_t>(tensor<uint8_t>({200, 12}).gcd(tensor<uint8_t>({150, 8}))) == std::vector<uint8_t>{50, 4});
  Tensor c = tensor<int32_t>({4, 9});
  c.lcm_(tensor<int32_t>({6}));
  CHECK(to_vector<int32_t>(c) == std::vector<int32_t>{12, 18});
  CHECK_THROWS_WITH(gcd(tensor<double>({4}), tensor<double>({6})), "[gcd] self: expected integral or bool tensors, got float64");
}
