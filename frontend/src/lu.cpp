// The LU factors beyond the factorisation itself (linalg_lu_factor_ex, a backend operator):
// unpacking them into P, L and U, and solving with them (linalg_lu_solve, and linalg_solve_ex on
// a fresh factorisation). Solves go through triangular solves of L and U, so autograd
// differentiates them with respect to the factors and the right-hand side.
#include <algorithm>
#include <vector>

#include "ember/core/matrix_shape.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

// The permutation each batch entry's pivots stand for: rows i and pivots[i] - 1 swapped in turn,
// so that row r of L U is row order[r] of A. Pivots are few (min(m, n) a matrix) and swapped in
// sequence, so they are read on the host.
Tensor row_order(const Tensor& pivots, int64_t m) {
  const int64_t k = pivots.size(-1);
  const std::vector<int64_t> swaps = to_vector<int64_t>(pivots.to(DType::Int64));
  DimVector shape(IntArrayRef(pivots.sizes().data(), static_cast<size_t>(pivots.dim() - 1)));
  const int64_t batch = checked_numel(shape, "lu_unpack");  // counted from the shape: k may be 0
  shape.push_back(m);
  std::vector<int64_t> order(static_cast<size_t>(checked_numel(shape, "lu_unpack")));
  for (int64_t b = 0; b < batch; ++b) {
    int64_t* row = order.data() + b * m;
    for (int64_t i = 0; i < m; ++i) row[i] = i;
    for (int64_t i = 0; i < k; ++i) {
      const int64_t swap = swaps[static_cast<size_t>(b * k + i)];
      EMBER_CHECK(swap >= 1 && swap <= m, "[lu_unpack] LU_pivots: expected pivots in [1, {}], got {}", m, swap);
      std::swap(row[i], row[swap - 1]);
    }
  }
  return tensor<int64_t>(order, shape, pivots.device());
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> lu_unpack(const Tensor& LU_data, const Tensor& LU_pivots, bool unpack_data,
                                             bool unpack_pivots) {
  EMBER_CHECK(LU_data.dim() >= 2, "[lu_unpack] LU_data: expected a matrix or a batch of them, got shape {}",
              shape_str(LU_data.sizes()));
  const int64_t m = LU_data.size(-2), n = LU_data.size(-1), k = std::min(m, n);
  DimVector pivot_shape(IntArrayRef(LU_data.sizes().data(), static_cast<size_t>(LU_data.dim() - 2)));
  pivot_shape.push_back(k);
  EMBER_CHECK(LU_pivots.sizes().equals(pivot_shape) && (LU_pivots.dtype() == DType::Int32 || LU_pivots.dtype() == DType::Int64),
              "[lu_unpack] LU_pivots: expected int32 or int64 pivots of shape {}, got {} {}", shape_str(pivot_shape),
              dtype_name(LU_pivots.dtype()), shape_str(LU_pivots.sizes()));
  const Tensor none = ember::empty({0}, LU_data.dtype(), LU_data.device());
  Tensor P = none, L = none, U = none;
  if (unpack_data) {
    L = LU_data.narrow(-1, 0, k).tril(-1) + ember::eye(m, k, LU_data.dtype(), LU_data.device());
    U = LU_data.narrow(-2, 0, k).triu();
  }
  if (unpack_pivots) {
    // P[i, r] = 1 where row r of L U is row i of A.
    const Tensor rows = ember::arange(m, DType::Int64, LU_data.device()).unsqueeze(1);
    P = eq(row_order(LU_pivots, m).unsqueeze(-2), rows).to(LU_data.dtype());
  }
  return {P, L, U};
}

std::tuple<Tensor, Tensor, Tensor> linalg_lu(const Tensor& A, bool pivot) {
  const auto [LU, pivots, info] = ember::linalg_lu_factor_ex(A, pivot, false);
  return ember::lu_unpack(LU, pivots);
}

std::tuple<Tensor, Tensor> linalg_lu_factor(const Tensor& A, bool pivot) {
  const auto [LU, pivots, info] = ember::linalg_lu_factor_ex(A, pivot, true);
  return {LU, pivots};
}

namespace {

// A = P L U. Left: X = U^-1 L^-1 P^T B, or with adjoint (A^T X = B) X = P L^-T U^-T B. Right
// (X A = B): X = B U^-1 L^-1 P^T, or with adjoint X = B P L^-T U^-T. Errors name `op`, and the
// matrices by the argument they came from.
Tensor solve_with_factors(const char* op, const char* matrices, const Tensor& LU, const Tensor& pivots, const Tensor& B,
                          bool left, bool adjoint) {
  ember::check_matrices(op, matrices, LU.dtype(), LU.sizes(), true, true);
  EMBER_CHECK(B.dim() >= 2, "[{}] B: expected a matrix or a batch of them, got shape {}", op, shape_str(B.sizes()));
  const int64_t n = LU.size(-1), matched = left ? B.size(-2) : B.size(-1);
  EMBER_CHECK(matched == n, "[{}] B: expected {} {} to match {}'s {}x{} matrices, got shape {}", op, n,
              left ? "rows" : "columns", matrices, n, n, shape_str(B.sizes()));
  const auto [P, L, U] = ember::lu_unpack(LU, pivots);
  // Each step solves with L (unit lower) or U (upper), or their transposes, on the side asked.
  const auto with_l = [&](const Tensor& x, bool transposed, bool on_left) {
    return ember::linalg_solve_triangular(transposed ? L.mT() : L, x, transposed, on_left, true);
  };
  const auto with_u = [&](const Tensor& x, bool transposed, bool on_left) {
    return ember::linalg_solve_triangular(transposed ? U.mT() : U, x, !transposed, on_left);
  };
  if (left && !adjoint) return with_u(with_l(ember::matmul(P.mT(), B), false, true), false, true);
  if (left) return ember::matmul(P, with_l(with_u(B, true, true), true, true));
  if (!adjoint) return ember::matmul(with_l(with_u(B, false, false), false, false), P.mT());
  return with_u(with_l(ember::matmul(B, P), true, false), true, false);
}

}  // namespace

Tensor linalg_lu_solve(const Tensor& LU, const Tensor& pivots, const Tensor& B, bool left, bool adjoint) {
  return solve_with_factors("linalg_lu_solve", "LU", LU, pivots, B, left, adjoint);
}

// A vector B (as linalg_solve takes one) is solved as a column (left) or a row.
std::tuple<Tensor, Tensor> linalg_solve_ex(const Tensor& A, const Tensor& B, bool left, bool check_errors) {
  ember::check_matrices("linalg_solve_ex", "A", A.dtype(), A.sizes(), true, true);
  const DType dtype = promote_types(A.dtype(), B.dtype());
  const bool vector = ember::is_vector_rhs(A.sizes(), B.sizes());
  const int64_t vector_dim = left ? -1 : -2;
  const auto [LU, pivots, info] = ember::linalg_lu_factor_ex(A.to(dtype), true, check_errors);
  const Tensor rhs = vector ? B.to(dtype).unsqueeze(vector_dim) : B.to(dtype);
  const Tensor x = solve_with_factors("linalg_solve_ex", "A", LU, pivots, rhs, left, false);
  return {vector ? x.squeeze(vector_dim) : x, info};
}

}  // namespace ember::composite
