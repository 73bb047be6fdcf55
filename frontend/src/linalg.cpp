// matmul in terms of mm and bmm, with NumPy's rules for 1-D operands and batch broadcasting.
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

DimVector batch_shape(const Tensor& t) {
  return DimVector(IntArrayRef(t.sizes().data(), static_cast<size_t>(t.dim() - 2)));
}

DimVector broadcast(IntArrayRef a, IntArrayRef b) {
  const size_t n = std::max(a.size(), b.size());
  DimVector out(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    EMBER_CHECK(x == y || x == 1 || y == 1, "[matmul] other: batch shapes [{}] and [{}] do not broadcast",
                fmt::join(a, ", "), fmt::join(b, ", "));
    out[i] = x == 1 ? y : x;
  }
  return out;
}

}  // namespace

Tensor matmul(const Tensor& self, const Tensor& other) {
  const int64_t da = self.dim(), db = other.dim();
  EMBER_CHECK(da > 0 && db > 0, "[matmul] self: both arguments need at least one dimension, got {}-D and {}-D",
              da, db);
  if (da == 1 && db == 1) {
    EMBER_CHECK(self.size(0) == other.size(0), "[matmul] other: expected {} elements, got {}", self.size(0),
                other.size(0));
    return (self * other).sum();
  }
  if (da == 2 && db == 2) return mm(self, other);
  if (da == 1 && db == 2) return mm(self.unsqueeze(0), other).squeeze(0);
  if (da == 2 && db == 1) return mm(self, other.unsqueeze(1)).squeeze(1);
  // Batched: promote 1-D operands, broadcast the batch dims, run one bmm, restore the shape.
  const Tensor a = da == 1 ? self.unsqueeze(0) : self;
  const Tensor b = db == 1 ? other.unsqueeze(1) : other;
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  EMBER_CHECK(b.size(-2) == k, "[matmul] other: expected {} rows to match self's columns, got {}", k,
              b.size(-2));
  const DimVector batch = broadcast(batch_shape(a), batch_shape(b));
  int64_t batch_numel = 1;
  for (int64_t s : batch) batch_numel *= s;
  DimVector a_shape(batch), b_shape(batch), out_shape(batch);
  a_shape.push_back(n);
  a_shape.push_back(k);
  b_shape.push_back(k);
  b_shape.push_back(m);
  const Tensor a3 = a.expand(a_shape).reshape({batch_numel, n, k});
  const Tensor b3 = b.expand(b_shape).reshape({batch_numel, k, m});
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(m);
  return bmm(a3, b3).reshape(out_shape);
}

}  // namespace ember::composite
