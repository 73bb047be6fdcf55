// Convolution (oneDNN for float32/bfloat16, a direct loop for float64) and max pooling, against
// hand-computed values and against each other.
#include "reference.h"

using namespace ember;
using reference::check_close;
using reference::values;

namespace {

// Runs `f` on float32 inputs and on the same inputs in float64: oneDNN against the direct loop.
template <typename F>
void check_float32_against_float64(F f, const std::vector<Tensor>& inputs, double tol) {
  std::vector<Tensor> wide;
  for (const Tensor& t : inputs) wide.push_back(t.to(DType::Float64));
  const Tensor narrow_result = f(inputs), wide_result = f(wide);
  CHECK(narrow_result.dtype() == DType::Float32);
  CHECK(wide_result.dtype() == DType::Float64);
  check_close(values(narrow_result), values(wide_result), tol);
}

}  // namespace

TEST_CASE("conv2d matches hand-computed windows, with and without padding and stride") {
  const Tensor x = arange(1, 10, 1, DType::Float32).reshape({1, 1, 3, 3});
  const Tensor w = tensor<float>({1, 0, 0, -1}, {1, 1, 2, 2});
  CHECK(values(conv2d(x, w)) == std::vector<double>{-4, -4, -4, -4});
  // Padding 1, stride 2: windows start at -1 and 1; the padded taps read zero.
  CHECK(values(conv2d(x, w, {2, 2}, {1, 1})) == std::vector<double>{-1, -3, -7, -4});
  CHECK(values(conv2d(x.to(DType::Float64), w.to(DType::Float64), {2, 2}, {1, 1})) == std::vector<double>{-1, -3, -7, -4});
}

TEST_CASE("conv2d and its backward operators agree between oneDNN and the direct loop") {
  struct Geometry {
    std::vector<int64_t> input, weight, stride, padding, dilation;
    int64_t groups;
  };
  const Geometry cases[] = {
      {{2, 3, 9, 8}, {5, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1},
      {{3, 4, 7, 9}, {6, 2, 3, 2}, {2, 1}, {0, 1}, {1, 2}, 2},  // grouped, strided, dilated
      {{1, 4, 6, 6}, {4, 1, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 4},  // depthwise
      {{2, 2, 5, 5}, {3, 2, 1, 1}, {3, 3}, {0, 0}, {1, 1}, 1},  // 1x1, right edge unused
  };
  unsigned seed = 100;
  for (const Geometry& g : cases) {
    CAPTURE(g.groups);
    const Tensor x = reference::random_tensor(g.input, seed++), w = reference::random_tensor(g.weight, seed++);
    const Tensor y = conv2d(x, w, g.stride, g.padding, g.dilation, g.groups);
    const Tensor dy = reference::random_tensor(y.sizes(), seed++);
    check_float32_against_float64(
        [&](const std::vector<Tensor>& t) { return conv2d(t[0], t[1], g.stride, g.padding, g.dilation, g.groups); },
        {x, w}, 1e-4);
    check_float32_against_float64(
        [&](const std::vector<Tensor>& t) {
          return conv2d_backward_input(t[0], t[1], g.input, g.stride, g.padding, g.dilation, g.groups);
        },
        {dy, w}, 1e-4);
    check_float32_against_float64(
        [&](const std::vector<Tensor>& t) {
          return conv2d_backward_weight(t[0], t[1], g.weight, g.stride, g.padding, g.dilation, g.groups);
        },
        {dy, x}, 1e-3);
  }
}

TEST_CASE("conv2d reads strided inputs and computes in bfloat16") {
  const Tensor x = reference::random_tensor({2, 6, 6, 3}, 7).permute({0, 3, 1, 2});  // channels-last memory
  const Tensor w = reference::random_tensor({4, 3, 3, 3}, 8);
  const Tensor expected = conv2d(x.contiguous(), w, {1, 1}, {1, 1});
  check_close(values(conv2d(x, w, {1, 1}, {1, 1})), values(expected), 1e-5);
  const Tensor half = conv2d(x.to(DType::BFloat16), w.to(DType::BFloat16), {1, 1}, {1, 1});
  CHECK(half.dtype() == DType::BFloat16);
  check_close(values(half), values(expected), 0.25);
}

TEST_CASE("half-precision convolutions and their backward operators round once from float32") {
  // Through oneDNN's half-precision kernels where the CPU has them, else float32 copies of every
  // role (Note [Float32 staging]).
  for (const DType dtype : {DType::BFloat16, DType::Float16}) {
    CAPTURE(dtype_name(dtype));
    const Tensor x = reference::random_tensor({2, 4, 9, 8}, 60).to(dtype);
    const Tensor w = reference::random_tensor({6, 2, 3, 3}, 61).to(dtype);
    const Tensor dy = reference::random_tensor({2, 6, 5, 8}, 62).to(dtype);
    auto wide = [](const Tensor& t) { return t.to(DType::Float64); };
    const std::vector<int64_t> stride{2, 1}, padding{1, 1}, dilation{1, 1};
    reference::check_rounded_once(conv2d(x, w, stride, padding, dilation, 2),
                                  conv2d(wide(x), wide(w), stride, padding, dilation, 2));
    reference::check_rounded_once(conv2d_backward_input(dy, w, x.sizes(), stride, padding, dilation, 2),
                                  conv2d_backward_input(wide(dy), wide(w), x.sizes(), stride, padding, dilation, 2));
    reference::check_rounded_once(conv2d_backward_weight(dy, x, w.sizes(), stride, padding, dilation, 2),
                                  conv2d_backward_weight(wide(dy), wide(x), w.sizes(), stride, padding, dilation, 2));
  }
}

TEST_CASE("conv2d rejects inconsistent shapes and geometry, naming the argument") {
  const Tensor x = zeros({1, 4, 5, 5}), w = zeros({2, 4, 3, 3});
  CHECK_THROWS_WITH(conv2d(zeros({4, 5, 5}), w),
                    "[conv2d] input: expected a 4-D [N, C, H, W] shape, got [4, 5, 5]");
  CHECK_THROWS_WITH(conv2d(x, zeros({2, 3, 3, 3})),
                    "[conv2d] weight: expected 4 input channels per group for an input with 4 channels and groups=1, "
                    "got weight shape [2, 3, 3, 3]");
  CHECK_THROWS_WITH(conv2d(x, w, {1, 1}, {0, 0}, {1, 1}, 3),
                    "[conv2d] groups: expected a positive divisor of in_channels (4) and out_channels (2), got 3");
  CHECK_THROWS_WITH(conv2d(x, w, {0, 1}), "[conv2d] stride: expected values of at least 1, got [0, 1]");
  CHECK_THROWS_WITH(conv2d(x, w, {1}), "[conv2d] stride: expected 2 values (height, width), got 1");
  CHECK_THROWS_WITH(conv2d(zeros({1, 4, 2, 2}), w),
                    "[conv2d] input: padded spatial size 2x2 is smaller than the kernel's span");
  CHECK_THROWS_WITH(conv2d_backward_input(zeros({1, 2, 4, 4}), w, {1, 4, 5, 5}, {1, 1}, {0, 0}, {1, 1}, 1),
                    "[conv2d_backward_input] grad_output: expected shape [1, 2, 3, 3], got [1, 2, 4, 4]");
}

TEST_CASE("max_pool2d_with_indices picks each window's largest value and its flat position") {
  const Tensor x = tensor<float>({1, 5, 2, 7, 3, 4, 0, 6, 9, 1, 8, 2, 5, 0, 3, 1}, {1, 1, 4, 4});
  auto [out, idx] = max_pool2d_with_indices(x, {2, 2});
  CHECK(values(out) == std::vector<double>{5, 7, 9, 8});
  CHECK(to_vector<int64_t>(idx) == std::vector<int64_t>{1, 3, 8, 10});
  // Padding 1 with stride 2: the corner windows hold one real element each.
  auto [padded, padded_idx] = max_pool2d_with_indices(x, {2, 2}, {2, 2}, {1, 1});
  CHECK(padded.sizes().vec() == std::vector<int64_t>{1, 1, 3, 3});
  CHECK(values(padded) == std::vector<double>{1, 5, 7, 9, 8, 6, 5, 3, 1});
  CHECK(to_vector<int64_t>(padded_idx) == std::vector<int64_t>{0, 1, 3, 8, 10, 7, 12, 14, 15});
  // ceil_mode keeps the partial window at the edge.
  const Tensor odd = arange(25, DType::Float32).reshape({1, 1, 5, 5});
  CHECK(std::get<0>(max_pool2d_with_indices(odd, {2, 2})).sizes().vec() == std::vector<int64_t>{1, 1, 2, 2});
  CHECK(values(std::get<0>(max_pool2d_with_indices(odd, {2, 2}, {}, {0, 0}, {1, 1}, true))) ==
        std::vector<double>{6, 8, 9, 16, 18, 19, 21, 23, 24});
}

TEST_CASE("max_pool2d_with_indices propagates NaN and checks its arguments") {
  const float nan = std::nanf("");
  const Tensor x = tensor<float>({1, nan, 3, 2}, {1, 1, 2, 2});
  auto [out, idx] = max_pool2d_with_indices(x, {2, 2});
  CHECK(std::isnan(values(out)[0]));
  CHECK(to_vector<int64_t>(idx)[0] == 1);
  CHECK_THROWS_WITH(max_pool2d_with_indices(zeros({2, 2}), {2, 2}),
                    "[max_pool2d_with_indices] self: expected a 4-D [N, C, H, W] tensor, got shape [2, 2]");
  CHECK_THROWS_WITH(max_pool2d_with_indices(zeros({1, 1, 4, 4}), {2, 2}, {2, 2}, {2, 2}),
                    "[max_pool2d_with_indices] padding: expected at most half the kernel size, got 2 for a kernel of 2");
  CHECK_THROWS_WITH(max_pool2d_with_indices(zeros({1, 1, 4, 4}, DType::Bool), {2, 2}),
                    doctest::Contains("max pooling needs a numeric dtype, got bool"));
  // Integers pool too (quantized tensors pool their integers); ties keep the first position.
  auto [ints, int_idx] = max_pool2d_with_indices(tensor<int64_t>({4, -7, 4, 9, 1, 2, 3, 0}, {1, 2, 2, 2}), {2, 2});
  CHECK(to_vector<int64_t>(ints) == std::vector<int64_t>{9, 3});
  CHECK(to_vector<int64_t>(int_idx) == std::vector<int64_t>{3, 2});
}
