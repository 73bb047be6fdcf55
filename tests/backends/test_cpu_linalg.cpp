// Matrix products (oneDNN for float32 and 16-bit floats, a loop for small products and other
// dtypes) against naive loops and float64.
#include "reference.h"

using namespace ember;
using reference::check_close;

namespace {

// C[b] = A[b] @ B[b] for row-major batches.
std::vector<double> naive_bmm(const std::vector<double>& a, const std::vector<double>& b, int64_t batches, int64_t n,
                              int64_t k, int64_t m) {
  std::vector<double> c(batches * n * m, 0.0);
  for (int64_t t = 0; t < batches; ++t)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j)
        for (int64_t p = 0; p < k; ++p) c[(t * n + i) * m + j] += a[(t * n + i) * k + p] * b[(t * k + p) * m + j];
  return c;
}

}  // namespace

TEST_CASE("mm matches a naive product for contiguous and transposed operands") {
  const Tensor a = reference::random_tensor({5, 7}, 21), b = reference::random_tensor({7, 3}, 22);
  const auto expected = naive_bmm(to_vector<double>(a), to_vector<double>(b), 1, 5, 7, 3);
  check_close(to_vector<double>(mm(a, b)), expected, 1e-5);
  const Tensor at = a.transpose(0, 1).contiguous().transpose(0, 1);  // column-major storage
  check_close(to_vector<double>(mm(at, b)), expected, 1e-5);
  check_close(to_vector<double>(mm(a.to(DType::Float64), b.to(DType::Float64))), expected, 1e-12);
  CHECK(mm(tensor<int64_t>({1, 2, 3, 4}, {2, 2}), tensor<int64_t>({5, 6, 7, 8}, {2, 2})).dtype() == DType::Int64);
  CHECK(to_vector<int64_t>(mm(tensor<int64_t>({1, 2, 3, 4}, {2, 2}), tensor<int64_t>({5, 6, 7, 8}, {2, 2}))) ==
        std::vector<int64_t>{19, 22, 43, 50});
  CHECK_THROWS_WITH(mm(a, a), "[mm] mat2: expected 7 rows to match self's columns, got shapes [5, 7] and [5, 7]");
  CHECK_THROWS_WITH(mm(a, ones({7})), "[mm] mat2: expected a 2-D tensor, got 1-D with shape [7]");
}

TEST_CASE("a broadcast operand goes through the reference path and still matches") {
  const Tensor row = reference::random_tensor({1, 4}, 23);
  const Tensor a = row.expand({3, 4});  // stride 0 along the rows
  const Tensor b = reference::random_tensor({4, 2}, 24);
  check_close(to_vector<double>(mm(a, b)), naive_bmm(to_vector<double>(a.contiguous()), to_vector<double>(b), 1, 3, 4, 2), 1e-5);
}

TEST_CASE("bmm and addmm") {
  const Tensor a = reference::random_tensor({4, 3, 5}, 25), b = reference::random_tensor({4, 5, 2}, 26);
  check_close(to_vector<double>(bmm(a, b)), naive_bmm(to_vector<double>(a), to_vector<double>(b), 4, 3, 5, 2), 1e-5);
  const Tensor m1 = reference::random_tensor({3, 5}, 27), m2 = reference::random_tensor({5, 2}, 28);
  const Tensor bias = reference::random_tensor({2}, 29);
  const auto product = naive_bmm(to_vector<double>(m1), to_vector<double>(m2), 1, 3, 5, 2);
  const auto bv = to_vector<double>(bias);
  std::vector<double> expected(6);
  for (int i = 0; i < 6; ++i) expected[i] = 0.5 * bv[i % 2] + 2.0 * product[i];
  check_close(to_vector<double>(addmm(bias, m1, m2, 0.5, 2.0)), expected, 1e-5);
  CHECK_THROWS_WITH(addmm(ones({3}), m1, m2), "[addmm] self: shapes [3] and [3, 2] do not broadcast (dimension 1: 3 vs 2)");
  CHECK_THROWS_WITH(addmm(ones({2, 3, 2}), m1, m2), "[addmm] self: expected a shape that broadcasts to [3, 2], got [2, 3, 2]");
}

TEST_CASE("mv and baddbmm") {
  const Tensor m = tensor<double>({1, 2, 3, 4, 5, 6}, {2, 3}), v = tensor<double>({1, 0, -1});
  CHECK(to_vector<double>(m.mv(v)) == std::vector<double>{-2, -2});
  CHECK_THROWS_WITH(mv(m, m), "[mv] vec: expected a matrix and a vector, got [2, 3] and [2, 3]");
  const Tensor a = reference::random_tensor({4, 3, 5}, 30), b = reference::random_tensor({4, 5, 2}, 31);
  const Tensor input = reference::random_tensor({3, 2}, 32);
  const auto product = naive_bmm(to_vector<double>(a), to_vector<double>(b), 4, 3, 5, 2);
  const auto iv = to_vector<double>(input);
  std::vector<double> expected(product.size());
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = 0.5 * iv[i % 6] + 2.0 * product[i];
  check_close(to_vector<double>(baddbmm(input, a, b, 0.5, 2.0)), expected, 1e-5);
  // beta 0 leaves the input unread: its NaN does not reach the result.
  check_close(to_vector<double>(full({4, 3, 2}, NAN).baddbmm(a, b, 0)), product, 1e-5);
  CHECK_THROWS_WITH(baddbmm(zeros({5, 3, 2}), a, b), "[baddbmm] self: shapes [5, 3, 2] and [4, 3, 2] do not broadcast (dimension 0: 5 vs 4)");
  CHECK_THROWS_WITH(baddbmm(zeros({4, 1, 3, 2}), a, b), "[baddbmm] self: expected a shape that broadcasts to [4, 3, 2], got [4, 1, 3, 2]");
}

TEST_CASE("products on both sides of the size where oneDNN takes over from the loop agree") {
  // 16^3 multiply-adds and fewer run looped; more go through oneDNN (beta and alpha as post-ops).
  for (const int64_t size : {15, 16, 17, 40}) {
    CAPTURE(size);
    const Tensor a = reference::random_tensor({3, size, size + 1}, 30), b = reference::random_tensor({3, size + 1, size}, 31);
    const auto expected = naive_bmm(to_vector<double>(a), to_vector<double>(b), 3, size, size + 1, size);
    check_close(to_vector<double>(bmm(a, b)), expected, 1e-5);
    const Tensor at = a.transpose(1, 2).contiguous().transpose(1, 2);  // column-major matrices
    check_close(to_vector<double>(bmm(at, b)), expected, 1e-5);
    const Tensor first = a.select(0, 0), bias = reference::random_tensor({size}, 32);
    std::vector<double> affine(expected.begin(), expected.begin() + size * size);
    const auto bv = to_vector<double>(bias);
    for (int64_t i = 0; i < size * size; ++i) affine[i] = 0.5 * bv[i % size] + 2.0 * affine[i];
    check_close(to_vector<double>(addmm(bias, first, b.select(0, 0), 0.5, 2.0)), affine, 1e-5);
  }
}

TEST_CASE("half-precision products accumulate in float32 and round once, whatever the CPU's oneDNN kernels") {
  // Where oneDNN has no bfloat16 or float16 matmul for this CPU the operands go through float32
  // copies (Note [Float32 staging]); either way the result is the exact product rounded once.
  for (const DType dtype : {DType::BFloat16, DType::Float16}) {
    CAPTURE(dtype_name(dtype));
    auto half = [&](IntArrayRef shape, unsigned seed) { return reference::random_tensor(shape, seed).to(dtype); };
    auto wide = [](const Tensor& t) { return t.to(DType::Float64); };
    const Tensor a = half({40, 33}, 40), b = half({33, 24}, 41), bias = half({24}, 42);
    reference::check_rounded_once(mm(a, b), mm(wide(a), wide(b)));
    const Tensor at = a.transpose(0, 1).contiguous().transpose(0, 1);  // column-major storage
    reference::check_rounded_once(mm(at, b), mm(wide(a), wide(b)));
    // beta reads the starting value through the copy; alpha scales the product.
    reference::check_rounded_once(addmm(bias, a, b, 0.5, 2.0), addmm(wide(bias), wide(a), wide(b), 0.5, 2.0));
    const Tensor row = half({1, 33}, 43).expand({40, 33});  // stride 0 along the rows
    reference::check_rounded_once(mm(row, b), mm(wide(row), wide(b)));
    const Tensor x = half({3, 20, 30}, 44), y = half({3, 30, 10}, 45);
    reference::check_rounded_once(bmm(x, y), bmm(wide(x), wide(y)));
    // beta 0 leaves the input unread, so its NaN stays out of the copy and the result.
    reference::check_rounded_once(full({3, 20, 10}, NAN, dtype).baddbmm(x, y, 0), bmm(wide(x), wide(y)));
  }
}

TEST_CASE("matmul handles 1-D operands and broadcast batch dims") {
  const Tensor v = tensor({1.f, 2.f, 3.f}), w = tensor({4.f, 5.f, 6.f});
  CHECK(matmul(v, w).item<float>() == 32.f);
  CHECK(matmul(v, w).dim() == 0);
  const Tensor m = reference::random_tensor({3, 2}, 30);
  CHECK(matmul(v, m).sizes().equals({2}));
  CHECK(matmul(m.transpose(0, 1), v).sizes().equals({2}));
  const Tensor batch = reference::random_tensor({2, 1, 4, 3}, 31);
  const Tensor right = reference::random_tensor({5, 3, 2}, 32);
  const Tensor out = matmul(batch, right);
  CHECK(out.sizes().equals({2, 5, 4, 2}));
  // Each [i, j] slice is an ordinary product.
  check_close(to_vector<double>(out.select(0, 1).select(0, 3)),
              to_vector<double>(mm(batch.select(0, 1).select(0, 0), right.select(0, 3))), 1e-5);
  CHECK_THROWS_WITH(matmul(v, ones({2})), "[matmul] other: expected 3 elements, got 2");
  // A batch against one matrix or vector: folded into one mm, from any layout of the batch.
  const Tensor shared = matmul(batch.transpose(0, 2), m);
  CHECK(shared.sizes().equals({4, 1, 2, 2}));
  check_close(to_vector<double>(shared.select(0, 2).select(0, 0)),
              to_vector<double>(mm(batch.select(1, 0).select(1, 2), m)), 1e-5);  // batch[:, 0, 2, :] @ m
  const Tensor by_vector = matmul(batch, v);
  CHECK(by_vector.sizes().equals({2, 1, 4}));
  check_close(to_vector<double>(by_vector.select(0, 0).select(0, 0)),
              to_vector<double>(mm(batch.select(0, 0).select(0, 0), v.unsqueeze(1)).squeeze(1)), 1e-5);
  CHECK(matmul(empty({2, 0, 3}), m).sizes().equals({2, 0, 2}));
  CHECK_THROWS_WITH(matmul(batch, ones({2, 2})), "[matmul] other: expected 3 rows to match self's columns, got 2");
}

TEST_CASE("einsum agrees with the products, sums and diagonals it names") {
  manual_seed(31);
  const Tensor a = randn({3, 4}, DType::Float64), b = randn({4, 5}, DType::Float64);
  check_close(to_vector<double>(einsum("ij,jk->ik", {a, b})), to_vector<double>(mm(a, b)), 1e-12);
  check_close(to_vector<double>(einsum("ij,jk", {a, b})), to_vector<double>(mm(a, b)), 1e-12);  // implicit output
  check_close(to_vector<double>(einsum("ij,kj->ik", {a, b.transpose(0, 1)})), to_vector<double>(mm(a, b)), 1e-12);
  check_close(to_vector<double>(einsum("ij->ji", {a})), to_vector<double>(a.transpose(0, 1).contiguous()), 0);
  check_close(to_vector<double>(einsum("ij->", {a})), {a.sum().item<double>()}, 1e-12);
  check_close(to_vector<double>(einsum("ij->j", {a})), to_vector<double>(a.sum(0)), 1e-12);
  const Tensor v = randn({4}, DType::Float64), w = randn({4}, DType::Float64);
  check_close(to_vector<double>(einsum("i,i->", {v, w})), {(v * w).sum().item<double>()}, 1e-12);
  check_close(to_vector<double>(einsum("i,j->ij", {v, w})), to_vector<double>(v.unsqueeze(1) * w), 1e-12);
  // Attention's scores: batch and head labels kept, d contracted.
  const Tensor q = randn({2, 3, 5, 4}, DType::Float64), k = randn({2, 3, 6, 4}, DType::Float64);
  check_close(to_vector<double>(einsum("bhld,bhmd->bhlm", {q, k})), to_vector<double>(matmul(q, k.transpose(-1, -2))), 1e-12);
  // Ellipsis, broadcast from the right, and size-1 broadcasting of a batch label.
  check_close(to_vector<double>(einsum("...ij,...jk->...ik", {q, k.transpose(-1, -2)})),
              to_vector<double>(matmul(q, k.transpose(-1, -2))), 1e-12);
  check_close(to_vector<double>(einsum("bij,bjk->bik", {q.select(1, 0).narrow(0, 0, 1), k.select(1, 0).transpose(1, 2)})),
              to_vector<double>(matmul(q.select(1, 0).narrow(0, 0, 1), k.select(1, 0).transpose(1, 2))), 1e-12);
  const Tensor s = randn({1, 5, 4}, DType::Float64), t = randn({3, 4, 2}, DType::Float64);
  check_close(to_vector<double>(einsum("bij,bjk->bik", {s, t})), to_vector<double>(matmul(s, t)), 1e-12);
  // A repeated label takes the diagonal; three operands contract left to right.
  const Tensor m = randn({4, 4}, DType::Float64);
  const auto mv = to_vector<double>(m);
  check_close(to_vector<double>(einsum("ii->i", {m})), {mv[0], mv[5], mv[10], mv[15]}, 0);
  check_close(to_vector<double>(einsum("ii", {m})), {mv[0] + mv[5] + mv[10] + mv[15]}, 1e-12);
  const Tensor c = randn({5, 2}, DType::Float64);
  check_close(to_vector<double>(einsum("ij,jk,kl->il", {a, b, c})), to_vector<double>(mm(mm(a, b), c)), 1e-12);
  check_close(to_vector<double>(einsum("ij,jk,kl->li", {a, b, c})),
              to_vector<double>(mm(mm(a, b), c).transpose(0, 1).contiguous()), 1e-12);
  // A label summed on one side only: sum_j a_ij times sum_k b_kl.
  check_close(to_vector<double>(einsum("ij,kl->il", {a, b})), to_vector<double>(a.sum(1, true) * b.sum(0, true)), 1e-12);
  CHECK(einsum("i j , j k -> i k", {a, b}).sizes().equals({3, 5}));

  CHECK_THROWS_WITH(einsum("ij,jk->ik", {a}), "[einsum] tensors: the equation 'ij,jk->ik' has 2 operands, got 1 tensors");
  CHECK_THROWS_WITH(einsum("ijk->i", {a}), "[einsum] tensors: operand 0 ('ijk') expects 3 dimensions, got a tensor of 2");
  CHECK_THROWS_WITH(einsum("ij,jk->iz", {a, b}), "[einsum] equation: output label 'z' appears in no operand");
  CHECK_THROWS_WITH(einsum("ij,jk->ii", {a, b}), "[einsum] equation: output label 'i' appears more than once");
  CHECK_THROWS_WITH(einsum("i1->i", {v}), "[einsum] equation: expected letters, ',', '->' and '...', got '1' in 'i1'");
  CHECK_THROWS_WITH(einsum("ij,ij->ij", {a, b}),
                    "[einsum] operands: label 'i' names dimensions of sizes 3 and 4; expected equal sizes or 1");
  CHECK_THROWS_WITH(einsum("...i->i", {q}), "[einsum] equation: the operands' ellipsis dimensions must appear in the output as '...'");
  CHECK_THROWS_WITH(einsum("......->", {q}), "[einsum] equation: operand '......' has more than one ellipsis");
  // Expanded views name 2^40 elements each at no cost; their batch together would be 2^80.
  const Tensor tall = ones({1, 1}, DType::Float64).expand({int64_t{1} << 40, 1});
  CHECK_THROWS_WITH(einsum("ij,ij->ij", {tall, tall.transpose(0, 1)}),
                    "[einsum] operands: the broadcast dimensions hold more elements than int64 counts");
  CHECK_THROWS_WITH(einsum("i,j->ij", {tall.select(1, 0), tall.select(1, 0)}), "[empty] size: the number of elements overflows int64");
  CHECK_THROWS_WITH(einsum("ii->i", {a}),
                    "[einsum] operands: a label repeated in one operand names dimensions of sizes 3 and 4; expected equal sizes");
}

TEST_CASE("linalg_cross, cdist and pairwise_distance") {
  const Tensor a = tensor<double>({1, 0, 0, 0, 1, 0}, {2, 3}), b = tensor<double>({0, 1, 0, 0, 0, 1});
  // e1 x e2 = e3, e2 x e2 = 0 (b broadcast as [1, 3]... along dim -1).
  CHECK(to_vector<double>(linalg_cross(a, b.reshape({2, 3}))) == std::vector<double>{0, 0, 1, 1, 0, 0});
  CHECK(to_vector<double>(linalg_cross(a.t(), b.reshape({2, 3}).t(), 0).t().contiguous()) == std::vector<double>{0, 0, 1, 1, 0, 0});
  CHECK(to_vector<double>(linalg_cross(tensor<double>({2, 3, 4}), tensor<double>({5, 6, 7}))) ==
        std::vector<double>{3 * 7 - 4 * 6, 4 * 5 - 2 * 7, 2 * 6 - 3 * 5});
  CHECK_THROWS_WITH(linalg_cross(ones({2, 4}), ones({2, 4})),
                    "[linalg_cross] self: expected 3-vectors along dimension 1, got sizes 4 and 4");

  const Tensor x1 = tensor<double>({0, 0, 3, 4, 1, 1}, {3, 2}), x2 = tensor<double>({0, 0, 1, 0}, {2, 2});
  check_close(to_vector<double>(cdist(x1, x2)), {0, 1, 5, std::sqrt(20.0), std::sqrt(2.0), 1}, 1e-12);
  check_close(to_vector<double>(cdist(x1, x2, 1)), {0, 1, 7, 6, 2, 1}, 1e-12);
  CHECK(cdist(x1.unsqueeze(0).expand({4, 3, 2}), x2).sizes().equals(IntArrayRef{4, 3, 2}));
  check_close(to_vector<double>(pairwise_distance(x1.narrow(0, 1, 2), x2, 2, 0)), {5, 1}, 1e-12);
  CHECK(pairwise_distance(x1, x1, 2, 0, true).sizes().equals(IntArrayRef{3, 1}));
  CHECK_THROWS_WITH(cdist(x1, ones({2, 3}, DType::Float64)), "[cdist] x2: expected rows of 2 elements like x1's, got 3");
}
