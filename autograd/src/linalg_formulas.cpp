// Backward formulas of the linear-algebra operators, on batches of real matrices. Each is derived
// from the differential of its factorisation; a symmetric input's gradient is symmetrised, since
// only symmetric perturbations keep the input in the operator's domain.
#include <algorithm>
#include <string>

#include "ember/autograd/formulas.h"
#include "ember/ember.h"

namespace ember::autograd {
namespace {

Tensor symmetrised(const Tensor& t) { return (t + t.mT()) * 0.5; }

Tensor identity_like(const Tensor& t, int64_t n) { return eye(n, std::nullopt, t.dtype(), t.device()); }

// The diagonal matrices whose diagonals are the last dimension of `d`.
Tensor diagonal_matrices(const Tensor& d) { return d.unsqueeze(-1) * identity_like(d, d.size(-1)); }

// F_ij = 1 / (x_j - x_i) off the diagonal, 0 on it: how the rotation between two eigenvectors (or
// singular vectors) answers a perturbation, for eigenvalues (or squared singular values) x.
Tensor inverse_gaps(const Tensor& x) {
  const Tensor gaps = x.unsqueeze(-2) - x.unsqueeze(-1);
  const Tensor off_diagonal = (1 - identity_like(x, x.size(-1))).to(DType::Bool);
  // The diagonal's zeros are replaced before dividing: an infinity there, though not selected,
  // would make the double backward 0 * inf.
  return where(off_diagonal, reciprocal(where(off_diagonal, gaps, ones_like(gaps))), zeros_like(gaps));
}

Tensor or_zeros(const Tensor& grad, const Tensor& like) { return grad.defined() ? grad : zeros_like(like); }

// A = Q R with Q [m, n], m >= n: dA = dQ R + Q dR splits, with Q^T dQ antisymmetric and
// dR R^-1 upper triangular, into gA = (gQ - Q S) R^-T, S the symmetric matrix with the upper
// triangle of M = Q^T gQ - gR R^T.
Tensor tall_qr_backward(const Tensor& grad_q, const Tensor& grad_r, const Tensor& q, const Tensor& r) {
  const Tensor m = matmul(q.mT(), grad_q) - matmul(grad_r, r.mT());
  const Tensor s = m.triu() + m.triu(1).mT();
  return linalg_solve_triangular(r.mT(), grad_q - matmul(q, s), false, false);
}

}  // namespace

Tensor cholesky_backward(const Tensor& grad, const Tensor& factor, bool upper) {
  // A = L L^T gives L^-1 dA L^-T = X + X^T with X = L^-1 dL lower triangular, so
  // dL = L Phi(L^-1 dA L^-T), Phi taking the lower triangle with the diagonal halved, and
  // gA = L^-T Phi(L^T gL) L^-1.
  const Tensor l = upper ? factor.mT() : factor;
  const Tensor grad_l = upper ? grad.mT() : grad;
  const Tensor p = matmul(l.mT(), grad_l);
  const Tensor phi = p.tril() - p * identity_like(p, p.size(-1)) * 0.5;
  const Tensor left = linalg_solve_triangular(l.mT(), phi, true, true);
  return symmetrised(linalg_solve_triangular(l, left, false, false));
}

Tensor solve_triangular_backward_self(const Tensor& grad, const Tensor& self, const Tensor& result, bool upper,
                                      bool left, bool unitriangular) {
  const Tensor grad_b = linalg_solve_triangular(self.mT(), grad, !upper, left, unitriangular);
  const Tensor grad_a = left ? -matmul(grad_b, result.mT()) : -matmul(result.mT(), grad_b);
  // Only the triangle the solve read has a gradient; with unitriangular, not its diagonal.
  return upper ? grad_a.triu(unitriangular ? 1 : 0) : grad_a.tril(unitriangular ? -1 : 0);
}

Tensor solve_backward_A(const Tensor& grad, const Tensor& A, const Tensor& result, bool left) {
  // A X = B: gB = A^-T g and gA = -gB X^T; X A = B: gB = g A^-T and gA = -X^T gB. A vector X is a
  // column on the left, a row on the right.
  const Tensor grad_b = linalg_solve(A.mT(), grad, left);
  const bool vector = result.dim() == A.dim() - 1;
  const int64_t axis = left ? -1 : -2;
  const Tensor x = vector ? result.unsqueeze(axis) : result;
  const Tensor g = vector ? grad_b.unsqueeze(axis) : grad_b;
  return left ? -matmul(g, x.mT()) : -matmul(x.mT(), g);
}

Tensor slogdet_backward(const Tensor& grad_logabsdet, const Tensor& A) {
  // d log|det A| = tr(A^-1 dA).
  return grad_logabsdet.unsqueeze(-1).unsqueeze(-1) * linalg_inv(A).mT();
}

Tensor det_backward(const Tensor& grad, const Tensor& A, const Tensor& det) {
  const Tensor g = grad.unsqueeze(-1).unsqueeze(-1);
  const Tensor singular = eq(det, 0);
  const Tensor singular_matrices = singular.unsqueeze(-1).unsqueeze(-1);
  // Invertible: the cofactor matrix is det A^-T. The singular matrices are inverted as the
  // identity instead (linalg_inv refuses them) and answered below.
  const Tensor invertible = where(singular_matrices, zeros_like(A) + identity_like(A, A.size(-1)), A);
  const Tensor through_inverse = g * det.unsqueeze(-1).unsqueeze(-1) * linalg_inv(invertible).mT();
  if (!any(singular).item<bool>()) return through_inverse;
  // A = U diag(s) Vh: the cofactor matrix is det(U) det(Vh) U diag(prod of the other s) Vh.
  const auto [U, S, Vh] = linalg_svd(A, false);
  const int64_t n = S.size(-1);
  const auto exclusive_products = [n](const Tensor& s) {  // prod_{j < i} s_j
    return cat({ones_like(s.narrow(-1, 0, 1)), s.cumprod(-1).narrow(-1, 0, n - 1)}, -1);
  };
  const Tensor others = exclusive_products(S) * exclusive_products(S.flip({-1})).flip({-1});
  const Tensor orientation = std::get<0>(linalg_slogdet(U)) * std::get<0>(linalg_slogdet(Vh));
  const Tensor cofactors = orientation.unsqueeze(-1).unsqueeze(-1) * matmul(U * others.unsqueeze(-2), Vh);
  return where(singular_matrices, g * cofactors, through_inverse);
}

// Note [LU backward]
// P^T A = L U with L [m, k] unit lower and U [k, n] upper, k = min(m, n). For a square block,
// L^-1 P^T dA U^-1 = L^-1 dL + dU U^-1 splits into its strictly lower part (dL) and its upper
// part (dU), so gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T. A wide A = P L [U1 U2] adds
// dU2 = L^-1 (P^T dA2 - dL U2): gA2 = P L^-T gU2, and L^T gL loses gU2 U2^T. A tall
// P^T A = [L1; L2] U adds dL2 = (dA2 - L2 dU) U^-1: gA2 = gL2 U^-T, and gU U^T loses L2^T gL2.
Tensor lu_factor_backward(const Tensor& grad_lu, const Tensor& lu, const Tensor& pivots) {
  const int64_t m = lu.size(-2), n = lu.size(-1), k = std::min(m, n);
  const auto [P, L, U] = lu_unpack(lu, pivots);
  const Tensor g = or_zeros(grad_lu, lu);
  const Tensor grad_l = g.narrow(-1, 0, k).tril(-1), grad_u = g.narrow(-2, 0, k).triu();
  const Tensor l1 = L.narrow(-2, 0, k), u1 = U.narrow(-1, 0, k);
  Tensor lower = matmul(l1.mT(), grad_l.narrow(-2, 0, k)), upper = matmul(grad_u.narrow(-1, 0, k), u1.mT());
  if (n > m) lower = lower - matmul(grad_u.narrow(-1, k, n - k), U.narrow(-1, k, n - k).mT());
  if (m > n) upper = upper - matmul(L.narrow(-2, k, m - k).mT(), grad_l.narrow(-2, k, m - k));
  const Tensor core = linalg_solve_triangular(l1.mT(), lower.tril(-1) + upper.triu(), true, true, true);
  Tensor grad_a = linalg_solve_triangular(u1.mT(), core, false, false);
  if (n > m) {
    grad_a = cat({grad_a, linalg_solve_triangular(l1.mT(), grad_u.narrow(-1, k, n - k), true, true, true)}, -1);
  }
  if (m > n) grad_a = cat({grad_a, linalg_solve_triangular(u1.mT(), grad_l.narrow(-2, k, m - k), false, false)}, -2);
  return matmul(P, grad_a);
}

Tensor qr_backward(const Tensor& grad_q, const Tensor& grad_r, const Tensor& q, const Tensor& r,
                   std::string_view mode) {
  EMBER_CHECK(mode != "r", "[linalg_qr] A: mode='r' computes no Q, so it has no derivative; use mode='reduced'");
  const int64_t m = q.size(-2), n = r.size(-1);
  EMBER_CHECK(mode != "complete" || m <= n, "[linalg_qr] A: the derivative of mode='complete' is defined only for "
              "m <= n (got {} x {}); use mode='reduced'", m, n);
  const Tensor gq = or_zeros(grad_q, q), gr = or_zeros(grad_r, r);
  if (m >= n) return tall_qr_backward(gq, gr, q, r);
  // A = [X | Y] with X square: X = Q R1 and Y = Q R2, so R2 = Q^T Y adds Y gR2^T to Q's gradient.
  const Tensor y = matmul(q, r.narrow(-1, m, n - m));
  const Tensor grad_r2 = gr.narrow(-1, m, n - m);
  const Tensor grad_x = tall_qr_backward(gq + matmul(y, grad_r2.mT()), gr.narrow(-1, 0, m), q, r.narrow(-1, 0, m));
  return cat({grad_x, matmul(q, grad_r2)}, -1);
}

Tensor eigh_backward(const Tensor& grad_values, const Tensor& grad_vectors, const Tensor& values,
                     const Tensor& vectors) {
  // A = V diag(L) V^T: dL = diag(V^T dA V) and dV = V (F o V^T dA V), so, symmetrised,
  // gA = V (diag(gL) + F o (M - M^T) / 2) V^T with M = V^T gV.
  Tensor inner = diagonal_matrices(or_zeros(grad_values, values));
  if (grad_vectors.defined()) {
    const Tensor m = matmul(vectors.mT(), grad_vectors);
    inner = inner + inverse_gaps(values) * (m - m.mT()) * 0.5;
  }
  return matmul(matmul(vectors, inner), vectors.mT());
}

Tensor svd_backward(const Tensor& grad_u, const Tensor& grad_s, const Tensor& grad_vh, const Tensor& U,
                    const Tensor& S, const Tensor& Vh, bool full_matrices) {
  const int64_t m = U.size(-2), n = Vh.size(-1), k = S.size(-1);
  const bool vectors = grad_u.defined() || grad_vh.defined();
  EMBER_CHECK(!full_matrices || !vectors || m == n, "[linalg_svd] A: with full_matrices and a {} x {} matrix, U "
              "and Vh are not unique, so they have no derivative; use full_matrices=False", m, n);
  // Only the first k singular vectors have a derivative: full_matrices's others are any basis.
  const Tensor u = U.narrow(-1, 0, k), v = Vh.narrow(-2, 0, k).mT();
  Tensor inner = diagonal_matrices(or_zeros(grad_s, S));
  if (!vectors) return matmul(matmul(u, inner), v.mT());
  const Tensor gu = or_zeros(grad_u, U).narrow(-1, 0, k), gv = or_zeros(grad_vh, Vh).narrow(-2, 0, k).mT();
  // With F_ij = 1 / (s_j^2 - s_i^2): the rotations among the first k vectors, then the parts of
  // gU and gV outside their spans, which only exist for a non-square A.
  const Tensor f = inverse_gaps(S * S), s = S.unsqueeze(-2);
  const Tensor ju = matmul(u.mT(), gu), jv = matmul(v.mT(), gv);
  inner = inner + f * (ju - ju.mT()) * s + s.mT() * f * (jv - jv.mT());
  Tensor grad = matmul(matmul(u, inner), v.mT());
  const Tensor inverse_s = reciprocal(S).unsqueeze(-2);
  if (m > k) grad = grad + matmul((gu - matmul(u, ju)) * inverse_s, v.mT());
  if (n > k) grad = grad + matmul(u * inverse_s, (gv - matmul(v, jv)).mT());
  return grad;
}

}  // namespace ember::autograd
