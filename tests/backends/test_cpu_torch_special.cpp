// torch.special's functions beyond the gamma and Bessel families: erfcx, ndtri, zeta, the
// incomplete gamma functions, ndtr, log_ndtr and entr against 30-digit values (their tails, poles
// and domains included), their derivatives, round to decimal places, and the aliases reaching the
// operators they name.
#include <cmath>

#include "reference.h"

using namespace ember;
using namespace reference;

TEST_CASE("special_erfcx: e^(x^2) erfc(x) across the seam at 12, far tails and overflow") {
  const Tensor x = doubles({-3, -0.5, 0, 0.3, 2, 11.9, 12.1, 50, 1e10, -30, kInf, -kInf, kNaN});
  check_close(values(special_erfcx(x)), {16205.988853999586, 1.952360489182557, 1.0, 0.7345993345676551,
                                         0.25539567631050575, 0.04724523248408767, 0.04646960733983501,
                                         0.011281536265323773, 5.641895835477563e-11, kInf, 0, kInf, kNaN},
              1e-14);
  // float32 computes in double and rounds once.
  check_close(values(special_erfcx(tensor<float>({2, 50}))), {0.25539567631050575, 0.011281536265323773}, 1e-7);
}

TEST_CASE("special_ndtri inverts the normal distribution function down to its far tail") {
  const Tensor p = doubles({0.5, 0.975, 0.1, 1e-10, 1e-20, 1e-300, 0, 1, -0.1, 1.5, kNaN});
  check_close(values(special_ndtri(p)), {0.0, 1.9599639845400543, -1.2815515655446004, -6.361340902404057,
                                         -9.262340089798407, -37.0470962993612, -kInf, kInf, kNaN, kNaN, kNaN},
              1e-14);
  // Round trips through ndtr, in float32 too.
  const Tensor grid = doubles({0.001, 0.2, 0.5, 0.7, 0.999});
  check_close(values(special_ndtr(special_ndtri(grid))), values(grid), 1e-14);
  check_close(values(special_ndtri(grid.to(DType::Float32))), values(special_ndtri(grid)), 1e-6);
}

TEST_CASE("special_zeta: the Hurwitz zeta function over Cephes' domain") {
  const Tensor s = doubles({2, 3, 2.5, 4, 1.5, 2, 1, 0.5, 2.5, 3, kInf, kInf});
  const Tensor q = doubles({1, 2, 0.5, -1.5, 10, 1e6, 3, 1, -1.5, -2, 2, 1});
  check_close(values(special_zeta(s, q)), {1.6449340668482264, 0.2020569031595943, 6.247110634568812,
                                           32.432379369864606, 0.6486616319415704, 1.0000005000001667e-06,
                                           kInf, kNaN, kNaN, kInf, 0, 1},
              1e-13);
  // Operands broadcast and promote; integers compute in float32.
  CHECK(special_zeta(tensor<int64_t>({2}), doubles({1, 2})).sizes().equals({2}));
  CHECK(special_zeta(tensor<int64_t>({2}), tensor<int64_t>({1})).dtype() == DType::Float32);
}

namespace {

// Points in each of P's regions: power series, continued fraction, Q's own series for small x,
// Temme's expansion near a = x (up to a = 10^6, where the power series would need thousands of
// terms), and tails far below 1.
Tensor incomplete_gamma_shapes() { return doubles({0.5, 3, 2, 0.5, 0.25, 1e-3, 5, 50, 1000, 1e5, 1e6, 100, 2}); }
Tensor incomplete_gamma_points() { return doubles({0.3, 1.5, 5, 10, 0.2, 0.8, 0.4, 45, 1010, 1e5, 990000, 1, 700}); }

}  // namespace

TEST_CASE("igamma and igammac: P and Q keep their digits in every region and tail, and PyTorch's edges") {
  const Tensor a = incomplete_gamma_shapes(), x = incomplete_gamma_points();
  const std::vector<double> p = {0.56142197391900014, 0.19115316946194187, 0.9595723180054872, 0.99999225578356896,
                                 0.70985103173698247, 0.99968913692896591, 6.1243327102333785e-5, 0.24680203440017027,
                                 0.62767894473699473, 0.50042052211036518, 5.4466446930108086e-24,
                                 3.9812808189568544e-159, 1.0};
  const std::vector<double> q = {0.43857802608099986, 0.80884683053805813, 0.040427681994512803, 7.7442164310440836e-6,
                                 0.29014896826301753, 0.00031086307103409437, 0.99993875667289767, 0.75319796559982973,
                                 0.37232105526300527, 0.49957947788963482, 1.0, 1.0, 6.9116332571755994e-302};
  const std::vector<double> lower = values(igamma(a, x)), upper = values(igammac(a, x));
  for (size_t i = 0; i < p.size(); ++i) {
    CAPTURE(i);
    CHECK(lower[i] == doctest::Approx(p[i]).epsilon(1e-12));  // relative: the tails reach 1e-302
    CHECK(upper[i] == doctest::Approx(q[i]).epsilon(1e-12));
  }
  // The edges: a = 0 is P's limit 1 for x > 0; x = 0 gives 0; infinite a gives 0 and infinite x 1;
  // NaN for negative or NaN operands, a = x = 0 and a = x = infinity. Q is 1 - P at each.
  const Tensor edge_a = doubles({0, 0, 2, kInf, 2, kInf, -1, 2, kNaN, 2});
  const Tensor edge_x = doubles({1, 0, 0, 5, kInf, kInf, 1, -1, 1, kNaN});
  check_close(values(igamma(edge_a, edge_x)), {1, kNaN, 0, 0, 1, kNaN, kNaN, kNaN, kNaN, kNaN}, 0);
  check_close(values(igammac(edge_a, edge_x)), {0, kNaN, 1, 1, 0, kNaN, kNaN, kNaN, kNaN, kNaN}, 0);
  // float32 computes in double and rounds once; integers compute in float32; the method and
  // torch.special's names reach the same operators.
  check_close(values(igamma(tensor<float>({3, 50}), tensor<float>({1.5, 45}))), {p[1], p[7]}, 1e-7);
  CHECK(igammac(tensor<int64_t>({2}), tensor<int64_t>({5})).dtype() == DType::Float32);
  check_close(values(a.igamma(x)), lower, 0);
  check_close(values(special_gammainc(a, x)), lower, 0);
  check_close(values(special_gammaincc(a, x)), upper, 0);
}

TEST_CASE("_igamma_grad: dP/da in every region of P and its tails; igamma's and igammac's gradients in a") {
  // 60-digit values: mpmath differentiating P, or -Q where P > 1/2 (whose a-derivative is -dQ/da).
  const std::vector<double> slope = {-0.77057035137535192, -0.18363042561309513, -0.055859896052536778,
                                     -3.3719847396287287e-5, -1.0698803070068863, -0.31112944653806406,
                                     -0.00016131303719276514, -0.045543292140123876, -0.011945731337225442,
                                     -0.001261567312316086, -5.5272264674421275e-26, -1.8354743026556828e-158,
                                     -4.2366408184767047e-301};
  const std::vector<double> got = values(_igamma_grad(incomplete_gamma_shapes(), incomplete_gamma_points()));
  for (size_t i = 0; i < slope.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(slope[i]).epsilon(1e-12));
  }
  // At a whole a the continued fraction ends early while its derivative does not: at a = 1,
  // dP/da = -e^-x (ln x + gamma) - E1(x), here for x = 2.
  check_close(values(_igamma_grad(doubles({1}), doubles({2}))), {-0.22082542621185951}, 1e-14);
  // NaN where P is and at a = 0; zero where P is flat in a (x = 0, x or a infinite).
  check_close(values(_igamma_grad(doubles({0, 2, kInf, 2, -1, kNaN}), doubles({1, 0, 5, kInf, 1, 1}))),
              {kNaN, 0, 0, 0, kNaN, kNaN}, 0);
  check_close(values(_igamma_grad(tensor<float>({3, 50}), tensor<float>({1.5, 45}))), {slope[1], slope[7]}, 1e-6);
  // Gradients in a: igamma's is the slope, igammac's its negative.
  const Tensor shape = doubles({2, 0.5}).requires_grad_();
  const Tensor at = doubles({5, 0.3});
  check_close(values(autograd::grad({igamma(shape, at).sum()}, {shape})[0]), {slope[2], slope[0]}, 1e-14);
  check_close(values(autograd::grad({igammac(shape, at).sum()}, {shape})[0]), {-slope[2], -slope[0]}, 1e-14);
}

TEST_CASE("special_ndtr and special_log_ndtr: both tails keep their digits") {
  check_close(values(special_ndtr(doubles({-10, -1, 0, 2}))),
              {7.619853024160525e-24, 0.15865525393145705, 0.5, 0.9772498680518208}, 1e-14);
  const std::vector<double> log_ndtr = values(special_log_ndtr(doubles({-40, -10, -1.5, -0.5, 0, 3, 10})));
  const std::vector<double> expected = {-804.6084420137538, -53.23128515051247, -2.7059444008238898,
                                        -1.1759117615936185, -0.6931471805599453, -0.0013508099647481938,
                                        -7.619853024160525e-24};
  for (size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(log_ndtr[i] == doctest::Approx(expected[i]).epsilon(1e-13));  // relative: the last is 7.6e-24
  }
}

TEST_CASE("special_entr: -x ln x, 0 at 0, -inf below, NaN kept; integers in float32") {
  check_close(values(special_entr(doubles({0.5, 1, 2, 0, -1, kNaN}))),
              {0.34657359027997264, 0, -1.3862943611198906, 0, -kInf, kNaN}, 1e-15);
  CHECK(special_entr(tensor<int64_t>({0, 1})).dtype() == DType::Float32);
}

TEST_CASE("the derivatives: erfcx' = 2x erfcx - 2/sqrt(pi), ndtri' = 1/phi(ndtri), d/dq zeta = -s zeta(s + 1, q), dP/dx") {
  const auto derivative = [](Tensor (*f)(const Tensor&), const std::vector<double>& at) {
    const Tensor x = tensor<double>(at, {static_cast<int64_t>(at.size())}).requires_grad_();
    return values(autograd::grad({f(x).sum()}, {x})[0]);
  };
  const double two_over_sqrt_pi = 1.1283791670955126;
  check_close(derivative(&special_erfcx, {-0.5, 2}),
              {2 * -0.5 * 1.952360489182557 - two_over_sqrt_pi, 4 * 0.25539567631050575 - two_over_sqrt_pi}, 1e-13);
  // At p = 0.975, ndtri = 1.95996...: 1 / phi(1.95996) = sqrt(2 pi) e^(1.95996^2 / 2).
  check_close(derivative(&special_ndtri, {0.5, 0.975}),
              {std::sqrt(2 * M_PI), std::sqrt(2 * M_PI) * std::exp(1.9599639845400543 * 1.9599639845400543 / 2)},
              1e-12);
  const Tensor q = doubles({1, 2}).requires_grad_();
  const Tensor s = doubles({2, 3});
  check_close(values(autograd::grad({special_zeta(s, q).sum()}, {q})[0]), {-2 * 1.2020569031595942, -3 * 0.08232323371113819},
              1e-13);
  const Tensor s_grad = doubles({2}).requires_grad_();
  CHECK_THROWS_WITH(autograd::grad({special_zeta(s_grad, doubles({1})).sum()}, {s_grad}),
                    doctest::Contains("[special_zeta] the derivative for self is not implemented"));
  // d/dx P(a, x) = x^(a-1) e^-x / Gamma(a) = -d/dx Q: at (2, 1.5), 1.5 e^-1.5; at (0.5, 0.3),
  // e^-0.3 / sqrt(0.3 pi).
  const Tensor shape = doubles({2, 0.5});
  const Tensor at = doubles({1.5, 0.3}).requires_grad_();
  const std::vector<double> density = {0.33469524022264474, 0.76309057876818596};
  check_close(values(autograd::grad({igamma(shape, at).sum()}, {at})[0]), density, 1e-14);
  check_close(values(autograd::grad({igammac(shape, at).sum()}, {at})[0]), {-density[0], -density[1]}, 1e-14);
  // log_ndtr' = phi / Phi: at -40, about 40.025 (the ratio tends to -x); at 0, 2 phi(0).
  const Tensor x = doubles({-40, 0}).requires_grad_();
  check_close(values(autograd::grad({special_log_ndtr(x).sum()}, {x})[0]), {40.02496884720726, 0.7978845608028654}, 1e-12);
}

TEST_CASE("round with decimals rounds half to even at the scaled place; the aliases reach their operators") {
  const Tensor x = doubles({1.2345, -2.5, 1234.5, 0.125});
  check_close(values(round(x, 2)), {1.23, -2.5, 1234.5, 0.12}, 1e-15);
  check_close(values(x.round(-2)), {0, -0.0, 1200, 0}, 0);
  check_close(values(special_round(x, 1)), values(round(x, 1)), 0);
  const Tensor y = doubles({0.3, 1.7});
  check_close(values(special_gammaln(y)), values(lgamma(y)), 0);
  check_close(values(special_psi(y)), values(digamma(y)), 0);
  check_close(values(special_polygamma(2, y)), values(polygamma(2, y)), 0);
  check_close(values(special_multigammaln(y + 1, 2)), values(mvlgamma(y + 1, 2)), 0);
  check_close(values(special_expit(y)), values(sigmoid(y)), 0);
  check_close(values(special_logit(y * 0.5, 0.2)), values(logit(y * 0.5, 0.2)), 0);
  check_close(values(special_xlog1py(y, y)), values(xlog1py(y, y)), 0);
  check_close(values(special_i0(y)), values(i0(y)), 0);
  check_close(values(special_logsumexp(y, {0})), values(logsumexp(y, {0})), 0);
  const Tensor softmax32 = special_softmax(tensor<float>({1, 2}), 0, DType::Float64);
  CHECK(softmax32.dtype() == DType::Float64);
  check_close(values(softmax32), {0.2689414213699951, 0.7310585786300049}, 1e-15);
  check_close(values(special_log_softmax(y, 0)), values(log_softmax(y, 0)), 0);
}
