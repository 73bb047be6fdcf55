// Inclusive scans that no backend kernel provides (cummax, cummin, logcumsumexp), written as
// Hillis-Steele scans of operators (Note [Operator scans]), so that they run on every device.
#include <functional>
#include <vector>

#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "floating.h"

namespace ember::composite {
namespace {

// Note [Operator scans]
// After the step with shift s, entry i holds the combination of entries i - 2s + 1 .. i: each
// step combines every entry with the one s before it (the first s entries stay). log2(n) steps of
// elementwise operators over the whole tensor rather than n dependent ones: a scan on any device
// without a kernel of its own. `combine(earlier, later)` must be associative.
using ScanState = std::vector<Tensor>;
using Combine = std::function<ScanState(const ScanState& earlier, const ScanState& later)>;

ScanState inclusive_scan(ScanState state, int64_t dim, const Combine& combine) {
  const int64_t n = state[0].size(dim);
  for (int64_t shift = 1; shift < n; shift *= 2) {
    ScanState earlier, later;
    for (const Tensor& t : state) {
      earlier.push_back(t.narrow(dim, 0, n - shift));
      later.push_back(t.narrow(dim, shift, n - shift));
    }
    const ScanState combined = combine(earlier, later);
    for (size_t i = 0; i < state.size(); ++i) state[i] = cat({state[i].narrow(dim, 0, shift), combined[i]}, dim);
  }
  return state;
}

// cummax (or cummin, with `smallest`): the scan runs on detached values and their indices; the
// values are then gathered from self, which carries the gradient to the elements picked.
std::tuple<Tensor, Tensor> running_extreme(const char* op, const Tensor& self, int64_t dim, bool smallest) {
  if (self.dim() == 0) {
    wrap_dim(dim, 1, op);
    return {self.clone(), ember::zeros({}, DType::Int64, self.device())};
  }
  const int64_t d = wrap_dim(dim, self.dim(), op);
  std::vector<int64_t> along(static_cast<size_t>(self.dim()), 1);
  along[static_cast<size_t>(d)] = self.size(d);
  const Tensor positions = ember::arange(self.size(d), DType::Int64, self.device()).view(along).expand(self.sizes());
  const auto scanned = inclusive_scan({self.detach(), positions}, d, [smallest](const ScanState& e, const ScanState& l) {
    // The later entry wins ties; a NaN wins over any number, and a later NaN over an earlier one.
    const Tensor better = smallest ? le(l[0], e[0]) : ge(l[0], e[0]);
    const Tensor later = ember::logical_or(ember::isnan(l[0]), ember::logical_and(ember::logical_not(ember::isnan(e[0])), better));
    return ScanState{where(later, l[0], e[0]), where(later, l[1], e[1])};
  });
  return {self.gather(d, scanned[1]), scanned[1]};
}

}  // namespace

std::tuple<Tensor, Tensor> cummax(const Tensor& self, int64_t dim) { return running_extreme("cummax", self, dim, false); }

std::tuple<Tensor, Tensor> cummin(const Tensor& self, int64_t dim) { return running_extreme("cummin", self, dim, true); }

Tensor logcumsumexp(const Tensor& self, int64_t dim) {
  const Tensor x = as_floating(self);
  if (x.dim() == 0) {
    wrap_dim(dim, 1, "logcumsumexp");
    return x.clone();
  }
  const int64_t d = wrap_dim(dim, x.dim(), "logcumsumexp");
  if (x.size(d) <= 1) return x.clone();
  return inclusive_scan({x}, d, [](const ScanState& e, const ScanState& l) {
    return ScanState{ember::logaddexp(e[0], l[0])};
  })[0];
}

}  // namespace ember::composite
