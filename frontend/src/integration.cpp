// The trapezoidal rule along a dimension: trapezoid sums the areas between neighbouring samples,
// cumulative_trapezoid keeps each running sum.
#include <algorithm>

#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

// The sums of neighbouring samples along d, y[i] + y[i + 1]: one fewer than the samples (none
// when there are none).
Tensor neighbour_sums(const Tensor& y, int64_t d) {
  const int64_t pairs = std::max<int64_t>(y.size(d) - 1, 0);
  return y.narrow(d, y.size(d) > 0 ? 1 : 0, pairs) + y.narrow(d, 0, pairs);
}

// The widths x[i + 1] - x[i] of the intervals between the sample points, shaped to multiply the
// neighbour sums of y: a 1-D x lies along d, any other x broadcasts against y.
Tensor widths(const Tensor& y, const Tensor& x, int64_t d, const char* op) {
  if (x.dim() == 1) {
    EMBER_CHECK(x.size(0) == y.size(d), "[{}] x: expected {} sample points, the size of dimension {} of y, got {}", op,
                y.size(d), d, x.size(0));
    DimVector shape(static_cast<size_t>(y.dim() - d), 1);
    shape[0] = std::max<int64_t>(x.size(0) - 1, 0);
    return (x.size(0) > 0 ? ember::diff(x) : x).reshape(shape);
  }
  EMBER_CHECK(x.dim() == y.dim(), "[{}] x: expected a 1-D tensor or {} dimensions as y, got {}", op, y.dim(), x.dim());
  return ember::diff(x, 1, d);
}

int64_t integration_dim(const Tensor& y, int64_t dim, const char* op) {
  EMBER_CHECK(y.dim() > 0, "[{}] y: expected at least one dimension, got a 0-dim tensor", op);
  return wrap_dim(dim, y.dim(), op);
}

}  // namespace

Tensor trapezoid_x(const Tensor& y, const Tensor& x, int64_t dim) {
  const int64_t d = integration_dim(y, dim, "trapezoid");
  return (neighbour_sums(y, d) * widths(y, x, d, "trapezoid")).sum(IntArrayRef{d}) / 2;
}

Tensor trapezoid_dx(const Tensor& y, const Scalar& dx, int64_t dim) {
  const int64_t d = integration_dim(y, dim, "trapezoid");
  return neighbour_sums(y, d).sum(IntArrayRef{d}) * dx / 2;
}

Tensor cumulative_trapezoid_x(const Tensor& y, const Tensor& x, int64_t dim) {
  const int64_t d = integration_dim(y, dim, "cumulative_trapezoid");
  return (neighbour_sums(y, d) * widths(y, x, d, "cumulative_trapezoid")).cumsum(d) / 2;
}

Tensor cumulative_trapezoid_dx(const Tensor& y, const Scalar& dx, int64_t dim) {
  const int64_t d = integration_dim(y, dim, "cumulative_trapezoid");
  return neighbour_sums(y, d).cumsum(d) * dx / 2;
}

}  // namespace ember::composite
