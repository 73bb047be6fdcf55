// linalg_vector_norm, linalg_norm, linalg_cond, linalg_matrix_exp and logdet against hand-computed values
// and the identities they satisfy; errors on bad input.
#include <cmath>
#include <limits>

#include "reference.h"

using namespace ember;
using reference::check_close;
using reference::kInf;
using reference::doubles;
using reference::values;

TEST_CASE("linalg_vector_norm and linalg_norm pick the vector or the matrix norm") {
  const Tensor m = doubles({1, 2, 3, 4}, {2, 2});
  CHECK(linalg_vector_norm(doubles({3, 4})).item<double>() == 5);
  CHECK(values(linalg_vector_norm(m, 1, IntArrayRef{1})) == std::vector<double>{3, 7});
  CHECK(linalg_vector_norm(m, kInf).item<double>() == 4);
  CHECK(linalg_vector_norm(tensor<float>({3, 4}), 2, std::nullopt, false, DType::Float64).dtype() == DType::Float64);
  CHECK(linalg_norm(m).item<double>() == doctest::Approx(std::sqrt(30.0)));   // every element's 2-norm
  CHECK(linalg_norm(m, 1.0).item<double>() == 6);                              // the largest column sum
  CHECK(linalg_norm(m, kInf).item<double>() == 7);                              // the largest row sum
  CHECK(linalg_norm(doubles({3, -4}), 1.0).item<double>() == 7);               // a vector norm of a 1-D tensor
  CHECK(values(linalg_norm(m, 1.0, IntArrayRef{0})) == std::vector<double>{4, 6});
  CHECK(linalg_norm(m, "nuc").item<double>() == doctest::Approx(std::sqrt(30 + 2 * 2.0)));  // s1 + s2 = sqrt(|A|_F^2 + 2|det|)
  CHECK(linalg_norm(m, std::nullopt, IntArrayRef{0, 1}, true).sizes().equals({1, 1}));
  CHECK_THROWS_WITH(linalg_vector_norm(tensor<int64_t>({1})),
                    "[linalg_vector_norm] self: expected a floating-point tensor, got int64");
  CHECK_THROWS_WITH(linalg_norm(ones({2, 2, 2}), 1.0),
                    "[linalg_norm] self: expected a 1-D or 2-D tensor where ord is given without dim, got 3-D");
  CHECK_THROWS_WITH(linalg_norm(m, 2.0, IntArrayRef{0, 1, 0}),
                    "[linalg_norm] dim: expected one dimension (a vector norm) or two (a matrix norm), got 3");
  CHECK_THROWS_WITH(linalg_norm(doubles({1, 2}), "fro"),
                    "[linalg_norm] dim: 'fro' is a matrix norm: expected two dimensions, or none for a 2-D tensor");
}

TEST_CASE("linalg_cond: singular-value ratios, and through the inverse for the other norms") {
  CHECK(linalg_cond(doubles({1, 0, 0, 4}, {2, 2})).item<double>() == doctest::Approx(4));
  CHECK(linalg_cond(doubles({1, 0, 0, 4}, {2, 2}), -2.0).item<double>() == doctest::Approx(0.25));
  // ||A||_1 = 6, A^-1 = [[-2, 1], [1.5, -0.5]] with ||A^-1||_1 = 3.5.
  const Tensor a = doubles({1, 2, 3, 4}, {2, 2});
  CHECK(linalg_cond(a, 1.0).item<double>() == doctest::Approx(21));
  CHECK(linalg_cond(a, "fro").item<double>() == doctest::Approx(15));  // sqrt(30) sqrt(7.5)
  CHECK(linalg_cond(doubles({1, 2, 3, 4, 5, 6}, {2, 3})).item<double>() > 1);  // rectangular for p = 2
  // A singular matrix is infinitely ill-conditioned; its neighbours in the batch are answered.
  CHECK(values(linalg_cond(doubles({1, 2, 2, 4, 1, 0, 0, 1}, {2, 2, 2}), 1.0)) == std::vector<double>{kInf, 1});
  CHECK(linalg_cond(doubles({1, 2, 2, 4}, {2, 2})).item<double>() > 1e15);
  CHECK(linalg_cond(zeros({3, 0, 0}, DType::Float64)).sizes().equals({3}));
  CHECK_THROWS_WITH(linalg_cond(a, 3.0), "[linalg_cond] p: expected 2, -2, 1, -1, inf or -inf (or 'fro', 'nuc'), got 3");
  CHECK_THROWS_WITH(linalg_cond(ones({2, 3}, DType::Float64), 1.0), doctest::Contains("[linalg_cond] A: expected square matrices"));
}

TEST_CASE("linalg_matrix_exp: rotations, nilpotent and diagonal matrices, exp(A) exp(-A) = I") {
  const auto rotation = [](double t) { return std::vector<double>{std::cos(t), -std::sin(t), std::sin(t), std::cos(t)}; };
  check_close(values(linalg_matrix_exp(doubles({0, -1, 1, 0}, {2, 2}))), rotation(1), 1e-15);
  // A large norm takes the scaling and squaring path.
  check_close(values(linalg_matrix_exp(doubles({0, -30, 30, 0}, {2, 2}))), rotation(30), 1e-12);
  CHECK(values(linalg_matrix_exp(doubles({0, 1, 0, 0}, {2, 2}))) == std::vector<double>{1, 1, 0, 1});
  check_close(values(linalg_matrix_exp(tensor<float>({5, 5, 0, 5}, {2, 2}))),
              {std::exp(5.0), 5 * std::exp(5.0), 0, std::exp(5.0)}, 1e-6 * 5 * std::exp(5.0));
  const Tensor a = reference::random_tensor({3, 4, 4}, 11).to(DType::Float64) * 3;
  const Tensor product = matmul(linalg_matrix_exp(a), linalg_matrix_exp(-a));
  check_close(values(product), values(zeros_like(product) + eye(4, std::nullopt, DType::Float64)), 1e-10);
  // The diagonal of a diagonal matrix exponentiates elementwise, each batch entry on its own.
  check_close(values(linalg_matrix_exp(diag_embed(doubles({-1, 0, 2, 1e-3}, {2, 2})))),
              {std::exp(-1.0), 0, 0, 1, std::exp(2.0), 0, 0, std::exp(1e-3)}, 1e-14);
  CHECK(linalg_matrix_exp(zeros({0, 0}, DType::Float64)).sizes().equals({0, 0}));
  CHECK_THROWS_WITH(linalg_matrix_exp(ones({2, 3})), doctest::Contains("[linalg_matrix_exp] A: expected square matrices"));
  CHECK_THROWS_WITH(linalg_matrix_exp(tensor<int64_t>({1}, {1, 1})), doctest::Contains("[linalg_matrix_exp] A"));
}

TEST_CASE("logdet: the log of a positive determinant, NaN below zero, -inf when singular") {
  const Tensor a = tensor<double>({2, 1, 1, 3}, {2, 2});  // det 5
  CHECK(logdet(a).item<double>() == doctest::Approx(std::log(5.0)));
  CHECK(std::isnan(logdet(tensor<double>({0, 1, 1, 0}, {2, 2})).item<double>()));  // det -1
  CHECK(logdet(tensor<double>({1, 2, 2, 4}, {2, 2})).item<double>() == -std::numeric_limits<double>::infinity());
  const Tensor batch = stack({a, a * 2});
  const std::vector<double> logs = to_vector<double>(batch.logdet());
  CHECK(logs[1] == doctest::Approx(std::log(20.0)));
  CHECK_THROWS_WITH(logdet(ones({2, 3})), doctest::Contains("[logdet]"));
}
