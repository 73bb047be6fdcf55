#include "ember/autograd/formulas.h"

#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/recording.h"
#include "ember/ember.h"

namespace ember::autograd {

Tensor moved_like(const Tensor& t, const Tensor& like) { return t.to(like.device()); }

Tensor scalar_like(const Tensor& like, double value) { return scalar_tensor(value, like.dtype(), like.device()); }

Tensor clamp_mask(const Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  Tensor mask = scalar_like(x, 1);
  // Bounds as wrapped numbers: compared in x's dtype, so a bound past its range (clamp(x, -1e300)
  // on float32) works as in the forward rather than failing as a fill of that dtype.
  if (min) mask = mask * ge(x, wrapped_number(*min, x.device()));
  if (max) mask = mask * le(x, wrapped_number(*max, x.device()));
  return mask;
}

Tensor gelu_derivative(const Tensor& x, std::string_view approximate) {
  if (approximate == "tanh") {
    const double k = std::sqrt(2.0 / M_PI);
    const Tensor inner = (x + x * x * x * 0.044715) * k;
    const Tensor t = tanh(inner);
    const Tensor d_inner = (x * x * (3 * 0.044715) + 1) * k;
    return (t + 1) * 0.5 + x * 0.5 * (1 - t * t) * d_inner;
  }
  const Tensor cdf = (erf(x * M_SQRT1_2) + 1) * 0.5;
  const Tensor pdf = exp(x * x * -0.5) * (1 / std::sqrt(2 * M_PI));
  return cdf + x * pdf;
}

Tensor logaddexp_share(const Tensor& x, const Tensor& y, const Tensor& result) {
  const Tensor x_at = eq(x, result).to(result.dtype()), y_at = eq(y, result).to(result.dtype());
  return where(isinf(result), x_at / (x_at + y_at).clamp_min(1), exp(x - result));
}

Tensor extreme_backward(const Tensor& grad, const Tensor& self, const Tensor& result, IntArrayRef dim, bool keepdim) {
  const Tensor mask = eq(self, sum_backward(result, self.sizes(), dim, keepdim)).to(grad.dtype());
  const Tensor count = sum_backward(mask.sum(dim, keepdim), self.sizes(), dim, keepdim);
  return sum_backward(grad, self.sizes(), dim, keepdim) * mask / count;
}

// The slices without zeros take result / x; the division meets no zero there, since the zeros are
// replaced by ones first (so that the masked-off branches stay finite for a second derivative).
Tensor prod_backward(const Tensor& grad, const Tensor& self, const Tensor& result, IntArrayRef dim, bool keepdim) {
  const auto expanded = [&](const Tensor& reduced) { return sum_backward(reduced, self.sizes(), dim, keepdim); };
  const Tensor zero = scalar_like(self, 0);
  const Tensor is_zero = eq(self, zero);
  const Tensor nonzero_self = where(is_zero, scalar_like(self, 1), self);
  const Tensor zeros_in_slice = expanded(is_zero.sum(dim, keepdim));
  const Tensor g = expanded(grad);
  const Tensor without_zeros = g * expanded(result) / nonzero_self;
  const Tensor at_the_zero = where(is_zero, g * expanded(nonzero_self.prod(dim, keepdim)), zero);
  return where(eq(zeros_in_slice, 0), without_zeros, where(eq(zeros_in_slice, 1), at_the_zero, zero));
}

Tensor cumprod_backward(const Tensor& grad, const Tensor& self, int64_t dim, const Tensor& result) {
  if (self.dim() == 0) return grad;
  const auto reversed_cumsum = [dim](const Tensor& t) { return t.flip({dim}).cumsum(dim).flip({dim}); };
  const Tensor zero = scalar_like(self, 0);
  const Tensor is_zero = eq(self, zero);
  const Tensor zeros_so_far = is_zero.cumsum(dim);  // counting this position
  const Tensor before_first_zero = eq(zeros_so_far, 0);
  const Tensor at_first_zero = logical_and(is_zero, eq(zeros_so_far, 1));
  // Before the first zero the division is exact: every product it undoes holds that element.
  const Tensor nonzero_self = where(is_zero, scalar_like(self, 1), self);
  const Tensor before = reversed_cumsum(grad * result) / nonzero_self;
  // At it: the running products with that one element taken as 1.
  const Tensor skipping = where(at_first_zero, scalar_like(self, 1), self).cumprod(dim);
  const Tensor at = reversed_cumsum(grad * skipping);
  return where(before_first_zero, before, where(at_first_zero, at, zero));
}

namespace {

// `slope(x)` where self is not 0 and `limit` where it is; x is self with its zeros taken as 1, so
// that the branch not taken holds no 0/0.
template <typename Slope>
Tensor with_limit_at_zero(const Tensor& self, double limit, Slope slope) {
  const Tensor at_zero = eq(self, scalar_like(self, 0));
  const Tensor x = where(at_zero, scalar_like(self, 1), self);
  return where(at_zero, scalar_like(self, limit), slope(x));
}

}  // namespace

Tensor bessel_order_one_backward(const Tensor& grad, const Tensor& self, const Tensor& result, const Tensor& leading) {
  return grad * with_limit_at_zero(self, 0.5, [&](const Tensor& x) { return leading - result / x; });
}

Tensor spherical_bessel_j0_backward(const Tensor& grad, const Tensor& self, const Tensor& result) {
  return grad * with_limit_at_zero(self, 0, [&](const Tensor& x) { return (cos(self) - result) / x; });
}

Tensor not_implemented(const char* op, const char* input) {
  EMBER_FAIL("[{}] the derivative for {} is not implemented", op, input);
}

Tensor norm_backward(const Tensor& grad, const Tensor& self, const Scalar& p, const Tensor& result,
                     IntArrayRef dim, bool keepdim) {
  const double order = p.to_double();
  if (order == 0) return zeros(self.sizes(), self.dtype(), self.device());
  if (std::isinf(order)) return extreme_backward(grad, abs(self), result, dim, keepdim) * sign(self);
  const Tensor g = sum_backward(grad, self.sizes(), dim, keepdim);
  const Tensor norm = sum_backward(result, self.sizes(), dim, keepdim);
  const Tensor zero = scalar_like(self, 0);
  const Tensor power = wrapped_number(order - 1, self.device());
  // |x|^(p-1) is infinite at x = 0 for p < 1, where the gradient is taken as 0, as PyTorch's.
  const Tensor scaled = (sign(self) * pow(abs(self), power)).masked_fill(eq(self, zero), 0);
  const Tensor per_norm = g / pow(norm, power);
  return scaled * per_norm.masked_fill(eq(norm, zero), 0);
}

Tensor var_backward(const Tensor& grad, const Tensor& self, IntArrayRef dim, int64_t correction, bool keepdim) {
  const double n = static_cast<double>(reduced_numel(self.sizes(), dim));
  const Tensor centred = self - self.mean(dim, true);
  return sum_backward(grad, self.sizes(), dim, keepdim) * centred * (2.0 / (n - static_cast<double>(correction)));
}

Tensor value_selection_backward(const Tensor& grad, int64_t dim, const Tensor& indices, IntArrayRef sizes,
                                bool keepdim) {
  const int64_t d = wrap_dim(dim, static_cast<int64_t>(sizes.size()), "value_selection_backward");
  const Tensor g = keepdim ? grad : grad.unsqueeze(d);
  const Tensor i = keepdim ? indices : indices.unsqueeze(d);
  return scatter_add(zeros(sizes, grad.dtype(), grad.device()), d, i, g);
}

Tensor max_pool2d_backward(const Tensor& grad, IntArrayRef self_sizes, const Tensor& indices) {
  const int64_t n = self_sizes[0], c = self_sizes[1];
  const Tensor planes = zeros({n, c, self_sizes[2] * self_sizes[3]}, grad.dtype(), grad.device());
  return scatter_add(planes, 2, indices.reshape({n, c, -1}), grad.reshape({n, c, -1})).reshape(self_sizes);
}

// Written with operators (no copy into a view), so that it is itself differentiable: the
// gradient is padded to the plane's side that indexes the diagonal, broadcast across the other
// side, masked to the diagonal, and the plane's two dimensions moved back to dim1 and dim2.
Tensor diagonal_backward(const Tensor& grad, IntArrayRef sizes, int64_t offset, int64_t dim1, int64_t dim2) {
  const int64_t n = static_cast<int64_t>(sizes.size());
  const int64_t d1 = wrap_dim(dim1, n, "diagonal_backward"), d2 = wrap_dim(dim2, n, "diagonal_backward");
  const int64_t rows = sizes[d1], cols = sizes[d2], length = grad.size(-1);
  const Tensor row = arange(rows, DType::Int64, grad.device()).unsqueeze(1);
  const Tensor on_diagonal = (arange(cols, DType::Int64, grad.device()) - row) == offset;
  const bool by_row = offset >= 0;  // above the main diagonal, element k is in row k
  DimVector pad_shape(grad.sizes());
  pad_shape[pad_shape.size() - 1] = (by_row ? rows : cols) - length;
  const Tensor padded = cat({grad, zeros(pad_shape, grad.dtype(), grad.device())}, -1);
  const Tensor plane = (by_row ? padded.unsqueeze(-1) : padded.unsqueeze(-2)) * on_diagonal;
  return plane.movedim({n - 2, n - 1}, {d1, d2});
}

Tensor slice_backward(const Tensor& grad, IntArrayRef sizes, int64_t dim, std::optional<int64_t> start,
                      std::optional<int64_t> end, int64_t step) {
  Tensor out = zeros(sizes, grad.dtype(), grad.device());
  out.slice(dim, start, end, step).copy_(grad);
  return out;
}

Tensor select_backward(const Tensor& grad, IntArrayRef sizes, int64_t dim, int64_t index) {
  Tensor out = zeros(sizes, grad.dtype(), grad.device());
  out.select(dim, index).copy_(grad);
  return out;
}

}  // namespace ember::autograd
