// torch.special beyond the backend's kernels: the normal distribution function and its logarithm,
// the entropy term, rounding to decimal places, and torch.special's names for operators that
// have names of their own.
#include <cmath>

#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {

Tensor special_ndtr(const Tensor& self) { return ember::erfc(self * -M_SQRT1_2) * 0.5; }

// Phi(x) = erfc(-x / sqrt 2) / 2. Below -1, log Phi(x) = log(erfcx(-x / sqrt 2) / 2) - x^2 / 2,
// finite long after Phi underflows; above, log1p(-erfc(x / sqrt 2) / 2), which keeps the digits
// of a Phi near 1. Each branch reads its input clamped to its own side, so the branch not taken
// cannot put an infinity into the gradient through where.
Tensor special_log_ndtr(const Tensor& self) {
  const Tensor lower = ember::clamp_max(self, -1), upper = ember::clamp_min(self, -1);
  const Tensor lower_tail = ember::log(ember::special_erfcx(lower * -M_SQRT1_2) * 0.5) - lower * lower * 0.5;
  const Tensor upper_side = ember::log1p(ember::erfc(upper * M_SQRT1_2) * -0.5);
  return where(lt(self, -1), lower_tail, upper_side);
}

// -x ln x: 0 at 0 (its limit), -inf below 0 where the logarithm has no real value.
Tensor special_entr(const Tensor& self) {
  const Tensor x = is_floating(self.dtype()) ? self : self.to(DType::Float32);
  const Tensor positive = gt(x, 0);
  const Tensor safe = where(positive, x, ember::ones_like(x));  // no log(0) in any branch
  const Tensor outside = where(eq(x, 0), ember::zeros_like(x), ember::full_like(x, -INFINITY));
  return where(positive, -safe * ember::log(safe), outside).masked_fill(ember::isnan(x), NAN);
}

// x 10^d rounded half to even, then divided back; negative d divides first (PyTorch's order, so
// that round(1234.5, -2) is exactly 1200).
Tensor round_decimals(const Tensor& self, int64_t decimals) {
  if (decimals == 0) return ember::round(self);
  const double scale = std::pow(10.0, std::fabs(static_cast<double>(decimals)));
  if (decimals > 0) return ember::round(self * scale) / scale;
  return ember::round(self / scale) * scale;
}

Tensor special_gammaln(const Tensor& self) { return ember::lgamma(self); }
Tensor special_digamma(const Tensor& self) { return ember::digamma(self); }
Tensor special_psi(const Tensor& self) { return ember::digamma(self); }
Tensor special_polygamma(int64_t n, const Tensor& self) { return ember::polygamma(n, self); }
Tensor special_multigammaln(const Tensor& self, int64_t p) { return ember::mvlgamma(self, p); }
Tensor special_expit(const Tensor& self) { return ember::sigmoid(self); }
Tensor special_logit(const Tensor& self, std::optional<double> eps) { return ember::logit(self, eps); }
Tensor special_exp2(const Tensor& self) { return ember::exp2(self); }
Tensor special_expm1(const Tensor& self) { return ember::expm1(self); }
Tensor special_log1p(const Tensor& self) { return ember::log1p(self); }
Tensor special_erf(const Tensor& self) { return ember::erf(self); }
Tensor special_erfc(const Tensor& self) { return ember::erfc(self); }
Tensor special_erfinv(const Tensor& self) { return ember::erfinv(self); }
Tensor special_i0(const Tensor& self) { return ember::i0(self); }
Tensor special_modified_bessel_i0(const Tensor& self) { return ember::i0(self); }
Tensor special_modified_bessel_i1(const Tensor& self) { return ember::special_i1(self); }
Tensor special_sinc(const Tensor& self) { return ember::sinc(self); }
Tensor special_round(const Tensor& self, int64_t decimals) { return ember::round(self, decimals); }
Tensor special_xlogy(const Tensor& self, const Tensor& other) { return ember::xlogy(self, other); }
Tensor special_xlog1py(const Tensor& self, const Tensor& other) { return ember::xlog1py(self, other); }
Tensor special_gammainc(const Tensor& self, const Tensor& other) { return ember::igamma(self, other); }
Tensor special_gammaincc(const Tensor& self, const Tensor& other) { return ember::igammac(self, other); }
Tensor special_logsumexp(const Tensor& self, IntArrayRef dim, bool keepdim) {
  return ember::logsumexp(self, dim, keepdim);
}
Tensor special_softmax(const Tensor& self, int64_t dim, std::optional<DType> dtype) {
  return ember::softmax(dtype ? self.to(*dtype) : self, dim);
}
Tensor special_log_softmax(const Tensor& self, int64_t dim, std::optional<DType> dtype) {
  return ember::log_softmax(dtype ? self.to(*dtype) : self, dim);
}

}  // namespace ember::composite
