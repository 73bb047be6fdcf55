// int8_conv2d against hand-computed values and an exact reference (the float64 convolution of
// the integers), with float32 and uint8 results; QuantizedConv2d against the float layer; batch
// norm folding; and a digits CNN statically quantized end to end.
#include <doctest/doctest.h>

#include <cmath>

#include "../backends/reference.h"
#include "ember/data/csv.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/optim/adam.h"
#include "ember/quantization.h"

using namespace ember;

namespace {

struct ConvCase {
  std::vector<int64_t> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
};

// The int32 sums exactly (float64 convolution of the integers), then the epilogue in float32 as
// Note [Int8 epilogue] defines it.
std::vector<float> conv_reference(const Tensor& a, int64_t zp, const Tensor& w, const Tensor& scales,
                                  const Tensor& bias, const ConvCase& c, std::optional<int64_t> output_zp,
                                  float output_max = 255) {
  const Tensor acc = conv2d(a.to(DType::Float64) - static_cast<double>(zp), w.to(DType::Float64), c.stride, c.padding,
                            c.dilation, c.groups);
  const std::vector<double> sums = to_vector<double>(acc);
  const std::vector<float> s = to_vector<float>(scales), b = to_vector<float>(bias);
  const int64_t channels = acc.size(1), plane = acc.size(2) * acc.size(3);
  std::vector<float> out;
  for (size_t i = 0; i < sums.size(); ++i) {
    const size_t o = static_cast<size_t>((static_cast<int64_t>(i) / plane) % channels);
    const float y = s[o] * static_cast<float>(sums[i]) + b[o];
    out.push_back(output_zp ? std::fmin(output_max, std::fmax(0.f, std::nearbyint(y) + static_cast<float>(*output_zp))) : y);
  }
  return out;
}

void check_against_reference(const Tensor& a, int64_t zp, const Tensor& w, const ConvCase& c) {
  const int64_t out_channels = w.size(0);
  const Tensor scales = rand({out_channels}) * 0.002 + 0.001;
  const Tensor bias = randn({out_channels});
  const Tensor got = int8_conv2d(a, zp, w, scales, bias, c.stride, c.padding, c.dilation, c.groups);
  reference::check_close(to_vector<double>(got),
                         [&] {
                           const std::vector<float> r = conv_reference(a, zp, w, scales, bias, c, std::nullopt);
                           return std::vector<double>(r.begin(), r.end());
                         }(),
                         1e-5);
  // uint8 results, over the full range and seven bits: the same y rounded; oneDNN's
  // scales[c] * (acc + bias[c] / scales[c]) may land on the other side of a tie, never further.
  for (const int64_t output_max : {255, 127}) {
    const Tensor q = int8_conv2d(a, zp, w, scales, bias, c.stride, c.padding, c.dilation, c.groups, 100, output_max);
    CHECK(q.dtype() == DType::UInt8);
    const std::vector<float> expected =
        conv_reference(a, zp, w, scales, bias, c, 100, static_cast<float>(output_max));
    const std::vector<int64_t> q_values = to_vector<int64_t>(q);
    int64_t off = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      CHECK(std::abs(static_cast<double>(q_values[i]) - expected[i]) <= 1.0);
      off += q_values[i] != static_cast<int64_t>(expected[i]);
    }
    CHECK(off * 100 <= static_cast<int64_t>(expected.size()));
    // The results reach past 127 in the full range, so seven bits saturate.
    if (output_max == 127) CHECK(amax(q).item<int64_t>() == 127);
    else CHECK(amax(q).item<int64_t>() > 127);
  }
}

}  // namespace

TEST_CASE("int8_conv2d: uint8 minus its zero point, convolved with int8, scaled and shifted per channel") {
  // (x - 1) = [[0, 1, 2], [3, 4, 5], [6, 7, 8]] under [[1, 0], [0, -1]]: every window gives -4.
  const Tensor a = tensor<uint8_t>({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  const Tensor w = tensor<int8_t>({1, 0, 0, -1}, {1, 1, 2, 2});
  CHECK(to_vector<float>(int8_conv2d(a, 1, w, tensor({0.5f}), tensor({1.f}))) == std::vector<float>{-1.f, -1.f, -1.f, -1.f});
  // Padding is a real zero: the corner window sees only -(x[0][0] - 1) = 0, the next one -(1).
  const Tensor padded = int8_conv2d(a, 1, w, tensor({0.5f}), tensor({1.f}), {1, 1}, {1, 1});
  CHECK(padded.sizes().equals({1, 1, 4, 4}));
  CHECK(to_vector<float>(padded)[0] == 1.f);
  CHECK(to_vector<float>(padded)[1] == 0.5f);
  // uint8 results: round(-1) + 3 = 2; saturation at 0 and 255.
  CHECK(to_vector<int64_t>(int8_conv2d(a, 1, w, tensor({0.5f}), tensor({1.f}), {1, 1}, {0, 0}, {1, 1}, 1, 3)) ==
        std::vector<int64_t>{2, 2, 2, 2});
  CHECK(to_vector<int64_t>(int8_conv2d(a, 1, w, tensor({0.5f}), tensor({1.f}), {1, 1}, {0, 0}, {1, 1}, 1, 5, 2)) ==
        std::vector<int64_t>{2, 2, 2, 2});  // round(-1) + 5 = 4, above output_max
  CHECK(to_vector<int64_t>(int8_conv2d(a, 1, w, tensor({100.f}), std::nullopt, {1, 1}, {0, 0}, {1, 1}, 1, 3)) ==
        std::vector<int64_t>{0, 0, 0, 0});
  CHECK(to_vector<int64_t>(int8_conv2d(a, 1, w, tensor({-100.f}), std::nullopt, {1, 1}, {0, 0}, {1, 1}, 1, 3)) ==
        std::vector<int64_t>{255, 255, 255, 255});
}

TEST_CASE("int8_conv2d matches the exact reference: strides, padding, dilation, groups, layouts, ranges") {
  manual_seed(3);
  const Tensor w = (randint(0, 256, {6, 4, 3, 3}) - 128).to(DType::Int8);
  const Tensor grouped_w = (randint(0, 256, {6, 2, 3, 3}) - 128).to(DType::Int8);
  // Activations below 128 (oneDNN's kernels on any CPU) and over the full range.
  for (const int64_t high : {128, 256}) {
    CAPTURE(high);
    const Tensor a = randint(0, high, {3, 4, 7, 7}).to(DType::UInt8);
    check_against_reference(a, 61, w, {});
    check_against_reference(a, 61, w, {.padding = {1, 1}});
    check_against_reference(a, 0, w, {.stride = {2, 2}, .padding = {1, 0}});
    check_against_reference(a, 61, w, {.padding = {2, 2}, .dilation = {2, 2}});
    check_against_reference(a, 61, grouped_w, {.padding = {1, 1}, .groups = 2});
    // Channels-last images and a transposed weight: oneDNN reorders them, the loop reads strides.
    const Tensor channels_last = a.permute({0, 2, 3, 1}).contiguous().permute({0, 3, 1, 2});
    check_against_reference(channels_last, 61, w.transpose(2, 3).contiguous().transpose(2, 3), {.padding = {1, 1}});
  }
}

TEST_CASE("int8_conv2d names the argument at fault") {
  const Tensor a = zeros({1, 4, 5, 5}, DType::UInt8), w = zeros({6, 4, 3, 3}, DType::Int8), s = ones({6});
  CHECK_THROWS_WITH(int8_conv2d(a.to(DType::Int8), 0, w, s), "[int8_conv2d] expected uint8 self and int8 weight, got int8 and int8");
  CHECK_THROWS_WITH(int8_conv2d(a, 0, w, ones({5})),
                    "[int8_conv2d] scales: expected 6 float32 values, one per output channel, got float32 of shape [5]");
  CHECK_THROWS_WITH(int8_conv2d(a, 0, w, s, ones({6}, DType::Float64)),
                    "[int8_conv2d] bias: expected 6 float32 values, one per output channel, got float64 of shape [6]");
  CHECK_THROWS_WITH(int8_conv2d(a, -1, w, s), "[int8_conv2d] self_zero_point: expected in [0, 255], got -1");
  CHECK_THROWS_WITH(int8_conv2d(a, 0, w, s, std::nullopt, {1, 1}, {0, 0}, {1, 1}, 1, 256),
                    "[int8_conv2d] output_zero_point: expected in [0, 255], got 256");
  CHECK_THROWS_WITH(int8_conv2d(a, 0, w, s, std::nullopt, {1, 1}, {0, 0}, {1, 1}, 1, 0, 300),
                    "[int8_conv2d] output_max: expected in [0, 255], got 300");
  CHECK_THROWS_WITH(int8_conv2d(a, 0, w, s, std::nullopt, {1, 1}, {0, 0}, {1, 1}, 4), doctest::Contains("groups"));
  CHECK_THROWS_WITH(int8_conv2d(zeros({4, 5, 5}, DType::UInt8), 0, w, s), doctest::Contains("expected a 4-D"));
}

TEST_CASE("int8_matmul adds the bias and writes uint8 results with an output zero point") {
  const Tensor a = tensor<uint8_t>({1, 2, 3, 4}, {2, 2});
  const Tensor w = tensor<int8_t>({1, -1, 2, 0}, {2, 2});
  // (a - 1) @ w = [[2, 0], [8, -2]]; times [0.5, 2], plus [1, -1]: [[2, -1], [5, -5]].
  CHECK(to_vector<float>(int8_matmul(a, 1, w, tensor({0.5f, 2.f}), tensor({1.f, -1.f}))) ==
        std::vector<float>{2.f, -1.f, 5.f, -5.f});
  // Rounded, plus 3, saturated at 0: [[5, 2], [8, 0]].
  CHECK(to_vector<int64_t>(int8_matmul(a, 1, w, tensor({0.5f, 2.f}), tensor({1.f, -1.f}), 3)) ==
        std::vector<int64_t>{5, 2, 8, 0});
  manual_seed(4);
  const Tensor big_a = randint(0, 128, {33, 70}).to(DType::UInt8), big_w = (randint(0, 256, {70, 19}) - 128).to(DType::Int8);
  const Tensor scales = rand({19}) * 0.001, bias = randn({19});
  const Tensor exact = (big_a.to(DType::Float64) - 5.0).matmul(big_w.to(DType::Float64));
  const Tensor expected = exact.to(DType::Float32) * scales + bias;
  reference::check_close(to_vector<double>(int8_matmul(big_a, 5, big_w, scales, bias)), to_vector<double>(expected), 1e-5);
  const std::vector<float> y = to_vector<float>(expected);
  const std::vector<int64_t> q = to_vector<int64_t>(int8_matmul(big_a, 5, big_w, scales, bias, 77));
  for (size_t i = 0; i < y.size(); ++i) CHECK(std::abs(q[i] - std::fmin(255.f, std::fmax(0.f, std::nearbyint(y[i]) + 77))) <= 1);
  const std::vector<int64_t> seven_bits = to_vector<int64_t>(int8_matmul(big_a, 5, big_w, scales, bias, 77, 127));
  for (size_t i = 0; i < y.size(); ++i) {
    CHECK(std::abs(seven_bits[i] - std::fmin(127.f, std::fmax(0.f, std::nearbyint(y[i]) + 77))) <= 1);
  }
  CHECK_THROWS_WITH(int8_matmul(big_a, 5, big_w, scales, bias.slice(0, 0, 4)),
                    "[int8_matmul] bias: expected 19 float32 values, one per column of weight, got float32 of shape [4]");
}

TEST_CASE("fold_batch_norm gives the convolution followed by batch norm in evaluation mode") {
  manual_seed(6);
  nn::Conv2d conv(3, 5, {3, 3}, {.padding = {1, 1}});
  nn::BatchNorm2d batch_norm(5);
  batch_norm.running_mean.copy_(randn({5}));
  batch_norm.running_var.copy_(rand({5}) + 0.5);
  {
    autograd::NoGradGuard no_grad;
    batch_norm.weight.copy_(randn({5}));
    batch_norm.bias.copy_(randn({5}));
  }
  batch_norm.eval();
  const Tensor x = randn({2, 3, 6, 6});
  const auto folded = quantization::fold_batch_norm(conv, batch_norm);
  reference::check_close(to_vector<double>(folded->forward(x).detach()),
                         to_vector<double>(batch_norm.forward(conv.forward(x)).detach()), 1e-5);
  nn::BatchNorm2d wrong(4);
  CHECK_THROWS_WITH(quantization::fold_batch_norm(conv, wrong),
                    "[fold_batch_norm] batch_norm: expected running statistics for 5 channels (the conv's outputs)");
}

TEST_CASE("QuantizedConv2d follows the float layer within the quantization steps") {
  manual_seed(8);
  nn::Conv2d conv(4, 8, {3, 3}, {.stride = {2, 1}, .padding = {1, 1}});
  const Tensor x = rand({2, 4, 9, 9});
  const Tensor expected = conv.forward(x).detach();
  const quantization::QParams in{1.0 / 127, 0}, out{(amax(expected).item<double>() - amin(expected).item<double>()) / 255,
                                                     0};
  const int64_t out_zp = static_cast<int64_t>(std::nearbyint(-amin(expected).item<double>() / out.scale));
  quantization::QuantizedConv2d quantized(conv, {{out.scale, out_zp}});
  CHECK(quantized.weight.dtype() == DType::Int8);
  const Tensor y = quantized.forward(quantize_per_tensor(x, in.scale, in.zero_point, DType::QUInt8));
  CHECK(y.dtype() == DType::QUInt8);
  CHECK(y.sizes().equals(expected.sizes()));
  CHECK(y.impl()->quantizer()->zero_point() == out_zp);
  const std::vector<float> got = to_vector<float>(dequantize(y)), want = to_vector<float>(expected);
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, static_cast<double>(std::abs(got[i] - want[i])));
  CAPTURE(worst);
  CHECK(worst < 3 * out.scale);
  CHECK(quantized.str().find("QuantizedConv2d(4, 8, kernel_size=(3, 3), stride=(2, 1), padding=(1, 1), scale=") == 0);
  CHECK_THROWS_WITH(quantized.forward(x), "[QuantizedConv2d] input: expected a 4-D quint8 tensor, got float32 of shape [2, 4, 9, 9]");
}

TEST_CASE("a digits CNN quantized statically keeps its accuracy") {
  const Tensor digits = data::read_csv(EMBER_DIGITS_CSV);  // 64 pixels (0..16), then the label
  const Tensor images = (digits.slice(1, 0, 64) / 16.0).reshape({-1, 1, 8, 8}).contiguous();
  const Tensor labels = digits.select(1, 64).to(DType::Int64);
  manual_seed(2);
  using nn::functional::Conv2dOptions;
  auto model = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
      std::make_shared<nn::Conv2d>(1, 8, nn::functional::Pair{3, 3}, Conv2dOptions{.padding = {1, 1}}),
      std::make_shared<nn::BatchNorm2d>(8), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(nn::functional::Pair{2, 2}),
      std::make_shared<nn::Conv2d>(8, 16, nn::functional::Pair{3, 3}, Conv2dOptions{.padding = {1, 1}}),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(nn::functional::Pair{2, 2}),
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Dropout>(0.1), std::make_shared<nn::Linear>(64, 10)});
  optim::AdamW optimizer(model->parameters(), {.lr = 1e-2});
  for (int step = 0; step < 60; ++step) {
    const Tensor batch = randint(0, images.size(0), {128});
    optimizer.zero_grad();
    nn::functional::cross_entropy((*model)(images.index_select(0, batch)), labels.index_select(0, batch)).backward();
    optimizer.step();
  }
  model->eval();
  autograd::NoGradGuard no_grad;
  auto accuracy = [&](nn::UnaryModule& m) { return eq(m(images).argmax(1), labels).to(DType::Float64).mean().item<double>(); };
  const double float_accuracy = accuracy(*model);

  const auto prepared = quantization::prepare(*model);
  CHECK(prepared->size() == 19);  // batch norm folded: 9 layers, each with an observer, and the input's
  (*prepared)(images.slice(0, 0, 512));
  const auto quantized = quantization::convert(*prepared);
  const std::string printed = quantized->str();
  CAPTURE(printed);
  CHECK(printed.find("(1): QuantizedConv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), scale=") !=
        std::string::npos);
  CHECK(printed.find("zero_point=0, relu)\n  (2): MaxPool2d") != std::string::npos);
  CHECK(printed.find("(7): QuantizedLinear(in_features=64, out_features=10") != std::string::npos);
  CHECK((*quantized)[2]->forward((*(*quantized)[1])((*(*quantized)[0])(images.slice(0, 0, 4)))).dtype() == DType::QUInt8);
  const double int8_accuracy = accuracy(*quantized);
  CAPTURE(float_accuracy);
  CAPTURE(int8_accuracy);
  CHECK(float_accuracy > 0.9);
  CHECK(int8_accuracy > float_accuracy - 0.01);

  nn::Sequential lone_batch_norm({std::make_shared<nn::BatchNorm2d>(3)});
  CHECK_THROWS_WITH(quantization::prepare(lone_batch_norm), doctest::Contains("[prepare] layer 0: BatchNorm2d layers cannot be quantized statically"));
}

TEST_CASE("quantized_conv2d, the operator, computes what QuantizedConv2d does") {
  manual_seed(13);
  nn::Conv2d conv(4, 6, {3, 3}, {.padding = {1, 1}, .groups = 2});
  quantization::QuantizedConv2d layer(conv, {{0.04, 20}});
  const Tensor qx = quantize_per_tensor(rand({2, 4, 6, 6}), 1.0 / 127, 0, DType::QUInt8);
  const Tensor y = quantized_conv2d(qx, layer.quantized_weight(), layer.bias, 0.04, 20, {1, 1}, {1, 1}, {1, 1}, 2);
  CHECK(y.dtype() == DType::QUInt8);
  CHECK(to_vector<int64_t>(int_repr(y)) == to_vector<int64_t>(int_repr(layer.forward(qx))));
  CHECK_THROWS_WITH(quantized_conv2d(dequantize(qx), layer.quantized_weight(), std::nullopt, 0.04, 20),
                    "[quantized_conv2d] input: expected a 4-D quint8 tensor, got float32 of shape [2, 4, 6, 6]");
}

TEST_CASE("int8_conv2d packs a weight once, and again when its values change in place") {
  manual_seed(14);
  const Tensor a = randint(0, 128, {2, 4, 6, 6}).to(DType::UInt8);
  Tensor w = (randint(0, 256, {8, 4, 3, 3}) - 128).to(DType::Int8);
  const Tensor scales = ones({8}) * 0.01, bias = zeros({8});
  const ConvCase c{.padding = {1, 1}};
  const std::vector<float> first = to_vector<float>(int8_conv2d(a, 3, w, scales, bias, c.stride, c.padding));
  CHECK(first == conv_reference(a, 3, w, scales, bias, c, std::nullopt));
  CHECK(to_vector<float>(int8_conv2d(a, 3, w, scales, bias, c.stride, c.padding)) == first);  // the packed copy
  w.copy_((randint(0, 256, {8, 4, 3, 3}) - 128).to(DType::Int8));  // same storage, new values
  const std::vector<float> second = to_vector<float>(int8_conv2d(a, 3, w, scales, bias, c.stride, c.padding));
  CHECK(second == conv_reference(a, 3, w, scales, bias, c, std::nullopt));
  CHECK(second != first);
}
