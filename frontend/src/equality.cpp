// Whole-tensor comparisons that answer with one bool: allclose and equal.
#include "ember/ember.h"

namespace ember {

bool allclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan) {
  return isclose(self, other, rtol, atol, equal_nan).all().item<bool>();
}

bool equal(const Tensor& self, const Tensor& other) {
  EMBER_CHECK(self.device() == other.device(), "[equal] other: expected a tensor on {} like self, got one on {}",
              self.device().str(), other.device().str());
  return self.sizes().equals(other.sizes()) && eq(self, other).all().item<bool>();
}

}  // namespace ember
