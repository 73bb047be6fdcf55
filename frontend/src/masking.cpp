// Element choices PyTorch users reach for: masked_fill and the triangles (with where), flip (with
// index_select), repeat (with expand), nonzero and masked_select (with index_copy), and
// masked_scatter (with nonzero and index_copy).
#include "ember/core/broadcast.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "marked_dims.h"
#include "truth.h"

namespace ember::composite {

namespace {

// The shape self and a bool `mask` on its device broadcast to.
DimVector masked_shape(const char* op, const Tensor& self, const Tensor& mask) {
  EMBER_CHECK(mask.dtype() == DType::Bool, "[{}] mask: expected a bool tensor, got {}", op, dtype_name(mask.dtype()));
  EMBER_CHECK(mask.device() == self.device(), "[{}] mask: expected a tensor on {}, got {}", op, self.device().str(),
              mask.device().str());
  return broadcast_shapes(self.sizes(), mask.sizes(), op, "mask");
}

// `value` (0-dim, of self's dtype and device) where `mask`, broadcast to self's own shape, holds.
Tensor fill_where_masked(const Tensor& self, const Tensor& mask, const Tensor& value) {
  const DimVector shape = masked_shape("masked_fill", self, mask);
  EMBER_CHECK(IntArrayRef(shape).equals(self.sizes()),
              "[masked_fill] mask: shape {} does not broadcast to self's shape {}", shape_str(mask.sizes()),
              shape_str(self.sizes()));
  return where(mask, value, self);
}

}  // namespace

Tensor masked_fill_Scalar(const Tensor& self, const Tensor& mask, const Scalar& value) {
  return fill_where_masked(self, mask, scalar_tensor(value, self.dtype(), self.device()));
}

Tensor masked_fill__Scalar(const Tensor& self, const Tensor& mask, const Scalar& value) {
  return self.copy_(ember::masked_fill(self, mask, value));
}

// A 0-dim value may live on the CPU beside a GPU self, as in PyTorch.
Tensor masked_fill_Tensor(const Tensor& self, const Tensor& mask, const Tensor& value) {
  EMBER_CHECK(value.dim() == 0, "[masked_fill] value: expected a 0-dim tensor, got shape {}", shape_str(value.sizes()));
  return fill_where_masked(self, mask, value.to(self.dtype()).to(self.device()));
}

Tensor masked_fill__Tensor(const Tensor& self, const Tensor& mask, const Tensor& value) {
  return self.copy_(ember::masked_fill(self, mask, value));
}

// The true positions of the broadcast mask, in row-major order, take source's first elements:
// one index_copy into the flattened self, so gradients reach self (elsewhere) and source (the
// elements taken).
Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source) {
  const DimVector shape = masked_shape("masked_scatter", self, mask);
  EMBER_CHECK(source.dtype() == self.dtype(), "[masked_scatter] source: expected dtype {} like self, got {}",
              dtype_name(self.dtype()), dtype_name(source.dtype()));
  EMBER_CHECK(source.device() == self.device(), "[masked_scatter] source: expected a tensor on {}, got {}",
              self.device().str(), source.device().str());
  const Tensor positions = ember::nonzero(mask.expand(shape).reshape({-1})).select(1, 0);
  const int64_t count = positions.size(0);
  EMBER_CHECK(source.numel() >= count,
              "[masked_scatter] source: expected at least {} elements (the mask's true count), got {}", count,
              source.numel());
  const Tensor taken = source.reshape({-1}).narrow(0, 0, count);
  return self.expand(shape).reshape({-1}).index_copy(0, positions, taken).view(shape);
}

Tensor masked_scatter_(const Tensor& self, const Tensor& mask, const Tensor& source) {
  const DimVector shape = masked_shape("masked_scatter_", self, mask);
  EMBER_CHECK(IntArrayRef(shape).equals(self.sizes()),
              "[masked_scatter_] mask: shape {} does not broadcast to self's shape {}", shape_str(mask.sizes()),
              shape_str(self.sizes()));
  return self.copy_(ember::masked_scatter(self, mask, source));
}

Tensor flip(const Tensor& self, IntArrayRef dims) {
  const std::vector<bool> flipped = marked_dims(self, dims, "flip", "dims");
  Tensor out = self;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (!flipped[d]) continue;
    const int64_t n = self.sizes()[d];
    out = out.index_select(d, arange(n - 1, -1, -1, DType::Int64, self.device()));
  }
  return out.is_same(self) ? self.clone() : out;  // a copy even when nothing flips, as PyTorch's
}

Tensor fliplr(const Tensor& self) {
  EMBER_CHECK(self.dim() >= 2, "[fliplr] self: expected at least 2 dimensions, got shape {}", shape_str(self.sizes()));
  return ember::flip(self, {1});
}

Tensor flipud(const Tensor& self) {
  EMBER_CHECK(self.dim() >= 1, "[flipud] self: expected at least 1 dimension, got a 0-dim tensor");
  return ember::flip(self, {0});
}

namespace {

// Keeps the elements (i, j) of the last two dimensions where `keep(j - i, diagonal)`.
Tensor triangle(const char* op, const Tensor& self, int64_t diagonal, Tensor (*keep)(const Tensor&, const Tensor&)) {
  EMBER_CHECK(self.dim() >= 2, "[{}] self: expected a tensor of at least 2 dimensions, got {}", op,
              shape_str(self.sizes()));
  const Device device = self.device();
  const Tensor rows = ember::arange(self.size(-2), DType::Int64, device).unsqueeze(1);
  const Tensor columns = ember::arange(self.size(-1), DType::Int64, device).unsqueeze(0);
  // Compared, not added to: no diagonal, however large, overflows.
  const Tensor kept = keep(columns - rows, scalar_tensor(diagonal, DType::Int64, device));
  return where(kept, self, scalar_tensor(0, self.dtype(), device));
}

}  // namespace

Tensor tril(const Tensor& self, int64_t diagonal) { return triangle("tril", self, diagonal, &le); }
Tensor triu(const Tensor& self, int64_t diagonal) { return triangle("triu", self, diagonal, &ge); }

Tensor repeat(const Tensor& self, IntArrayRef repeats) {
  const int64_t n = static_cast<int64_t>(repeats.size());
  EMBER_CHECK(n >= self.dim(), "[repeat] repeats: expected at least {} values (one per dimension), got {}",
              self.dim(), n);
  DimVector padded(static_cast<size_t>(n - self.dim()), 1), interleaved, tiled, result;
  for (int64_t s : self.sizes()) padded.push_back(s);
  for (int64_t i = 0; i < n; ++i) {
    EMBER_CHECK(repeats[i] >= 0, "[repeat] repeats: expected non-negative counts, got {}", shape_str(repeats));
    interleaved.push_back(1);
    interleaved.push_back(padded[i]);
    tiled.push_back(repeats[i]);
    tiled.push_back(padded[i]);
  }
  checked_numel(tiled, "repeat");  // the result's size, before any product below can overflow
  for (int64_t i = 0; i < n; ++i) result.push_back(repeats[i] * padded[i]);
  // [a, b] -> [1, a, 1, b] -> expanded to [r0, a, r1, b] -> copied, viewed as [r0 * a, r1 * b].
  // A copy even when every count is 1, as PyTorch's.
  return self.reshape(interleaved).expand(tiled).clone().view(result);
}

namespace {

// The flat positions of the true elements of a 1-D bool tensor, in order. The count comes first
// (on a GPU, a wait for the values); then each true element's position is stored at its rank
// among them, the other elements' at one slot past the end, which is cut off.
Tensor true_positions(const Tensor& kept) {
  const Device device = kept.device();
  const int64_t count = kept.sum().item<int64_t>();
  const Tensor slot = where(kept, kept.cumsum(0) - 1, scalar_tensor(count, DType::Int64, device));
  return ember::zeros({count + 1}, DType::Int64, device)
      .index_copy(0, slot, ember::arange(kept.numel(), DType::Int64, device))
      .narrow(0, 0, count);
}

}  // namespace

// The coordinates follow from the flat positions, the last dimension fastest; the first needs no
// division, the positions being below the whole size.
Tensor nonzero(const Tensor& self) {
  const Tensor flat_self = self.reshape({-1});
  Tensor flat = true_positions(truth(flat_self));
  if (self.dim() == 0) return ember::zeros({flat.numel(), 0}, DType::Int64, self.device());
  std::vector<Tensor> coordinates(static_cast<size_t>(self.dim()));
  for (int64_t d = self.dim() - 1; d > 0; --d) {
    coordinates[d] = flat.remainder(self.size(d));
    flat = flat.floor_divide(self.size(d));
  }
  coordinates[0] = flat;
  return ember::stack(coordinates, 1);
}

Tensor argwhere(const Tensor& self) { return ember::nonzero(self); }

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  const DimVector shape = masked_shape("masked_select", self, mask);
  const Tensor positions = true_positions(mask.expand(shape).reshape({-1}));
  return self.expand(shape).reshape({-1}).index_select(0, positions);
}

Tensor tile(const Tensor& self, IntArrayRef dims) {
  DimVector padded(static_cast<size_t>(std::max<int64_t>(self.dim() - static_cast<int64_t>(dims.size()), 0)), 1);
  for (int64_t d : dims) padded.push_back(d);
  return self.repeat(padded);
}

// index_select of each position `repeats` times: the index is laid out on the host first.
Tensor repeat_interleave_self_int(const Tensor& self, int64_t repeats, std::optional<int64_t> dim) {
  EMBER_CHECK(repeats >= 0, "[repeat_interleave] repeats: expected a non-negative count, got {}", repeats);
  const Tensor source = dim ? self : self.reshape({-1});
  const int64_t d = dim ? wrap_dim(*dim, std::max<int64_t>(self.dim(), 1), "repeat_interleave") : 0;
  const Tensor along = source.dim() == 0 ? source.reshape({1}) : source;
  const int64_t n = along.size(d);
  int64_t total = 0;
  EMBER_CHECK(!__builtin_mul_overflow(n, repeats, &total), "[repeat_interleave] repeats: {} times {} overflows int64",
              n, repeats);
  // A host tensor rather than a vector: an absurd count is refused as an allocation, an ember::Error.
  const Tensor index = ember::empty({total}, DType::Int64, Device("cpu"));
  int64_t* at = index.data_ptr<int64_t>();
  for (int64_t i = 0; i < total; ++i) at[i] = i / repeats;
  return along.index_select(d, index.to(self.device()));
}

}  // namespace ember::composite
