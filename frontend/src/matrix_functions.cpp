// Matrix functions built on the linear-algebra operators: inverse, determinant, eigenvalues and
// singular values alone, pseudo-inverse, rank and integer powers.
#include <algorithm>
#include <limits>

#include "ember/core/matrix_shape.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

Tensor mT(const Tensor& t) { return t.transpose(-2, -1); }

// Errors name the function called, not the operators it is built on.
void check_input(const char* op, const Tensor& a, bool floating, bool square) {
  ember::check_matrices(op, "A", a.dtype(), a.sizes(), floating, square);
}

// Identity matrices shaped as the batch of square matrices `a`.
Tensor identities_like(const Tensor& a) {
  return zeros_like(a) + ember::eye(a.size(-1), std::nullopt, a.dtype(), a.device());
}

// Singular values above max(atol, rtol * the largest) count; rtol defaults to eps * max(m, n)
// where atol is absent or zero, else to zero (NumPy's and PyTorch's rule).
Tensor significant(const char* op, const Tensor& s, const Tensor& a, std::optional<double> atol,
                   std::optional<double> rtol) {
  EMBER_CHECK(!atol || *atol >= 0, "[{}] atol: expected a non-negative tolerance, got {}", op, *atol);
  EMBER_CHECK(!rtol || *rtol >= 0, "[{}] rtol: expected a non-negative tolerance, got {}", op, *rtol);
  const double eps = a.dtype() == DType::Float32 ? std::numeric_limits<float>::epsilon()
                                                 : std::numeric_limits<double>::epsilon();
  const double relative = rtol ? *rtol : atol.value_or(0) > 0 ? 0 : eps * std::max(a.size(-2), a.size(-1));
  if (s.size(-1) == 0) return gt(s, 0);
  const Tensor largest = s.detach().amax({-1}, true);
  return gt(s, maximum(largest * relative, full_like(largest, atol.value_or(0))));
}

// V diag(1 / s) U^T over the singular values kept; the dropped ones divide 1 before they are
// zeroed, so no infinity reaches the gradient.
Tensor pseudo_inverse(const Tensor& u, const Tensor& s, const Tensor& vh, const Tensor& keep) {
  const Tensor inverse_s = where(keep, reciprocal(where(keep, s, ones_like(s))), zeros_like(s));
  return ember::matmul(mT(vh) * inverse_s.unsqueeze(-2), mT(u));
}

}  // namespace

Tensor linalg_inv(const Tensor& A) {
  check_input("linalg_inv", A, true, true);
  return ember::linalg_solve(A, identities_like(A));
}

Tensor linalg_det(const Tensor& A) {
  check_input("linalg_det", A, true, true);
  const auto [sign, logabsdet] = ember::linalg_slogdet(A);
  return sign * exp(logabsdet);
}

Tensor linalg_eigvalsh(const Tensor& self, std::string_view UPLO) {
  return std::get<0>(ember::linalg_eigh(self, UPLO));
}

Tensor linalg_svdvals(const Tensor& A) { return std::get<1>(ember::linalg_svd(A, false)); }

Tensor linalg_pinv(const Tensor& A, std::optional<double> atol, std::optional<double> rtol) {
  check_input("linalg_pinv", A, true, false);
  const auto [u, s, vh] = ember::linalg_svd(A, false);
  return pseudo_inverse(u, s, vh, significant("linalg_pinv", s, A, atol, rtol));
}

std::tuple<Tensor, Tensor, Tensor, Tensor> linalg_lstsq(const Tensor& A, const Tensor& B, std::optional<double> rcond) {
  check_input("linalg_lstsq", A, true, false);
  const bool vector = B.dim() == 1;
  const Tensor b = vector ? B.unsqueeze(-1) : B;
  EMBER_CHECK(b.dim() >= 2 && b.size(-2) == A.size(-2), "[linalg_lstsq] B: expected {} rows like A's, got shape {}",
              A.size(-2), shape_str(B.sizes()));
  const auto [u, s, vh] = ember::linalg_svd(A, false);
  const Tensor keep = significant("linalg_lstsq", s, A, std::nullopt, rcond);
  const Tensor solution = ember::matmul(pseudo_inverse(u, s, vh, keep), b.to(A.dtype()));
  const Tensor rank = keep.sum({-1});
  const int64_t m = A.size(-2), n = A.size(-1);
  Tensor residuals = ember::zeros({0}, A.dtype(), A.device());
  if (m > n && rank.numel() > 0 && rank.min().item<int64_t>() == n) {
    const Tensor error = ember::matmul(A, solution) - b;
    residuals = (error * error).sum({-2});
  }
  return {vector ? solution.squeeze(-1) : solution, vector && residuals.numel() ? residuals.squeeze(-1) : residuals,
          rank, s};
}

Tensor linalg_matrix_rank(const Tensor& A, std::optional<double> atol, std::optional<double> rtol) {
  check_input("linalg_matrix_rank", A, true, false);
  const Tensor s = ember::linalg_svdvals(A);
  return significant("linalg_matrix_rank", s, A, atol, rtol).sum({-1});
}

Tensor linalg_matrix_power(const Tensor& A, int64_t n) {
  check_input("linalg_matrix_power", A, n < 0, true);
  if (n == 0) return identities_like(A);
  Tensor base = n < 0 ? ember::linalg_inv(A) : A;
  Tensor result;
  for (uint64_t k = n < 0 ? -static_cast<uint64_t>(n) : static_cast<uint64_t>(n); k; k >>= 1) {
    if (k & 1) result = result.defined() ? ember::matmul(result, base) : base.clone();
    if (k > 1) base = ember::matmul(base, base);
  }
  return result;
}

}  // namespace ember::composite
