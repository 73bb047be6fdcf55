// Operators that build matrices and products written with other operators: the diagonal family,
// block_diag, rot90, cartesian_prod, kron, the add* products, tensordot and linalg_multi_dot,
// against hand-computed values and einsum; errors on bad input.
#include "reference.h"

using namespace ember;
using reference::check_close;
using reference::doubles;
using reference::values;

TEST_CASE("diag, diag_embed and diagflat place values on any diagonal of any two dimensions") {
  CHECK(values(diag(doubles({1, 2}), 1)) == std::vector<double>{0, 1, 0, 0, 0, 2, 0, 0, 0});
  CHECK(values(diag(doubles({1, 2}), -1)) == std::vector<double>{0, 0, 0, 1, 0, 0, 0, 2, 0});
  const Tensor square = arange(9, DType::Float64).reshape({3, 3});
  CHECK(values(diag(square, 1)) == std::vector<double>{1, 5});
  CHECK(values(diag(square, -2)) == std::vector<double>{6});
  // Matrices in dimensions 0 and 2: out[i, b, j] = x[b, i] where i == j.
  const Tensor embedded = diag_embed(doubles({1, 2, 3, 4}, {2, 2}), 0, 0, 2);
  CHECK(embedded.sizes().equals({2, 2, 2}));
  CHECK(values(embedded) == std::vector<double>{1, 0, 3, 0, 0, 2, 0, 4});
  CHECK(diag_embed(ones({4, 3}), -2).sizes().equals({4, 5, 5}));
  CHECK(diag_embed(ones({4, 3}), -2).sum().item<double>() == 12);
  CHECK(values(diagflat(doubles({1, 2, 3, 4}, {2, 2}))) ==
        std::vector<double>{1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4});
  CHECK(diag_embed(tensor<int64_t>({7}), 1).dtype() == DType::Int64);
  CHECK_THROWS_WITH(diag(ones({2, 2, 2})), "[diag] self: expected a 1-D or 2-D tensor, got a 3-D tensor");
  CHECK_THROWS_WITH(diag_embed(ones({2}), 0, 1, -1), "[diag_embed] dim2: expected a dimension other than dim1 (1), got -1");
  // Offsets whose matrices int64 cannot size are refused before anything is computed from them.
  CHECK_THROWS_WITH(diag_embed(ones({2}), INT64_MAX), "[diag_embed] offset: 9223372036854775807 puts the diagonal of 2 values past what int64 sizes hold");
  CHECK_THROWS_WITH(diag_embed(ones({2}), int64_t{1} << 40), "[diag_embed] size: the number of elements overflows int64");
}

TEST_CASE("block_diag promotes dtypes and treats 0-D and 1-D tensors as rows") {
  const Tensor blocks = block_diag({tensor<int64_t>({1, 2}, {1, 2}), doubles({3}), doubles({4, 5, 6, 7}, {2, 2})});
  CHECK(blocks.dtype() == DType::Float64);
  CHECK(blocks.sizes().equals({4, 5}));
  CHECK(values(blocks) == std::vector<double>{1, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 4, 5, 0, 0, 0, 6, 7});
  CHECK(values(block_diag({scalar_tensor(2.0), scalar_tensor(3.0)})) == std::vector<double>{2, 0, 0, 3});
  CHECK_THROWS_WITH(block_diag({ones({2}), ones({1, 1, 1})}),
                    "[block_diag] tensors: expected tensors of at most 2 dimensions, tensor 1 has 3");
}

TEST_CASE("rot90 turns from the first dimension towards the second, any number of times") {
  const Tensor r = arange(6, DType::Float64).reshape({2, 3});
  CHECK(values(rot90(r)) == std::vector<double>{2, 5, 1, 4, 0, 3});
  CHECK(values(rot90(r, -1)) == std::vector<double>{3, 0, 4, 1, 5, 2});
  CHECK(values(rot90(r, 3)) == values(rot90(r, -1)));
  CHECK(values(rot90(r, 2)) == std::vector<double>{5, 4, 3, 2, 1, 0});
  CHECK(values(rot90(r, 4)) == values(r));
  CHECK(values(rot90(r, 1, {1, 0})) == values(rot90(r, -1)));
  CHECK_THROWS_WITH(rot90(r, 1, {0, 0}), "[rot90] dims: expected two different dimensions, got [0, 0]");
  CHECK_THROWS_WITH(rot90(r, 1, {0}), "[rot90] dims: expected two dimensions, got 1");
}

TEST_CASE("cartesian_prod and kron") {
  CHECK(values(cartesian_prod({tensor<int64_t>({1, 2}), tensor<int64_t>({3, 4, 5})})) ==
        std::vector<double>{1, 3, 1, 4, 1, 5, 2, 3, 2, 4, 2, 5});
  CHECK(cartesian_prod({doubles({1, 2, 3})}).sizes().equals({3}));
  CHECK_THROWS_WITH(cartesian_prod({ones({2, 2})}),
                    "[cartesian_prod] tensors: expected 1-D tensors, tensor 0 has 2 dimensions");
  CHECK(values(kron(doubles({1, 2, 3, 4}, {2, 2}), doubles({0, 1, 1, 0}, {2, 2}))) ==
        std::vector<double>{0, 1, 0, 2, 1, 0, 2, 0, 0, 3, 0, 4, 3, 0, 4, 0});
  CHECK(values(kron(doubles({1, 2}), doubles({1, 10, 100}))) == std::vector<double>{1, 10, 100, 2, 20, 200});
  // Ranks differ: [2] pads to [1, 2].
  const Tensor mixed = kron(doubles({1, 2}), doubles({1, 2, 3, 4}, {2, 2}));
  CHECK(mixed.sizes().equals({2, 4}));
  CHECK(values(mixed) == std::vector<double>{1, 2, 2, 4, 3, 4, 6, 8});
}

TEST_CASE("addmv, addr and addbmm scale the input and the product") {
  CHECK(values(addmv(doubles({1, 1}), doubles({1, 2, 3, 4}, {2, 2}), doubles({1, 1}), 2, 3)) == std::vector<double>{11, 23});
  CHECK(values(addr(zeros({2, 2}, DType::Float64), doubles({1, 2}), doubles({3, 4}), 1, 2)) ==
        std::vector<double>{6, 8, 12, 16});
  CHECK(values(addbmm(ones({2, 2}, DType::Float64), ones({3, 2, 4}, DType::Float64), ones({3, 4, 2}, DType::Float64))) ==
        std::vector<double>{13, 13, 13, 13});
  // beta 0 ignores the input, NaN included.
  CHECK(values(addmv(doubles({NAN, NAN}), doubles({1, 0, 0, 1}, {2, 2}), doubles({2, 3}), 0)) == std::vector<double>{2, 3});
  CHECK_THROWS_WITH(addr(ones({3, 2}, DType::Float64), doubles({1, 2}), doubles({3, 4})),
                    doctest::Contains("[addr] self"));
}

TEST_CASE("tensordot agrees with einsum; linalg_multi_dot with the plain product, vectors at the ends") {
  const Tensor a = reference::random_tensor({2, 3, 4}, 5).to(DType::Float64);
  const Tensor b = reference::random_tensor({4, 3, 5}, 6).to(DType::Float64);
  check_close(values(tensordot(a, b, {1, 2}, {1, 0})), values(einsum("ijk,kjl->il", {a, b})), 1e-12);
  check_close(values(tensordot(a, b, {-1}, {0})), values(einsum("ijk,klm->ijlm", {a, b})), 1e-12);
  CHECK(tensordot(a, b, {}, {}).sizes().equals({2, 3, 4, 4, 3, 5}));
  CHECK_THROWS_WITH(tensordot(a, b, {1}, {0}),
                    "[tensordot] dims_b: dimension 0 of other has size 4 where dimension 1 of self has 3");
  CHECK_THROWS_WITH(tensordot(a, b, {1, 2}, {1}), "[tensordot] dims_b: expected as many dimensions as dims_a (2), got 1");

  const Tensor m1 = reference::random_tensor({10, 30}, 7).to(DType::Float64);
  const Tensor m2 = reference::random_tensor({30, 5}, 8).to(DType::Float64);
  const Tensor m3 = reference::random_tensor({5, 60}, 9).to(DType::Float64);
  check_close(values(linalg_multi_dot({m1, m2, m3})), values(m1.mm(m2).mm(m3)), 1e-12);
  const Tensor row = doubles({1, 2}), column = doubles({1, -1});
  const Tensor chained = linalg_multi_dot({row, doubles({1, 2, 3, 4, 5, 6}, {2, 3}), ones({3, 2}, DType::Float64), column});
  CHECK(chained.dim() == 0);
  CHECK(chained.item<double>() == 0);
  CHECK_THROWS_WITH(linalg_multi_dot({m1}), "[linalg_multi_dot] tensors: expected at least two tensors, got 1");
  CHECK_THROWS_WITH(linalg_multi_dot({m1, m3}), "[linalg_multi_dot] tensors: tensor 1 has 5 rows where tensor 0 has 30 columns");
  CHECK_THROWS_WITH(linalg_multi_dot({m1, doubles({1}), m3}),
                    "[linalg_multi_dot] tensors: expected the middle tensors 2-D, tensor 1 is 1-D");
}
