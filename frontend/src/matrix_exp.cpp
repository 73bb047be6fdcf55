// The matrix exponential by scaling and squaring (Higham, "The scaling and squaring method for
// the matrix exponential revisited", SIAM J. Matrix Anal. Appl. 26(4), 2005): exp(A) is
// r(A / 2^s) squared s times, r the [m/m] Pade approximant of the lowest degree m whose error
// bound theta_m at the dtype's precision covers ||A / 2^s||_1. Made of matmul and linalg_solve,
// so autograd differentiates it.
#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "ember/core/matrix_shape.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

struct PadeDegree {
  int m;
  double theta;
};
// Higham's Table 2.3: the largest 1-norms each degree approximates to unit roundoff.
constexpr PadeDegree kFloat64Degrees[] = {
    {3, 1.495585217958292e-2}, {5, 2.539398330063230e-1}, {7, 9.504178996162932e-1},
    {9, 2.097847961257068e0},  {13, 5.371920351148152e0}};
constexpr PadeDegree kFloat32Degrees[] = {{3, 4.258730016922831e-1}, {5, 1.880152677804762e0}, {7, 3.925724783138660e0}};

// The coefficients c_0..c_m of p in the [m/m] approximant e^x ~ p(x) / p(-x): c_j proportional
// to (2m - j)! / (j! (m - j)!).
std::vector<double> pade_coefficients(int m) {
  std::vector<double> c = {1};
  for (int j = 0; j < m; ++j) c.push_back(c.back() * (m - j) / ((j + 1.0) * (2 * m - j)));
  return c;
}

// sum_k c[k] A^(2k) given squares[k] = A^(2k) for k = 0..3 (and 4 for degree 9). Degree 13's
// terms past A^4 are A^6 times a polynomial of the same squares: Higham's evaluation, one
// product fewer than the plain powers.
Tensor polynomial_in_squares(std::span<const double> c, const std::vector<Tensor>& squares) {
  const auto weighted = [&](size_t from, size_t to, size_t shift) {
    Tensor sum = squares[from - shift] * c[from];
    for (size_t k = from + 1; k < to; ++k) sum = sum + squares[k - shift] * c[k];
    return sum;
  };
  if (c.size() <= squares.size()) return weighted(0, c.size(), 0);
  return weighted(0, 3, 0) + ember::matmul(squares[3], weighted(3, c.size(), 3));
}

}  // namespace

Tensor linalg_matrix_exp(const Tensor& A) {
  ember::check_matrices("linalg_matrix_exp", "A", A.dtype(), A.sizes(), true, true);
  if (A.numel() == 0) return A.clone();
  const std::span<const PadeDegree> degrees =
      A.dtype() == DType::Float64 ? std::span<const PadeDegree>(kFloat64Degrees) : std::span<const PadeDegree>(kFloat32Degrees);
  // One degree and scaling for the whole batch, chosen by its largest norm.
  const double norm = ember::linalg_matrix_norm(A.detach(), 1).amax().item<double>();
  PadeDegree degree = degrees.back();
  int squarings = 0;
  const auto enough = std::find_if(degrees.begin(), degrees.end(), [&](const PadeDegree& d) { return norm <= d.theta; });
  if (enough != degrees.end()) {
    degree = *enough;
  } else if (std::isfinite(norm)) {
    squarings = static_cast<int>(std::ceil(std::log2(norm / degree.theta)));
  }
  const Tensor a = squarings > 0 ? A * std::ldexp(1.0, -squarings) : A;
  const Tensor a2 = ember::matmul(a, a);
  std::vector<Tensor> squares = {ember::eye(A.size(-1), std::nullopt, A.dtype(), A.device()), a2};
  while (squares.size() < std::min<size_t>(degree.m / 2 + 1, 4)) squares.push_back(ember::matmul(squares.back(), a2));
  if (degree.m == 9) squares.push_back(ember::matmul(squares[2], squares[2]));
  // p(a) = V + U with V the even terms and U = a times the odd ones; p(-a) = V - U.
  const std::vector<double> c = pade_coefficients(degree.m);
  std::vector<double> even, odd;
  for (size_t j = 0; j < c.size(); ++j) (j % 2 ? odd : even).push_back(c[j]);
  const Tensor v = polynomial_in_squares(even, squares);
  const Tensor u = ember::matmul(a, polynomial_in_squares(odd, squares));
  Tensor r = ember::linalg_solve(v - u, v + u);
  for (int i = 0; i < squarings; ++i) r = ember::matmul(r, r);
  return r;
}

}  // namespace ember::composite
