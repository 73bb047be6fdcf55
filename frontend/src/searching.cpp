// Counting and searching sorted data: bincount (index_add of ones), searchsorted and bucketize
// (the number of sorted entries before each value, counted or found by a binary search of
// operators), unique and unique_consecutive (runs of equal neighbours in the sorted or given
// order).
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

// Whether a value goes past an entry: the entry is below it (equal values stop before it), or,
// with right, not above it (they go past). NaN values go first without right and last with it,
// where a binary search's comparisons put them.
Tensor goes_past(const Tensor& entry, const Tensor& value, bool right) {
  return right ? ember::logical_not(lt(value, entry)) : lt(entry, value);
}

// Note [Searching by operators]
// Small searches compare every value with every entry at once and count ([..., K, M] booleans, a
// few operators); past kComparedAtOnce comparisons that memory would grow as K * M, so the search
// halves each value's interval [low, high) of entries instead: ceil(log2(M + 1)) steps of a
// gather and elementwise operators over the values, O(K log M) work on any device.
constexpr int64_t kComparedAtOnce = int64_t{1} << 16;

Tensor binary_search(const Tensor& sorted_sequence, const Tensor& self, bool right) {
  const int64_t m = sorted_sequence.size(-1);
  const bool shared = sorted_sequence.dim() == 1;
  const Tensor entries = shared ? sorted_sequence : sorted_sequence.reshape({-1, m});
  const Tensor values = shared ? self.reshape({-1}) : self.reshape({entries.size(0), -1});
  Tensor low = ember::zeros(values.sizes(), DType::Int64, self.device());
  Tensor high = ember::full(values.sizes(), m, DType::Int64, self.device());
  for (int64_t width = m; width > 0; width /= 2) {
    const Tensor searching = lt(low, high);
    // The middle of an interval that has closed may be m: clamped, its comparison is unused.
    const Tensor middle = floor_divide(low + high, 2).clamp_max(m - 1);
    const Tensor entry = shared ? entries.index_select(0, middle) : entries.gather(1, middle);
    const Tensor past = goes_past(entry, values, right);
    low = where(ember::logical_and(searching, past), middle + 1, low);
    high = where(ember::logical_and(searching, ember::logical_not(past)), middle, high);
  }
  return low.reshape(self.sizes());
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

// Where each value goes in the sorted rows: the number of entries it goes past (Note [Searching
// by operators]).
Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& self, bool out_int32, bool right) {
  EMBER_CHECK(sorted_sequence.dim() >= 1, "[searchsorted] sorted_sequence: expected at least one dimension, got a 0-dim tensor");
  if (sorted_sequence.dim() > 1) {
    EMBER_CHECK(self.dim() == sorted_sequence.dim() &&
                    IntArrayRef(self.sizes().data(), self.dim() - 1)
                        .equals(IntArrayRef(sorted_sequence.sizes().data(), sorted_sequence.dim() - 1)),
                "[searchsorted] self: expected the leading dimensions of sorted_sequence {}, got {}",
                shape_str(sorted_sequence.sizes()), shape_str(self.sizes()));
  }
  const int64_t values_per_row = sorted_sequence.dim() > 1 ? self.size(-1) : self.numel();
  Tensor positions;
  if (values_per_row * sorted_sequence.size(-1) <= kComparedAtOnce) {
    // [..., K, 1] against [..., 1, M]: one row of comparisons per value.
    const Tensor entries = sorted_sequence.dim() > 1 ? sorted_sequence.unsqueeze(-2) : sorted_sequence;
    positions = goes_past(entries, self.unsqueeze(-1), right).sum(IntArrayRef{-1});
  } else {
    positions = binary_search(sorted_sequence, self, right);
  }
  return out_int32 ? positions.to(DType::Int32) : positions;
}

Tensor bucketize(const Tensor& self, const Tensor& boundaries, bool out_int32, bool right) {
  EMBER_CHECK(boundaries.dim() == 1, "[bucketize] boundaries: expected a 1-D tensor, got {}", shape_str(boundaries.sizes()));
  return ember::searchsorted(boundaries, self, out_int32, right);
}

}  // namespace ember::composite
