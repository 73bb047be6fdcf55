// Operators that rearrange dimensions, written with views and reshape: squeeze of every size-1
// dimension, movedim, flatten, unflatten and roll; diff, neighbours along a dimension subtracted.
#include <vector>

#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "marked_dims.h"

namespace ember::composite {

Tensor squeeze(const Tensor& self) {
  Tensor out = self;
  for (int64_t d = self.dim(); d-- > 0;) {  // from the last, so that each index still holds
    if (self.size(d) == 1) out = out.squeeze(d);
  }
  return out.is_same(self) ? self.squeeze(0) : out;  // a view even when nothing is removed
}

Tensor movedim(const Tensor& self, IntArrayRef source, IntArrayRef destination) {
  EMBER_CHECK(source.size() == destination.size(),
              "[movedim] destination: expected as many dimensions as source ({}), got {}", source.size(),
              destination.size());
  const std::vector<bool> moved = marked_dims(self, source, "movedim", "source");
  marked_dims(self, destination, "movedim", "destination");
  const int64_t n = self.dim();
  if (n == 0) return self.permute({});
  // Each moved dimension at its destination; the others fill the free positions in order.
  std::vector<int64_t> order(n, -1);
  for (size_t i = 0; i < source.size(); ++i) order[wrap_dim(destination[i], n, "movedim")] = wrap_dim(source[i], n, "movedim");
  int64_t next = 0;
  for (int64_t& d : order) {
    if (d != -1) continue;
    while (moved[next]) ++next;
    d = next++;
  }
  return self.permute(order);
}

Tensor flatten(const Tensor& self, int64_t start_dim, int64_t end_dim) {
  if (self.dim() == 0) return self.reshape({1});
  const int64_t start = wrap_dim(start_dim, self.dim(), "flatten"), end = wrap_dim(end_dim, self.dim(), "flatten");
  EMBER_CHECK(start <= end, "[flatten] start_dim: expected at most end_dim, got {} > {}", start_dim, end_dim);
  DimVector shape(IntArrayRef(self.sizes().data(), static_cast<size_t>(start)));
  int64_t merged = 1;
  for (int64_t d = start; d <= end; ++d) merged *= self.size(d);  // a sub-product of numel: it fits
  shape.push_back(merged);
  for (int64_t d = end + 1; d < self.dim(); ++d) shape.push_back(self.size(d));
  return self.reshape(shape);
}

Tensor unflatten(const Tensor& self, int64_t dim, IntArrayRef sizes) {
  EMBER_CHECK(self.dim() > 0, "[unflatten] self: cannot unflatten a 0-dim tensor");
  const int64_t d = wrap_dim(dim, self.dim(), "unflatten");
  EMBER_CHECK(!sizes.empty(), "[unflatten] sizes: expected at least one size");
  // Checked here, so that the error names unflatten and its dimension rather than reshape.
  int64_t known = 1;
  int inferred = 0;
  for (int64_t s : sizes) {
    EMBER_CHECK(s >= -1, "[unflatten] sizes: expected sizes >= 0 or one -1, got [{}]", fmt::join(sizes, ", "));
    if (s == -1) {
      ++inferred;
    } else {
      EMBER_CHECK(!__builtin_mul_overflow(known, s, &known), "[unflatten] sizes: [{}] hold more elements than int64 counts",
                  fmt::join(sizes, ", "));
    }
  }
  const int64_t n = self.size(d);
  const bool fits = inferred == 0 ? known == n : inferred == 1 && known != 0 && n % known == 0;
  EMBER_CHECK(fits, "[unflatten] sizes: [{}] do not split dimension {} of size {}", fmt::join(sizes, ", "), d, n);
  DimVector shape(IntArrayRef(self.sizes().data(), static_cast<size_t>(d)));
  for (int64_t s : sizes) shape.push_back(s == -1 ? n / known : s);
  for (int64_t e = d + 1; e < self.dim(); ++e) shape.push_back(self.size(e));
  return self.reshape(shape);
}

Tensor roll(const Tensor& self, IntArrayRef shifts, IntArrayRef dims) {
  if (dims.empty()) {
    EMBER_CHECK(shifts.size() == 1, "[roll] shifts: expected one shift when no dims are given, got {}", shifts.size());
    return ember::roll(self.flatten(), shifts, {0}).reshape(self.sizes());
  }
  EMBER_CHECK(shifts.size() == dims.size(), "[roll] shifts: expected one shift per dimension in dims ({}), got {}",
              dims.size(), shifts.size());
  EMBER_CHECK(self.dim() > 0, "[roll] self: a 0-dim tensor has no dimension to roll; give no dims");
  Tensor out = self;
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], self.dim(), "roll"), n = self.size(d);
    if (n == 0) continue;
    int64_t s = shifts[i] % n;  // no overflow for any shift
    if (s < 0) s += n;
    if (s != 0) out = cat({out.narrow(d, n - s, s), out.narrow(d, 0, n - s)}, d);
  }
  return out.is_same(self) ? self.clone() : out;  // always a new tensor, as PyTorch's
}

Tensor diff(const Tensor& self, int64_t n, int64_t dim, const std::optional<Tensor>& prepend,
            const std::optional<Tensor>& append) {
  EMBER_CHECK(self.dim() > 0, "[diff] self: expected at least one dimension, got a 0-dim tensor");
  EMBER_CHECK(n >= 0, "[diff] n: expected a non-negative order, got {}", n);
  const int64_t d = wrap_dim(dim, self.dim(), "diff");
  auto given = [&](const char* name, const std::optional<Tensor>& part) {
    if (!part || !part->defined()) return false;
    EMBER_CHECK(part->dim() == self.dim(), "[diff] {}: expected {} dimensions like self, got {}", name, self.dim(),
                shape_str(part->sizes()));
    return true;
  };
  std::vector<Tensor> joined;
  if (given("prepend", prepend)) joined.push_back(*prepend);
  joined.push_back(self);
  if (given("append", append)) joined.push_back(*append);
  Tensor out = joined.size() == 1 ? self : ember::cat(joined, d);
  // Each order shortens the dimension by one; past its length the result stays empty.
  for (int64_t order = 0; order < n && out.size(d) > 0; ++order) {
    const int64_t length = out.size(d) - 1;
    const Tensor later = out.narrow(d, 1, length), earlier = out.narrow(d, 0, length);
    out = out.dtype() == DType::Bool ? ember::logical_xor(later, earlier) : later - earlier;
  }
  return out;
}

Tensor broadcast_to(const Tensor& self, IntArrayRef size) { return self.expand(size); }

// NumPy's placement of the new dimensions: a scalar becomes [1], [1, 1], [1, 1, 1]; a vector [n]
// becomes [1, n] and [1, n, 1]; a matrix [m, n] becomes [m, n, 1].
Tensor atleast_1d(const Tensor& self) { return self.dim() >= 1 ? self : self.reshape({1}); }

Tensor atleast_2d(const Tensor& self) {
  if (self.dim() >= 2) return self;
  return ember::atleast_1d(self).unsqueeze(0);
}

Tensor atleast_3d(const Tensor& self) {
  if (self.dim() >= 3) return self;
  if (self.dim() == 2) return self.unsqueeze(2);
  return ember::atleast_2d(self).unsqueeze(2);
}

}  // namespace ember::composite
