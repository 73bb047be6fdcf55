// Products added to a scaled input (baddbmm, addbmm, addmv, addr), tensordot, and the chained
// product linalg_multi_dot.
#include <limits>
#include <vector>

#include "ember/core/broadcast.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "marked_dims.h"

namespace ember::composite {
namespace {

// beta self + alpha product, self broadcast to the product's shape. As PyTorch's: with beta 0
// self is not read, so NaN in it does not reach the result.
Tensor scaled_sum(const char* op, const Tensor& self, Tensor product, const Scalar& beta, const Scalar& alpha) {
  if (alpha.to_double() != 1) product = product * alpha;
  check_broadcasts_to(self.sizes(), product.sizes(), op, "self");
  if (beta.to_double() == 0) return product;
  return product + (beta.to_double() == 1 ? self : self * beta);
}

// The cheapest order of a chain of matrices of shapes [p0, p1], [p1, p2], ...: split[i][j] is
// where the product of matrices i..j divides (the classic dynamic programme).
std::vector<std::vector<size_t>> cheapest_splits(const std::vector<int64_t>& p) {
  const size_t n = p.size() - 1;
  std::vector<std::vector<double>> cost(n, std::vector<double>(n, 0));
  std::vector<std::vector<size_t>> split(n, std::vector<size_t>(n, 0));
  for (size_t length = 2; length <= n; ++length) {
    for (size_t i = 0; i + length <= n; ++i) {
      const size_t j = i + length - 1;
      cost[i][j] = std::numeric_limits<double>::infinity();
      for (size_t k = i; k < j; ++k) {
        const double c = cost[i][k] + cost[k + 1][j] + static_cast<double>(p[i]) * p[k + 1] * p[j + 1];
        if (c < cost[i][j]) {
          cost[i][j] = c;
          split[i][j] = k;
        }
      }
    }
  }
  return split;
}

Tensor chain_product(const std::vector<Tensor>& matrices, const std::vector<std::vector<size_t>>& split, size_t i,
                     size_t j) {
  if (i == j) return matrices[i];
  const size_t k = split[i][j];
  return ember::mm(chain_product(matrices, split, i, k), chain_product(matrices, split, k + 1, j));
}

}  // namespace

Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta, const Scalar& alpha) {
  return scaled_sum("baddbmm", self, batch1.bmm(batch2), beta, alpha);
}

Tensor addbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta, const Scalar& alpha) {
  return scaled_sum("addbmm", self, batch1.bmm(batch2).sum({0}), beta, alpha);
}

Tensor addmv(const Tensor& self, const Tensor& mat, const Tensor& vec, const Scalar& beta, const Scalar& alpha) {
  return scaled_sum("addmv", self, mat.mv(vec), beta, alpha);
}

Tensor addr(const Tensor& self, const Tensor& vec1, const Tensor& vec2, const Scalar& beta, const Scalar& alpha) {
  return scaled_sum("addr", self, ember::outer(vec1, vec2), beta, alpha);
}

Tensor tensordot(const Tensor& self, const Tensor& other, IntArrayRef dims_a, IntArrayRef dims_b) {
  EMBER_CHECK(dims_a.size() == dims_b.size(), "[tensordot] dims_b: expected as many dimensions as dims_a ({}), got {}",
              dims_a.size(), dims_b.size());
  EMBER_CHECK(other.dtype() == self.dtype(), "[tensordot] other: expected dtype {} as self's, got {}",
              dtype_name(self.dtype()), dtype_name(other.dtype()));
  const std::vector<bool> contracted_a = marked_dims(self, dims_a, "tensordot", "dims_a");
  const std::vector<bool> contracted_b = marked_dims(other, dims_b, "tensordot", "dims_b");
  // self as [free, contracted] and other as [contracted, free]: one mm.
  DimVector order_a, order_b, result_shape;
  int64_t contracted = 1, free_a = 1, free_b = 1;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (contracted_a[d]) continue;
    order_a.push_back(d);
    result_shape.push_back(self.size(d));
    free_a *= self.size(d);
  }
  for (size_t i = 0; i < dims_a.size(); ++i) {
    const int64_t a = wrap_dim(dims_a[i], self.dim(), "tensordot"), b = wrap_dim(dims_b[i], other.dim(), "tensordot");
    EMBER_CHECK(self.size(a) == other.size(b), "[tensordot] dims_b: dimension {} of other has size {} where "
                "dimension {} of self has {}", b, other.size(b), a, self.size(a));
    order_a.push_back(a);
    order_b.push_back(b);
    contracted *= self.size(a);
  }
  for (int64_t d = 0; d < other.dim(); ++d) {
    if (contracted_b[d]) continue;
    order_b.push_back(d);
    result_shape.push_back(other.size(d));
    free_b *= other.size(d);
  }
  const Tensor a = self.dim() == 0 ? self.reshape({1, 1}) : self.permute(order_a).reshape({free_a, contracted});
  const Tensor b = other.dim() == 0 ? other.reshape({1, 1}) : other.permute(order_b).reshape({contracted, free_b});
  return ember::mm(a, b).reshape(result_shape);
}

Tensor linalg_multi_dot(TensorList tensors) {
  const size_t n = tensors.size();
  EMBER_CHECK(n >= 2, "[linalg_multi_dot] tensors: expected at least two tensors, got {}", n);
  std::vector<Tensor> matrices;
  for (size_t i = 0; i < n; ++i) {
    const Tensor& t = tensors[i];
    const bool end = i == 0 || i == n - 1;
    EMBER_CHECK(!end || t.dim() == 1 || t.dim() == 2, "[linalg_multi_dot] tensors: expected the first and last "
                "tensors 1-D or 2-D, tensor {} is {}-D", i, t.dim());
    EMBER_CHECK(end || t.dim() == 2, "[linalg_multi_dot] tensors: expected the middle tensors 2-D, tensor {} is {}-D",
                i, t.dim());
    EMBER_CHECK(t.dtype() == tensors[0].dtype(), "[linalg_multi_dot] tensors: expected dtype {} as tensor 0's, tensor "
                "{} has {}", dtype_name(tensors[0].dtype()), i, dtype_name(t.dtype()));
    // A leading vector is a row, a trailing one a column.
    matrices.push_back(t.dim() == 2 ? t : i == 0 ? t.unsqueeze(0) : t.unsqueeze(1));
  }
  std::vector<int64_t> p = {matrices[0].size(0)};
  for (size_t i = 0; i < n; ++i) {
    EMBER_CHECK(matrices[i].size(0) == p.back(), "[linalg_multi_dot] tensors: tensor {} has {} rows where tensor {} has "
                "{} columns", i, matrices[i].size(0), i - 1, p.back());
    p.push_back(matrices[i].size(1));
  }
  Tensor result = chain_product(matrices, cheapest_splits(p), 0, n - 1);
  if (tensors[n - 1].dim() == 1) result = result.squeeze(1);
  if (tensors[0].dim() == 1) result = result.squeeze(0);
  return result;
}

}  // namespace ember::composite
