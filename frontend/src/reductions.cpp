// Reductions written with other operators: std, norm, any and all, sort and argsort (topk of
// every element), and logsumexp computed past the largest element.
#include <cmath>

#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "floating.h"
#include "marked_dims.h"

namespace ember::composite {
namespace {

// The checks the inner reductions would make, made here so that an error names `op`.
void check_reduced_dims(const Tensor& self, IntArrayRef dims, const char* op) { marked_dims(self, dims, op, "dim"); }

}  // namespace

Tensor std(const Tensor& self, OptionalIntArrayRef dim, int64_t correction, bool keepdim) {
  check_floating("std", "self", self);
  if (dim) check_reduced_dims(self, *dim, "std");
  return sqrt(var(self, dim, correction, keepdim));
}

Tensor norm(const Tensor& self, const Scalar& p, OptionalIntArrayRef dim, bool keepdim) {
  check_floating("norm", "self", self);
  const double order = p.to_double();
  EMBER_CHECK(!std::isnan(order), "[norm] p: expected a number, got nan");
  const std::vector<bool> reduced = dim ? marked_dims(self, *dim, "norm", "dim") : std::vector<bool>(self.dim(), true);
  const Tensor magnitude = abs(self);
  if (std::isinf(order)) {
    // The largest magnitude of nothing has no value; amax would refuse it under its own name.
    for (int64_t d = 0; d < self.dim(); ++d) {
      EMBER_CHECK(!reduced[d] || self.size(d) > 0, "[norm] self: an infinity norm over dimension {} "
                  "of size 0 has no value", d);
    }
    return order > 0 ? amax(magnitude, dim, keepdim) : amin(magnitude, dim, keepdim);
  }
  if (order == 0) return ne(self, wrapped_number(0, self.device())).to(self.dtype()).sum(dim, keepdim);
  if (order == 1) return magnitude.sum(dim, keepdim);
  if (order == 2) return sqrt((self * self).sum(dim, keepdim));
  const Tensor powered = pow(magnitude, wrapped_number(p, self.device()));
  return pow(powered.sum(dim, keepdim), wrapped_number(1 / order, self.device()));
}

Tensor logsumexp(const Tensor& self, IntArrayRef dim, bool keepdim) {
  check_reduced_dims(self, dim, "logsumexp");
  const Tensor x = as_floating(self);
  // amax refuses an empty reduction; without elements there is nothing to overflow, and the
  // plain formula gives log(0) = -inf, the value of an empty sum of exponentials.
  if (x.numel() == 0) return log(sum(exp(x), dim, keepdim));
  // exp(x - max) cannot overflow, and its sum is at least 1. An infinite max is not subtracted
  // (inf - inf is NaN): the result is that infinity either way.
  const Tensor max = amax(x, dim, true);
  const Tensor shift = max.masked_fill(eq(abs(max), scalar_tensor(INFINITY, x.dtype(), x.device())), 0);
  const Tensor out = log(sum(exp(x - shift), dim, keepdim));
  return out + shift.reshape(out.sizes());
}

Tensor max(const Tensor& self) { return amax(self); }
Tensor min(const Tensor& self) { return amin(self); }

// Counting rather than taking the extreme: an empty reduction is then defined (any false, all true).
Tensor any(const Tensor& self, OptionalIntArrayRef dim, bool keepdim) {
  if (dim) check_reduced_dims(self, *dim, "any");
  const Tensor nonzero = ne(self, scalar_tensor(0, self.dtype(), self.device()));
  return gt(nonzero.sum(dim, keepdim), scalar_tensor(0, DType::Int64, self.device()));
}

Tensor count_nonzero(const Tensor& self, OptionalIntArrayRef dim) {
  if (dim) check_reduced_dims(self, *dim, "count_nonzero");
  return ne(self, scalar_tensor(0, self.dtype(), self.device())).sum(dim);
}

Tensor all(const Tensor& self, OptionalIntArrayRef dim, bool keepdim) {
  if (dim) check_reduced_dims(self, *dim, "all");
  const Tensor zero = eq(self, scalar_tensor(0, self.dtype(), self.device()));
  return eq(zero.sum(dim, keepdim), scalar_tensor(0, DType::Int64, self.device()));
}

std::tuple<Tensor, Tensor> sort(const Tensor& self, int64_t dim, bool descending) {
  const int64_t d = wrap_dim(dim, self.dim(), "sort");
  return topk(self, self.dim() == 0 ? 1 : self.size(d), d, descending, true);
}

Tensor argsort(const Tensor& self, int64_t dim, bool descending) {
  return std::get<1>(ember::sort(self, dim, descending));
}

std::tuple<Tensor, Tensor> var_mean(const Tensor& self, OptionalIntArrayRef dim, int64_t correction, bool keepdim) {
  return {self.var(dim, correction, keepdim), self.mean(dim, keepdim)};
}

std::tuple<Tensor, Tensor> std_mean(const Tensor& self, OptionalIntArrayRef dim, int64_t correction, bool keepdim) {
  return {self.std(dim, correction, keepdim), self.mean(dim, keepdim)};
}

// The k-th of the ascending order along dim (NaN last), its index beside it.
std::tuple<Tensor, Tensor> kthvalue(const Tensor& self, int64_t k, int64_t dim, bool keepdim) {
  const int64_t d = self.dim() == 0 ? 0 : wrap_dim(dim, self.dim(), "kthvalue");
  const int64_t n = self.dim() == 0 ? 1 : self.size(d);
  EMBER_CHECK(k >= 1 && k <= n, "[kthvalue] k: expected a value in [1, {}], got {}", n, k);
  auto [values, indices] = ember::topk(self, k, d, false, true);
  if (self.dim() == 0) return {values, indices};
  values = values.narrow(d, k - 1, 1);
  indices = indices.narrow(d, k - 1, 1);
  return {keepdim ? values : values.squeeze(d), keepdim ? indices : indices.squeeze(d)};
}

// msort: the values of the ascending order along the first dimension.
Tensor msort(const Tensor& self) { return std::get<0>(ember::sort(self, 0, false)); }

std::tuple<Tensor, Tensor> aminmax(const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  if (!dim) return {self.amin(std::nullopt, keepdim), self.amax(std::nullopt, keepdim)};
  return {self.amin(IntArrayRef{*dim}, keepdim), self.amax(IntArrayRef{*dim}, keepdim)};
}

namespace {

// The median's dimension of self, wrapped, with the rows along it checked to hold an element.
int64_t median_dim_of(const Tensor& self, int64_t dim, const char* op) {
  const int64_t d = self.dim() == 0 ? 0 : wrap_dim(dim, self.dim(), op);
  EMBER_CHECK(self.dim() == 0 || self.size(d) > 0, "[{}] self: cannot take the median of dimension {} of size 0", op, d);
  return d;
}

// The sorted values along d at `position` (int64, shaped as them with d of size 1) and their
// original indices, d kept or squeezed.
std::tuple<Tensor, Tensor> picked(const Tensor& values, const Tensor& indices, int64_t d, const Tensor& position,
                                  bool keepdim) {
  const Tensor value = values.gather(d, position), index = indices.gather(d, position);
  return {keepdim ? value : value.squeeze(d), keepdim ? index : index.squeeze(d)};
}

// The ascending order's values along d at `position` and their indices; a 0-dim self is its own
// median.
std::tuple<Tensor, Tensor> sorted_at(const Tensor& self, int64_t d, const Tensor& position, bool keepdim) {
  if (self.dim() == 0) return {self.clone(), ember::zeros({}, DType::Int64, self.device())};
  const auto [values, indices] = ember::sort(self, d, false);
  return picked(values, indices, d, position, keepdim);
}

// The number of elements in each row along d that are not NaN, shaped as self with d of size 1.
Tensor numbers_along(const Tensor& self, int64_t d) {
  return ember::logical_not(ember::isnan(self)).sum(IntArrayRef{d}, true);
}

}  // namespace

// The lower median, or the first NaN of the ascending order where a row holds one (so NaN wins,
// as in PyTorch).
std::tuple<Tensor, Tensor> median_dim(const Tensor& self, int64_t dim, bool keepdim) {
  const int64_t d = median_dim_of(self, dim, "median");
  if (self.dim() == 0) return sorted_at(self, d, Tensor(), keepdim);
  const int64_t n = self.size(d);
  DimVector shape(self.sizes());
  shape[d] = 1;
  Tensor position = ember::full(shape, (n - 1) / 2, DType::Int64, self.device());
  if (is_floating(self.dtype())) {
    const Tensor numbers = numbers_along(self, d);
    position = ember::where(lt(numbers, n), numbers, position);  // the first NaN, last in the order
  }
  return sorted_at(self, d, position, keepdim);
}

Tensor median(const Tensor& self) {
  EMBER_CHECK(self.numel() > 0, "[median] self: cannot take the median of an empty tensor");
  return std::get<0>(ember::median(self.reshape({-1}), 0, false));
}

// The lower median of each row's numbers: NaN sorts last, so a row of k numbers has it at
// (k - 1) / 2 of the ascending order; a row of NaNs alone gives its first NaN.
std::tuple<Tensor, Tensor> nanmedian_dim(const Tensor& self, int64_t dim, bool keepdim) {
  if (!is_floating(self.dtype())) return ember::median(self, dim, keepdim);
  const int64_t d = median_dim_of(self, dim, "nanmedian");
  if (self.dim() == 0) return sorted_at(self, d, Tensor(), keepdim);
  return sorted_at(self, d, floor_divide((numbers_along(self, d) - 1).clamp_min(0), 2), keepdim);
}

// Note [Mode by runs]
// In the ascending order a run of equal values starts wherever a value differs from the one
// before it (every NaN differs, so each is a run of its own). Each position's run number, the
// runs' lengths (a scatter_add of ones) read back at every position, give the longest length;
// the first run that long holds the smallest value tied, and its last position is the value's
// last occurrence, the sort keeping ties in index order.
std::tuple<Tensor, Tensor> mode(const Tensor& self, int64_t dim, bool keepdim) {
  if (self.dim() == 0) return sorted_at(self, 0, Tensor(), keepdim);
  const int64_t d = wrap_dim(dim, self.dim(), "mode");
  const int64_t n = self.size(d);
  EMBER_CHECK(n > 0, "[mode] self: cannot take the mode of dimension {} of size 0", d);
  const auto [values, indices] = ember::sort(self, d, false);
  DimVector along(static_cast<size_t>(self.dim()), 1);
  along[d] = -1;
  const Tensor starts = ne(values.narrow(d, 1, n - 1), values.narrow(d, 0, n - 1)).to(DType::Int64);
  const Tensor run = ember::cat({ember::zeros_like(values.narrow(d, 0, 1), DType::Int64), starts}, d).cumsum(d);
  const Tensor length = ember::zeros_like(run).scatter_add(d, run, ember::ones_like(run)).gather(d, run);
  const Tensor longest = length.amax({d}, true);
  const Tensor first_longest = where(eq(length, longest), run, ember::full_like(run, n)).amin({d}, true);
  const Tensor positions = ember::arange(n, DType::Int64, self.device()).view(along);
  const Tensor last = where(eq(run, first_longest), positions, ember::full_like(run, -1)).amax({d}, true);
  return picked(values, indices, d, last, keepdim);
}

Tensor nanmedian(const Tensor& self) {
  EMBER_CHECK(self.numel() > 0, "[nanmedian] self: cannot take the median of an empty tensor");
  return std::get<0>(ember::nanmedian(self.reshape({-1}), 0, false));
}

}  // namespace ember::composite
