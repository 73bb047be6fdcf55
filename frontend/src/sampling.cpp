// Draws from the exponential, geometric, log-normal, Cauchy, Bernoulli, Poisson and categorical
// distributions, and random permutations: each made from uniform_ (or normal_) draws, so that
// every backend serves them and manual_seed repeats them.
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

// Note [Poisson draws]
// Below a rate of 10, inversion: a draw u is the count k whose cumulative probability first
// exceeds it, the probabilities built term by term (p_k = p_{k-1} rate / k); a count stops also
// where the terms left cannot move the sum in float64, so that u near 1, above a sum rounded short
// of 1, still ends. From 10 on, Hoermann's transformed rejection with squeeze (PTRS, 1993): a
// candidate floor((2a / us + b) U + rate + 0.43) from two uniforms, taken at once inside the
// squeeze and otherwise by comparing the hat's log density with the Poisson log probability. Each
// round works on the elements still pending only (`Pending`), so inversion costs about the mean
// count in passes over the tensor, not the largest count, and rejection, which takes nine
// candidates in ten, little more than one pass. Both run in float64 whatever self's dtype.
constexpr double kInversionBelow = 10;

// The elements a sampler has not settled: their positions in the flattened counts and, aligned
// with them, the per-element values the sampler carries from round to round.
struct Pending {
  Tensor positions;
  std::vector<Tensor> values;

  bool empty() const { return positions.numel() == 0; }

  // Writes `counts` where `done` holds into `out` and drops those elements: the places of each
  // part found once and gathered from every tensor.
  void settle(Tensor& out, const Tensor& done, const Tensor& counts) {
    const Tensor finished = ember::nonzero(done).select(1, 0);
    out.index_copy_(0, positions.index_select(0, finished), counts.index_select(0, finished));
    const Tensor left = ember::nonzero(ember::logical_not(done)).select(1, 0);
    positions = positions.index_select(0, left);
    for (Tensor& v : values) v = v.index_select(0, left);
  }
};

// values: rate, u, the last term, the cumulative sum, the count so far.
void poisson_by_inversion(Tensor& out, Pending pending) {
  const Tensor rates = pending.values[0];
  const Tensor first = ember::exp(-rates);
  pending.values = {rates, uniform_like(rates), first, first, ember::zeros_like(rates)};
  pending.settle(out, pending.values[1] <= first, pending.values[4]);
  while (!pending.empty()) {
    std::vector<Tensor>& v = pending.values;
    const Tensor &rate = v[0], &u = v[1];
    Tensor &term = v[2], &cumulative = v[3], &count = v[4];
    count = count + 1;
    term = term * rate / count;
    cumulative = cumulative + term;
    const Tensor negligible = term <= cumulative * std::numeric_limits<double>::epsilon();
    pending.settle(out, ember::logical_or(u <= cumulative, negligible), count);
  }
}

void poisson_by_rejection(Tensor& out, Pending pending) {
  while (!pending.empty()) {
    const Tensor& rates = pending.values[0];
    const Tensor b = ember::sqrt(rates) * 2.53 + 0.931;
    const Tensor a = b * 0.02483 - 0.059;
    const Tensor log_inverse_alpha = ember::log(1.1239 + 1.1328 / (b - 3.4));
    const Tensor squeeze = 0.9277 - 3.6224 / (b - 2);
    const Tensor centred = uniform_like(rates) - 0.5;
    const Tensor v = uniform_like(rates);
    const Tensor us = 0.5 - ember::abs(centred);
    const Tensor k = ember::floor((2 * a / us + b) * centred + rates + 0.43);
    const Tensor inside_squeeze = ember::logical_and(us >= 0.07, v <= squeeze);
    const Tensor refused = ember::logical_or(k < 0, ember::logical_and(us < 0.013, v > us));
    const Tensor under_density = ember::log(v) + log_inverse_alpha - ember::log(a / (us * us) + b) <=
                                 k * ember::log(rates) - rates - ember::lgamma(k + 1);
    pending.settle(out, ember::logical_or(inside_squeeze, ember::logical_and(ember::logical_not(refused), under_density)), k);
  }
}

}  // namespace

// Each element by the method its rate calls for (Note [Poisson draws]).
Tensor poisson(const Tensor& self) {
  check_floating("poisson", self);
  const Tensor rates = self.detach().to(DType::Float64).flatten();
  EMBER_CHECK(ember::all(ember::logical_and(ember::isfinite(rates), rates >= 0)).item<bool>(),
              "[poisson] self: expected finite, non-negative rates");
  Tensor counts = ember::zeros_like(rates);
  const Tensor positions = ember::arange(rates.numel(), DType::Int64, rates.device());
  const Tensor small = rates < kInversionBelow;
  const auto part = [&](const Tensor& mask) { return Pending{positions.masked_select(mask), {rates.masked_select(mask)}}; };
  poisson_by_inversion(counts, part(small));
  poisson_by_rejection(counts, part(ember::logical_not(small)));
  return counts.view(self.sizes()).to(self.dtype());
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
