// Quantized tensors against hand-computed arithmetic: q = clamp(zero_point + round(x / scale))
// with ties to even, saturation at each dtype's range, per-channel axes, dequantization, views and
// copies that keep the quantization, the dequantizing fallback, printing and errors.
#include <doctest/doctest.h>

#include <cmath>

#include "ember/ember.h"
#include "ember/quantization.h"

using namespace ember;

namespace {

std::vector<int64_t> ints(const Tensor& t) { return to_vector<int64_t>(int_repr(t)); }
std::vector<float> reals(const Tensor& t) { return to_vector<float>(dequantize(t)); }

}  // namespace

TEST_CASE("round takes ties to the even neighbour, as PyTorch's") {
  CHECK(to_vector<float>(round(tensor({0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, -2.6f}))) ==
        std::vector<float>{0.f, 2.f, 2.f, -0.f, -2.f, 2.f, -3.f});
  CHECK(to_vector<int64_t>(round(tensor<int64_t>({3, -4}))) == std::vector<int64_t>{3, -4});
  // Large tensors (oneDNN's vectorized kernel on CPU): every tie from -16383.5 to 16383.5.
  const std::vector<float> ties = to_vector<float>(round(arange(-16384, 16384, 1, DType::Float32) + 0.5));
  for (size_t i = 0; i < ties.size(); ++i) {
    CHECK(ties[i] == std::nearbyint(static_cast<float>(static_cast<double>(i) - 16384 + 0.5)));
  }
}

TEST_CASE("per-tensor quantization rounds ties to even and saturates at the dtype's range") {
  const Tensor x = tensor({-100.f, -1.f, 0.25f, 0.75f, 1.25f, 2.f, 100.f});
  // x / 0.5 = -200, -2, 0.5, 1.5, 2.5, 4, 200; rounded (ties to even) 0, 2, 2; plus zero point 3.
  const Tensor q8 = quantize_per_tensor(x, 0.5, 3, DType::QInt8);
  CHECK(q8.dtype() == DType::QInt8);
  CHECK(ints(q8) == std::vector<int64_t>{-128, 1, 3, 5, 5, 7, 127});
  CHECK(reals(q8) == std::vector<float>{-65.5f, -1.f, 0.f, 1.f, 1.f, 2.f, 62.f});

  const Tensor qu8 = quantize_per_tensor(x, 0.5, 3, DType::QUInt8);
  CHECK(ints(qu8) == std::vector<int64_t>{0, 1, 3, 5, 5, 7, 203});
  CHECK(int_repr(qu8).dtype() == DType::UInt8);

  const Tensor q32 = quantize_per_tensor(x, 0.5, -7, DType::QInt32);
  CHECK(ints(q32) == std::vector<int64_t>{-207, -9, -7, -5, -5, -3, 193});
  CHECK(int_repr(q32).dtype() == DType::Int32);

  // Round trip within half a step inside the range.
  const Tensor y = rand({100}) * 2.0 - 1.0;
  const std::vector<float> back = reals(quantize_per_tensor(y, 0.01, 0, DType::QInt8));
  const std::vector<float> original = to_vector<float>(y);
  for (size_t i = 0; i < back.size(); ++i) CHECK(std::abs(back[i] - original[i]) <= 0.005f + 1e-6f);
}

TEST_CASE("per-channel quantization scales each index along its axis") {
  const Tensor w = tensor({1.f, -2.f, 3.f, 4.f, 5.f, -6.f}, {2, 3});
  // Axis 0: row 0 with scale 0.5 and zero point 0, row 1 with scale 2 and zero point 10.
  const Tensor rows = quantize_per_channel(w, tensor({0.5, 2.0}), tensor<int64_t>({0, 10}), 0, DType::QInt8);
  CHECK(ints(rows) == std::vector<int64_t>{2, -4, 6, 12, 12, 7});  // 5 / 2 = 2.5 rounds to 2
  CHECK(reals(rows) == std::vector<float>{1.f, -2.f, 3.f, 4.f, 4.f, -6.f});
  // Axis 1 (and -1): one scale per column.
  const Tensor columns = quantize_per_channel(w, tensor({1.0, 0.25, 4.0}), tensor<int64_t>({0, 1, 2}), -1, DType::QUInt8);
  CHECK(ints(columns) == std::vector<int64_t>{1, 0, 3, 4, 21, 0});  // -8 + 1 and -1.5 + 2 -> 0 after rounding/saturation
  CHECK(columns.impl()->quantizer()->axis == 1);
  CHECK(reals(columns) == std::vector<float>{1.f, -0.25f, 4.f, 4.f, 5.f, -8.f});
}

TEST_CASE("views and copies keep the quantization; other operators see real values") {
  const Tensor x = tensor({0.f, 1.f, 2.f, 3.f, 4.f, 5.f});
  const Tensor q = quantize_per_tensor(x, 0.5, 1, DType::QUInt8);
  const Tensor t = q.view({2, 3}).transpose(0, 1);
  CHECK(t.dtype() == DType::QUInt8);
  CHECK(t.impl()->quantizer()->scale() == 0.5);
  CHECK(ints(t) == std::vector<int64_t>{1, 7, 3, 9, 5, 11});
  CHECK(q.select(0, 4).item<double>() == 4.0);
  CHECK(ints(q.reshape({3, 2}).contiguous()) == ints(q));
  CHECK(ints(q.clone()) == ints(q));
  // The composite views keep it too.
  const Tensor grid = q.view({1, 2, 3});
  for (const Tensor& v : {grid.flatten(), grid.squeeze().flatten(), grid.unflatten(2, {3, 1}).flatten(),
                          grid.movedim({0}, {2}).flatten(), grid.squeeze().diagonal()}) {
    CHECK(v.dtype() == DType::QUInt8);
    CHECK(v.impl()->quantizer()->scale() == 0.5);
  }
  CHECK(ints(grid.squeeze().diagonal()) == std::vector<int64_t>{1, 9});

  // The fallback: arguments dequantized, results in float.
  const Tensor sum = add(q, q);
  CHECK(sum.dtype() == DType::Float32);
  CHECK(to_vector<float>(sum) == std::vector<float>{0.f, 2.f, 4.f, 6.f, 8.f, 10.f});
  CHECK(q.sum().item<float>() == 15.f);
  CHECK_THROWS_WITH(q.add_(q), "[add_.Tensor] self: writing into a quantized tensor is not supported; dequantize it, "
                               "or quantize the result");

  // Per-channel tensors go through copies but not views, whose axis would move.
  const Tensor pc = quantize_per_channel(x.view({2, 3}), tensor({1.0, 0.5}), tensor<int64_t>({0, 0}), 0, DType::QInt8);
  CHECK(ints(pc.clone()) == std::vector<int64_t>{0, 1, 2, 6, 8, 10});
  CHECK(pc.contiguous().impl()->quantizer()->scales == std::vector<double>{1.0, 0.5});
  CHECK_THROWS_WITH(pc.transpose(0, 1), doctest::Contains("[transpose.int] self: views of per-channel quantized tensors are not supported"));
}

TEST_CASE("quantized tensors print their real values and their quantization") {
  const Tensor q = quantize_per_tensor(tensor({-1.f, 0.5f, 2.f}), 0.5, 2, DType::QInt8);
  CHECK(q.str() == "tensor([-1.0000,  0.5000,  2.0000], dtype=qint8, quantization_scheme=per_tensor_affine, scale=0.5, zero_point=2)");
  const Tensor pc = quantize_per_channel(tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}), tensor({0.1, 0.5}), tensor<int64_t>({0, 1}), 0,
                                         DType::QUInt8);
  CHECK(pc.str() == "tensor([[1., 2.],\n        [3., 4.]], dtype=quint8, quantization_scheme=per_channel_affine, "
                    "scale=[0.1, 0.5], zero_point=[0, 1], axis=0)");
  CHECK(int_repr(pc).str() == "tensor([[10, 20],\n        [ 7,  9]], dtype=uint8)");
}

TEST_CASE("bad quantization arguments are named") {
  const Tensor x = tensor({1.f, 2.f});
  CHECK_THROWS_WITH(quantize_per_tensor(x, 0.0, 0, DType::QInt8),
                    "[quantize] scale: expected a positive finite number, got 0");
  CHECK_THROWS_WITH(quantize_per_tensor(x, 1.0, 300, DType::QUInt8),
                    "[quantize_per_tensor] zero_point: expected in [0, 255] for quint8, got 300");
  CHECK_THROWS_WITH(quantize_per_tensor(x, 1.0, 0, DType::Int8),
                    "[quantize] dtype: expected qint8, quint8 or qint32, got int8");
  CHECK_THROWS_WITH(quantize_per_tensor(tensor<int64_t>({1}), 1.0, 0, DType::QInt8),
                    "[quantize_per_tensor] self: expected a floating-point tensor, got int64");
  CHECK_THROWS_WITH(quantize_per_channel(x, tensor({1.0}), tensor<int64_t>({0}), 0, DType::QInt8),
                    "[quantize_per_channel] scales: expected 2 values (the size of dim 0), got shape [1]");
  CHECK_THROWS_WITH(quantize_per_channel(x, tensor({1.0, -1.0}), tensor<int64_t>({0, 0}), 0, DType::QInt8),
                    "[quantize_per_channel] scales: expected positive finite numbers, got -1");
  CHECK_THROWS_WITH(int_repr(x), "[int_repr] self: expected a quantized tensor, got float32");
  CHECK(dequantize(x).is_same(x));
}

TEST_CASE("relu and max pooling run on the integers and keep the quantization") {
  manual_seed(4);
  const Tensor x = randn({2, 3, 6, 6});
  const Tensor q = quantize_per_tensor(x, 0.05, 10, DType::QUInt8);
  const Tensor r = relu(q);
  CHECK(r.dtype() == DType::QUInt8);
  CHECK(r.impl()->quantizer()->zero_point() == 10);
  CHECK(to_vector<float>(dequantize(r)) == to_vector<float>(relu(dequantize(q))));
  // max(q, zero_point): integers below 10 become 10.
  CHECK(amin(int_repr(r).to(DType::Int64)).item<int64_t>() == 10);

  const auto [pooled, indices] = max_pool2d_with_indices(q, {2, 2});
  CHECK(pooled.dtype() == DType::QUInt8);
  const auto [expected, expected_indices] = max_pool2d_with_indices(dequantize(q), {2, 2});
  CHECK(to_vector<float>(dequantize(pooled)) == to_vector<float>(expected));
  CHECK(to_vector<int64_t>(indices) == to_vector<int64_t>(expected_indices));

  // Per channel along dim 1 (the channels) pools too; relu runs dequantized and returns float.
  const Tensor pc = quantize_per_channel(x, tensor({0.05, 0.1, 0.2}), tensor<int64_t>({0, 1, -2}), 1, DType::QInt8);
  CHECK(std::get<0>(max_pool2d_with_indices(pc, {3, 3})).dtype() == DType::QInt8);
  CHECK(relu(pc).dtype() == DType::Float32);
  CHECK(to_vector<float>(relu(pc)) == to_vector<float>(relu(dequantize(pc))));
  const Tensor spatial = quantize_per_channel(x, ones({6}, DType::Float64), zeros({6}, DType::Int64), 3, DType::QInt8);
  CHECK_THROWS_WITH(max_pool2d_with_indices(spatial, {2, 2}),
                    "[max_pool2d_with_indices] self: per-channel quantization along spatial dim 3 does not survive "
                    "pooling; dequantize first");
}

TEST_CASE("observers turn ranges into PyTorch's scales and zero points") {
  using quantization::range_qparams;
  auto near = [](quantization::QParams got, double scale, int64_t zero_point) {
    CHECK(got.scale == doctest::Approx(scale).epsilon(1e-12));
    CHECK(got.zero_point == zero_point);
  };
  // [-1, 3]: 4 / 255 per step; zero lands -(-1) / (4 / 255) = 63.75 -> 64 steps up.
  near(range_qparams(-1, 3), 4.0 / 255, 64);
  near(range_qparams(-1, 3, {.dtype = DType::QInt8}), 4.0 / 255, -64);
  near(range_qparams(-1, 3, {.dtype = DType::QInt8, .symmetric = true}), 3 / 127.5, 0);
  near(range_qparams(-1, 3, {.symmetric = true}), 3 / 127.5, 128);
  near(range_qparams(-1, 3, {.reduce_range = true}), 4.0 / 127, 32);
  CHECK(range_qparams(-1, 3, {.reduce_range = true}).quant_max == 127);
  CHECK(range_qparams(-1, 3, {.dtype = DType::QInt8}).quant_min == -128);
  near(range_qparams(2, 5), 5.0 / 255, 0);  // widened to include zero
  near(range_qparams(0, 0), quantization::kMinScale, 0);
  CHECK_THROWS_WITH(range_qparams(3, -1), "[observer] expected a finite range with min <= max, got [3, -1]");
  CHECK_THROWS_WITH(range_qparams(0, 1, {.dtype = DType::QInt32}), "[observer] dtype: expected qint8 or quint8, got qint32");

  quantization::MinMaxObserver observer;
  CHECK_THROWS_WITH(observer.qparams(), doctest::Contains("no tensor was observed"));
  const Tensor first = tensor({1.f, 2.f});
  CHECK(observer(first).is_same(first));
  observer(tensor({-3.f, 0.5f}));
  CHECK(observer.range() == std::pair<double, double>{-3.0, 2.0});
  near(observer.qparams(), 5.0 / 255, 153);  // 3 / (5 / 255) = 153

  const auto moving = quantization::moving_average_observer();
  (*moving)(tensor({0.f, 10.f}));
  (*moving)(tensor({-10.f, 20.f}));
  CHECK(moving->range().first == doctest::Approx(-0.1));
  CHECK(moving->range().second == doctest::Approx(10.1));
  CHECK_THROWS_WITH(quantization::MinMaxObserver({.averaging_constant = 0}),
                    "[MinMaxObserver] averaging_constant: expected in (0, 1], got 0");
}

TEST_CASE("quantized_add adds the real values and quantizes the sum with the output's parameters") {
  // a: (q - 2) * 0.5 = [-1, 0, 1.5]; b: (q - 0) * 0.25 = [0.25, 1, 2.5].
  const Tensor a = quantize_per_tensor(tensor({-1.f, 0.f, 1.5f}), 0.5, 2, DType::QUInt8);
  const Tensor b = quantize_per_tensor(tensor({0.25f, 1.f, 2.5f}), 0.25, 0, DType::QUInt8);
  // Sums -0.75, 1, 4 at scale 1 and zero point 1: round -> -1 (ties to even), 1, 4; plus 1.
  const Tensor sum = quantized_add(a, b, 1.0, 1);
  CHECK(sum.dtype() == DType::QUInt8);
  CHECK(sum.impl()->quantizer()->scale() == 1.0);
  CHECK(ints(sum) == std::vector<int64_t>{0, 2, 5});
  // Saturation, and broadcasting a one-element tensor.
  const Tensor big = quantize_per_tensor(tensor({100.f}), 1.0, 0, DType::QUInt8);
  CHECK(ints(quantized_add(a, big, 0.5, 0)) == std::vector<int64_t>{198, 200, 203});  // 99, 100, 101.5 / 0.5
  CHECK(ints(quantized_add(a, big, 0.25, 0)) == std::vector<int64_t>{255, 255, 255});

  CHECK_THROWS_WITH(quantized_add(a, tensor({1.f, 2.f, 3.f}), 1.0, 0),
                    "[quantized_add] other: expected a tensor quantized per tensor, got float32");
  CHECK_THROWS_WITH(quantized_add(a, quantize_per_tensor(tensor({1.f}), 1.0, 0, DType::QInt8), 1.0, 0),
                    "[quantized_add] other: expected quint8 as self, got qint8");
  CHECK_THROWS_WITH(quantized_add(a, b, -1.0, 0), doctest::Contains("scale: expected a positive finite number"));
}
