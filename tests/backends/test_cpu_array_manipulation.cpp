// NumPy-style array manipulation PyTorch users reach for: the stacks (hstack, vstack, dstack,
// column_stack), atleast_Nd, broadcast_to and broadcast_tensors, tensor_split and the h/v/dsplits,
// logspace, fliplr/flipud, argwhere, select_scatter and slice_scatter, mode, and the other names
// of existing operators; values against hand-computed ones, gradients, errors.
#include "reference.h"

using namespace ember;
using namespace reference;

namespace {

std::vector<int64_t> ints(const Tensor& t) { return to_vector<int64_t>(t.contiguous()); }

}  // namespace

TEST_CASE("hstack, vstack, row_stack, dstack and column_stack as NumPy's") {
  const Tensor a = tensor<int64_t>({1, 2}), b = tensor<int64_t>({3, 4});
  CHECK(ints(hstack({a, b})) == std::vector<int64_t>{1, 2, 3, 4});
  CHECK(vstack({a, b}).sizes().equals({2, 2}));
  CHECK(ints(row_stack({a, b})) == std::vector<int64_t>{1, 2, 3, 4});
  CHECK(dstack({a, b}).sizes().equals({1, 2, 2}));
  CHECK(ints(dstack({a, b})) == std::vector<int64_t>{1, 3, 2, 4});
  CHECK(ints(column_stack({a, b, scalar_tensor(7, DType::Int64).expand({2})})) == std::vector<int64_t>{1, 3, 7, 2, 4, 7});
  const Tensor m = arange(4).reshape({2, 2});
  CHECK(hstack({m, m}).sizes().equals({2, 4}));
  CHECK(column_stack({m, a}).sizes().equals({2, 3}));
  CHECK_THROWS_WITH(hstack({}), "[hstack] tensors: expected a non-empty list of tensors");
}

TEST_CASE("atleast_1d/2d/3d put new dimensions where NumPy does; broadcast_to and broadcast_tensors expand") {
  const Tensor s = scalar_tensor(5.0), v = arange(3), m = arange(6).reshape({2, 3});
  CHECK(atleast_1d(s).sizes().equals({1}));
  CHECK(atleast_2d(v).sizes().equals({1, 3}));
  CHECK(atleast_3d(v).sizes().equals({1, 3, 1}));
  CHECK(atleast_3d(m).sizes().equals({2, 3, 1}));
  CHECK(atleast_3d(s).sizes().equals({1, 1, 1}));
  CHECK(atleast_2d(m).is_same(m));
  CHECK(broadcast_to(v, {2, 3}).sizes().equals({2, 3}));
  CHECK(v.broadcast_to({4, -1}).sizes().equals({4, 3}));
  const auto both = broadcast_tensors({v, arange(2).reshape({2, 1}), s});
  for (const Tensor& t : both) CHECK(t.sizes().equals({2, 3}));
  CHECK(ints(both[1]) == std::vector<int64_t>{0, 0, 0, 1, 1, 1});
  CHECK_THROWS_WITH(broadcast_tensors({v, arange(2)}), doctest::Contains("[broadcast_tensors] tensors"));
}

TEST_CASE("tensor_split by sections or indices; hsplit, vsplit and dsplit in equal pieces") {
  const Tensor x = arange(7);
  std::vector<std::vector<int64_t>> pieces;
  for (const Tensor& p : tensor_split(x, 3)) pieces.push_back(ints(p));
  CHECK(pieces == std::vector<std::vector<int64_t>>{{0, 1, 2}, {3, 4}, {5, 6}});
  CHECK(tensor_split(x, 9).size() == 9);  // the last two empty
  pieces.clear();
  for (const Tensor& p : tensor_split(x, IntArrayRef{1, 5, -1, 10})) pieces.push_back(ints(p));
  CHECK(pieces == std::vector<std::vector<int64_t>>{{0}, {1, 2, 3, 4}, {5}, {6}, {}});
  const Tensor m = arange(24).reshape({2, 4, 3});
  CHECK(hsplit(m, 2)[1].sizes().equals({2, 2, 3}));
  CHECK(vsplit(m, 2)[0].sizes().equals({1, 4, 3}));
  CHECK(dsplit(m, 3)[2].sizes().equals({2, 4, 1}));
  CHECK(hsplit(x.narrow(0, 0, 6), 3).size() == 3);
  CHECK_THROWS_WITH(hsplit(m, 3), "[hsplit] sections: expected a positive divisor of dimension 1's size 4, got 3");
  CHECK_THROWS_WITH(vsplit(x, 1), "[vsplit] self: expected at least 2 dimensions, got shape [7]");
  CHECK_THROWS_WITH(tensor_split(x, 0), "[tensor_split] sections: expected a positive number, got 0");
  CHECK_THROWS_AS(tensor_split(x, std::numeric_limits<int64_t>::max()), Error);  // refused, not allocated
}

TEST_CASE("logspace, fliplr, flipud and argwhere") {
  check_close(values(logspace(0, 3, 4, 10.0, DType::Float64)), {1, 10, 100, 1000}, 1e-15);
  check_close(values(logspace(-1, 1, 3, 2.0)), {0.5, 1, 2}, 1e-7);
  CHECK(logspace(0, 1, 0).numel() == 0);
  const Tensor m = arange(6).reshape({2, 3});
  CHECK(ints(fliplr(m)) == std::vector<int64_t>{2, 1, 0, 5, 4, 3});
  CHECK(ints(m.flipud()) == std::vector<int64_t>{3, 4, 5, 0, 1, 2});
  CHECK_THROWS_WITH(fliplr(arange(3)), "[fliplr] self: expected at least 2 dimensions, got shape [3]");
  CHECK(ints(argwhere(tensor<int64_t>({0, 3, 0, 5}, {2, 2}))) == std::vector<int64_t>{0, 1, 1, 1});
}

TEST_CASE("select_scatter and slice_scatter write src into a copy, differentiably") {
  const Tensor base = zeros({3, 4}, DType::Float64);
  const Tensor row = select_scatter(base, tensor<double>({1, 2, 3, 4}), 0, -1);
  check_close(values(row), {0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, 0);
  CHECK(base.sum().item<double>() == 0);
  const Tensor columns = slice_scatter(base, ones({3, 2}, DType::Float64), 1, 1, std::nullopt, 2);
  check_close(values(columns), {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, 0);
  CHECK_THROWS_WITH(select_scatter(base, ones({3}, DType::Float64), 0, 1), "[select_scatter] src: expected shape [1, 4], got [1, 3]");
  CHECK_THROWS_WITH(select_scatter(base, ones({4}, DType::Float64), 0, 3), "[select_scatter] index: expected a position in [-3, 3), got 3");
  CHECK_THROWS_WITH(slice_scatter(base, ones({3, 3}, DType::Float64), 1, 0, 4, 2),
                    "[slice_scatter] src: expected shape [3, 2], got [3, 3]");
  const Tensor self = ones({3, 4}, DType::Float64).requires_grad_(), src = ones({4}, DType::Float64).requires_grad_();
  const Tensor weights = arange(12, DType::Float64).reshape({3, 4});
  const auto grads = autograd::grad({(select_scatter(self, src, 0, 1) * weights).sum()}, {self, src});
  check_close(values(grads[0]), {0, 1, 2, 3, 0, 0, 0, 0, 8, 9, 10, 11}, 0);
  check_close(values(grads[1]), {4, 5, 6, 7}, 0);
}

TEST_CASE("mode: the smallest most frequent value and its last occurrence, along any dimension") {
  const Tensor x = tensor<int64_t>({3, 1, 3, 1, 2,   // 1 and 3 twice: 1, last at 3
                                    5, 5, 4, 4, 4},  // 4 three times, last at 9 - 5 = 4
                                   {2, 5});
  const auto [values_row, indices_row] = mode(x);
  CHECK(ints(values_row) == std::vector<int64_t>{1, 4});
  CHECK(ints(indices_row) == std::vector<int64_t>{3, 4});
  const auto [kept, kept_indices] = x.mode(0, true);
  CHECK(kept.sizes().equals({1, 5}));
  CHECK(ints(kept) == std::vector<int64_t>{3, 1, 3, 1, 2});  // each column's values all differ: the smaller
  CHECK(ints(kept_indices) == std::vector<int64_t>{0, 0, 0, 0, 0});
  // Floats, NaN each a value of its own, and a single element.
  const auto [fv, fi] = mode(tensor<float>({NAN, 2.5f, NAN, 2.5f}));
  CHECK(fv.item<float>() == 2.5f);
  CHECK(fi.item<int64_t>() == 3);
  CHECK(std::get<0>(mode(scalar_tensor(7.0))).item<double>() == 7);
  CHECK_THROWS_WITH(mode(zeros({2, 0})), "[mode] self: cannot take the mode of dimension 1 of size 0");
  // The gradient reaches the chosen occurrence.
  const Tensor v = tensor<double>({2, 1, 2}).requires_grad_();
  check_close(values(autograd::grad({std::get<0>(mode(v)) * 3}, {v})[0]), {0, 0, 3}, 0);
}

TEST_CASE("other names reach the operators they name") {
  const Tensor x = tensor<double>({-1.5, 0.25, 2});
  CHECK(equal(clip(x, -1, 1), clamp(x, -1, 1)));
  CHECK(equal(x.absolute(), abs(x)));
  CHECK(equal(negative(x), -x));
  CHECK(positive(x).is_same(x));
  CHECK(equal(fix(x), trunc(x)));
  CHECK(equal(multiply(x, x), x * x));
  CHECK(equal(subtract(x, x, 2), sub(x, x, 2)));
  CHECK(equal(true_divide(x, x), x / x));
  CHECK(equal(arctan2(x, x + 3), atan2(x, x + 3)));
  CHECK(equal(arcsin(x * 0.1), asin(x * 0.1)));
  CHECK(equal(ger(x, x), outer(x, x)));
  CHECK_THROWS_WITH(positive(ones({2}, DType::Bool)), "[positive] self: expected a numeric tensor, got bool");
}
