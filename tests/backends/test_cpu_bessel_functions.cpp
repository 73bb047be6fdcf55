// The Bessel functions J0, J1, Y0, Y1, K0, K1 (plain and scaled) and the spherical j0 against
// 40-digit values on both sides of each series' seam, the relative precision J keeps at its first
// zeros, the C++ library's own Bessel functions across a dense grid, their edges and domains,
// float32, and their derivatives where the quotient in them is 0/0.
#include <cmath>

#include "reference.h"

using namespace ember;
using namespace reference;

namespace {

// Elementwise over a grid: the operator's float64 result against `reference`, to `tol` of the
// larger of 1 and the reference (the C++ library's Bessel functions are themselves accurate to
// about that much absolutely, not relatively near zeros).
template <typename Reference>
void check_against(Tensor (*op)(const Tensor&), Reference reference, const Tensor& grid, double tol) {
  const std::vector<double> xs = values(grid), got = values(op(grid));
  for (size_t i = 0; i < xs.size(); ++i) {
    CAPTURE(xs[i]);
    const double expected = static_cast<double>(reference(static_cast<long double>(xs[i])));
    CHECK(std::abs(got[i] - expected) <= tol * std::max(1.0, std::abs(expected)));
  }
}

}  // namespace

TEST_CASE("special_bessel_j0, j1, y0 and y1 against high-precision values on both intervals") {
  // 7.99 and 8.01 sit either side of the switch to Hankel's asymptotic form; 2.404825557695773 is
  // J0's first zero rounded to double.
  const Tensor x = doubles({1e-5, 0.5, 2.404825557695773, 3.7, 7.99, 8.01, 10, 25.5, 100, 1e4, 1e8});
  check_close(values(special_bessel_j0(x)),
              {0.999999999975, 0.9384698072408129, -1.201195007367686e-16, -0.3992302033711911, 0.17399001312793264,
               0.1692973691105429, -0.24593576445134835, 0.14406215754684787, 0.019985850304223122,
               -0.0070961603533888015, 3.206029534041208e-05},
              2e-15);
  check_close(values(special_bessel_j1(x)),
              {4.9999999999375e-06, 0.2422684576748739, 0.5191474972894667, 0.053833987745461866, 0.23320071425350175,
               0.23604710363083403, 0.04347274616886144, -0.062048536491484105, -0.07714535201411216,
               0.0036474507555295803, 7.306391181551854e-05},
              2e-15);
  check_close(values(special_bessel_y0(x)),
              {-7.40316028370197, -0.44451873350670656, 0.509924383448479, 0.10607431532035419, 0.2219287417857645,
               0.22508990929357917, 0.055671167283599395, -0.06485976549878349, -0.07724431336508315,
               0.0036478055589866058, 7.306391165521707e-05},
              2e-15);
  check_close(values(special_bessel_y1(x)),
              {-63661.97727536548, -1.471472392670243, 0.10274668243825964, 0.41667437268380747, -0.1604869514116647,
               -0.1556214540380982, 0.24901542420695388, -0.1453610587230494, -0.020372312002759792,
               0.007096342752536495, -3.2060294975092524e-05},
              2e-15);
}

TEST_CASE("J keeps its relative precision at its first zeros, which the series divide out") {
  // J0 at its first zero rounded to double is J0's slope there times the rounding, some 1e-16;
  // near J0's second zero and J1's first the values are 40-digit ones.
  const std::vector<double> j0 = values(special_bessel_j0(doubles({2.404825557695773, 5.5200781})));
  CHECK(j0[0] == doctest::Approx(-1.201195007367686e-16).epsilon(1e-12));
  CHECK(j0[1] == doctest::Approx(-3.5000694730795622e-09).epsilon(1e-12));
  const double j1 = values(special_bessel_j1(doubles({3.8317407563056163})))[0];
  CHECK(j1 == doctest::Approx(-1.4010364252201014e-05).epsilon(1e-12));
}

TEST_CASE("K0, K1 and their scaled forms against high-precision values, down to e^-700") {
  // 1.99 and 2.01 either side of the switch from the logarithmic form to the expansion in 4 / x.
  const Tensor x = doubles({1e-5, 0.5, 1.99, 2.01, 5, 20, 100, 700});
  check_close(values(special_modified_bessel_k0(x)),
              {11.628856980944363, 0.9244190712276659, 0.1153017675517768, 0.11250436099872801,
               0.0036910983340425942, 5.741237815336525e-10, 4.656628229175902e-45, 4.669776431685377e-306},
              2e-15);
  check_close(values(special_modified_bessel_k1(x)),
              {99999.99993935571, 1.656441120003301, 0.14171756162240132, 0.13804087731920767, 0.004044613445452165,
               5.883057969557038e-10, 4.6798537356369095e-45, 4.6731107967079664e-306},
              2e-15);
  check_close(values(special_scaled_modified_bessel_k0(x)),
              {11.628973270095617, 1.5241093857739094, 0.8434939733789928, 0.8396557490908678, 0.547807564313519,
               0.27854487665718225, 0.12517562165912657, 0.04736236945461357},
              2e-15);
  check_close(values(special_scaled_modified_bessel_k1(x)),
              {100000.99994435512, 2.731009708211786, 1.0367396067608632, 1.0302428743356034, 0.6002738587883126,
               0.28542549694072644, 0.12579995047957854, 0.04739618765349454},
              2e-15);
  // K0(740) = 2e-323, four of double's smallest subnormals: e^-x, taken in two halves, does not
  // flush it to 0 or lose its few digits on the way.
  CHECK(std::abs(values(special_modified_bessel_k0(doubles({740})))[0] - 2e-323) <= 5e-324);
}

TEST_CASE("the Bessel functions follow the C++ library's across [0, 60]") {
  const Tensor grid = arange(0.015625, 60, 0.0390625, DType::Float64);
  check_against(&special_bessel_j0, [](long double x) { return std::cyl_bessel_j(0.0L, x); }, grid, 1e-14);
  check_against(&special_bessel_j1, [](long double x) { return std::cyl_bessel_j(1.0L, x); }, grid, 1e-14);
  check_against(&special_bessel_y0, [](long double x) { return std::cyl_neumann(0.0L, x); }, grid, 1e-14);
  check_against(&special_bessel_y1, [](long double x) { return std::cyl_neumann(1.0L, x); }, grid, 1e-14);
  check_against(&special_modified_bessel_k0, [](long double x) { return std::cyl_bessel_k(0.0L, x); }, grid, 1e-14);
  check_against(&special_modified_bessel_k1, [](long double x) { return std::cyl_bessel_k(1.0L, x); }, grid, 1e-14);
  check_against(&special_spherical_bessel_j0, [](long double x) { return std::sph_bessel(0, x); }, grid, 1e-15);
}

TEST_CASE("the Bessel functions' symmetries, domains and edges") {
  const Tensor x = doubles({-3.7, 3.7, -25.5, 25.5});
  const std::vector<double> j0 = values(special_bessel_j0(x)), j1 = values(special_bessel_j1(x));
  CHECK(j0[0] == j0[1]);  // even
  CHECK(j0[2] == j0[3]);
  CHECK(j1[0] == -j1[1]);  // odd
  CHECK(j1[2] == -j1[3]);
  const Tensor edges = doubles({0, -1, kInf, -kInf, kNaN});
  check_close(values(special_bessel_j0(edges)), {1, values(special_bessel_j0(doubles({1})))[0], 0, 0, kNaN}, 0);
  check_close(values(special_bessel_j1(edges)), {0, -values(special_bessel_j1(doubles({1})))[0], 0, 0, kNaN}, 0);
  // Y is real only above 0; K too, infinite at 0; both vanish at infinity.
  check_close(values(special_bessel_y0(edges)), {-kInf, kNaN, 0, kNaN, kNaN}, 0);
  check_close(values(special_bessel_y1(edges)), {-kInf, kNaN, 0, kNaN, kNaN}, 0);
  for (auto op : {&special_modified_bessel_k0, &special_modified_bessel_k1, &special_scaled_modified_bessel_k0,
                  &special_scaled_modified_bessel_k1}) {
    check_close(values(op(edges)), {kInf, kNaN, 0, kNaN, kNaN}, 0);
  }
  check_close(values(special_spherical_bessel_j0(edges)), {1, std::sin(1.0), 0, 0, kNaN}, 0);
  // Y1 and K1 grow as 1/x: past double's range at the smallest subnormal.
  CHECK(values(special_bessel_y1(doubles({5e-324})))[0] == -kInf);
  CHECK(values(special_modified_bessel_k1(doubles({5e-324})))[0] == kInf);
}

TEST_CASE("float32 and integer inputs: rounded once from the double evaluation") {
  const Tensor grid = arange(0.0625, 40, 0.125, DType::Float64);
  using Fn = Tensor (*)(const Tensor&);
  for (Fn op : {Fn(&special_bessel_j0), Fn(&special_bessel_j1), Fn(&special_bessel_y0), Fn(&special_bessel_y1),
                Fn(&special_modified_bessel_k0), Fn(&special_modified_bessel_k1), Fn(&special_scaled_modified_bessel_k0),
                Fn(&special_scaled_modified_bessel_k1), Fn(&special_spherical_bessel_j0)}) {
    const Tensor single = op(grid.to(DType::Float32));
    CHECK(single.dtype() == DType::Float32);
    check_close(values(single), values(op(grid)), 2e-7);
  }
  const Tensor from_integers = special_bessel_j0(tensor<int64_t>({0, 3}));
  CHECK(from_integers.dtype() == DType::Float32);
  check_close(values(from_integers), {1, -0.2600519549019334}, 1e-7);
  // The out= form writes into the given tensor.
  Tensor out = empty({2}, DType::Float64);
  special_modified_bessel_k0_out(out, doubles({0.5, 5}));
  check_close(values(out), {0.9244190712276659, 0.0036910983340425942}, 2e-15);
}

TEST_CASE("special_modified_bessel_i0 and i1 are i0 and special_i1") {
  const Tensor x = doubles({-3, 0.25, 9});
  CHECK(values(special_modified_bessel_i0(x)) == values(i0(x)));
  CHECK(values(special_modified_bessel_i1(x)) == values(special_i1(x)));
}

TEST_CASE("the Bessel derivatives where their quotient is 0/0: J1'(0) = 1/2, j0'(0) = 0") {
  const Tensor x = doubles({0, 0, 1.5}).requires_grad_();
  const Tensor total = special_bessel_j1(x.narrow(0, 0, 1)).sum() + special_spherical_bessel_j0(x.narrow(0, 1, 1)).sum() +
                       special_bessel_j1(x.narrow(0, 2, 1)).sum();
  const std::vector<double> grad = values(autograd::grad({total}, {x})[0]);
  CHECK(grad[0] == 0.5);
  CHECK(grad[1] == 0);
  // J1' = J0 - J1 / x = (J0 - J2) / 2 away from 0.
  CHECK(grad[2] == doctest::Approx((std::cyl_bessel_j(0.0, 1.5) - std::cyl_bessel_j(2.0, 1.5)) / 2).epsilon(1e-13));
}
