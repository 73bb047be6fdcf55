// The Cholesky factor beyond the factorisation itself (linalg_cholesky_ex, a backend operator):
// the factorisation with its errors checked, and solving and inverting with the factor. Both go
// through triangular solves, so autograd differentiates them with respect to the factor and the
// right-hand side.
#include "ember/core/matrix_shape.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "identity_matrices.h"

namespace ember::composite {
namespace {

// A X = B with A = L L^T: L Y = B, then L^T X = Y. An upper factor U (A = U^T U) is read as
// L = U^T.
Tensor solve_with_factor(const Tensor& B, const Tensor& factor, bool upper) {
  const Tensor lower = upper ? factor.mT() : factor;
  const Tensor y = ember::linalg_solve_triangular(lower, B, false);
  return ember::linalg_solve_triangular(lower.mT(), y, true);
}

}  // namespace

Tensor linalg_cholesky(const Tensor& self, bool upper) {
  ember::check_matrices("linalg_cholesky", "self", self.dtype(), self.sizes(), true, true);
  return std::get<0>(ember::linalg_cholesky_ex(self, upper, true));
}

// self is B, input2 the factor (PyTorch's names).
Tensor cholesky_solve(const Tensor& self, const Tensor& input2, bool upper) {
  ember::check_matrices("cholesky_solve", "input2", input2.dtype(), input2.sizes(), true, true);
  EMBER_CHECK(self.dim() >= 2, "[cholesky_solve] self: expected a matrix or a batch of them, got shape {}",
              shape_str(self.sizes()));
  const int64_t n = input2.size(-1);
  EMBER_CHECK(self.size(-2) == n, "[cholesky_solve] self: expected {} rows to match input2's {}x{} factors, got shape {}",
              n, n, n, shape_str(self.sizes()));
  return solve_with_factor(self, input2, upper);
}

Tensor cholesky_inverse(const Tensor& self, bool upper) {
  ember::check_matrices("cholesky_inverse", "self", self.dtype(), self.sizes(), true, true);
  return solve_with_factor(identities_like(self), self, upper);
}

}  // namespace ember::composite
