// Draws from the exponential, geometric, log-normal, Cauchy, Bernoulli and categorical
// distributions, and random permutations: each made from uniform_ (or normal_) draws, so that
// every backend serves them and manual_seed repeats them. Poisson counts need a varying number of
// draws per element, so a kernel makes them (_poisson_counts); poisson checks its rates. Gamma
// draws are a kernel's too (_standard_gamma), and Dirichlet draws normalise them.
#include <cmath>
#include <limits>
#include <numbers>

#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

// The dtype draws for self are made in: float64 for float64 and integer tensors, float32
// otherwise, so that a half-precision tensor is not drawn from its own 256 or 2048 levels.
DType draw_dtype(const Tensor& self) {
  return self.dtype() == DType::Float64 || !is_floating(self.dtype()) ? DType::Float64 : DType::Float32;
}

// Uniform draws in [0, 1) shaped as self.
Tensor uniform_like(const Tensor& self) {
  return ember::empty(self.sizes(), draw_dtype(self), self.device()).uniform_(0, 1);
}

void check_floating(const char* op, const Tensor& self) {
  EMBER_CHECK(is_floating(self.dtype()), "[{}] self: expected a floating-point tensor, got {}", op,
              dtype_name(self.dtype()));
}

void check_positive(const char* op, const char* name, double value) {
  EMBER_CHECK(value > 0 && std::isfinite(value), "[{}] {}: expected a positive finite value, got {}", op, name, value);
}

void check_probability(const char* op, double p) {
  EMBER_CHECK(p >= 0 && p <= 1, "[{}] p: expected a probability in [0, 1], got {}", op, p);
}

// The largest integer `type` holds with every integer below it: how long a permutation it can hold.
int64_t largest_exact_integer(DType type) {
  switch (type) {
    case DType::Float64: return int64_t{1} << 53;
    case DType::Float32: return int64_t{1} << 24;
    case DType::Float16: return 2048;
    case DType::BFloat16: return 256;
    case DType::Int64: return std::numeric_limits<int64_t>::max();
    case DType::Int32: return std::numeric_limits<int32_t>::max();
    case DType::Int8: return 127;
    case DType::UInt8: return 255;
    default: return -1;
  }
}

}  // namespace

// The rates are checked here, once for every backend; the draws are a kernel's
// (plugins_sdk poisson_draw.h, Note [Poisson draws]).
Tensor poisson(const Tensor& self) {
  check_floating("poisson", self);
  const Tensor rates = self.detach();
  EMBER_CHECK(ember::all(ember::logical_and(ember::isfinite(rates), rates >= 0)).item<bool>(),
              "[poisson] self: expected finite, non-negative rates");
  return ember::_poisson_counts(rates);
}

// Gamma draws normalised along the last dimension; the draws' floor keeps every sum positive.
Tensor _sample_dirichlet(const Tensor& self) {
  check_floating("_sample_dirichlet", self);
  EMBER_CHECK(self.dim() >= 1, "[_sample_dirichlet] self: expected at least one dimension, got a 0-dim tensor");
  const Tensor draws = ember::_standard_gamma(self);
  return draws / draws.sum(-1, true);
}

// -log(1 - u) / lambd for u in [0, 1): finite, the inverse of the distribution function.
Tensor exponential_(const Tensor& self, double lambd) {
  check_floating("exponential_", self);
  check_positive("exponential_", "lambd", lambd);
  return self.copy_(-ember::log1p(-uniform_like(self)) / lambd);
}

// The number of trials up to the first success: ceil(log(1 - u) / log(1 - p)), at least 1 (the
// draw u = 0 alone gives 0).
Tensor geometric_(const Tensor& self, double p) {
  EMBER_CHECK(self.dtype() != DType::Bool, "[geometric_] self: expected a numeric tensor, got bool");
  EMBER_CHECK(p > 0 && p < 1, "[geometric_] p: expected a probability in (0, 1), got {}", p);
  return self.copy_(ember::ceil(ember::log1p(-uniform_like(self)) / std::log1p(-p)).clamp_min(1));
}

Tensor log_normal_(const Tensor& self, double mean, double std) {
  check_floating("log_normal_", self);
  check_positive("log_normal_", "std", std);
  return self.copy_(ember::exp(ember::empty(self.sizes(), draw_dtype(self), self.device()).normal_(mean, std)));
}

// median + sigma tan(pi (u - 1/2)).
Tensor cauchy_(const Tensor& self, double median, double sigma) {
  check_floating("cauchy_", self);
  check_positive("cauchy_", "sigma", sigma);
  return self.copy_(ember::tan((uniform_like(self) - 0.5) * std::numbers::pi) * sigma + median);
}

// u < p is true with probability p, for u uniform in [0, 1).
Tensor bernoulli(const Tensor& self) {
  check_floating("bernoulli", self);
  EMBER_CHECK(ember::all(ember::logical_and(self >= 0, self <= 1)).item<bool>(),
              "[bernoulli] self: expected probabilities in [0, 1]");
  return (uniform_like(self) < self).to(self.dtype());
}

Tensor bernoulli_p(const Tensor& self, double p) {
  check_probability("bernoulli", p);
  return (uniform_like(self) < p).to(self.dtype());
}

Tensor bernoulli_(const Tensor& self, double p) {
  check_probability("bernoulli_", p);
  return self.copy_(uniform_like(self) < p);
}

// Note [Categorical draws]
// With replacement, each draw u in [0, 1) is looked up in the row's cumulative weights (its last
// bound set to exactly 1, which rounding may miss): category i takes the draws in [cdf[i-1],
// cdf[i]), as wide as its weight, so one of weight 0 is never drawn. Without replacement,
// category i arrives at an exponential time E_i / w_i (never, for weight 0); the first k to
// arrive are k draws without replacement (the "exponential race"), one topk.
Tensor multinomial(const Tensor& self, int64_t num_samples, bool replacement) {
  const char* op = "multinomial";
  EMBER_CHECK((self.dim() == 1 || self.dim() == 2) && is_floating(self.dtype()) && self.size(-1) > 0,
              "[{}] self: expected a 1-D or 2-D floating-point tensor of weights with categories, got {} {}", op,
              dtype_name(self.dtype()), shape_str(self.sizes()));
  EMBER_CHECK(num_samples > 0, "[{}] num_samples: expected a positive count, got {}", op, num_samples);
  const int64_t categories = self.size(-1);
  const Tensor weights = (self.dim() == 1 ? self.unsqueeze(0) : self).to(DType::Float64);
  EMBER_CHECK(ember::all(ember::logical_and(ember::isfinite(weights), weights >= 0)).item<bool>(),
              "[{}] self: expected finite, non-negative weights", op);
  const Tensor totals = weights.sum(1, true);
  EMBER_CHECK(ember::all(totals > 0).item<bool>(), "[{}] self: expected every row to have a positive sum", op);
  Tensor picks;
  if (replacement) {
    const Tensor cdf = (weights / totals).cumsum(1);
    cdf.narrow(1, categories - 1, 1).fill_(1.0);
    const Tensor draws = ember::empty({weights.size(0), num_samples}, DType::Float64, self.device()).uniform_(0, 1);
    picks = ember::searchsorted(cdf, draws, false, /*right=*/true);
  } else {
    EMBER_CHECK(num_samples <= categories, "[{}] num_samples: expected at most {} (the categories) without replacement, "
                "got {}", op, categories, num_samples);
    const int64_t fewest = (weights > 0).sum(1).amin().item<int64_t>();
    EMBER_CHECK(num_samples <= fewest, "[{}] self: {} draws without replacement need as many categories of positive "
                "weight in every row, got a row with {}", op, num_samples, fewest);
    const Tensor times = ember::empty_like(weights).exponential_(1) / weights;
    const Tensor arrivals = times.masked_fill(weights == 0, std::numeric_limits<double>::infinity());
    picks = std::get<1>(ember::topk(arrivals, num_samples, 1, /*largest=*/false, /*sorted=*/true));
  }
  return self.dim() == 1 ? picks.squeeze(0) : picks;
}

// Sorting independent float64 keys orders 0 .. n-1 uniformly at random; keys tie with
// probability about n^2 / 2^54, and even then the sort gives a permutation.
Tensor randperm(int64_t n, std::optional<DType> dtype, std::optional<Device> device) {
  EMBER_CHECK(n >= 0, "[randperm] n: expected a count >= 0, got {}", n);
  const DType type = dtype.value_or(DType::Int64);
  EMBER_CHECK(n == 0 || n - 1 <= largest_exact_integer(type), "[randperm] dtype: {} cannot hold the values 0 to {}",
              dtype_name(type), n - 1);
  const Tensor keys = ember::empty({n}, DType::Float64, device).uniform_(0, 1);
  return ember::argsort(keys).to(type);
}

}  // namespace ember::composite
