// Counting and searching sorted data: bincount (index_add of ones), bucketize (searchsorted
// into one row of boundaries), unique and unique_consecutive (runs of equal neighbours in the
// sorted or given order).
#include <limits>

#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {

namespace {

// The runs of equal neighbours among the rows of `ordered` ([n, ...], the slices in sorted or
// given order; `order` maps them back to where they came from when defined): the runs' first
// rows, each original row's run (shaped `inverse_shape`), and the runs' lengths. A row differs
// from the one before it where any element differs; NaN differs from itself, so each NaN is a
// run of its own.
std::tuple<Tensor, Tensor, Tensor> runs(const Tensor& ordered, const Tensor& order, IntArrayRef inverse_shape,
                                        bool return_inverse, bool return_counts) {
  const int64_t n = ordered.size(0);
  const Device device = ordered.device();
  const Tensor none = ember::empty({0}, DType::Int64, device);
  if (n == 0) {
    return {ordered, return_inverse ? ember::empty(inverse_shape, DType::Int64, device) : none, none};
  }
  Tensor differs = ne(ordered.narrow(0, 1, n - 1), ordered.narrow(0, 0, n - 1));
  if (differs.dim() > 1) differs = differs.flatten(1).any(IntArrayRef{1});
  const Tensor starts = ember::cat({ember::ones({1}, DType::Bool, device), differs}, 0);
  const Tensor values = ordered.index_select(0, ember::nonzero(starts).reshape({-1}));
  const Tensor run = starts.cumsum(0) - 1;
  Tensor inverse = none, counts = none;
  if (return_inverse) {
    const Tensor placed = order.defined() ? ember::zeros({n}, DType::Int64, device).index_copy(0, order, run) : run;
    inverse = placed.reshape(inverse_shape);
  }
  if (return_counts) counts = ember::bincount(run, std::nullopt, values.size(0));
  return {values, inverse, counts};
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> unique(const Tensor& self, bool /*sorted*/, bool return_inverse, bool return_counts) {
  const auto [ordered, order] = ember::sort(self.reshape({-1}), 0, false);  // stable, NaN last
  return runs(ordered, order, self.sizes(), return_inverse, return_counts);
}

std::tuple<Tensor, Tensor, Tensor> unique_dim(const Tensor& self, int64_t dim, bool /*sorted*/, bool return_inverse,
                                              bool return_counts) {
  EMBER_CHECK(self.dim() > 0, "[unique_dim] self: expected at least one dimension, got a 0-dim tensor");
  const int64_t d = wrap_dim(dim, self.dim(), "unique_dim");
  const Tensor slices = self.movedim({d}, {0});
  const int64_t n = slices.size(0);
  int64_t width = 1;
  for (int64_t k = 1; k < slices.dim(); ++k) width *= slices.size(k);
  const Tensor rows = slices.reshape({n, width});
  // Lexicographic order of the rows: stable sorts by each column, the last column first.
  Tensor order = ember::arange(n, DType::Int64, self.device());
  for (int64_t column = rows.size(1) - 1; column >= 0; --column) {
    order = order.index_select(0, std::get<1>(ember::sort(rows.select(1, column).index_select(0, order), 0, false)));
  }
  auto [values, inverse, counts] = runs(slices.index_select(0, order), order, IntArrayRef(n), return_inverse, return_counts);
  return {values.movedim({0}, {d}), inverse, counts};
}

std::tuple<Tensor, Tensor, Tensor> unique_consecutive(const Tensor& self, bool return_inverse, bool return_counts) {
  return runs(self.reshape({-1}), Tensor(), self.sizes(), return_inverse, return_counts);
}

Tensor bincount(const Tensor& self, const std::optional<Tensor>& weights, int64_t minlength) {
  EMBER_CHECK(self.dim() == 1 && !is_floating(self.dtype()) && self.dtype() != DType::Bool,
              "[bincount] self: expected a 1-D tensor of integers, got {} {}", dtype_name(self.dtype()),
              shape_str(self.sizes()));
  EMBER_CHECK(minlength >= 0, "[bincount] minlength: expected a non-negative length, got {}", minlength);
  const bool weighted = weights && weights->defined();
  if (weighted) {
    EMBER_CHECK(weights->sizes().equals(self.sizes()), "[bincount] weights: expected shape {} like self, got {}",
                shape_str(self.sizes()), shape_str(weights->sizes()));
  }
  int64_t bins = minlength;
  if (self.numel() > 0) {
    EMBER_CHECK(self.amin().item<int64_t>() >= 0, "[bincount] self: expected non-negative values, got {}",
                self.amin().item<int64_t>());
    const int64_t largest = self.amax().item<int64_t>();
    EMBER_CHECK(largest < std::numeric_limits<int64_t>::max(), "[bincount] self: the value {} needs more bins than int64 counts",
                largest);
    bins = std::max(bins, largest + 1);
  }
  const Tensor index = self.to(DType::Int64);
  const Tensor counted = weighted ? *weights : ember::ones({self.numel()}, DType::Int64, self.device());
  return ember::zeros({bins}, counted.dtype(), self.device()).index_add(0, index, counted);
}

Tensor bucketize(const Tensor& self, const Tensor& boundaries, bool out_int32, bool right) {
  EMBER_CHECK(boundaries.dim() == 1, "[bucketize] boundaries: expected a 1-D tensor, got {}", shape_str(boundaries.sizes()));
  return ember::searchsorted(boundaries, self, out_int32, right);
}

}  // namespace ember::composite
