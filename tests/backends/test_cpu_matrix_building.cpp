// Operators that build matrices and products written with other operators: the diagonal family,
// block_diag, rot90, cartesian_prod, combinations, kron, vander, the triangles' indices, the add*
// products, tensordot, linalg_multi_dot, inner and linalg_vecdot, against hand-computed values and
// einsum; errors on bad input.
#include <limits>

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

TEST_CASE("combinations in lexicographic order, with and without replacement") {
  const Tensor x = doubles({10, 20, 30, 40});
  const Tensor pairs = combinations(x);
  CHECK(pairs.sizes().equals({6, 2}));
  CHECK(values(pairs) == std::vector<double>{10, 20, 10, 30, 10, 40, 20, 30, 20, 40, 30, 40});
  CHECK(values(combinations(x.narrow(0, 0, 3), 3)) == std::vector<double>{10, 20, 30});
  CHECK(values(combinations(x.narrow(0, 0, 2), 2, true)) == std::vector<double>{10, 10, 10, 20, 20, 20});
  CHECK(combinations(x, 3, true).size(0) == 20);  // C(4 + 3 - 1, 3)
  // More picks than elements, with replacement: through stars and bars, still in order.
  CHECK(values(combinations(x.narrow(0, 0, 2), 3, true)) == std::vector<double>{10, 10, 10, 10, 10, 20, 10, 20, 20, 20, 20, 20});
  const Tensor picks = combinations(arange(3, DType::Float64), 5, true);
  CHECK(picks.size(0) == 21);  // C(3 + 5 - 1, 5)
  CHECK(values(picks.select(0, 1)) == std::vector<double>{0, 0, 0, 0, 1});
  CHECK(values(picks.select(0, 20)) == std::vector<double>{2, 2, 2, 2, 2});
  CHECK(values(combinations(doubles({7}), 3, true)) == std::vector<double>{7, 7, 7});
  CHECK_THROWS_WITH(combinations(x.narrow(0, 0, 2), int64_t{1} << 40, true), "[combinations] size: the number of elements overflows int64");
  CHECK_THROWS_WITH(combinations(x, std::numeric_limits<int64_t>::max(), true),
                    "[combinations] r: the combinations of 9223372036854775807 of 4 elements are more than int64 counts");
  CHECK(combinations(x, 5).sizes().equals({0, 5}));
  CHECK(combinations(x, 1).sizes().equals({4, 1}));
  CHECK(combinations(x, 0).numel() == 0);
  CHECK_THROWS_WITH(combinations(ones({2, 2})), "[combinations] self: expected a 1-D tensor, got 2 dimensions");
  CHECK_THROWS_WITH(combinations(x, -1), "[combinations] r: expected a non-negative count, got -1");
}

TEST_CASE("vander and linalg_vander: columns of powers") {
  const Tensor x = doubles({2, 3, 0});
  CHECK(values(vander(x)) == std::vector<double>{4, 2, 1, 9, 3, 1, 0, 0, 1});
  CHECK(values(vander(x, 4, true)) == std::vector<double>{1, 2, 4, 8, 1, 3, 9, 27, 1, 0, 0, 0});
  CHECK(vander(x, 0).sizes().equals({3, 0}));
  CHECK(values(vander(x, 1)) == std::vector<double>{1, 1, 1});
  const Tensor integers = vander(tensor<int32_t>({2, -1}));
  CHECK(integers.dtype() == DType::Int64);
  CHECK(to_vector<int64_t>(integers) == std::vector<int64_t>{2, 1, -1, 1});
  // Batched, increasing powers of the last dimension.
  const Tensor batched = linalg_vander(doubles({1, 2, 3, 4}, {2, 2}), 3);
  CHECK(batched.sizes().equals({2, 2, 3}));
  CHECK(values(batched) == std::vector<double>{1, 1, 1, 1, 2, 4, 1, 3, 9, 1, 4, 16});
  CHECK_THROWS_WITH(vander(ones({2, 2})), "[vander] x: expected a 1-D tensor, got 2 dimensions");
  CHECK_THROWS_WITH(linalg_vander(ones({3}), 1), "[linalg_vander] N: expected more than one column, got 1");
}

TEST_CASE("tril_indices and triu_indices list the triangles that tril and triu keep, row by row") {
  CHECK(to_vector<int64_t>(tril_indices(3, 3)) == std::vector<int64_t>{0, 1, 1, 2, 2, 2, 0, 0, 1, 0, 1, 2});
  CHECK(to_vector<int64_t>(triu_indices(2, 4, 1)) == std::vector<int64_t>{0, 0, 0, 1, 1, 1, 2, 3, 2, 3});
  for (int64_t offset : {-2, -1, 0, 1, 3}) {
    CAPTURE(offset);
    // The indices pick, in row-major order, exactly the elements tril and triu keep of a matrix
    // with no zeros.
    const Tensor m = arange(1, 13, 1, DType::Float64).reshape({3, 4});
    const Tensor lower = tril_indices(3, 4, offset), upper = triu_indices(3, 4, offset);
    CHECK(values(m.index({lower.select(0, 0), lower.select(0, 1)})) == values(m.masked_select(ne(m.tril(offset), 0))));
    CHECK(values(m.index({upper.select(0, 0), upper.select(0, 1)})) == values(m.masked_select(ne(m.triu(offset), 0))));
  }
  CHECK(tril_indices(2, 2, 0, DType::Int32).dtype() == DType::Int32);
  CHECK(tril_indices(0, 3).sizes().equals({2, 0}));
  CHECK_THROWS_WITH(tril_indices(-1, 3), "[tril_indices] row: expected non-negative sizes, got -1 x 3");
}

TEST_CASE("inner and linalg_vecdot contract the last (or a chosen) dimension") {
  const Tensor a = doubles({1, 2, 3, 4, 5, 6}, {2, 3}), b = doubles({1, 0, -1, 2, 2, 2}, {2, 3});
  CHECK(values(inner(a, b)) == std::vector<double>{-2, 12, -2, 30});
  CHECK(inner(a, b.select(0, 0)).sizes().equals({2}));
  CHECK(values(inner(scalar_tensor(2.0), a)) == values(a * 2));
  CHECK(values(linalg_vecdot(a, b)) == std::vector<double>{-2, 30});
  CHECK(values(linalg_vecdot(a, b, 0)) == std::vector<double>{9, 10, 9});
  CHECK(values(linalg_vecdot(a, b.select(0, 1))) == std::vector<double>{12, 30});
  CHECK_THROWS_WITH(inner(a, ones({2}, DType::Float64)), "[inner] other: expected the last dimension 3 of self, got 2");
}
