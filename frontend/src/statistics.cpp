// Statistics written with other operators: nansum and nanmean, quantiles, the covariance and
// correlation matrices, and histograms.
#include <cmath>
#include <string_view>

#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "floating.h"

namespace ember::composite {
namespace {

Tensor nan_as_zero(const Tensor& t) { return is_floating(t.dtype()) ? t.masked_fill(ember::isnan(t), 0) : t; }

// Whether every element of a bool tensor holds: a host read, as the checks of values need.
bool all_true(const Tensor& t) { return ember::all(t).item<bool>(); }

enum class Interpolation { Linear, Lower, Higher, Midpoint, Nearest };

Interpolation parse_interpolation(const char* op, std::string_view name) {
  if (name == "linear") return Interpolation::Linear;
  if (name == "lower") return Interpolation::Lower;
  if (name == "higher") return Interpolation::Higher;
  if (name == "midpoint") return Interpolation::Midpoint;
  EMBER_CHECK(name == "nearest", "[{}] interpolation: expected 'linear', 'lower', 'higher', 'midpoint' or 'nearest', "
              "got '{}'", op, name);
  return Interpolation::Nearest;
}

// The quantiles of the rows of `sorted` (ascending, NaN last) at the fractions q [Q] (or 0-dim):
// [rows..., Q] (or [rows..., 1]). Each row's rank q (n - 1) lies between two order statistics;
// n counts the row's numbers alone when NaNs are ignored, and a row holding a NaN otherwise
// answers NaN, its last element.
Tensor quantiles_of_sorted(const Tensor& sorted, const Tensor& q, bool ignore_nan, Interpolation interpolation) {
  const int64_t n = sorted.size(-1);
  const Tensor fractions = q.reshape({-1});
  Tensor ranks;
  if (ignore_nan) {
    const Tensor count = ember::logical_not(ember::isnan(sorted)).sum({-1}, true).to(sorted.dtype());
    ranks = ((count - 1) * fractions).clamp_min(0);  // a row of NaNs alone reads its NaN at 0
  } else {
    const Tensor holds_nan = ember::isnan(sorted.narrow(-1, n - 1, 1));
    ranks = (zeros_like(holds_nan, sorted.dtype()) + fractions * static_cast<double>(n - 1)).masked_fill(holds_nan, n - 1);
  }
  const Tensor below = floor(ranks), above = ceil(ranks);
  const auto order_statistic = [&](const Tensor& rank) { return sorted.gather(-1, rank.to(DType::Int64)); };
  switch (interpolation) {
    case Interpolation::Lower: return order_statistic(below);
    case Interpolation::Higher: return order_statistic(above);
    case Interpolation::Nearest: return order_statistic(round(ranks));  // halves to even, as NumPy's
    case Interpolation::Midpoint: return order_statistic(below).lerp(order_statistic(above), 0.5);
    case Interpolation::Linear: break;
  }
  return order_statistic(below).lerp(order_statistic(above), ranks - below);
}

Tensor quantile_of(const char* op, const Tensor& self, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                   std::string_view interpolation, bool ignore_nan) {
  EMBER_CHECK(self.dtype() == DType::Float32 || self.dtype() == DType::Float64,
              "[{}] self: expected a float32 or float64 tensor, got {}", op, dtype_name(self.dtype()));
  EMBER_CHECK(q.dim() <= 1, "[{}] q: expected a number or a 1-D tensor, got a {}-D tensor", op, q.dim());
  EMBER_CHECK(q.dtype() == self.dtype(), "[{}] q: expected dtype {} as self's, got {}", op, dtype_name(self.dtype()),
              dtype_name(q.dtype()));
  EMBER_CHECK(all_true(ember::logical_and(ge(q, 0), le(q, 1))), "[{}] q: expected values in [0, 1]", op);
  const Interpolation how = parse_interpolation(op, interpolation);
  EMBER_CHECK(self.numel() > 0, "[{}] self: expected a non-empty tensor, got shape {}", op, shape_str(self.sizes()));
  const int64_t d = dim ? wrap_dim(*dim, self.dim(), op) : 0;
  const bool along_dim = dim && self.dim() > 0;
  const Tensor rows = along_dim ? self.movedim({d}, {-1}) : self.reshape({-1});
  Tensor result = quantiles_of_sorted(std::get<0>(rows.sort(-1)), q, ignore_nan, how);
  if (keepdim) {
    if (along_dim) {
      result = result.unsqueeze(d);
    } else {
      DimVector ones(static_cast<size_t>(self.dim()), 1);
      ones.push_back(result.size(-1));
      result = result.reshape(ones);
    }
  }
  return q.dim() == 1 ? result.movedim({-1}, {0}) : result.squeeze(-1);
}

Tensor scalar_fraction(const Tensor& self, double q) { return scalar_tensor(q, self.dtype(), self.device()); }

// A 1-D weight per observation, checked as torch.cov checks it.
void check_weights(const char* arg, const Tensor& weights, int64_t observations, bool integral) {
  EMBER_CHECK(weights.dim() <= 1, "[cov] {}: expected a 0-D or 1-D tensor, got {}-D", arg, weights.dim());
  EMBER_CHECK(weights.numel() == observations, "[cov] {}: expected {} weights, one per observation, got {}", arg,
              observations, weights.numel());
  EMBER_CHECK(integral ? is_integral(weights.dtype(), false) : is_floating(weights.dtype()),
              "[cov] {}: expected {} weights, got {}", arg, integral ? "integer" : "floating-point",
              dtype_name(weights.dtype()));
  EMBER_CHECK(all_true(ge(weights, 0)), "[cov] {}: expected non-negative weights", arg);
}

}  // namespace

Tensor nansum(const Tensor& self, OptionalIntArrayRef dim, bool keepdim, std::optional<DType> dtype) {
  return sum(nan_as_zero(self), dim, keepdim, dtype);
}

Tensor nanmean(const Tensor& self, OptionalIntArrayRef dim, bool keepdim, std::optional<DType> dtype) {
  check_floating("nanmean", "self", self);
  const Tensor present = ember::logical_not(ember::isnan(self));
  return sum(nan_as_zero(self), dim, keepdim, dtype) / present.sum(dim, keepdim);
}

Tensor quantile(const Tensor& self, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                std::string_view interpolation) {
  return quantile_of("quantile", self, q, dim, keepdim, interpolation, false);
}

Tensor quantile_scalar(const Tensor& self, double q, std::optional<int64_t> dim, bool keepdim,
                       std::string_view interpolation) {
  return quantile_of("quantile", self, scalar_fraction(self, q), dim, keepdim, interpolation, false);
}

Tensor nanquantile(const Tensor& self, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                   std::string_view interpolation) {
  return quantile_of("nanquantile", self, q, dim, keepdim, interpolation, true);
}

Tensor nanquantile_scalar(const Tensor& self, double q, std::optional<int64_t> dim, bool keepdim,
                          std::string_view interpolation) {
  return quantile_of("nanquantile", self, scalar_fraction(self, q), dim, keepdim, interpolation, true);
}

Tensor cov(const Tensor& self, int64_t correction, const std::optional<Tensor>& fweights,
           const std::optional<Tensor>& aweights) {
  EMBER_CHECK(self.dim() <= 2, "[cov] self: expected at most 2 dimensions (variables, observations), got {}",
              self.dim());
  const Tensor x = as_floating(self.dim() < 2 ? self.reshape({1, -1}) : self);
  const int64_t observations = x.size(1);
  std::optional<Tensor> weights, observation_weights;
  if (fweights) {
    check_weights("fweights", *fweights, observations, true);
    weights = fweights->reshape({-1}).to(x.dtype());
  }
  if (aweights) {
    check_weights("aweights", *aweights, observations, false);
    observation_weights = aweights->reshape({-1}).to(x.dtype());
    weights = weights ? *weights * *observation_weights : *observation_weights;
  }
  Tensor average, degrees;
  if (weights) {
    const Tensor total = weights->sum();
    average = (x * *weights).sum({1}, true) / total;
    // Observation weights a scale the correction by sum(w a) / sum(w), as NumPy's.
    const Tensor scale = observation_weights ? (*weights * *observation_weights).sum() / total : ones_like(total);
    degrees = total - scale * static_cast<double>(correction);
  } else {
    average = x.mean({1}, true);
    degrees = scalar_tensor(static_cast<double>(observations) - static_cast<double>(correction), x.dtype(), x.device());
  }
  const Tensor centred = x - average;
  const Tensor weighted = weights ? centred * *weights : centred;
  // Too few degrees of freedom divide by 0 (infinities and NaNs), as PyTorch's.
  const Tensor c = ember::matmul(centred, weighted.t()) / degrees.clamp_min(0);
  return self.dim() < 2 ? c.reshape({}) : c;
}

Tensor corrcoef(const Tensor& self) {
  const Tensor c = ember::cov(self);
  if (c.dim() == 0) return c / c;
  const Tensor deviation = sqrt(c.diagonal());
  return (c / deviation.unsqueeze(1) / deviation.unsqueeze(0)).clamp(-1, 1);
}

Tensor histc(const Tensor& self, int64_t bins, const Scalar& min, const Scalar& max) {
  check_floating("histc", "self", self);
  EMBER_CHECK(bins > 0, "[histc] bins: expected a positive number of bins, got {}", bins);
  double low = min.to_double(), high = max.to_double();
  EMBER_CHECK(low <= high, "[histc] max: expected a value not below min ({}), got {}", low, high);
  const Tensor x = self.reshape({-1}).to(DType::Float64);
  if (low == high && x.numel() > 0) {
    low = x.amin().item<double>();
    high = x.amax().item<double>();
  }
  EMBER_CHECK(std::isfinite(low) && std::isfinite(high), "[histc] self: expected a finite range, got [{}, {}]", low,
              high);
  if (low == high) {  // one value (or none): a unit range around it, as PyTorch's
    low -= 1;
    high += 1;
  }
  // Only the elements inside are binned (so no NaN or far value is converted to an integer); the
  // top edge belongs to the last bin.
  const Tensor inside = x.masked_select(ember::logical_and(ge(x, low), le(x, high)));
  const Tensor bin = floor((inside - low) * (static_cast<double>(bins) / (high - low))).clamp_max(bins - 1).to(DType::Int64);
  return ember::bincount(bin, std::nullopt, bins).to(self.dtype());
}

// The counts against any edges: each element's bin is the last edge at or below it
// (searchsorted), the top edge counting in the last bin; elements outside, and NaN, add zero
// weight to a clamped bin, so one index_add does it all and the weights receive gradients.
std::tuple<Tensor, Tensor> histogram_bins_tensor(const Tensor& self, const Tensor& bins, const std::optional<Tensor>& weight,
                                                 bool density) {
  check_floating("histogram", "self", self);
  EMBER_CHECK(bins.dim() == 1 && bins.size(0) >= 2, "[histogram] bins: expected a 1-D tensor of at least 2 edges, got shape {}",
              shape_str(bins.sizes()));
  const Tensor edges = bins.to(self.dtype());
  const int64_t n = edges.size(0) - 1;
  const Tensor x = self.reshape({-1});
  Tensor w = ember::ones_like(x);
  if (weight) {
    EMBER_CHECK(weight->sizes().equals(self.sizes()), "[histogram] weight: expected self's shape {}, got {}",
                shape_str(self.sizes()), shape_str(weight->sizes()));
    w = weight->reshape({-1}).to(self.dtype());
  }
  const Tensor inside = ember::logical_and(ge(x, edges[0]), le(x, edges[n]));
  const Tensor bin = (ember::searchsorted(edges, x, false, true) - 1).clamp(0, n - 1);
  Tensor hist = ember::zeros({n}, self.dtype(), self.device()).index_add(0, bin, where(inside, w, ember::zeros_like(w)));
  if (density) hist = hist / (hist.sum() * edges.diff());
  return {hist, edges};
}

std::tuple<Tensor, Tensor> histogram_bin_ct(const Tensor& self, int64_t bins, const std::optional<Tensor>& weight,
                                            bool density) {
  check_floating("histogram", "self", self);
  EMBER_CHECK(bins > 0, "[histogram] bins: expected a positive number of bins, got {}", bins);
  double low = 0, high = 0;
  if (self.numel() > 0) {
    low = self.amin().item<double>();
    high = self.amax().item<double>();
  }
  EMBER_CHECK(std::isfinite(low) && std::isfinite(high), "[histogram] self: expected a finite range, got [{}, {}]", low,
              high);
  if (low == high) {  // NumPy's widening, which PyTorch follows
    low -= 0.5;
    high += 0.5;
  }
  const Tensor edges = ember::linspace(low, high, bins + 1, self.dtype(), self.device());
  return ember::histogram(self, edges, weight, density);
}

}  // namespace ember::composite
