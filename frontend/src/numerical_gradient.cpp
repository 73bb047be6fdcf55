// torch.gradient: derivatives of sampled values by finite differences, along each dimension asked.
#include <algorithm>
#include <variant>

#include "ember/ember.h"

namespace ember {
namespace {

constexpr const char* kOp = "gradient";

// How the samples along one dimension lie: a uniform step, or at the points of a 1-D tensor.
using Spacing = std::variant<double, Tensor>;

// The dimensions to differentiate along, wrapped: every one when none are given.
std::vector<int64_t> gradient_dims(const Tensor& self, OptionalIntArrayRef dims) {
  EMBER_CHECK(self.dim() > 0, "[{}] self: expected at least one dimension, got a 0-dim tensor", kOp);
  std::vector<int64_t> wrapped;
  if (!dims.has_value()) {
    for (int64_t d = 0; d < self.dim(); ++d) wrapped.push_back(d);
    return wrapped;
  }
  for (const int64_t d : *dims) wrapped.push_back(wrap_dim(d, self.dim(), kOp));
  std::vector<int64_t> sorted = wrapped;
  std::sort(sorted.begin(), sorted.end());
  EMBER_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
              "[{}] dim: expected distinct dimensions, got [{}]", kOp, fmt::join(*dims, ", "));
  return wrapped;
}

// Note [Finite differences]
// Inside, the second-order central difference; for samples hl and hr apart on either side it is
// (hl^2 f[i+1] - hr^2 f[i-1] + (hr^2 - hl^2) f[i]) / (hl hr (hl + hr)), (f[i+1] - f[i-1]) / 2h
// for a uniform step. At each end a one-sided difference: first order, (f[1] - f[0]) / h, or
// second order through the three samples nearest the end. These are PyTorch's and NumPy's
// formulas, so the results agree with theirs to rounding.
Tensor derivative_along(const Tensor& f, int64_t d, const Spacing& spacing, int64_t edge_order) {
  const int64_t n = f.size(d);
  EMBER_CHECK(n >= edge_order + 1, "[{}] self: expected at least edge_order + 1 = {} samples along each dimension "
              "differentiated, got {} along dimension {}", kOp, edge_order + 1, n, d);
  auto at = [&](int64_t start, int64_t length = 1) { return f.narrow(d, start, length); };
  Tensor first, inner, last;
  if (const double* step = std::get_if<double>(&spacing)) {
    const double h = *step;
    inner = (at(2, n - 2) - at(0, n - 2)) / (2 * h);
    if (edge_order == 1) {
      first = (at(1) - at(0)) / h;
      last = (at(n - 1) - at(n - 2)) / h;
    } else {
      first = (at(0) * -1.5 + at(1) * 2 - at(2) * 0.5) / h;
      last = (at(n - 3) * 0.5 - at(n - 2) * 2 + at(n - 1) * 1.5) / h;
    }
  } else {
    const Tensor& x = std::get<Tensor>(spacing);
    EMBER_CHECK(x.dim() == 1 && x.size(0) == n, "[{}] spacing: expected coordinates of {} elements (the size of "
                "dimension {}) as a 1-D tensor, got shape {}", kOp, n, d, shape_str(x.sizes()));
    const Tensor steps = ember::diff(x.to(f.device()));
    // The steps before and after each inner sample, laid along d.
    DimVector shape(static_cast<size_t>(f.dim()), 1);
    shape[static_cast<size_t>(d)] = n - 2;
    const Tensor hl = steps.narrow(0, 0, n - 2).reshape(shape), hr = steps.narrow(0, 1, n - 2).reshape(shape);
    inner = at(0, n - 2) * (-hr / (hl * (hl + hr))) + at(1, n - 2) * ((hr - hl) / (hl * hr)) +
            at(2, n - 2) * (hl / (hr * (hl + hr)));
    // The first two steps and the last two (h0, h1 and hy, hz).
    const Tensor h0 = steps[0], hz = steps[n - 2];
    if (edge_order == 1) {
      first = (at(1) - at(0)) / h0;
      last = (at(n - 1) - at(n - 2)) / hz;
    } else {
      const Tensor h1 = steps[1], hy = steps[n - 3];
      first = at(0) * (-(2 * h0 + h1) / (h0 * (h0 + h1))) + at(1) * ((h0 + h1) / (h0 * h1)) +
              at(2) * (-h0 / (h1 * (h0 + h1)));
      last = at(n - 3) * (hz / (hy * (hz + hy))) + at(n - 2) * (-(hz + hy) / (hz * hy)) +
             at(n - 1) * ((2 * hz + hy) / (hz * (hz + hy)));
    }
  }
  return cat({first, inner, last}, d);
}

std::vector<Tensor> derivatives(const Tensor& self, const std::vector<int64_t>& dims,
                                const std::vector<Spacing>& spacing, int64_t edge_order) {
  EMBER_CHECK(edge_order == 1 || edge_order == 2, "[{}] edge_order: expected 1 or 2, got {}", kOp, edge_order);
  std::vector<Tensor> out;
  for (size_t i = 0; i < dims.size(); ++i) out.push_back(derivative_along(self, dims[i], spacing[i], edge_order));
  return out;
}

}  // namespace

std::vector<Tensor> gradient(const Tensor& self, double spacing, OptionalIntArrayRef dims, int64_t edge_order) {
  return gradient(self, ArrayRef<double>(spacing), dims, edge_order);
}

std::vector<Tensor> gradient(const Tensor& self, ArrayRef<double> spacing, OptionalIntArrayRef dims,
                             int64_t edge_order) {
  const std::vector<int64_t> wrapped = gradient_dims(self, dims);
  EMBER_CHECK(spacing.size() == 1 || spacing.size() == wrapped.size(), "[{}] spacing: expected one step or one per "
              "dimension differentiated ({}), got {}", kOp, wrapped.size(), spacing.size());
  std::vector<Spacing> steps;
  for (size_t i = 0; i < wrapped.size(); ++i) steps.emplace_back(spacing[spacing.size() == 1 ? 0 : i]);
  return derivatives(self, wrapped, steps, edge_order);
}

std::vector<Tensor> gradient(const Tensor& self, TensorList coordinates, OptionalIntArrayRef dims, int64_t edge_order) {
  const std::vector<int64_t> wrapped = gradient_dims(self, dims);
  EMBER_CHECK(coordinates.size() == wrapped.size(), "[{}] spacing: expected one coordinate tensor per dimension "
              "differentiated ({}), got {}", kOp, wrapped.size(), coordinates.size());
  return derivatives(self, wrapped, std::vector<Spacing>(coordinates.begin(), coordinates.end()), edge_order);
}

}  // namespace ember
