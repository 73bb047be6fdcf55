// The norms of torch.linalg beside linalg_matrix_norm: linalg_vector_norm over any dimensions,
// and linalg_norm, which picks the vector or the matrix norm from its arguments.
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

}  // namespace ember::composite
