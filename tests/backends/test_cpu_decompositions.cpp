// The linear-algebra operators: hand-computed small cases, and on random batches the identities
// that define each result (A = L L^T, A X = B, A = P L U, A = Q R with Q^T Q = I, A V = V diag(w),
// A = U diag(S) Vh), with strided and broadcast operands; errors on bad input.
#include <cmath>
#include <limits>

#include "reference.h"

using namespace ember;
using reference::check_close;
using reference::doubles;

namespace {

Tensor random_matrices(IntArrayRef shape, unsigned seed) { return reference::random_tensor(shape, seed).to(DType::Float64); }

// Symmetric positive-definite: X X^T + n I.
Tensor spd(IntArrayRef shape, unsigned seed) {
  const Tensor x = random_matrices(shape, seed);
  return matmul(x, x.mT()) + eye(shape.back(), std::nullopt, DType::Float64) * static_cast<double>(shape.back());
}

void check_matches(const Tensor& actual, const Tensor& expected, double tol = 1e-10) {
  REQUIRE(actual.sizes().equals(expected.sizes()));
  check_close(to_vector<double>(actual.contiguous()), to_vector<double>(expected.contiguous()), tol);
}

void check_orthonormal_columns(const Tensor& q) {
  check_matches(matmul(q.mT(), q), zeros_like(matmul(q.mT(), q)) + eye(q.size(-1), std::nullopt, q.dtype()));
}

}  // namespace

TEST_CASE("linalg_cholesky: the factor of a hand-computed matrix, batches, strides and errors") {
  const Tensor a = doubles({4, 2, 2, 3}, {2, 2});
  check_matches(linalg_cholesky(a), doubles({2, 0, 1, std::sqrt(2.0)}, {2, 2}));
  check_matches(linalg_cholesky(a, true), doubles({2, 1, 0, std::sqrt(2.0)}, {2, 2}));
  // Only the chosen triangle is read.
  check_matches(linalg_cholesky(doubles({4, 99, 2, 3}, {2, 2})), linalg_cholesky(a));

  const Tensor batch = spd({3, 4, 4}, 1);
  const Tensor l = linalg_cholesky(batch.mT());  // a transposed view: strides differ, values not
  check_matches(matmul(l, l.mT()), batch);
  check_matches(l, l.tril());
  check_matches(linalg_cholesky(batch.to(DType::Float32)).to(DType::Float64), l, 1e-5);
  CHECK(linalg_cholesky(zeros({0, 3, 3}, DType::Float64)).sizes().equals(IntArrayRef{0, 3, 3}));

  CHECK_THROWS_WITH(linalg_cholesky(doubles({1, 2, 2, 1}, {2, 2})),
                    doctest::Contains("[linalg_cholesky_ex] cpu plugin kernel failed (status 1): self: expected a "
                                      "positive-definite matrix; its leading minor of order 2 is not"));
  CHECK_THROWS_WITH(linalg_cholesky(stack({a, -a})), doctest::Contains("leading minor of order 1 is not (batch entry 1)"));
  CHECK_THROWS_WITH(linalg_cholesky(ones({2, 3}, DType::Float64)),
                    "[linalg_cholesky] self: expected square matrices, got shape [2, 3]");
  CHECK_THROWS_WITH(linalg_cholesky(ones({2, 2}, DType::Int64)),
                    "[linalg_cholesky] self: expected a float32 or float64 tensor, got int64");
  CHECK_THROWS_WITH(linalg_cholesky(ones({2}, DType::Float64)),
                    "[linalg_cholesky] self: expected a matrix or a batch of them (2 or more dimensions), got shape [2]");
}

TEST_CASE("linalg_cholesky_ex reports the first minor that is not positive-definite, matrix by matrix") {
  const Tensor a = doubles({4, 2, 2, 3}, {2, 2});
  // [[1, 2], [2, 1]]: its minor of order 2 has determinant -3; the one of order 1 is 1, so the
  // factor's first column is complete: [1, 2].
  const Tensor batch = stack({a, doubles({1, 2, 2, 1}, {2, 2}), -a});
  const auto [L, info] = linalg_cholesky_ex(batch);
  CHECK(info.dtype() == DType::Int32);
  CHECK(to_vector<int64_t>(info.to(DType::Int64)) == std::vector<int64_t>{0, 2, 1});
  check_matches(L[0], linalg_cholesky(a));
  CHECK(to_vector<double>(L[1].select(1, 0)) == std::vector<double>{1, 2});
  const auto [U, upper_info] = linalg_cholesky_ex(batch, true);
  CHECK(to_vector<int64_t>(upper_info.to(DType::Int64)) == std::vector<int64_t>{0, 2, 1});
  check_matches(U[0], linalg_cholesky(a, true));
  CHECK_THROWS_WITH(linalg_cholesky_ex(batch, false, true), doctest::Contains("order 2 is not (batch entry 1)"));
  CHECK(std::get<1>(linalg_cholesky_ex(zeros({0, 2, 2}, DType::Float64))).sizes().equals(IntArrayRef{0}));
  CHECK_THROWS_WITH(linalg_cholesky_ex(ones({2, 3}, DType::Float64)),
                    "[linalg_cholesky_ex] self: expected square matrices, got shape [2, 3]");
}

TEST_CASE("cholesky_solve and cholesky_inverse from either factor, broadcast batches") {
  // A = [[4, 2], [2, 3]] = L L^T with L = [[2, 0], [1, sqrt 2]]; A x = [8, 7] at x = [1.25, 1.5].
  const Tensor a = doubles({4, 2, 2, 3}, {2, 2});
  const Tensor b = doubles({8, 7}, {2, 1});
  check_matches(cholesky_solve(b, linalg_cholesky(a)), doubles({1.25, 1.5}, {2, 1}));
  check_matches(cholesky_solve(b, linalg_cholesky(a, true), true), doubles({1.25, 1.5}, {2, 1}));
  check_matches(cholesky_inverse(linalg_cholesky(a)), doubles({0.375, -0.25, -0.25, 0.5}, {2, 2}));
  check_matches(linalg_cholesky(a, true).cholesky_inverse(true), doubles({0.375, -0.25, -0.25, 0.5}, {2, 2}));

  const Tensor m = spd({2, 1, 4, 4}, 21), rhs = random_matrices({3, 4, 2}, 22);
  const Tensor x = rhs.cholesky_solve(linalg_cholesky(m));
  CHECK(x.sizes().equals(IntArrayRef{2, 3, 4, 2}));
  check_matches(x, linalg_solve(m, rhs));
  check_matches(cholesky_inverse(linalg_cholesky(m)), linalg_inv(m));

  CHECK_THROWS_WITH(cholesky_solve(ones({3, 1}, DType::Float64), linalg_cholesky(a)),
                    "[cholesky_solve] self: expected 2 rows to match input2's 2x2 factors, got shape [3, 1]");
  CHECK_THROWS_WITH(cholesky_solve(ones({2}, DType::Float64), linalg_cholesky(a)),
                    "[cholesky_solve] self: expected a matrix or a batch of them, got shape [2]");
  CHECK_THROWS_WITH(cholesky_solve(b, ones({2, 3}, DType::Float64)),
                    "[cholesky_solve] input2: expected square matrices, got shape [2, 3]");
  CHECK_THROWS_WITH(cholesky_inverse(ones({2, 2}, DType::Int64)),
                    "[cholesky_inverse] self: expected a float32 or float64 tensor, got int64");
}

TEST_CASE("linalg_solve_ex and linalg_inv_ex: results beside info, singular matrices reported or refused") {
  const Tensor a = doubles({3, 1, 1, 2}, {2, 2}), singular = doubles({1, 2, 2, 4}, {2, 2});
  const auto [x, info] = linalg_solve_ex(a, doubles({9, 8}, {2}));
  check_matches(x, doubles({2, 3}, {2}));
  CHECK(info.item<int64_t>() == 0);
  // Vectors shaped as A without its last dimension, left and right, as linalg_solve takes them.
  const Tensor as = stack({a, a * 2});
  check_matches(std::get<0>(linalg_solve_ex(as, doubles({9, 8, 9, 8}, {2, 2}))), doubles({2, 3, 1, 1.5}, {2, 2}));
  check_matches(std::get<0>(linalg_solve_ex(as, doubles({9, 8}, {2}), false)), linalg_solve(as, doubles({9, 8}, {2}), false));
  const Tensor m = random_matrices({2, 1, 3, 3}, 23) + eye(3, std::nullopt, DType::Float64) * 3;
  const Tensor rhs = random_matrices({4, 3, 2}, 24);
  check_matches(std::get<0>(linalg_solve_ex(m, rhs)), linalg_solve(m, rhs));
  check_matches(std::get<0>(linalg_solve_ex(m, rhs.mT(), false)), linalg_solve(m, rhs.mT(), false));
  CHECK(std::get<0>(linalg_solve_ex(m.to(DType::Float32), rhs)).dtype() == DType::Float64);

  const auto [inverse, inverse_info] = linalg_inv_ex(stack({doubles({4, 7, 2, 6}, {2, 2}), singular}));
  check_matches(inverse[0], doubles({0.6, -0.7, -0.2, 0.4}, {2, 2}), 1e-12);
  CHECK(to_vector<int64_t>(inverse_info.to(DType::Int64)) == std::vector<int64_t>{0, 2});
  CHECK_FALSE(isfinite(inverse[1]).all().item<bool>());
  CHECK(std::get<1>(linalg_solve_ex(singular, doubles({1, 1}, {2}))).item<int64_t>() == 2);
  CHECK_THROWS_WITH(linalg_inv_ex(singular, true), doctest::Contains("A: the matrix is singular: U[1, 1]"));
  CHECK_THROWS_WITH(linalg_solve_ex(singular, doubles({1, 1}, {2}), true, true),
                    doctest::Contains("A: the matrix is singular: U[1, 1]"));
  CHECK_THROWS_WITH(linalg_solve_ex(a, doubles({1, 2, 3}, {3, 1})),
                    "[linalg_solve_ex] B: expected 2 rows to match A's 2x2 matrices, got shape [3, 1]");
  CHECK_THROWS_WITH(linalg_inv_ex(ones({2, 3}, DType::Float64)),
                    "[linalg_inv_ex] A: expected square matrices, got shape [2, 3]");
}

TEST_CASE("a batch large enough to be shared among threads gives each matrix's own result and the first error") {
  // 32 x 32 matrices: one per thread range (Note [Batches across threads]).
  Tensor batch = spd({48, 32, 32}, 13);
  const Tensor factors = linalg_cholesky(batch);
  for (int64_t b : {0, 17, 47}) check_matches(factors[b], linalg_cholesky(batch[b]));
  const auto [w, v] = linalg_eigh(batch);
  check_matches(w[31], linalg_eigvalsh(batch[31]));
  batch.narrow(0, 30, 3).mul_(-1);  // entries 30, 31 and 32 lose definiteness
  CHECK_THROWS_WITH(linalg_cholesky(batch), doctest::Contains("leading minor of order 1 is not (batch entry 30)"));
}

TEST_CASE("linalg_solve_triangular: left and right, either triangle, unit diagonals, broadcast batches") {
  const Tensor upper = doubles({2, 1, 7, 4}, {2, 2});  // the 7 below the diagonal is never read
  const Tensor b = doubles({5, 8}, {2, 1});
  // [[2, 1], [0, 4]] x = [5, 8]: x1 = 2, x0 = (5 - 2) / 2.
  check_matches(linalg_solve_triangular(upper, b, true), doubles({1.5, 2}, {2, 1}));
  // [[2, 0], [7, 4]] x = [5, 8]: x0 = 2.5, x1 = (8 - 17.5) / 4.
  check_matches(linalg_solve_triangular(upper, b, false), doubles({2.5, -2.375}, {2, 1}));
  // Unit diagonal: [[1, 1], [0, 1]] x = [5, 8].
  check_matches(linalg_solve_triangular(upper, b, true, true, true), doubles({-3, 8}, {2, 1}));
  // x [[2, 1], [0, 4]] = [5, 8] (right side): x0 = 2.5, x1 = (8 - 2.5) / 4.
  check_matches(linalg_solve_triangular(upper, b.mT(), true, false), doubles({2.5, 1.375}, {1, 2}));

  const Tensor a = random_matrices({2, 1, 3, 3}, 2).triu() + eye(3, std::nullopt, DType::Float64) * 3;
  const Tensor rhs = random_matrices({4, 3, 2}, 3);
  const Tensor x = linalg_solve_triangular(a, rhs, true);
  CHECK(x.sizes().equals(IntArrayRef{2, 4, 3, 2}));
  check_matches(matmul(a, x), rhs.expand({2, 4, 3, 2}));
  const Tensor y = linalg_solve_triangular(a.mT(), rhs.mT(), false, false);
  check_matches(matmul(y, a.mT()), rhs.mT().expand({2, 4, 2, 3}));

  CHECK_THROWS_WITH(linalg_solve_triangular(a, ones({2, 2}, DType::Float64), true),
                    "[linalg_solve_triangular] B: expected 3 rows to match self's 3x3 matrices, got shape [2, 2]");
  CHECK_THROWS_WITH(linalg_solve_triangular(a, ones({3}, DType::Float64), true),
                    "[linalg_solve_triangular] B: expected a matrix or a batch of them, got shape [3]");
  CHECK_THROWS_WITH(linalg_solve_triangular(a, ones({3, 3, 3, 3}, DType::Float64), true),
                    doctest::Contains("[linalg_solve_triangular] B: shapes [2, 1] and [3, 3] do not broadcast"));
}

TEST_CASE("linalg_solve: vectors and matrices, left and right, broadcast batches, singular systems") {
  const Tensor a = doubles({3, 1, 1, 2}, {2, 2});
  // 3 x + y = 9, x + 2 y = 8.
  check_matches(linalg_solve(a, doubles({9, 8}, {2})), doubles({2, 3}, {2}));
  // A batch of vectors shaped as A without its last dimension (PyTorch's rule).
  const Tensor as = stack({a, a * 2});
  check_matches(linalg_solve(as, doubles({9, 8, 9, 8}, {2, 2})), doubles({2, 3, 1, 1.5}, {2, 2}));
  // x A = b: 3 x0 + x1 = 9, x0 + 2 x1 = 8 as well (A is symmetric), and with A^T transposed.
  check_matches(linalg_solve(as.mT(), doubles({9, 8}, {1, 2}), false), doubles({2, 3, 1, 1.5}, {2, 1, 2}));

  const Tensor m = random_matrices({2, 1, 3, 3}, 4) + eye(3, std::nullopt, DType::Float64) * 3;
  const Tensor rhs = random_matrices({4, 3, 2}, 5);
  const Tensor x = linalg_solve(m, rhs);
  CHECK(x.sizes().equals(IntArrayRef{2, 4, 3, 2}));
  check_matches(matmul(m, x), rhs.expand({2, 4, 3, 2}));
  const Tensor y = linalg_solve(m, rhs.mT(), false);
  check_matches(matmul(y, m), rhs.mT().expand({2, 4, 2, 3}));
  check_matches(linalg_solve(m.to(DType::Float32), rhs).to(DType::Float64), x, 1e-4);
  // Mixed dtypes promote.
  CHECK(linalg_solve(m.to(DType::Float32), rhs).dtype() == DType::Float64);

  CHECK_THROWS_WITH(linalg_solve(doubles({1, 2, 2, 4}, {2, 2}), doubles({1, 1}, {2})),
                    doctest::Contains("[linalg_solve] cpu plugin kernel failed (status 1): A: the matrix is "
                                      "singular (U[1, 1] of its LU factors is zero)"));
  CHECK_THROWS_WITH(linalg_solve(a, doubles({1, 2, 3}, {3})),
                    "[linalg_solve] B: expected 2 elements to match A's 2x2 matrices, got shape [3]");
  CHECK_THROWS_WITH(linalg_solve(a, ones({2, 3}, DType::Float64), false),
                    "[linalg_solve] B: expected 2 columns to match A's 2x2 matrices, got shape [2, 3]");
}

TEST_CASE("linalg_slogdet, linalg_det and linalg_inv") {
  const Tensor a = doubles({1, 2, 3, 4}, {2, 2});  // det -2
  const auto [sign, logabsdet] = linalg_slogdet(a);
  CHECK(sign.item<double>() == -1);
  CHECK(logabsdet.item<double>() == doctest::Approx(std::log(2.0)));
  CHECK(linalg_det(a).item<double>() == doctest::Approx(-2));
  check_matches(linalg_inv(doubles({4, 7, 2, 6}, {2, 2})), doubles({0.6, -0.7, -0.2, 0.4}, {2, 2}), 1e-12);

  const auto [zero_sign, minus_inf] = linalg_slogdet(doubles({1, 2, 2, 4}, {2, 2}));
  CHECK(zero_sign.item<double>() == 0);
  CHECK(minus_inf.item<double>() == -std::numeric_limits<double>::infinity());
  CHECK(linalg_det(doubles({1, 2, 2, 4}, {2, 2})).item<double>() == 0);
  // The empty matrix's determinant is 1.
  CHECK(linalg_det(zeros({0, 0}, DType::Float64)).item<double>() == 1);

  // A permutation with one swap, scaled: det = -6, and a batch of them.
  const Tensor p = doubles({0, 2, 0, 1, 0, 0, 0, 0, 3}, {3, 3});
  check_matches(linalg_det(stack({p, eye(3, std::nullopt, DType::Float64), p.mT()})), doubles({-6, 1, -6}, {3}));

  const Tensor m = random_matrices({2, 4, 4}, 6) + eye(4, std::nullopt, DType::Float64) * 2;
  const Tensor identity = zeros_like(m) + eye(4, std::nullopt, DType::Float64);
  check_matches(matmul(m, linalg_inv(m)), identity);
  check_matches(linalg_inv(m.mT()), linalg_inv(m).mT());
  CHECK_THROWS_WITH(linalg_inv(ones({2, 3}, DType::Float64)),
                    "[linalg_inv] A: expected square matrices, got shape [2, 3]");
  CHECK_THROWS_WITH(linalg_det(ones({2, 2}, DType::Int32)), "[linalg_det] A: expected a float32 or float64 tensor, got int32");
}

TEST_CASE("linalg_det's gradient is the cofactor matrix, singular matrices included") {
  // [[1, 2], [2, 4]] is singular; its cofactors are [[4, -2], [-2, 1]]. Beside it in the batch,
  // [[1, 2], [3, 4]] (det -2) has cofactors [[4, -3], [-2, 1]]; a rank-1 3x3 matrix has none.
  const Tensor a = doubles({1, 2, 2, 4, 1, 2, 3, 4}, {2, 2, 2}).requires_grad_();
  check_matches(autograd::grad({linalg_det(a).sum()}, {a})[0], doubles({4, -2, -2, 1, 4, -3, -2, 1}, {2, 2, 2}), 1e-12);
  const Tensor rank_one = (doubles({1, 2, 3}, {3, 1}) * doubles({4, 5, 6}, {1, 3})).requires_grad_();
  check_matches(autograd::grad({linalg_det(rank_one)}, {rank_one})[0], zeros({3, 3}, DType::Float64), 1e-12);
}

TEST_CASE("linalg_qr: reduced, complete and r modes for tall, wide and batched matrices") {
  for (const auto& shape : {std::vector<int64_t>{5, 3}, std::vector<int64_t>{3, 5}, std::vector<int64_t>{2, 4, 4}}) {
    CAPTURE(shape.size());
    const Tensor a = random_matrices(shape, 7);
    const int64_t m = a.size(-2), n = a.size(-1), k = std::min(m, n);
    const auto [q, r] = linalg_qr(a);
    CHECK(q.size(-1) == k);
    CHECK(r.size(-2) == k);
    check_orthonormal_columns(q);
    check_matches(r, r.triu());
    check_matches(matmul(q, r), a);
    const auto [qc, rc] = linalg_qr(a, "complete");
    CHECK(qc.size(-1) == m);
    CHECK(rc.size(-2) == m);
    check_orthonormal_columns(qc);
    check_matches(matmul(qc, rc), a);
    const auto [none, r_only] = linalg_qr(a, "r");
    CHECK(none.numel() == 0);
    check_matches(r_only, r);
  }
  // [[3], [4]]: one reflector; |R| = 5 and Q's column is A's over R.
  const auto [q, r] = linalg_qr(doubles({3, 4}, {2, 1}));
  CHECK(std::abs(r.item<double>()) == doctest::Approx(5));
  check_matches(q * r, doubles({3, 4}, {2, 1}));
  CHECK_THROWS_WITH(linalg_qr(ones({2, 2}, DType::Float64), "full"),
                    "[linalg_qr] mode: expected 'reduced', 'complete' or 'r', got 'full'");
}

TEST_CASE("linalg_lu_factor, linalg_lu and lu_unpack: A = P L U for square, wide, tall and batched matrices") {
  // [[1, 2], [3, 4]]: the 3 is the larger pivot, so the rows swap; L's multiplier is 1/3 and
  // U's corner 4 - 2 * ... = 2 - 4/3.
  const auto [packed, pivots] = linalg_lu_factor(doubles({1, 2, 3, 4}, {2, 2}));
  check_close(to_vector<double>(packed), {3, 4, 1.0 / 3, 2 - 4.0 / 3}, 1e-15);
  CHECK(pivots.dtype() == DType::Int32);
  CHECK(to_vector<int32_t>(pivots) == std::vector<int32_t>{2, 2});
  for (const auto& shape : {std::vector<int64_t>{4, 4}, std::vector<int64_t>{3, 5}, std::vector<int64_t>{5, 3},
                            std::vector<int64_t>{2, 3, 4, 4}}) {
    CAPTURE(shape.size());
    CAPTURE(shape[shape.size() - 1]);
    const Tensor a = random_matrices(shape, 11);
    const int64_t m = a.size(-2), n = a.size(-1), k = std::min(m, n);
    const auto [P, L, U] = linalg_lu(a);
    CHECK(L.size(-1) == k);
    CHECK(U.size(-2) == k);
    check_matches(L, L.tril(-1) + eye(m, k, DType::Float64));
    check_matches(U, U.triu());
    check_matches(matmul(P.mT(), P), zeros_like(matmul(P.mT(), P)) + eye(m, std::nullopt, DType::Float64));
    check_matches(matmul(P, matmul(L, U)), a);
    // Partial pivoting keeps every multiplier at most 1 in magnitude.
    CHECK(L.abs().amax().item<double>() <= 1.0);
    const auto [packed_a, pivots_a, info] = linalg_lu_factor_ex(a);
    CHECK(to_vector<int32_t>(info) == std::vector<int32_t>(static_cast<size_t>(info.numel()), 0));
    const auto [P2, L2, U2] = lu_unpack(packed_a, pivots_a);
    check_matches(P2, P);
    check_matches(L2, L);
    const auto [no_p, l_only, u_only] = lu_unpack(packed_a, pivots_a, true, false);
    CHECK(no_p.numel() == 0);
    check_matches(u_only, U);
  }
  // No columns: no pivots, and P is the identity.
  const auto [p_empty, l_empty, u_empty] = linalg_lu(zeros({2, 3, 0}, DType::Float64));
  check_matches(p_empty, zeros({2, 3, 3}, DType::Float64) + eye(3, std::nullopt, DType::Float64));
  CHECK(l_empty.sizes().equals({2, 3, 0}));
  CHECK(u_empty.sizes().equals({2, 0, 0}));
  // Transposed storage factors the same matrix.
  const Tensor a = random_matrices({4, 4}, 12);
  check_matches(std::get<0>(linalg_lu_factor(a.mT().contiguous().t())), std::get<0>(linalg_lu_factor(a)));
}

TEST_CASE("LU of singular matrices: info marks the zero on U's diagonal; linalg_lu_factor refuses them") {
  // [[1, 2], [2, 4]]: after the swap, U[1, 1] = 2 - 0.5 * 4 = 0.
  const Tensor singular = doubles({1, 2, 2, 4}, {2, 2});
  const auto [packed, pivots, info] = linalg_lu_factor_ex(singular);
  CHECK(info.item<int64_t>() == 2);
  CHECK(to_vector<double>(packed)[3] == 0);
  const auto [P, L, U] = linalg_lu(singular);
  check_matches(matmul(P, matmul(L, U)), singular);
  CHECK_THROWS_WITH(linalg_lu_factor(singular), doctest::Contains("A: the matrix is singular: U[1, 1] of its LU factors is zero"));
  CHECK_THROWS_WITH(linalg_lu_factor_ex(stack({eye(2, std::nullopt, DType::Float64), singular}), true, true),
                    doctest::Contains("U[1, 1] of its LU factors is zero (batch entry 1)"));
  CHECK_THROWS_WITH(linalg_lu_factor_ex(singular, false), doctest::Contains("pivot: LU without pivoting is not implemented on the CPU"));
  CHECK_THROWS_WITH(linalg_lu_factor(tensor<int64_t>({1, 2, 3, 4}, {2, 2})), doctest::Contains("[linalg_lu_factor_ex] A"));
  CHECK_THROWS_WITH(lu_unpack(packed, tensor<int32_t>({3, 2})), "[lu_unpack] LU_pivots: expected pivots in [1, 2], got 3");
  CHECK_THROWS_WITH(lu_unpack(packed, tensor<int32_t>({1})),
                    "[lu_unpack] LU_pivots: expected int32 or int64 pivots of shape [2], got int32 [1]");
}

TEST_CASE("linalg_lu_solve agrees with linalg_solve: left and right, plain and adjoint, broadcast batches") {
  const Tensor a = random_matrices({2, 4, 4}, 13) + eye(4, std::nullopt, DType::Float64) * 4;
  const auto [LU, pivots] = linalg_lu_factor(a);
  const Tensor b = random_matrices({4, 3}, 14), c = random_matrices({2, 3, 4}, 15);
  check_matches(linalg_lu_solve(LU, pivots, b), linalg_solve(a, b));
  check_matches(linalg_lu_solve(LU, pivots, b, true, true), linalg_solve(a.mT(), b));
  check_matches(linalg_lu_solve(LU, pivots, c, false), linalg_solve(a, c, false));
  check_matches(linalg_lu_solve(LU, pivots, c, false, true), linalg_solve(a.mT(), c, false));
  CHECK_THROWS_WITH(linalg_lu_solve(LU, pivots, random_matrices({3, 2}, 16)),
                    "[linalg_lu_solve] B: expected 4 rows to match LU's 4x4 matrices, got shape [3, 2]");
}

TEST_CASE("linalg_eigh: eigenvalues ascending, eigenvectors orthonormal, either triangle read") {
  const auto [w, v] = linalg_eigh(doubles({2, 1, 1, 2}, {2, 2}));
  check_matches(w, doubles({1, 3}, {2}));
  check_matches(v.abs(), full({2, 2}, std::sqrt(0.5), DType::Float64));
  // The upper triangle of [[2, 1], [junk, 2]].
  check_matches(linalg_eigvalsh(doubles({2, 1, -50, 2}, {2, 2}), "U"), doubles({1, 3}, {2}));

  const Tensor x = random_matrices({3, 4, 4}, 8);
  const Tensor s = x + x.mT();
  const auto [values, vectors] = linalg_eigh(s);
  check_orthonormal_columns(vectors);
  check_matches(matmul(s, vectors), vectors * values.unsqueeze(-2));
  const Tensor differences = values.narrow(-1, 1, 3) - values.narrow(-1, 0, 3);
  CHECK(differences.min().item<double>() >= 0);
  CHECK_THROWS_WITH(linalg_eigh(s, "X"), "[linalg_eigh] UPLO: expected 'L' or 'U', got 'X'");
}

TEST_CASE("linalg_svd, linalg_svdvals, linalg_pinv and linalg_matrix_rank") {
  // [[3, 0], [4, 5]]: A^T A = [[25, 20], [20, 25]] has eigenvalues 45 and 5.
  check_matches(linalg_svdvals(doubles({3, 0, 4, 5}, {2, 2})), doubles({std::sqrt(45.0), std::sqrt(5.0)}, {2}), 1e-12);
  for (const auto& shape : {std::vector<int64_t>{5, 3}, std::vector<int64_t>{3, 5}, std::vector<int64_t>{2, 4, 4}}) {
    CAPTURE(shape.size());
    const Tensor a = random_matrices(shape, 9);
    const int64_t m = a.size(-2), n = a.size(-1), k = std::min(m, n);
    const auto [u, s, vh] = linalg_svd(a, false);
    CHECK(u.size(-1) == k);
    CHECK(vh.size(-2) == k);
    check_orthonormal_columns(u);
    check_orthonormal_columns(vh.mT());
    check_matches(matmul(u * s.unsqueeze(-2), vh), a);
    const auto [uf, sf, vhf] = linalg_svd(a);
    CHECK(uf.size(-1) == m);
    CHECK(vhf.size(-2) == n);
    check_orthonormal_columns(uf);
    check_orthonormal_columns(vhf.mT());
    check_matches(sf, s);
    // The pseudo-inverse's defining identities (Penrose).
    const Tensor p = linalg_pinv(a);
    check_matches(matmul(matmul(a, p), a), a);
    check_matches(matmul(matmul(p, a), p), p);
    CHECK(linalg_matrix_rank(a).to(DType::Float64).min().item<double>() == k);
  }
  // Rank one: [[1, 2], [2, 4]] = u v^T, whose pseudo-inverse is A^T / |A|_F^2.
  const Tensor rank_one = doubles({1, 2, 2, 4}, {2, 2});
  check_matches(linalg_pinv(rank_one), rank_one.mT() / 25, 1e-12);
  CHECK(linalg_matrix_rank(rank_one).item<int64_t>() == 1);
  CHECK(linalg_matrix_rank(eye(3, std::nullopt, DType::Float64) * 1e-3, 0.01).item<int64_t>() == 0);
  CHECK(linalg_matrix_rank(eye(3, std::nullopt, DType::Float64) * 1e-3).item<int64_t>() == 3);
  CHECK_THROWS_WITH(linalg_pinv(ones({2}, DType::Float64)),
                    "[linalg_pinv] A: expected a matrix or a batch of them (2 or more dimensions), got shape [2]");
  CHECK_THROWS_WITH(linalg_matrix_rank(rank_one, -1.0), "[linalg_matrix_rank] atol: expected a non-negative tolerance, got -1");
}

TEST_CASE("linalg_matrix_power: repeated squaring, the identity at 0, the inverse's powers below") {
  const Tensor fib = doubles({1, 1, 1, 0}, {2, 2});
  check_matches(linalg_matrix_power(fib, 10), doubles({89, 55, 55, 34}, {2, 2}), 0);
  check_matches(linalg_matrix_power(fib, 1), fib, 0);
  check_matches(linalg_matrix_power(fib, 0), eye(2, std::nullopt, DType::Float64), 0);
  check_matches(linalg_matrix_power(fib, -3), matmul(linalg_inv(fib), matmul(linalg_inv(fib), linalg_inv(fib))), 1e-12);
  CHECK(to_vector<int64_t>(linalg_matrix_power(tensor<int64_t>({1, 1, 1, 0}, {2, 2}), 5)) == std::vector<int64_t>{8, 5, 5, 3});
  CHECK_THROWS_WITH(linalg_matrix_power(ones({2, 3}), 2),
                    "[linalg_matrix_power] A: expected square matrices, got shape [2, 3]");
}

TEST_CASE("linalg_lstsq: the normal equations' solution, residuals, rank and the minimum norm without full rank") {
  const Tensor a = random_matrices({5, 3}, 10), b = random_matrices({5, 2}, 11);
  const auto [x, residuals, rank, s] = linalg_lstsq(a, b);
  check_matches(x, linalg_solve(matmul(a.mT(), a), matmul(a.mT(), b)), 1e-9);
  const Tensor error = matmul(a, x) - b;
  check_matches(residuals, (error * error).sum({0}), 1e-9);
  CHECK(rank.item<int64_t>() == 3);
  check_matches(s, linalg_svdvals(a));
  // A vector right-hand side, and a batch.
  check_matches(std::get<0>(linalg_lstsq(a, b.select(1, 0))), x.select(1, 0), 1e-9);
  CHECK(std::get<0>(linalg_lstsq(stack({a, a * 2}), b)).sizes().equals(IntArrayRef{2, 3, 2}));
  // Underdetermined, and rank-deficient (a repeated column): the minimum-norm solution, no residuals.
  const Tensor wide = random_matrices({2, 4}, 12);
  const auto [min_norm, none, wide_rank, unused] = linalg_lstsq(wide, b.narrow(0, 0, 2));
  check_matches(min_norm, matmul(linalg_pinv(wide), b.narrow(0, 0, 2)), 1e-9);
  CHECK(none.numel() == 0);
  CHECK(wide_rank.item<int64_t>() == 2);
  const Tensor deficient = cat({a.narrow(1, 0, 2), a.narrow(1, 0, 1)}, 1);
  const auto [y, no_residuals, deficient_rank, values] = linalg_lstsq(deficient, b);
  CHECK(deficient_rank.item<int64_t>() == 2);
  CHECK(no_residuals.numel() == 0);
  check_matches(y, matmul(linalg_pinv(deficient), b), 1e-9);
  CHECK_THROWS_WITH(linalg_lstsq(a, ones({4, 2}, DType::Float64)), "[linalg_lstsq] B: expected 5 rows like A's, got shape [4, 2]");
}

TEST_CASE("linalg_matrix_norm: Frobenius, nuclear, spectral and the column and row sums, over any two dims") {
  const Tensor a = doubles({1, -2, 3, 4}, {2, 2});
  // A^T A = [[10, 10], [10, 20]]: singular values sqrt(15 +- sqrt(125)).
  const double s1 = std::sqrt(15 + std::sqrt(125.0)), s2 = std::sqrt(15 - std::sqrt(125.0));
  const auto value = [&](const Tensor& t) { return t.item<double>(); };
  CHECK(value(linalg_matrix_norm(a)) == doctest::Approx(std::sqrt(30.0)));
  CHECK(value(linalg_matrix_norm(a, "nuc")) == doctest::Approx(s1 + s2));
  CHECK(value(linalg_matrix_norm(a, 2)) == doctest::Approx(s1));
  CHECK(value(linalg_matrix_norm(a, -2)) == doctest::Approx(s2));
  CHECK(value(linalg_matrix_norm(a, 1)) == 6);    // columns: |1| + |3|, |-2| + |4|
  CHECK(value(linalg_matrix_norm(a, -1)) == 4);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(value(linalg_matrix_norm(a, inf)) == 7);  // rows: 3 and 7
  CHECK(value(linalg_matrix_norm(a, -inf)) == 3);
  // Over dims (0, 2) of a batch, kept.
  const Tensor batch = random_matrices({2, 3, 4}, 14);
  const Tensor kept = linalg_matrix_norm(batch, 1, {0, 2}, true);
  CHECK(kept.sizes().equals(IntArrayRef{1, 3, 1}));
  for (int64_t i = 0; i < 3; ++i) {
    CHECK(kept[0][i][0].item<double>() == doctest::Approx(value(linalg_matrix_norm(batch.select(1, i), 1))));
  }
  CHECK_THROWS_WITH(linalg_matrix_norm(a, 3), "[linalg_matrix_norm] ord: expected 1, -1, 2, -2, inf or -inf (or 'fro', 'nuc'), got 3");
  CHECK_THROWS_WITH(linalg_matrix_norm(a, "spectral"), "[linalg_matrix_norm] ord: expected 'fro' or 'nuc' (or a number), got 'spectral'");
  CHECK_THROWS_WITH(linalg_matrix_norm(a, "fro", {1, -1}), "[linalg_matrix_norm] dim: expected two different dimensions, got [1, -1]");
}
