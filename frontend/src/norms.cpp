// The norms of torch.linalg beside linalg_matrix_norm: linalg_vector_norm over any dimensions,
// and linalg_norm, which picks the vector or the matrix norm from its arguments; renorm.
#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "floating.h"
#include "marked_dims.h"

namespace ember::composite {

Tensor linalg_vector_norm(const Tensor& self, const Scalar& ord, OptionalIntArrayRef dim, bool keepdim,
                          std::optional<DType> dtype) {
  check_floating("linalg_vector_norm", "self", self);
  EMBER_CHECK(!dtype || is_floating(*dtype), "[linalg_vector_norm] dtype: expected a floating-point dtype, got {}",
              dtype_name(*dtype));
  if (dim) marked_dims(self, *dim, "linalg_vector_norm", "dim");
  return ember::norm(dtype ? self.to(*dtype) : self, ord, dim, keepdim);
}

Tensor linalg_norm(const Tensor& self, std::optional<double> ord, OptionalIntArrayRef dim, bool keepdim) {
  if (dim) {
    EMBER_CHECK(dim->size() == 1 || dim->size() == 2, "[linalg_norm] dim: expected one dimension (a vector norm) or "
                "two (a matrix norm), got {}", dim->size());
    if (dim->size() == 1) return ember::linalg_vector_norm(self, ord.value_or(2), *dim, keepdim);
    return ord ? ember::linalg_matrix_norm(self, *ord, *dim, keepdim) : ember::linalg_matrix_norm(self, "fro", *dim, keepdim);
  }
  // Without dim: every element's 2-norm, or the vector or matrix norm `ord` of a 1-D or 2-D tensor.
  if (!ord) return ember::linalg_vector_norm(self, 2, std::nullopt, keepdim);
  EMBER_CHECK(self.dim() == 1 || self.dim() == 2, "[linalg_norm] self: expected a 1-D or 2-D tensor where ord is given "
              "without dim, got {}-D", self.dim());
  if (self.dim() == 1) return ember::linalg_vector_norm(self, *ord, std::nullopt, keepdim);
  return ember::linalg_matrix_norm(self, *ord, {-2, -1}, keepdim);
}

Tensor linalg_norm_str_ord(const Tensor& self, std::string_view ord, OptionalIntArrayRef dim, bool keepdim) {
  EMBER_CHECK(dim ? dim->size() == 2 : self.dim() == 2, "[linalg_norm] dim: '{}' is a matrix norm: expected two "
              "dimensions, or none for a 2-D tensor", ord);
  return ember::linalg_matrix_norm(self, ord, dim ? *dim : IntArrayRef{-2, -1}, keepdim);
}

// Each slice along dim scaled down to p-norm maxnorm where its norm is above it, by
// maxnorm / (norm + 1e-7) as PyTorch's (so the result falls just below maxnorm).
Tensor renorm(const Tensor& self, const Scalar& p, int64_t dim, const Scalar& maxnorm) {
  check_floating("renorm", "self", self);
  EMBER_CHECK(p.to_double() > 0, "[renorm] p: expected a positive norm order, got {}", p.to_string());
  EMBER_CHECK(maxnorm.to_double() >= 0, "[renorm] maxnorm: expected a non-negative norm, got {}", maxnorm.to_string());
  const int64_t d = wrap_dim(dim, self.dim(), "renorm");
  DimVector others;
  for (int64_t k = 0; k < self.dim(); ++k) {
    if (k != d) others.push_back(k);
  }
  const Tensor norms = self.norm(p, IntArrayRef(others), true);
  const Tensor limit = ember::full_like(norms, maxnorm);
  return self * ember::where(gt(norms, limit), limit / (norms + 1e-7), ember::ones_like(norms));
}

}  // namespace ember::composite
