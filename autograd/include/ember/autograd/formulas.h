// Helpers for backward formulas in ops.yaml, composed of frontend operators only, so they run
// on every device and are themselves differentiable.
#pragma once

#include <optional>
#include <string_view>

#include "ember/core/tensor.h"

namespace ember::autograd {

// `t` on the device of `like` (the backward of a move between devices).
Tensor moved_like(const Tensor& t, const Tensor& like);
// A 0-dim tensor of `value` with `like`'s dtype and device.
Tensor scalar_like(const Tensor& like, double value);
// 1 where clamp passes x through (between the bounds given), else 0, in x's dtype.
Tensor clamp_mask(const Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max);
// d gelu(x) / dx for approximate 'none' or 'tanh'.
Tensor gelu_derivative(const Tensor& x, std::string_view approximate);
// d logaddexp(x, y) / dx = exp(x - result), x's share of the sum; where the result is infinite,
// split among the operands equal to it, as maximum's gradient is.
Tensor logaddexp_share(const Tensor& x, const Tensor& y, const Tensor& result);
// amax/amin: the gradient goes to the elements equal to the result, shared evenly among ties.
Tensor extreme_backward(const Tensor& grad, const Tensor& self, const Tensor& result, IntArrayRef dim, bool keepdim);
// prod: the product of the slice's other elements times the expanded gradient; where the slice
// holds one zero, only that element has a gradient, and with more than one, none has.
Tensor prod_backward(const Tensor& grad, const Tensor& self, const Tensor& result, IntArrayRef dim, bool keepdim);
// cumprod's: reversed cumulative sums of grad * result over self before a row's first zero; at
// that zero the products that skip it; past it nothing (every product holds the zero).
Tensor cumprod_backward(const Tensor& grad, const Tensor& self, int64_t dim, const Tensor& result);
// norm: sign(x) |x|^(p-1) / norm^(p-1) times the expanded gradient (0 where the norm is 0, and
// the extreme_backward of |x| for p = +-inf, 0 for p = 0).
Tensor norm_backward(const Tensor& grad, const Tensor& self, const Scalar& p, const Tensor& result,
                     IntArrayRef dim, bool keepdim);
// var: 2 (x - mean) / (N - correction), times the expanded gradient.
Tensor var_backward(const Tensor& grad, const Tensor& self, IntArrayRef dim, int64_t correction, bool keepdim);
// max.dim and min.dim: each gradient goes to the element its index picked along `dim`.
Tensor value_selection_backward(const Tensor& grad, int64_t dim, const Tensor& indices, IntArrayRef sizes,
                                bool keepdim);
// max_pool2d_with_indices: each output's gradient goes to the input element it was taken from
// (indices are flat positions in each [H, W] plane).
Tensor max_pool2d_backward(const Tensor& grad, IntArrayRef self_sizes, const Tensor& indices);
// diagonal: the gradient (the last dimension) laid on the diagonal of zeros of the input's shape.
Tensor diagonal_backward(const Tensor& grad, IntArrayRef sizes, int64_t offset, int64_t dim1, int64_t dim2);
// slice and select: the gradient placed into zeros of the input's shape.
Tensor slice_backward(const Tensor& grad, IntArrayRef sizes, int64_t dim, std::optional<int64_t> start,
                      std::optional<int64_t> end, int64_t step);
Tensor select_backward(const Tensor& grad, IntArrayRef sizes, int64_t dim, int64_t index);

// scatter_add, scatter and scatter_reduce's sum (scatter_formulas.cpp): grad gathered along the
// index for src, zero past the index's extent (src may be larger than index).
Tensor scattered_src_backward(const Tensor& grad, int64_t dim, const Tensor& index, IntArrayRef src_sizes);
// scatter_reduce: sum and mean pass the gradient (divided by the count)
// back along the index; prod's is the product of the other values, exact at zeros; amax and
// amin share it evenly among the values equal to the result. Left out, self takes gradient only
// where nothing was scattered.
Tensor scatter_reduce_backward_self(const Tensor& grad, const Tensor& self, int64_t dim, const Tensor& index,
                                    const Tensor& src, std::string_view reduce, bool include_self,
                                    const Tensor& result);
Tensor scatter_reduce_backward_src(const Tensor& grad, const Tensor& self, int64_t dim, const Tensor& index,
                                   const Tensor& src, std::string_view reduce, bool include_self,
                                   const Tensor& result);

// An order-one Bessel function whose derivative is `leading` - result / x (special_i1: I0;
// special_i1e: I0e - sign(x) I1e; special_bessel_j1: J0): 1/2 at x = 0, where the quotient is 0/0.
Tensor bessel_order_one_backward(const Tensor& grad, const Tensor& self, const Tensor& result, const Tensor& leading);
// special_spherical_bessel_j0, sin(x) / x: (cos x - result) / x, 0 at x = 0.
Tensor spherical_bessel_j0_backward(const Tensor& grad, const Tensor& self, const Tensor& result);

// The gradient an operator does not define (special_zeta's in self, as PyTorch's): backward raises
// "[op] the derivative for input is not implemented" rather than passing zeros on.
[[noreturn]] Tensor not_implemented(const char* op, const char* input);

// Linear algebra (linalg_formulas.cpp); an undefined output gradient reads as zeros.
// linalg_cholesky: gA = L^-T Phi(L^T gL) L^-1, symmetrised (Phi: lower triangle, halved diagonal).
Tensor cholesky_backward(const Tensor& grad, const Tensor& factor, bool upper);
// linalg_solve_triangular's gradient for the triangular matrix, confined to the triangle read.
Tensor solve_triangular_backward_self(const Tensor& grad, const Tensor& self, const Tensor& result, bool upper,
                                      bool left, bool unitriangular);
// linalg_solve's gradient for A: -A^-T g X^T (left) or -X^T g A^-T.
Tensor solve_backward_A(const Tensor& grad, const Tensor& A, const Tensor& result, bool left);
// linalg_slogdet: g A^-T per matrix.
Tensor slogdet_backward(const Tensor& grad_logabsdet, const Tensor& A);
// linalg_det: g times the cofactor matrix, det A^-T where A is invertible and through the SVD
// where it is singular (so a singular matrix has its finite gradient).
Tensor det_backward(const Tensor& grad, const Tensor& A, const Tensor& det);
// linalg_lu_factor_ex, from the packed factors' gradient: square, wide and tall matrices.
Tensor lu_factor_backward(const Tensor& grad_lu, const Tensor& lu, const Tensor& pivots);
// linalg_qr, for modes 'reduced' and (m <= n) 'complete'.
Tensor qr_backward(const Tensor& grad_q, const Tensor& grad_r, const Tensor& q, const Tensor& r,
                   std::string_view mode);
// linalg_eigh, symmetrised; infinite where eigenvalues repeat and eigenvectors have a gradient.
Tensor eigh_backward(const Tensor& grad_values, const Tensor& grad_vectors, const Tensor& values,
                     const Tensor& vectors);
// linalg_svd; infinite where singular values repeat and U or Vh have a gradient.
Tensor svd_backward(const Tensor& grad_u, const Tensor& grad_s, const Tensor& grad_vh, const Tensor& U,
                    const Tensor& S, const Tensor& Vh, bool full_matrices);

}  // namespace ember::autograd
