// The int8 product against hand-computed and exact integer references, and dynamically
// quantized Linear layers against float ones: outputs, shapes, replacement in Sequentials, and
// the accuracy of a model trained on the digits.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

#include "../backends/reference.h"
#include "ember/data/csv.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/nn/safetensors.h"
#include "ember/optim/adam.h"
#include "ember/quantization.h"

using namespace ember;

namespace {

// scales[n] * sum_k (a[m, k] - zp) * w[k, n], accumulated exactly in int64.
std::vector<float> int8_reference(const Tensor& a, int64_t zp, const Tensor& w, const Tensor& scales) {
  const std::vector<int64_t> av = to_vector<int64_t>(a), wv = to_vector<int64_t>(w);
  const std::vector<float> sv = to_vector<float>(scales);
  const int64_t m = a.size(0), k = a.size(1), n = w.size(1);
  std::vector<float> out;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      int64_t acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += (av[i * k + p] - zp) * wv[p * n + j];
      out.push_back(static_cast<float>(acc) * sv[j]);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("int8_matmul: uint8 minus its zero point, times int8, scaled per column") {
  const Tensor a = tensor<uint8_t>({1, 2, 3, 4}, {2, 2});
  const Tensor w = tensor<int8_t>({1, -1, 2, 0}, {2, 2});
  // (a - 1) = [[0, 1], [2, 3]]; times w = [[2, 0], [8, -2]]; times [0.5, 2].
  CHECK(to_vector<float>(int8_matmul(a, 1, w, tensor({0.5f, 2.f}))) == std::vector<float>{1.f, 0.f, 4.f, -4.f});

  // Larger, through oneDNN, with the weight given row-major, column-major and strided.
  manual_seed(5);
  const Tensor big_a = randint(0, 256, {37, 70}).to(DType::UInt8);
  const Tensor big_w = (randint(0, 256, {70, 19}) - 128).to(DType::Int8);
  const Tensor scales = rand({19}) * 0.01;
  const std::vector<float> expected = int8_reference(big_a, 131, big_w, scales);
  reference::check_close(to_vector<double>(int8_matmul(big_a, 131, big_w, scales)),
                         std::vector<double>(expected.begin(), expected.end()), 1e-6);
  const Tensor column_major = big_w.transpose(0, 1).contiguous().transpose(0, 1);
  reference::check_close(to_vector<double>(int8_matmul(big_a, 131, column_major, scales)),
                         std::vector<double>(expected.begin(), expected.end()), 1e-6);
  const Tensor every_other = stack({big_a, big_a}, 2).reshape({37, 140}).slice(1, 0, 140, 2);  // not dense
  CHECK(to_vector<float>(int8_matmul(every_other, 131, big_w, scales)) == int8_reference(big_a, 131, big_w, scales));

  CHECK_THROWS_WITH(int8_matmul(big_a.to(DType::Int8), 0, big_w, scales),
                    "[int8_matmul] expected uint8 self and int8 weight, got int8 and int8");
  CHECK_THROWS_WITH(int8_matmul(big_a, 0, big_w.slice(0, 0, 69), scales),
                    "[int8_matmul] weight: expected 70 rows to match self's columns, got shape [69, 19]");
  CHECK_THROWS_WITH(int8_matmul(big_a, 0, big_w, scales.slice(0, 0, 3)),
                    "[int8_matmul] scales: expected 19 float32 values, one per column of weight, got float32 of shape [3]");
  CHECK_THROWS_WITH(int8_matmul(big_a, 300, big_w, scales), "[int8_matmul] self_zero_point: expected in [0, 255], got 300");
}

TEST_CASE("a dynamically quantized Linear follows the float one within the quantization error") {
  manual_seed(9);
  nn::Linear linear(48, 24);
  const quantization::DynamicLinear dynamic(linear);
  const Tensor qw = dynamic.quantized_weight();
  CHECK(qw.dtype() == DType::QInt8);
  CHECK(qw.impl()->quantizer()->scheme == Quantizer::Scheme::PerChannelAffine);
  // Symmetric per channel: each row's largest magnitude maps to +-127 or +-128 (127.5 steps).
  const std::vector<float> w = to_vector<float>(linear.weight.detach()), back = to_vector<float>(dequantize(qw));
  for (size_t i = 0; i < w.size(); ++i) CHECK(std::abs(w[i] - back[i]) <= 0.5f * to_vector<float>(dynamic.weight_scale)[i / 48] + 1e-7f);
  for (const int64_t batch : {1, 32}) {
    const Tensor x = randn({batch, 48});
    const std::vector<float> expected = to_vector<float>(linear.forward(x).detach());
    const std::vector<float> got = to_vector<float>(const_cast<quantization::DynamicLinear&>(dynamic).forward(x));
    double worst = 0, largest = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      worst = std::max(worst, static_cast<double>(std::abs(got[i] - expected[i])));
      largest = std::max(largest, static_cast<double>(std::abs(expected[i])));
    }
    CAPTURE(batch);
    CHECK(worst < 0.02 * largest);
  }
  // Leading dimensions are kept.
  CHECK(const_cast<quantization::DynamicLinear&>(dynamic).forward(randn({2, 3, 48})).sizes().equals({2, 3, 24}));
  // An empty batch gives an empty result, as in PyTorch (its range used to be asked of nothing).
  CHECK(const_cast<quantization::DynamicLinear&>(dynamic).forward(empty({0, 48})).sizes().equals({0, 24}));
  CHECK_THROWS_WITH(const_cast<quantization::DynamicLinear&>(dynamic).forward(randn({2, 5})),
                    "[DynamicQuantizedLinear] input: expected a last dimension of 48 (in_features), got shape [2, 5]");
}

TEST_CASE("quantize_dynamic swaps the Linear layers of a Sequential, nested ones too") {
  nn::Sequential model({std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::ReLU>(),
                        std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
                            std::make_shared<nn::Linear>(8, 3, false)})});
  CHECK(quantization::quantize_dynamic(model) == 2);
  CHECK(model[0]->type_name() == "DynamicQuantizedLinear");
  CHECK(model.str().find("(0): DynamicQuantizedLinear(in_features=4, out_features=8, dtype=qint8, "
                         "qscheme=per_channel_affine)") != std::string::npos);
  CHECK(model(randn({5, 4})).sizes().equals({5, 3}));

  // The quantized layers travel through safetensors like any other.
  const nn::NamedTensors state = model.state_dict();
  CHECK(state[0].first == "0.weight");
  CHECK(state[0].second.dtype() == DType::Int8);
  CHECK(state[1].first == "0.weight_scale");
  const std::string path = "ember_test_dynamic.safetensors";
  nn::save(model, path);
  nn::Sequential copy({std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::ReLU>(),
                       std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
                           std::make_shared<nn::Linear>(8, 3, false)})});
  quantization::quantize_dynamic(copy);
  nn::load(copy, path);
  const Tensor x = randn({5, 4});
  CHECK(to_vector<float>(copy(x)) == to_vector<float>(model(x)));
  std::remove(path.c_str());
}

// An MLP trained on the digits (pixels scaled to [0, 1]), with its data.
struct DigitsMlp {
  std::shared_ptr<nn::Sequential> model;
  Tensor inputs, labels;
  double accuracy(nn::UnaryModule& m) const {
    return eq(m(inputs).argmax(1), labels).to(DType::Float64).mean().item<double>();
  }
};

DigitsMlp train_digits_mlp() {
  const Tensor digits = data::read_csv(EMBER_DIGITS_CSV);  // 64 pixels (0..16), then the label
  DigitsMlp d{nullptr, digits.slice(1, 0, 64) / 16.0, digits.select(1, 64).to(DType::Int64)};
  manual_seed(1);
  d.model = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
      std::make_shared<nn::Linear>(64, 128), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(128, 10)});
  optim::AdamW optimizer(d.model->parameters(), {.lr = 1e-2});
  for (int step = 0; step < 150; ++step) {
    optimizer.zero_grad();
    nn::functional::cross_entropy((*d.model)(d.inputs), d.labels).backward();
    optimizer.step();
  }
  d.model->eval();
  return d;
}

TEST_CASE("a digits classifier keeps its accuracy when its Linear layers are quantized dynamically") {
  const DigitsMlp d = train_digits_mlp();
  const double float_accuracy = d.accuracy(*d.model);
  CHECK(quantization::quantize_dynamic(*d.model) == 2);
  const double int8_accuracy = d.accuracy(*d.model);
  CAPTURE(float_accuracy);
  CAPTURE(int8_accuracy);
  CHECK(float_accuracy > 0.95);
  CHECK(int8_accuracy > float_accuracy - 0.01);
}

TEST_CASE("static quantization: prepare, calibrate, convert; quint8 between the layers") {
  const DigitsMlp d = train_digits_mlp();
  const double float_accuracy = d.accuracy(*d.model);
  const auto prepared = quantization::prepare(*d.model);
  CHECK(prepared->size() == 7);  // an observer before, and after each of the 3 layers
  (*prepared)(d.inputs.slice(0, 0, 500));  // calibration
  const auto quantized = quantization::convert(*prepared);
  CHECK(quantized->str().find("(1): QuantizedLinear(in_features=64, out_features=128, scale=") != std::string::npos);
  const Tensor hidden = (*(*quantized)[1])((*(*quantized)[0])(d.inputs));
  CHECK(hidden.dtype() == DType::QUInt8);
  const double int8_accuracy = d.accuracy(*quantized);
  CAPTURE(float_accuracy);
  CAPTURE(int8_accuracy);
  CHECK(int8_accuracy > float_accuracy - 0.01);

  // Moving-average observers, calibrated batch by batch, do as well.
  const auto moving = quantization::prepare(*d.model, {.reduce_range = true, .averaging_constant = 0.01});
  for (int64_t start = 0; start < 1500; start += 100) (*moving)(d.inputs.slice(0, start, start + 100));
  const double moving_accuracy = d.accuracy(*quantization::convert(*moving));
  CAPTURE(moving_accuracy);
  CHECK(moving_accuracy > float_accuracy - 0.01);

  // A quantized layer takes quint8 per tensor only.
  auto& layer = dynamic_cast<quantization::QuantizedLinear&>(*(*quantized)[1]);
  const Tensor per_channel = quantize_per_channel(d.inputs.slice(0, 0, 2), ones({64}) * 0.1, zeros({64}, DType::Int64), 1,
                                                  DType::QUInt8);
  CHECK_THROWS_WITH(layer.forward(per_channel),
                    "[QuantizedLinear] input: expected per-tensor quantization, got per-channel");

  CHECK_THROWS_WITH(quantization::convert(*quantization::prepare(*d.model)),
                    doctest::Contains("[MinMaxObserver] no tensor was observed"));
  nn::Sequential unsupported({std::make_shared<nn::Tanh>()});
  CHECK_THROWS_WITH(quantization::prepare(unsupported),
                    doctest::Contains("[prepare] layer 0: Tanh layers cannot be quantized statically (Linear, Conv2d"));
}

TEST_CASE("quantized_linear and quantized_linear_dynamic: PyTorch's operators on quantized tensors") {
  // x = [1, 2] (quint8, scale 0.5); w = [[1, -1], [0.5, 0.5]] (qint8, scale 0.5); b = [0.25, 0]:
  // y = [-0.75, 1.5], quantized with scale 0.25 and zero point 10 to [7, 16].
  const Tensor x = quantize_per_tensor(tensor({1.f, 2.f}, {1, 2}), 0.5, 0, DType::QUInt8);
  const Tensor w = quantize_per_tensor(tensor({1.f, -1.f, 0.5f, 0.5f}, {2, 2}), 0.5, 0, DType::QInt8);
  const Tensor y = quantized_linear(x, w, tensor({0.25f, 0.f}), 0.25, 10);
  CHECK(y.dtype() == DType::QUInt8);
  CHECK(to_vector<int64_t>(int_repr(y)) == std::vector<int64_t>{7, 16});
  CHECK(to_vector<float>(dequantize(y)) == std::vector<float>{-0.75f, 1.5f});
  // Dynamic: [0, 2] quantizes exactly to [0, 127] at scale 2 / 127; y = [-1.75, 1].
  const std::vector<float> dynamic_y = to_vector<float>(quantized_linear_dynamic(tensor({0.f, 2.f}, {1, 2}), w, tensor({0.25f, 0.f})));
  CHECK(dynamic_y[0] == doctest::Approx(-1.75f).epsilon(1e-6));
  CHECK(dynamic_y[1] == doctest::Approx(1.f).epsilon(1e-6));

  // The layers compute the same, with the weight per channel.
  manual_seed(12);
  nn::Linear linear(40, 12);
  const quantization::DynamicLinear dynamic(linear);
  const Tensor input = randn({3, 5, 40});
  reference::check_close(to_vector<double>(quantized_linear_dynamic(input, dynamic.quantized_weight(), dynamic.bias)),
                         to_vector<double>(const_cast<quantization::DynamicLinear&>(dynamic).forward(input)), 1e-5);
  CHECK(quantized_linear_dynamic(input, dynamic.quantized_weight(), dynamic.bias).sizes().equals({3, 5, 12}));
  quantization::QuantizedLinear layer(linear, {{0.05, 60}});
  const Tensor qx = quantize_per_tensor(randn({6, 40}), 0.03, 64, DType::QUInt8);
  const std::vector<int64_t> by_layer = to_vector<int64_t>(int_repr(layer.forward(qx)));
  const std::vector<int64_t> by_operator =
      to_vector<int64_t>(int_repr(quantized_linear(qx, layer.quantized_weight(), layer.bias, 0.05, 60)));
  for (size_t i = 0; i < by_layer.size(); ++i) CHECK(std::abs(by_layer[i] - by_operator[i]) <= 1);

  CHECK_THROWS_WITH(quantized_linear(qx, layer.weight, layer.bias, 0.05, 60),
                    "[quantized_linear] weight: expected a qint8 tensor, got int8");
  CHECK_THROWS_WITH(quantized_linear(qx, quantize_per_tensor(randn({12, 40}), 0.1, 3, DType::QInt8), std::nullopt, 0.05, 60),
                    "[quantized_linear] weight: expected symmetric quantization (zero points 0), got zero point 3");
  CHECK_THROWS_WITH(quantized_linear(randn({6, 40}), layer.quantized_weight(), std::nullopt, 0.05, 60),
                    "[quantized_linear] input: expected a 2-D quint8 tensor, got float32 of shape [6, 40]");
  const Tensor by_column = quantize_per_channel(randn({12, 40}), ones({40}), zeros({40}, DType::Int64), 1, DType::QInt8);
  CHECK_THROWS_WITH(quantized_linear(qx, by_column, std::nullopt, 0.05, 60),
                    "[quantized_linear] weight: expected quantization per output channel (axis 0), got axis 1");
}
