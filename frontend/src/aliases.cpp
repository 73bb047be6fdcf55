// NumPy's and PyTorch's other names for operators: each calls the operator it names, so the
// two spellings share kernels, derivatives and errors.
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {

Tensor clip(const Tensor& self, const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  return ember::clamp(self, min, max);
}
Tensor absolute(const Tensor& self) { return ember::abs(self); }
Tensor negative(const Tensor& self) { return ember::neg(self); }
Tensor positive(const Tensor& self) {
  EMBER_CHECK(self.dtype() != DType::Bool, "[positive] self: expected a numeric tensor, got bool");
  return self;
}
Tensor fix(const Tensor& self) { return ember::trunc(self); }
Tensor multiply(const Tensor& self, const Tensor& other) { return ember::mul(self, other); }
Tensor subtract(const Tensor& self, const Tensor& other, const Scalar& alpha) { return ember::sub(self, other, alpha); }
Tensor true_divide(const Tensor& self, const Tensor& other) { return ember::div(self, other); }
Tensor arcsin(const Tensor& self) { return ember::asin(self); }
Tensor arccos(const Tensor& self) { return ember::acos(self); }
Tensor arctan(const Tensor& self) { return ember::atan(self); }
Tensor arcsinh(const Tensor& self) { return ember::asinh(self); }
Tensor arccosh(const Tensor& self) { return ember::acosh(self); }
Tensor arctanh(const Tensor& self) { return ember::atanh(self); }
Tensor arctan2(const Tensor& self, const Tensor& other) { return ember::atan2(self, other); }
Tensor ger(const Tensor& self, const Tensor& vec2) { return ember::outer(self, vec2); }

}  // namespace ember::composite
