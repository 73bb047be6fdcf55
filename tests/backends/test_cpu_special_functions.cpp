// The gamma family (lgamma, digamma, polygamma, mvlgamma), erfc, the inverse hyperbolic functions
// and the modified Bessel functions against closed forms (pi^2/6, Euler's gamma, zeta(3)), the C
// library and high-precision values, their poles, reflections and overflow included.
#include <cmath>
#include <numbers>

#include "reference.h"

using namespace ember;
using reference::check_close;
using reference::doubles;
using reference::kInf;
using reference::kNaN;
using reference::values;

namespace {

constexpr double kEulerGamma = 0.57721566490153286061;
constexpr double kZeta3 = 1.2020569031595942854;
constexpr double kPi = std::numbers::pi;

}  // namespace

TEST_CASE("lgamma matches the C library, with +inf at the poles") {
  const std::vector<double> xs = {0.5, 1, 2, 3, -0.5, 100, 1e-8, -2.5};
  std::vector<double> expected;
  for (double x : xs) expected.push_back(std::lgamma(x));
  check_close(values(lgamma(doubles({0.5, 1, 2, 3, -0.5, 100, 1e-8, -2.5}))), expected, 1e-15);
  CHECK(expected[0] == doctest::Approx(0.5 * std::log(kPi)).epsilon(1e-15));
  CHECK(values(lgamma(doubles({0, -1, -2, kInf, -kInf}))) == std::vector<double>{kInf, kInf, kInf, kInf, kInf});
  CHECK(std::isnan(lgamma(doubles({kNaN})).item<double>()));
  // Contiguous runs go through vectors (SLEEF where the processor has AVX2), their tails padded;
  // strided ones element by element. Both stay within float's rounding of the double value, an
  // absolute 1e-7 near the zeros at 1 and 2, and meet the poles the grid crosses.
  const Tensor grid = arange(-9.4, 40.0, 0.05).to(DType::Float32);
  for (const Tensor& x : {grid, stack({grid, grid}, 1).select(1, 0)}) {
    CAPTURE(x.is_contiguous());
    const std::vector<double> got = values(lgamma(x)), at = values(x);
    for (size_t i = 0; i < at.size(); ++i) {
      const double exact = std::lgamma(at[i]);
      if (!(got[i] == exact || std::abs(got[i] - exact) <= 2e-7 * std::abs(exact) + 1e-7)) {
        FAIL_CHECK("lgamma(", at[i], "): ", got[i]);
      }
    }
  }
  CHECK(values(lgamma(doubles({0, -3, kInf, 1, 2}).to(DType::Float32))) == std::vector<double>{kInf, kInf, kInf, 0, 0});
  // Integers compute in float32; ln 2! = ln 2.
  const Tensor from_integers = lgamma(tensor<int64_t>({3}));
  CHECK(from_integers.dtype() == DType::Float32);
  CHECK(from_integers.item<float>() == doctest::Approx(std::log(2.0)).epsilon(1e-6));
}

TEST_CASE("digamma: Euler's gamma at 1, reflection below 0, signed infinities at zero") {
  const std::vector<double> got = values(digamma(doubles({1, 0.5, -0.5, 10, 1e10, -3.75, 1e-300})));
  const double psi_half = -kEulerGamma - 2 * std::log(2.0);
  // psi(x + 1) = psi(x) + 1/x: psi(10) = H_9 - gamma, psi(-1/2) = psi(1/2) + 2,
  // psi(-3.75) = psi(0.25) + 1/3.75 + 1/2.75 + 1/1.75 + 1/0.75, psi(1/4) = -gamma - pi/2 - 3 ln 2.
  double h9 = 0;
  for (int k = 1; k <= 9; ++k) h9 += 1.0 / k;
  const double psi_quarter = -kEulerGamma - kPi / 2 - 3 * std::log(2.0);
  check_close(got,
              {-kEulerGamma, psi_half, psi_half + 2, h9 - kEulerGamma, std::log(1e10) - 0.5e-10,
               psi_quarter + 1 / 3.75 + 1 / 2.75 + 1 / 1.75 + 1 / 0.75, -1e300},
              1e-14);
  const std::vector<double> poles = values(digamma(doubles({0.0, -0.0, -2, -kInf, kInf, kNaN})));
  CHECK(poles[0] == -kInf);
  CHECK(poles[1] == kInf);
  CHECK(std::isnan(poles[2]));
  CHECK(std::isnan(poles[3]));
  CHECK(poles[4] == kInf);
  CHECK(std::isnan(poles[5]));
  // float32 computes in float32, close to the double value.
  check_close(values(digamma(tensor<float>({0.25f, 3.5f}))), {psi_quarter, values(digamma(doubles({3.5})))[0]}, 1e-6);
}

TEST_CASE("polygamma: zeta values at 1 and 1/2, the recurrence below 0, infinite poles") {
  const Tensor x = doubles({1, 0.5, -0.5, 1e8, 2.5});
  const double zeta4 = std::pow(kPi, 4) / 90;
  check_close(values(polygamma(1, x)),
              {kPi * kPi / 6, kPi * kPi / 2, kPi * kPi / 2 + 4, 1e-8 + 0.5e-16,
               kPi * kPi / 2 - 4 - 4.0 / 9},  // psi'(x) = psi'(x + 1) + 1/x^2
              1e-13);
  // psi''(1) = -2 zeta(3), psi''(1/2) = -14 zeta(3); psi''(x) = psi''(x + 1) - 2/x^3.
  const double psi2_half = -14 * kZeta3;
  check_close(values(x.polygamma(2)),
              {-2 * kZeta3, psi2_half, psi2_half + 16, -1e-16, psi2_half + 2 / 0.125 + 2 / 3.375},
              1e-12);
  check_close(values(polygamma(3, doubles({1}))), {6 * zeta4}, 1e-13);
  check_close(values(polygamma(2, doubles({-1.5}))), {psi2_half + 16 + 2 / 3.375}, 1e-12);
  // Far below zero the negative terms are summed as two zetas, not one by one: psi'(-n - 1/2)
  // tends to psi'(1/2) + sum over j of 1/(j + 1/2)^2 = pi^2.
  check_close(values(polygamma(1, doubles({-1e10 - 0.5}))), {kPi * kPi}, 1e-9);
  // polygamma(0, .) is digamma.
  check_close(values(polygamma(0, x)), values(digamma(x)), 0);
  CHECK(values(polygamma(1, doubles({0, -3}))) == std::vector<double>{kInf, kInf});
  CHECK(values(polygamma(2, doubles({0}))) == std::vector<double>{-kInf});
  // 200! zeta(201, 2) overflows, keeping its sign.
  CHECK(values(polygamma(200, doubles({2}))) == std::vector<double>{-kInf});
  CHECK(polygamma(1, tensor<int64_t>({1})).dtype() == DType::Float32);
  CHECK_THROWS_WITH(polygamma(-1, x), "[polygamma] n: expected a non-negative order of derivative, got -1");
  CHECK_THROWS_WITH(polygamma(std::numeric_limits<int64_t>::max(), x),
                    "[polygamma] n: expected an order below 9223372036854775807, got 9223372036854775807");
  Tensor out = empty({5}, DType::Float64);
  polygamma_out(out, 1, x);
  check_close(values(out), values(polygamma(1, x)), 0);
}

TEST_CASE("mvlgamma sums lgamma over half-steps and checks its domain") {
  // Gamma_3(2.5) = pi^(3/2) Gamma(2.5) Gamma(2) Gamma(1.5).
  const double expected = 1.5 * std::log(kPi) + std::lgamma(2.5) + std::lgamma(2.0) + std::lgamma(1.5);
  check_close(values(mvlgamma(doubles({2.5, 4}), 3)),
              {expected, 1.5 * std::log(kPi) + std::lgamma(4.0) + std::lgamma(3.5) + std::lgamma(3.0)}, 1e-14);
  check_close(values(doubles({0.3}).mvlgamma(1)), {std::lgamma(0.3)}, 1e-15);
  CHECK_THROWS_WITH(mvlgamma(doubles({1.0}), 3), "[mvlgamma] self: expected every element to exceed (p - 1) / 2 = 1");
  CHECK_THROWS_WITH(mvlgamma(doubles({1.0}), 0), "[mvlgamma] p: expected a dimension of at least 1, got 0");
}

TEST_CASE("erfc keeps the right tail that 1 - erf loses") {
  const std::vector<double> got = values(erfc(doubles({0, 1, -1, 10, 27, -kInf, kInf})));
  check_close(got, {1, std::erfc(1.0), 2 - std::erfc(1.0), 2.0884875837625447570e-45, std::erfc(27.0), 2, 0}, 1e-14);
  CHECK(got[3] > 0);  // where 1 - erf(10) is exactly 0
  check_close(values(erfc(tensor<float>({0.5f, 3.f}))), {std::erfc(0.5), std::erfc(3.0)}, 1e-6);
}

TEST_CASE("asinh, acosh and atanh match the C library, with their domains' edges") {
  const Tensor x = reference::random_tensor({3, 5}, 21).to(DType::Float64);  // in [-2, 2)
  auto expect = [](const Tensor& input, const Tensor& result, double (*f)(double)) {
    std::vector<double> e;
    for (double v : values(input)) e.push_back(f(v));
    check_close(values(result), e, 1e-14);
  };
  expect(x, asinh(x), [](double v) { return std::asinh(v); });
  expect(abs(x) + 1, acosh(abs(x) + 1), [](double v) { return std::acosh(v); });
  expect(x * 0.45, atanh(x * 0.45), [](double v) { return std::atanh(v); });
  const std::vector<double> edges = values(atanh(doubles({1, -1, 1.5})));
  CHECK(edges[0] == kInf);
  CHECK(edges[1] == -kInf);
  CHECK(std::isnan(edges[2]));
  CHECK(std::isnan(values(acosh(doubles({0.5})))[0]));
  CHECK(std::signbit(values(asinh(doubles({-0.0})))[0]));
  Tensor in_place = x.clone();
  in_place.asinh_();
  check_close(values(in_place), values(asinh(x)), 0);
}

TEST_CASE("where binds self as the method's receiver, as PyTorch's Tensor.where(condition, other)") {
  const Tensor self = doubles({1, 2, 3}), other = doubles({-1, -2, -3});
  const Tensor condition = tensor<bool>({true, false, true});
  CHECK(values(self.where(condition, other)) == std::vector<double>{1, -2, 3});
}

TEST_CASE("i0, special_i1 and their scaled forms against high-precision values, both intervals and their seam") {
  // Reference values from a 30-digit evaluation; 7.99 and 8.01 sit either side of the switch
  // from the expansion in x to the one in 16 / x; I1(1e-5) keeps its digits (I1(x) / x is expanded).
  const Tensor x = doubles({0, 1e-5, 0.5, 1, -1, 3.7, 7.99, 8.01, 10, 29.9, 50, -75, 100, 700, 710});
  check_close(values(i0(x)), {1.0, 1.000000000025, 1.0634833707413236, 1.2660658777520084, 1.2660658777520084,
                              8.738617524169396, 423.5842036746736, 431.58178605209247, 2815.7166284662544,
                              708478330489.0155, 2.9325537838493362e+20, 1.7226390780358048e+31,
                              1.0737517071310738e+42, 1.5295933476718737e+302, 3.345334558619656e+306},
              1e-14);
  check_close(values(special_i1(x)), {0.0, 5.0000000000625e-06, 0.2578943053908963, 0.565159103992485,
                                      -0.565159103992485, 7.435745796535335, 396.1152262074012, 403.6669399977042,
                                      2670.9883037012546, 696528308361.0936, 2.903078590103557e+20,
                                      -1.7111160152965292e+31, 1.0683693903381625e+42, 1.5285003902339006e+302,
                                      3.3429778585097626e+306},
              1e-14);
  check_close(values(special_i0e(x)), {1.0, 0.9999900000749996, 0.6450352704491501, 0.46575960759364043,
                                       0.46575960759364043, 0.2160494416729737, 0.14352476537933484,
                                       0.14333897941113852, 0.1278333371634286, 0.07326921904600191,
                                       0.05656162664745419, 0.046143247062816965, 0.03994437929909668,
                                       0.015081295651531358, 0.014974675005024156},
              1e-14);
  check_close(values(special_i1e(x)), {0.0, 4.999950000312499e-06, 0.1564208031848717, 0.20791041534970844,
                                       -0.20791041534970844, 0.18383785802735622, 0.134217339578281,
                                       0.13406776900984482, 0.12126268138445552, 0.07203337491186879,
                                       0.0559931238928954, -0.045834586045150394, 0.03974415302513025,
                                       0.015070519444716848, 0.014964125740784194},
              1e-14);
  // Past the range the plain functions are infinite, I1 signed; the scaled ones fall to 0; NaN stays.
  const Tensor edges = doubles({800, -800, kInf, -kInf, kNaN});
  check_close(values(i0(edges)), {kInf, kInf, kInf, kInf, kNaN}, 0);
  check_close(values(special_i1(edges)), {kInf, -kInf, kInf, -kInf, kNaN}, 0);
  check_close(values(special_i0e(edges.narrow(0, 2, 3))), {0, 0, kNaN}, 0);
  check_close(values(special_i1e(edges.narrow(0, 2, 3))), {0, 0, kNaN}, 0);
  // float32 sums fewer terms (18 and 6): across the range it agrees with float64 to its precision.
  const Tensor grid = arange(0, 60, 0.25, DType::Float64);
  check_close(values(special_i0e(grid.to(DType::Float32))), values(special_i0e(grid)), 3e-7);
  check_close(values(special_i1e(grid.to(DType::Float32))), values(special_i1e(grid)), 3e-7);
  // float32 and integers (computed in float32) agree with the double values to float precision.
  check_close(values(i0(tensor<float>({1, 10, 50}))), {1.2660658777520084, 2815.7166284662544, 2.9325537838493362e+20}, 1e-6);
  const Tensor from_integers = special_i1e(tensor<int64_t>({1, -100}));
  CHECK(from_integers.dtype() == DType::Float32);
  check_close(values(from_integers), {0.20791041534970844, -0.03974415302513025}, 1e-6);
  Tensor in_place = x.clone();
  in_place.i0_();
  check_close(values(in_place), values(i0(x)), 0);
}

TEST_CASE("the Bessel functions' derivatives: I0' = I1, I1' = I0 - I1/x (1/2 at 0), and the scaled forms'") {
  const Tensor x = doubles({-2.5, 0, 0.7, 31}).requires_grad_();
  const Tensor scaled_sum = (i0(x) + special_i1(x) + special_i0e(x) + special_i1e(x)).sum();
  const std::vector<double> grad = values(autograd::grad({scaled_sum}, {x})[0]);
  const std::vector<double> at = values(x.detach());
  for (size_t i = 0; i < at.size(); ++i) {
    CAPTURE(at[i]);
    const double v = at[i];
    const double i0v = values(i0(doubles({v})))[0], i1v = values(special_i1(doubles({v})))[0];
    const double scale = std::exp(-std::abs(v)), sign = (v > 0) - (v < 0);
    const double d_i1 = v == 0 ? 0.5 : i0v - i1v / v;
    const double expected = i1v + d_i1 + scale * (i1v - sign * i0v) + scale * (d_i1 - sign * i1v);
    CHECK(grad[i] == doctest::Approx(expected).epsilon(1e-12));
  }
}
