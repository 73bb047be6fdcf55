// matmul in terms of mm and bmm, with NumPy's rules for 1-D operands and batch broadcasting;
// trace, dot, inner, vecdot, outer and the cross product.
#include "ember/core/broadcast.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

DimVector batch_shape(const Tensor& t) {
  return DimVector(IntArrayRef(t.sizes().data(), static_cast<size_t>(t.dim() - 2)));
}

}  // namespace

Tensor trace(const Tensor& self) {
  EMBER_CHECK(self.dim() == 2, "[trace] self: expected a matrix, got a {}-D tensor", self.dim());
  return self.diagonal().sum();
}

Tensor dot(const Tensor& self, const Tensor& tensor) {
  EMBER_CHECK(self.dim() == 1 && tensor.dim() == 1, "[dot] tensor: expected two 1-D tensors, got {}-D and {}-D",
              self.dim(), tensor.dim());
  EMBER_CHECK(self.size(0) == tensor.size(0), "[dot] tensor: expected {} elements as self, got {}", self.size(0),
              tensor.size(0));
  EMBER_CHECK(self.dtype() == tensor.dtype(), "[dot] tensor: expected dtype {} as self, got {}",
              dtype_name(self.dtype()), dtype_name(tensor.dtype()));
  return (self * tensor).sum();
}

Tensor outer(const Tensor& self, const Tensor& vec2) {
  EMBER_CHECK(self.dim() == 1 && vec2.dim() == 1, "[outer] vec2: expected two 1-D tensors, got {}-D and {}-D",
              self.dim(), vec2.dim());
  return self.unsqueeze(1) * vec2;
}

// A 0-dim operand scales the other; otherwise the last dimensions contract, as tensordot's.
Tensor inner(const Tensor& self, const Tensor& other) {
  if (self.dim() == 0 || other.dim() == 0) return self * other;
  EMBER_CHECK(self.size(-1) == other.size(-1), "[inner] other: expected the last dimension {} of self, got {}",
              self.size(-1), other.size(-1));
  return ember::tensordot(self, other, {self.dim() - 1}, {other.dim() - 1});
}

Tensor linalg_vecdot(const Tensor& x, const Tensor& y, int64_t dim) {
  const Tensor products = x * y;
  return products.sum(IntArrayRef{wrap_dim(dim, products.dim(), "linalg_vecdot")});
}

Tensor linalg_cross(const Tensor& self, const Tensor& other, int64_t dim) {
  EMBER_CHECK(self.dim() == other.dim(), "[linalg_cross] other: expected as many dimensions as self ({}), got {}",
              self.dim(), other.dim());
  const int64_t d = wrap_dim(dim, self.dim(), "linalg_cross");
  EMBER_CHECK(self.size(d) == 3 && other.size(d) == 3,
              "[linalg_cross] self: expected 3-vectors along dimension {}, got sizes {} and {}", d, self.size(d),
              other.size(d));
  // Component i is a[i + 1] b[i + 2] - a[i + 2] b[i + 1], indices mod 3: two rolls of each operand.
  return self.roll({-1}, {d}) * other.roll({-2}, {d}) - self.roll({-2}, {d}) * other.roll({-1}, {d});
}

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
  if (da >= 3 && db <= 2) {
    // Every batch shares `other`: fold the batch into the rows for one mm, rather than
    // broadcasting `other` across the batch (a copy per batch) for a bmm.
    const int64_t k = self.size(-1);
    const Tensor b = db == 1 ? other.unsqueeze(1) : other;
    EMBER_CHECK(b.size(0) == k, "[matmul] other: expected {} rows to match self's columns, got {}", k, b.size(0));
    DimVector out_shape(IntArrayRef(self.sizes().data(), static_cast<size_t>(da - 1)));
    int64_t rows = 1;
    for (int64_t s : out_shape) rows *= s;
    if (db == 2) out_shape.push_back(b.size(1));
    return mm(self.reshape({rows, k}), b).reshape(out_shape);
  }
  // Batched: promote 1-D operands, broadcast the batch dims, run one bmm, restore the shape.
  const Tensor a = da == 1 ? self.unsqueeze(0) : self;
  const Tensor b = db == 1 ? other.unsqueeze(1) : other;
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  EMBER_CHECK(b.size(-2) == k, "[matmul] other: expected {} rows to match self's columns, got {}", k,
              b.size(-2));
  const DimVector batch = broadcast_shapes(batch_shape(a), batch_shape(b), "matmul", "other");
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

Tensor mv(const Tensor& self, const Tensor& vec) {
  EMBER_CHECK(self.dim() == 2 && vec.dim() == 1, "[mv] vec: expected a matrix and a vector, got {} and {}",
              shape_str(self.sizes()), shape_str(vec.sizes()));
  return self.mm(vec.unsqueeze(1)).squeeze(1);
}

}  // namespace ember::composite
