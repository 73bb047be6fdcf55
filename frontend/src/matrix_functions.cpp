// Matrix functions built on the linear-algebra operators: inverse, determinant, eigenvalues and
// singular values alone, logdet, pseudo-inverse, rank, integer powers and condition numbers.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "ember/core/matrix_shape.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "identity_matrices.h"

namespace ember::composite {
namespace {

// Errors name the function called, not the operators it is built on.
void check_input(const char* op, const Tensor& a, bool floating, bool square) {
  ember::check_matrices(op, "A", a.dtype(), a.sizes(), floating, square);
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
  return ember::matmul(vh.mT() * inverse_s.unsqueeze(-2), u.mT());
}

// A with its two dimensions `dim` moved last, where the matrix norms read them.
Tensor matrices_along(const char* op, const Tensor& a, IntArrayRef dim) {
  check_input(op, a, true, false);
  EMBER_CHECK(dim.size() == 2, "[{}] dim: expected two dimensions, got [{}]", op, fmt::join(dim, ", "));
  const int64_t d0 = wrap_dim(dim[0], a.dim(), op), d1 = wrap_dim(dim[1], a.dim(), op);
  EMBER_CHECK(d0 != d1, "[{}] dim: expected two different dimensions, got [{}, {}]", op, dim[0], dim[1]);
  return a.movedim({d0, d1}, {-2, -1});
}

// A norm of the last two dimensions, with keepdim put back as size-1 dimensions at `dim`.
Tensor at_norm_dims(const Tensor& norm, const Tensor& a, IntArrayRef dim, bool keepdim) {
  if (!keepdim) return norm;
  const int64_t d0 = wrap_dim(dim[0], a.dim(), "linalg_matrix_norm"), d1 = wrap_dim(dim[1], a.dim(), "linalg_matrix_norm");
  return norm.unsqueeze(std::min(d0, d1)).unsqueeze(std::max(d0, d1));
}

// The condition numbers of a batch of empty matrices: 0, as PyTorch's.
Tensor empty_conditions(const Tensor& a) {
  return ember::zeros(IntArrayRef(a.sizes().data(), static_cast<size_t>(a.dim() - 2)), a.dtype(), a.device());
}

// ||A|| ||A^-1|| in the norm `norm_of`, for square matrices. A singular one (a zero pivot, which
// linalg_inv refuses) is inverted as the identity so that the batch goes on, and answers inf.
Tensor condition_through_inverse(const Tensor& a, const std::function<Tensor(const Tensor&)>& norm_of) {
  check_input("linalg_cond", a, true, true);
  if (a.numel() == 0) return empty_conditions(a);
  const Tensor singular = eq(std::get<0>(ember::linalg_slogdet(a)), 0);
  const Tensor invertible = where(singular.unsqueeze(-1).unsqueeze(-1), identities_like(a), a);
  return (norm_of(a) * norm_of(ember::linalg_inv(invertible))).masked_fill(singular, INFINITY);
}

}  // namespace

Tensor linalg_matrix_norm(const Tensor& A, double ord, IntArrayRef dim, bool keepdim) {
  const Tensor m = matrices_along("linalg_matrix_norm", A, dim);
  const bool largest = ord > 0;
  Tensor norm;
  if (std::abs(ord) == 2) {
    norm = ember::linalg_svdvals(m);
  } else if (std::abs(ord) == 1) {
    norm = ember::abs(m).sum({-2});  // each column's sum of magnitudes
  } else {
    EMBER_CHECK(std::isinf(ord), "[linalg_matrix_norm] ord: expected 1, -1, 2, -2, inf or -inf (or 'fro', 'nuc'), "
                "got {}", ord);
    norm = ember::abs(m).sum({-1});  // each row's
  }
  return at_norm_dims(largest ? norm.amax({-1}) : norm.amin({-1}), A, dim, keepdim);
}

Tensor linalg_matrix_norm_str_ord(const Tensor& A, std::string_view ord, IntArrayRef dim, bool keepdim) {
  EMBER_CHECK(ord == "fro" || ord == "nuc", "[linalg_matrix_norm] ord: expected 'fro' or 'nuc' (or a number), got '{}'",
              ord);
  const Tensor m = matrices_along("linalg_matrix_norm", A, dim);
  const Tensor norm = ord == "fro" ? m.norm(2, IntArrayRef{-2, -1}) : ember::linalg_svdvals(m).sum({-1});
  return at_norm_dims(norm, A, dim, keepdim);
}

Tensor linalg_inv(const Tensor& A) {
  check_input("linalg_inv", A, true, true);
  return ember::linalg_solve(A, identities_like(A));
}

std::tuple<Tensor, Tensor> linalg_inv_ex(const Tensor& A, bool check_errors) {
  check_input("linalg_inv_ex", A, true, true);
  return ember::linalg_solve_ex(A, identities_like(A), true, check_errors);
}

Tensor linalg_det(const Tensor& A) {
  check_input("linalg_det", A, true, true);
  const auto [sign, logabsdet] = ember::linalg_slogdet(A);
  return sign * exp(logabsdet);
}

// A negative determinant has no real logarithm: NaN, as PyTorch's; a singular matrix gives -inf.
Tensor logdet(const Tensor& self) {
  check_input("logdet", self, true, true);
  const auto [sign, logabsdet] = ember::linalg_slogdet(self);
  return logabsdet.masked_fill(lt(sign, 0), NAN);
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

Tensor linalg_cond(const Tensor& A, std::optional<double> p) {
  if (p && std::abs(*p) != 2) {
    EMBER_CHECK(std::abs(*p) == 1 || std::isinf(*p), "[linalg_cond] p: expected 2, -2, 1, -1, inf or -inf (or "
                "'fro', 'nuc'), got {}", *p);
    return condition_through_inverse(A, [&](const Tensor& m) { return ember::linalg_matrix_norm(m, *p); });
  }
  // The ratio of the extreme singular values needs no inverse, nor a square matrix.
  check_input("linalg_cond", A, true, false);
  if (A.numel() == 0) return empty_conditions(A);
  const Tensor s = ember::linalg_svdvals(A);
  const Tensor largest = s.select(-1, 0), smallest = s.select(-1, s.size(-1) - 1);
  return !p || *p > 0 ? largest / smallest : smallest / largest;
}

Tensor linalg_cond_str_p(const Tensor& A, std::string_view p) {
  EMBER_CHECK(p == "fro" || p == "nuc", "[linalg_cond] p: expected 'fro' or 'nuc' (or a number), got '{}'", p);
  return condition_through_inverse(A, [&](const Tensor& m) { return ember::linalg_matrix_norm(m, p); });
}

}  // namespace ember::composite
