// Modules and layers: the registry, modes, conversion, printing, and each layer's values.
#include <doctest/doctest.h>

#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/optim/sgd.h"

using namespace ember;

namespace {

std::vector<double> values(const Tensor& t) { return to_vector<double>(t.to(DType::Float64)); }

void check_close(const std::vector<double>& got, const std::vector<double>& expected, double tol = 1e-5) {
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expected[i]).epsilon(tol));
}

std::vector<std::string> names(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [name, t] : named) out.push_back(name);
  return out;
}

std::shared_ptr<nn::Sequential> small_cnn() {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
      std::make_shared<nn::Conv2d>(1, 4, nn::functional::Pair{3, 3}, nn::functional::Conv2dOptions{.padding = {1, 1}}),
      std::make_shared<nn::BatchNorm2d>(4), std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(nn::functional::Pair{2, 2}),
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Dropout>(0.25), std::make_shared<nn::Linear>(16, 3)});
}

}  // namespace

TEST_CASE("a module tree names its parameters and buffers as PyTorch's state_dict does") {
  auto model = small_cnn();
  CHECK(names(model->named_parameters()) ==
        std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "6.weight", "6.bias"});
  CHECK(names(model->named_buffers()) ==
        std::vector<std::string>{"1.running_mean", "1.running_var", "1.num_batches_tracked"});
  CHECK(model->state_dict().size() == 9);
  CHECK(model->parameters(false).empty());
  for (const Tensor& p : model->parameters()) CHECK(p.requires_grad());
  CHECK(model->str() ==
        "Sequential(\n"
        "  (0): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
        "  (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
        "  (2): ReLU()\n"
        "  (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
        "  (4): Flatten(start_dim=1, end_dim=-1)\n"
        "  (5): Dropout(p=0.25)\n"
        "  (6): Linear(in_features=16, out_features=3, bias=True)\n"
        ")");
  nn::ModuleList list{model, std::make_shared<nn::LayerNorm>(std::vector<int64_t>{3})};
  CHECK(names(list.named_parameters()).back() == "1.bias");
  CHECK(list.str().find("  (0): Sequential(\n    (0): Conv2d") != std::string::npos);
  CHECK_THROWS_WITH(list[2], "[ModuleList] index: expected a position below 2, got 2");
}

TEST_CASE("a tensor reached twice is one parameter, under its first name, and both names in the state") {
  auto first = std::make_shared<nn::Linear>(3, 3), second = std::make_shared<nn::Linear>(3, 3);
  second->weight = first->weight;  // tied weights
  nn::Sequential model{first, second, first};  // and a layer used twice
  CHECK(names(model.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias", "1.bias"});
  CHECK(model.state_dict().size() == 6);
  // One step moves the shared weight once: by lr * its gradient, summed over its three uses.
  optim::SGD sgd(model.parameters(), {.lr = 0.5});
  const Tensor before = first->weight.detach().clone();
  model.forward(ones({1, 3})).sum().backward();
  sgd.step();
  check_close(values(first->weight), values(before - first->weight.grad() * 0.5));
}

TEST_CASE("train/eval reach every submodule; to(dtype) makes new leaves and keeps integer buffers") {
  auto model = small_cnn();
  model->eval();
  CHECK(!(*model)[1]->is_training());
  model->train();
  CHECK((*model)[5]->is_training());
  const Tensor x = randn({2, 1, 4, 4});
  model->forward(x).sum().backward();
  CHECK(model->parameters()[0].grad().defined());
  model->zero_grad();
  CHECK(!model->parameters()[0].grad().defined());

  model->to(DType::Float64);
  for (const auto& [name, p] : model->named_parameters()) {
    CAPTURE(name);
    CHECK(p.dtype() == DType::Float64);
    CHECK(p.is_leaf());
    CHECK(p.requires_grad());
  }
  auto bn = std::dynamic_pointer_cast<nn::BatchNorm2d>((*model)[1]);
  CHECK(bn->running_mean.dtype() == DType::Float64);
  CHECK(bn->num_batches_tracked.dtype() == DType::Int64);
  CHECK(bn->num_batches_tracked.item<int64_t>() == 1);
  CHECK(model->forward(x.to(DType::Float64)).dtype() == DType::Float64);
}

TEST_CASE("trunc_normal_ draws a normal truncated to its bounds") {
  manual_seed(21);
  const Tensor draws = empty({200000}, DType::Float64);
  nn::init::trunc_normal_(draws);  // N(0, 1) on [-2, 2]
  CHECK(draws.amin().item<double>() >= -2);
  CHECK(draws.amax().item<double>() <= 2);
  // The truncated normal's moments: mean 0 and variance 1 - 2 * 2 phi(2) / (Phi(2) - Phi(-2)).
  const double phi2 = std::exp(-2.0) / std::sqrt(2 * M_PI), mass = std::erf(2 / std::sqrt(2.0));
  CHECK(draws.mean().item<double>() == doctest::Approx(0).epsilon(0.01).scale(1));
  CHECK(draws.std().item<double>() == doctest::Approx(std::sqrt(1 - 4 * phi2 / mass)).epsilon(0.01));
  // A one-sided window far from the mean still fills it: N(0, 1) on [1, 3].
  const Tensor tail = empty({100000});
  nn::init::trunc_normal_(tail, 0, 1, 1, 3);
  CHECK(tail.amin().item<float>() >= 1);
  CHECK(tail.amax().item<float>() <= 3);
  CHECK(tail.mean().item<float>() == doctest::Approx(1.5100f).epsilon(0.01));  // E[X | 1 <= X <= 3]
  CHECK_THROWS_WITH(nn::init::trunc_normal_(draws, 0, 1, 2, 2), "[trunc_normal_] b: expected a bound above a = 2, got 2");
  CHECK_THROWS_WITH(nn::init::trunc_normal_(draws, 0, 0), "[trunc_normal_] std: expected a finite mean and a positive finite std, got 0 and 0");
}

TEST_CASE("orthogonal_ gives orthonormal rows or columns, whichever are fewer, scaled by the gain") {
  manual_seed(3);
  const Tensor tall = empty({6, 4}), wide = empty({3, 5}), conv = empty({4, 2, 3});
  nn::init::orthogonal_(tall, 2);
  nn::init::orthogonal_(wide);
  nn::init::orthogonal_(conv);
  const auto check_identity = [](const Tensor& gram, double scale) {
    CHECK(allclose(gram, eye(gram.size(0)) * scale, 1e-5, 1e-5));
  };
  check_identity(matmul(tall.t(), tall), 4);
  check_identity(matmul(wide, wide.t()), 1);
  check_identity(matmul(conv.flatten(1), conv.flatten(1).t()), 1);
  // Drawn, not fixed: a second draw differs.
  const Tensor again = empty({6, 4});
  nn::init::orthogonal_(again, 2);
  CHECK(!allclose(again, tall));
  CHECK_THROWS_WITH(nn::init::orthogonal_(ones({3})), "[orthogonal_] tensor: expected 2 or more dimensions, got [3]");
}

TEST_CASE("EmbeddingBag: PyTorch's table and repr, bags by offsets") {
  manual_seed(5);
  nn::EmbeddingBag bag(10, 3, {.mode = "sum", .padding_idx = -1});
  CHECK(bag.str() == "EmbeddingBag(10, 3, mode='sum', padding_idx=9)");
  CHECK(to_vector<double>(bag.weight[9]) == std::vector<double>{0, 0, 0});
  const Tensor out = bag(tensor<int64_t>({1, 2, 9, 4}), tensor<int64_t>({0, 3}));
  CHECK(allclose(out[0], bag.weight[1] + bag.weight[2]));
  CHECK(allclose(out[1], bag.weight[4]));
  CHECK(bag.parameters().size() == 1);
  CHECK_THROWS_WITH(nn::EmbeddingBag(10, 3, {.mode = "median"}), "[EmbeddingBag] mode: expected 'sum', 'mean' or 'max', got 'median'");
  CHECK_THROWS_WITH(nn::EmbeddingBag(10, 3, {.padding_idx = 10}), "[EmbeddingBag] padding_idx: expected a row in [-10, 10), got 10");
}

TEST_CASE("the newer activation layers print and run as PyTorch's") {
  CHECK(nn::CELU(0.5).str() == "CELU(alpha=0.5)");
  CHECK(nn::Softshrink().str() == "Softshrink(lambd=0.5)");
  CHECK(nn::Hardshrink(1).str() == "Hardshrink(lambd=1.0)");
  CHECK(nn::Threshold(0.1, 20).str() == "Threshold(threshold=0.1, value=20.0)");
  CHECK(nn::GLU().str() == "GLU(dim=-1)");
  CHECK(nn::Softmin(1).str() == "Softmin(dim=1)");
  CHECK(nn::SELU().str() == "SELU()");
  nn::PReLU prelu(3);
  CHECK(prelu.str() == "PReLU(num_parameters=3)");
  CHECK(to_vector<float>(prelu.weight) == std::vector<float>{0.25f, 0.25f, 0.25f});
  CHECK(prelu.parameters().size() == 1);
  const Tensor x = tensor<float>({-4, 4, -8, 8, -1, 1}, {1, 3, 2});
  CHECK(to_vector<float>(prelu(x)) == std::vector<float>{-1, 4, -2, 8, -0.25f, 1});
  CHECK(to_vector<float>(nn::Softsign()(tensor<float>({-3, 1}))) == std::vector<float>{-0.75f, 0.5f});
  CHECK_THROWS_WITH(nn::PReLU(0), "[PReLU] num_parameters: expected a positive count, got 0");
}

TEST_CASE("eye_, dirac_ and calculate_gain as PyTorch's") {
  nn::Linear square(3, 4);
  nn::init::eye_(square.weight);
  CHECK(to_vector<float>(square.weight) == std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0});
  CHECK(square.weight.requires_grad());
  // A Dirac kernel makes the convolution pass its input through.
  nn::Conv2d identity(3, 3, {3, 3}, {.padding = {1, 1}}, false);
  nn::init::dirac_(identity.weight);
  const Tensor image = randn({2, 3, 4, 5});
  check_close(values(identity(image)), values(image));
  nn::Conv1d widen(2, 3, 4, {}, false);  // even kernel: the centre is at k / 2, as PyTorch's
  nn::init::dirac_(widen.weight);
  CHECK(to_vector<float>(widen.weight.select(0, 1).select(0, 1)) == std::vector<float>{0, 0, 1, 0});
  CHECK(widen.weight.select(0, 2).sum().item<float>() == 0);  // channels past the inputs stay zero
  CHECK(nn::init::calculate_gain("tanh") == doctest::Approx(5.0 / 3));
  CHECK(nn::init::calculate_gain("relu") == doctest::Approx(std::sqrt(2.0)));
  CHECK(nn::init::calculate_gain("leaky_relu") == doctest::Approx(std::sqrt(2.0 / (1 + 0.01 * 0.01))));
  CHECK(nn::init::calculate_gain("leaky_relu", 0.2) == doctest::Approx(std::sqrt(2.0 / 1.04)));
  CHECK(nn::init::calculate_gain("conv2d") == 1);
  CHECK(nn::init::calculate_gain("selu") == 0.75);
  CHECK_THROWS_WITH(nn::init::calculate_gain("swish"), "[calculate_gain] nonlinearity: expected linear, a convolution, "
                    "sigmoid, tanh, relu, leaky_relu or selu, got \"swish\"");
  CHECK_THROWS_WITH(nn::init::eye_(ones({2, 2, 2})), "[eye_] tensor: expected a 2-D tensor, got [2, 2, 2]");
  CHECK_THROWS_WITH(nn::init::dirac_(ones({2, 2})), "[dirac_] tensor: expected a 3-D to 5-D convolution weight, got [2, 2]");
}

TEST_CASE("Linear and Conv2d compute x W^T + b and the windowed sums, initialised within 1/sqrt(fan_in)") {
  nn::Linear linear(3, 2);
  for (double w : values(linear.weight)) CHECK(std::abs(w) <= 1 / std::sqrt(3.0));
  {
    autograd::NoGradGuard no_grad;
    linear.weight.copy_(tensor<float>({1, 2, 3, -1, 0, 1}, {2, 3}));
    linear.bias.copy_(tensor<float>({0.5, -0.5}));
  }
  check_close(values(linear(tensor<float>({1, 1, 1, 2, 0, -1}, {2, 3}))), {6.5, -0.5, -0.5, -3.5});
  check_close(values(linear(tensor<float>({1, 1, 1}))), {6.5, -0.5});  // 1-D input
  CHECK_THROWS_WITH(linear(ones({2, 4})), "[linear] input: expected a last dimension of 3 (in_features), got shape [2, 4]");

  nn::Conv2d conv(2, 3, {3, 3}, {.stride = {2, 2}, .padding = {1, 1}}, false);
  CHECK(!conv.bias.defined());
  CHECK(conv.named_parameters().size() == 1);
  for (double w : values(conv.weight)) CHECK(std::abs(w) <= 1 / std::sqrt(18.0));
  CHECK(conv(ones({5, 2, 7, 7})).sizes().vec() == std::vector<int64_t>{5, 3, 4, 4});
  CHECK(conv(ones({2, 7, 7})).sizes().vec() == std::vector<int64_t>{3, 4, 4});  // unbatched
  CHECK(conv.str() == "Conv2d(2, 3, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)");
  CHECK_THROWS_WITH(nn::init::kaiming_uniform_(ones({3})), "[init] tensor: expected at least 2 dimensions to have fans, got [3]");
  CHECK_THROWS_WITH(nn::Conv2d(2, 3, {0, 3}), "[Conv2d] kernel_size: expected values of at least 1, got [0, 3]");
  CHECK_THROWS_WITH(nn::Conv2d(-2, 3, {3, 3}), "[Conv2d] channels: expected positive counts, got -2 and 3");
}

TEST_CASE("BatchNorm2d normalises with batch statistics and tracks running ones") {
  nn::BatchNorm2d bn(2, {.momentum = 0.5});
  // Channel 0 holds 1..4, channel 1 holds 10 everywhere (zero variance).
  const Tensor x = tensor<float>({1, 2, 3, 4, 10, 10, 10, 10}, {1, 2, 2, 2});
  const auto y = values(bn(x));
  const double sd = std::sqrt(1.25 + 1e-5);  // biased variance of 1..4
  check_close({y[0], y[1], y[2], y[3]}, {-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd});
  check_close({y[4], y[7]}, {0, 0});
  // running = 0.5 * old + 0.5 * batch, the variance unbiased (5/3 for 1..4).
  check_close(values(bn.running_mean), {1.25, 5});
  check_close(values(bn.running_var), {0.5 + 0.5 * 5.0 / 3.0, 0.5});
  bn.eval();
  CHECK(values(bn(x))[0] == doctest::Approx((1 - 1.25) / std::sqrt(0.5 + 2.5 / 3.0 + 1e-5)));
  CHECK_THROWS_WITH(bn(ones({2, 2})), "[BatchNorm2d] input: expected 4 dimensions, got shape [2, 2]");
  nn::BatchNorm1d bn1(3);
  CHECK_THROWS_WITH(bn1(ones({1, 3})),
                    "[batch_norm] input: expected more than 1 value per channel in training, got shape [1, 3]");
}

TEST_CASE("LayerNorm, Dropout, Embedding and Flatten") {
  nn::LayerNorm ln({4});
  const double sd = std::sqrt(1.25 + 1e-5);
  check_close(values(ln(tensor<float>({1, 2, 3, 4}, {1, 4}))), {-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd});
  CHECK_THROWS_WITH(ln(ones({2, 3})), "[layer_norm] input: expected trailing dimensions [4], got shape [2, 3]");
  CHECK_THROWS_WITH(nn::LayerNorm({4, -2}), "[LayerNorm] normalized_shape: expected one or more positive sizes, got [4, -2]");

  nn::Dropout dropout(0.25);
  const Tensor x = ones({100000});
  const auto kept = values(dropout(x));
  size_t zeros_seen = 0, badly_scaled = 0;
  for (double v : kept) {
    if (v == 0) ++zeros_seen;
    else if (std::abs(v - 1 / 0.75) > 1e-6) ++badly_scaled;
  }
  CHECK(badly_scaled == 0);
  CHECK(std::abs(static_cast<double>(zeros_seen) / 100000 - 0.25) < 0.01);
  dropout.eval();
  CHECK(dropout(x).is_same(x));
  CHECK_THROWS_WITH(nn::Dropout(1.5), "[Dropout] p: expected a probability in [0, 1], got 1.5");

  nn::Embedding embedding(5, 3);
  const Tensor idx = tensor<int64_t>({4, 0, 4, 1}, {2, 2});
  const Tensor e = embedding(idx);
  CHECK(e.sizes().vec() == std::vector<int64_t>{2, 2, 3});
  CHECK(values(e.select(0, 0).select(0, 0)) == values(embedding.weight.select(0, 4)));
  e.sum().backward();
  CHECK(values(embedding.weight.grad().sum(1)) == std::vector<double>{3, 3, 0, 0, 6});  // row 4 used twice
  CHECK_THROWS_WITH(embedding(ones({2})), "[embedding] indices: expected an integer tensor, got float32");
  // padding_idx: the row starts at zeros, reads as it is, and gets no gradient.
  nn::Embedding padded(5, 3, -1);
  CHECK(padded.padding_idx == 4);
  CHECK(padded.str() == "Embedding(5, 3, padding_idx=4)");
  CHECK(values(padded.weight.select(0, 4)) == std::vector<double>{0, 0, 0});
  {
    autograd::NoGradGuard no_grad;
    padded.weight.select(0, 4).fill_(2);
  }
  const Tensor read = padded(idx);
  CHECK(values(read.select(0, 0).select(0, 0)) == std::vector<double>{2, 2, 2});
  (read * read).sum().backward();
  // The gradient of sum(read^2) is 2 w per read: rows 0 and 1 are read once, the padding row twice but frozen.
  const std::vector<double> row_sums = values(padded.weight.grad().sum(1));
  CHECK(row_sums[0] == doctest::Approx(2 * padded.weight[0].sum().item<double>()));
  CHECK(row_sums[1] == doctest::Approx(2 * padded.weight[1].sum().item<double>()));
  CHECK(row_sums[4] == 0);
  CHECK_THROWS_WITH(nn::Embedding(5, 3, 5), "[Embedding] padding_idx: expected a row in [-5, 5), got 5");
  CHECK_THROWS_WITH(nn::functional::embedding(idx, padded.weight, -6), "[embedding] padding_idx: expected a row in [-5, 5), got -6");

  CHECK(nn::Flatten()(ones({2, 3, 4, 5})).sizes().vec() == std::vector<int64_t>{2, 60});
  CHECK(nn::Flatten(0, 1)(ones({2, 3, 4})).sizes().vec() == std::vector<int64_t>{6, 4});
}

TEST_CASE("activation modules with options compute their functional forms and print as PyTorch's") {
  const Tensor x = tensor<float>({-2, -0.5, 0.5, 3}, {2, 2});
  nn::Sequential model({std::make_shared<nn::LeakyReLU>(0.5), std::make_shared<nn::ELU>(), std::make_shared<nn::Softplus>(2.0, 10.0),
                        std::make_shared<nn::Softmax>(1), std::make_shared<nn::LogSoftmax>(0)});
  CHECK(model.str() ==
        "Sequential(\n"
        "  (0): LeakyReLU(negative_slope=0.5)\n"
        "  (1): ELU(alpha=1.0)\n"
        "  (2): Softplus(beta=2.0, threshold=10.0)\n"
        "  (3): Softmax(dim=1)\n"
        "  (4): LogSoftmax(dim=0)\n"
        ")");
  check_close(values(nn::LeakyReLU(0.5)(x)), {-1, -0.25, 0.5, 3});
  check_close(values(nn::ELU(2.0)(x)), {2 * std::expm1(-2.0), 2 * std::expm1(-0.5), 0.5, 3});
  check_close(values(nn::Softplus(2.0, 0.9)(x)), {std::log1p(std::exp(-4.0)) / 2, std::log1p(std::exp(-1.0)) / 2, 0.5, 3});
  check_close(values(nn::Softmax(1)(x)), values(x.softmax(1)));
  check_close(values(nn::LogSoftmax(0)(x)), values(x.log_softmax(0)));
  CHECK(nn::Dropout(0.0).str() == "Dropout(p=0.0)");
  CHECK(nn::Upsample({.scale_factor = {2}}).str() == "Upsample(scale_factor=2.0, mode='nearest')");
  CHECK(nn::Upsample({.size = {4, 5}, .mode = "bilinear"}).str() == "Upsample(size=(4, 5), mode='bilinear')");
  nn::Upsample upsample({.scale_factor = {2}, .mode = "bilinear", .align_corners = true});
  check_close(values(upsample(x.view({1, 1, 2, 2}))), values(nn::functional::interpolate(
                                                          x.view({1, 1, 2, 2}), {.size = {4}, .mode = "bilinear", .align_corners = true})));
  CHECK_THROWS_WITH(nn::Upsample({}), "[Upsample] size: expected either size or scale_factor, got neither");
  const Tensor ranking_target = tensor<float>({1, -1}, {2});
  CHECK(nn::MarginRankingLoss()(x.select(0, 0), x.select(0, 1), ranking_target).item<float>() ==
        doctest::Approx(nn::functional::margin_ranking_loss(x.select(0, 0), x.select(0, 1), ranking_target, {.margin = 0}).item<float>()));
  CHECK(nn::TripletMarginLoss({.margin = 2})(x, x, x.flip({0})).item<float>() ==
        doctest::Approx(nn::functional::triplet_margin_loss(x, x, x.flip({0}), {.margin = 2}).item<float>()));
  CHECK(nn::SoftMarginLoss()(x, x.sign()).item<float>() == doctest::Approx(nn::functional::soft_margin_loss(x, x.sign()).item<float>()));
  CHECK(nn::ReflectionPad2d({1, 1, 2, 0}).str() == "ReflectionPad2d((1, 1, 2, 0))");
  CHECK(nn::ZeroPad2d({1}).str() == "ZeroPad2d((1, 1, 1, 1))");
  CHECK(nn::ConstantPad1d({2, 3}, 3.5).str() == "ConstantPad1d(padding=(2, 3), value=3.5)");
  check_close(values(nn::ReplicationPad1d({1})(x.view({1, 4}))), {-2, -2, -0.5, 0.5, 3, 3});
  check_close(values(nn::CircularPad1d({1, 0})(x.view({1, 4}))), {3, -2, -0.5, 0.5, 3});
  CHECK_THROWS_WITH(nn::ReflectionPad2d({1, 2, 3}), "[ReflectionPad2d] padding: expected 1 or 4 counts, got 3");
  CHECK(nn::PixelShuffle(2).str() == "PixelShuffle(upscale_factor=2)");
  CHECK(nn::PixelUnshuffle(2)(nn::PixelShuffle(2)(x.view({4, 1, 1}))).sizes().equals({4, 1, 1}));
  CHECK(nn::MaxPool1d(2).str() == "MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  CHECK(nn::AvgPool1d(3, {.stride = 2, .padding = 1}).str() == "AvgPool1d(kernel_size=(3,), stride=(2,), padding=(1,))");
  check_close(values(nn::MaxPool1d(2)(x.view({1, 1, 4}))), {-0.5, 3});
  nn::InstanceNorm2d instance(2, {.affine = true});
  CHECK(instance.str() == "InstanceNorm2d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=False)");
  CHECK(instance.parameters().size() == 2);
  check_close(values(instance(x.view({2, 1, 2}))), values(nn::functional::instance_norm(x.view({1, 2, 1, 2}), instance.weight, instance.bias).squeeze(0)));
  CHECK_THROWS_WITH(instance(zeros({1, 3, 2, 2})), "[InstanceNorm2d] input: expected 2 channels, got [1, 3, 2, 2]");
  CHECK_THROWS_WITH(nn::InstanceNorm1d(2)(zeros({2, 2, 2, 2})), "[InstanceNorm1d] input: expected 3-D or unbatched 2-D input, got [2, 2, 2, 2]");
  CHECK_THROWS_WITH(nn::Softplus(0.0), "[Softplus] beta: expected a finite non-zero value, got 0");
  CHECK_THROWS_WITH(nn::ELU(std::nan("")), "[ELU] alpha: expected a finite value, got nan");
}

TEST_CASE("GroupNorm and RMSNorm hold their parameters and print as PyTorch's") {
  nn::GroupNorm group(2, 4);
  CHECK(names(group.named_parameters()) == std::vector<std::string>{"weight", "bias"});
  CHECK(group.str() == "GroupNorm(2, 4, eps=1e-05, affine=True)");
  const Tensor x = randn({3, 4, 5});
  check_close(values(group(x)), values(nn::functional::group_norm(x, 2, group.weight, group.bias)));
  nn::RMSNorm rms({5});
  CHECK(rms.str() == "RMSNorm((5,), eps=None, elementwise_affine=True)");
  CHECK(nn::RMSNorm({5}, 1e-6, false).str() == "RMSNorm((5,), eps=1e-06, elementwise_affine=False)");
  check_close(values(rms(x)), values(nn::functional::rms_norm(x, {5})));
  CHECK_THROWS_WITH(nn::GroupNorm(3, 4), "[GroupNorm] num_groups: expected a positive divisor of num_channels 4, got 3");
  CHECK_THROWS_WITH(nn::RMSNorm({}), "[RMSNorm] normalized_shape: expected one or more positive sizes, got []");
}

TEST_CASE("MultiheadAttention: each head attends over its slice of the features, as PyTorch's") {
  nn::MultiheadAttention attention(4, 2);
  CHECK(names(attention.named_parameters()) ==
        std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"});
  CHECK(attention.in_proj_weight.sizes().equals({12, 4}));
  CHECK(values(attention.in_proj_bias) == std::vector<double>(12, 0.0));
  CHECK(values(attention.out_proj->bias) == std::vector<double>(4, 0.0));
  {
    // Identity projections: the output is scaled dot-product attention per half of the features.
    autograd::NoGradGuard no_grad;
    attention.in_proj_weight.copy_(cat({eye(4), eye(4), eye(4)}));
    attention.out_proj->weight.copy_(eye(4));
  }
  const Tensor q = randn({3, 2, 4}), k = randn({5, 2, 4}), v = randn({5, 2, 4});  // [L, N, E]
  const auto [out, weights] = attention.forward(q, k, v);
  CHECK(out.sizes().equals({3, 2, 4}));
  CHECK(weights.sizes().equals({2, 3, 5}));
  auto head = [](const Tensor& t, int64_t h) { return t.transpose(0, 1).narrow(2, 2 * h, 2); };  // [N, T, 2]
  for (int64_t h = 0; h < 2; ++h) {
    CAPTURE(h);
    const Tensor expected = nn::functional::scaled_dot_product_attention(head(q, h), head(k, h), head(v, h));
    check_close(values(head(out, h)), values(expected));
  }
  const auto per_head = std::get<1>(attention.forward(q, k, v, {.average_attn_weights = false}));
  CHECK(per_head.sizes().equals({2, 2, 3, 5}));
  check_close(values(per_head.mean(1)), values(weights));
  check_close(values(weights.sum(-1)), std::vector<double>(6, 1.0));

  // Masks: an ignored key gets no weight; a causal query sees no later key.
  const Tensor padding = tensor<bool>({false, false, true, false, false, true, false, false, false, false}, {2, 5});
  const auto padded = std::get<1>(attention.forward(q, k, v, {.key_padding_mask = padding}));
  CHECK(values(padded.select(2, 2).select(0, 0)) == std::vector<double>{0, 0, 0});
  CHECK(values(padded.select(2, 0).select(0, 1)) == std::vector<double>{0, 0, 0});
  const auto causal = std::get<1>(attention.forward(q, k, v, {.is_causal = true}));
  CHECK(values(causal.select(1, 0).narrow(1, 1, 4)) == std::vector<double>(8, 0.0));
  const Tensor forbid_first = tensor<bool>({true, false, false, false, false}).expand({3, 5});
  CHECK(values(std::get<1>(attention.forward(q, k, v, {.attn_mask = forbid_first})).select(2, 0)) ==
        std::vector<double>(6, 0.0));

  // batch_first and unbatched inputs give the same numbers.
  nn::MultiheadAttention batch_first(4, 2, {.batch_first = true});
  {
    autograd::NoGradGuard no_grad;
    batch_first.in_proj_weight.copy_(attention.in_proj_weight);
    batch_first.out_proj->weight.copy_(attention.out_proj->weight);
  }
  const Tensor bf = std::get<0>(batch_first.forward(q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)));
  check_close(values(bf.transpose(0, 1)), values(out));
  const auto [single, single_weights] = attention.forward(q.select(1, 1), k.select(1, 1), v.select(1, 1));
  CHECK(single.sizes().equals({3, 4}));
  check_close(values(single), values(out.select(1, 1)));
  check_close(values(single_weights), values(weights.select(0, 1)));
  CHECK_FALSE(std::get<1>(attention.forward(q, k, v, {.need_weights = false})).defined());

  // Gradients reach every parameter.
  std::get<0>(attention.forward(q, k, v)).pow(tensor<float>({2.f})).sum().backward();
  for (const Tensor& p : attention.parameters()) CHECK(values(p.grad().abs().sum())[0] > 0);

  CHECK_THROWS_WITH(nn::MultiheadAttention(6, 4), "[MultiheadAttention] num_heads: expected a positive divisor of embed_dim 6, got 4");
  CHECK_THROWS_WITH(attention.forward(q, k, v.narrow(0, 0, 4)),
                    "[MultiheadAttention] value: expected the key's shape [5, 2, 4], got [4, 2, 4]");
  CHECK_THROWS_WITH(attention.forward(q, k.narrow(2, 0, 3), v.narrow(2, 0, 3)),
                    "[MultiheadAttention] key: expected 3 dimensions like the query, the last of size 4, got [5, 2, 3]");
  CHECK_THROWS_WITH(attention.forward(ones({4}), ones({4}), ones({4})),
                    "[MultiheadAttention] query: expected [L, N, 4] (or [L, 4] unbatched), got [4]");
  CHECK_THROWS_WITH(attention.forward(q, k, v, {.key_padding_mask = padding.narrow(1, 0, 4)}),
                    "[MultiheadAttention] key_padding_mask: expected [2, 5], got [2, 4]");
}

TEST_CASE("pooling modules: max and average over windows, padding counted as zeros") {
  const Tensor x = arange(16, DType::Float32).reshape({1, 4, 4});
  check_close(values(nn::MaxPool2d({2, 2})(x)), {5, 7, 13, 15});
  check_close(values(nn::AvgPool2d({2, 2})(x)), {2.5, 4.5, 10.5, 12.5});
  // Padding 1, stride 2: the corner window sees only x[0][0] = 0 among four taps.
  const auto padded = values(nn::AvgPool2d({2, 2}, {.padding = {1, 1}})(x));
  check_close({padded[1], padded[4]}, {(1 + 2) / 4.0, (5 + 6 + 9 + 10) / 4.0});
  CHECK_THROWS_WITH(nn::MaxPool2d({2, 2})(ones({4, 4})), "[max_pool2d] input: expected a [N, C, H, W] or [C, H, W] tensor, got [4, 4]");
}

TEST_CASE("AdaptiveAvgPool2d, Identity and the hard activations as modules print as PyTorch's") {
  const Tensor x = arange(16, DType::Float32).reshape({1, 4, 4});
  check_close(values(nn::AdaptiveAvgPool2d({1, 1})(x)), {7.5});
  check_close(values(nn::AdaptiveAvgPool2d({2, 2})(x)), {2.5, 4.5, 10.5, 12.5});
  // Three windows over four positions: [0, 2), [1, 3), [2, 4) along each side.
  check_close(values(nn::AdaptiveAvgPool2d({3, 1})(x)), {3.5, 7.5, 11.5});
  const nn::Sequential seq({std::make_shared<nn::AdaptiveAvgPool2d>(nn::functional::Pair{5, 7}),
                            std::make_shared<nn::AdaptiveAvgPool2d>(nn::functional::Pair{1, 1}),
                            std::make_shared<nn::Identity>(), std::make_shared<nn::Hardtanh>(-2.0, 2.0),
                            std::make_shared<nn::ReLU6>(), std::make_shared<nn::Hardsigmoid>(),
                            std::make_shared<nn::Hardswish>(), std::make_shared<nn::Mish>()});
  CHECK(seq.str() ==
        "Sequential(\n"
        "  (0): AdaptiveAvgPool2d(output_size=(5, 7))\n"
        "  (1): AdaptiveAvgPool2d(output_size=1)\n"
        "  (2): Identity()\n"
        "  (3): Hardtanh(min_val=-2.0, max_val=2.0)\n"
        "  (4): ReLU6()\n"
        "  (5): Hardsigmoid()\n"
        "  (6): Hardswish()\n"
        "  (7): Mish()\n"
        ")");
  const Tensor y = tensor<float>({-4.f, -1.f, 0.5f, 7.f});
  CHECK(nn::Identity()(y).is_same(y));
  check_close(values(nn::Hardtanh()(y)), {-1, -1, 0.5, 1});
  check_close(values(nn::ReLU6()(y)), {0, 0, 0.5, 6});
  check_close(values(nn::Hardswish()(y)), {0, -1.0 / 3, 0.5 * 3.5 / 6, 7});
  CHECK_THROWS_WITH(nn::Hardtanh(1.0, -1.0), "[Hardtanh] max_val: expected at least min_val 1, got -1");
  CHECK_THROWS_WITH(nn::AdaptiveAvgPool2d({0, 1}), "[AdaptiveAvgPool2d] output_size: expected values of at least 1, got [0, 1]");
}

TEST_CASE("loss modules apply their functional forms with the options they hold") {
  namespace F = nn::functional;
  const Tensor logits = tensor<double>({1.0, 2.0, 0.5, -1.0, 0.0, 3.0}, {2, 3});
  const Tensor classes = tensor<int64_t>({1, 2});
  const F::CrossEntropyOptions options = {.weight = tensor<double>({1.0, 2.0, 3.0}), .label_smoothing = 0.1};
  CHECK(nn::CrossEntropyLoss(options)(logits, classes).item<double>() ==
        doctest::Approx(F::cross_entropy(logits, classes, options).item<double>()));
  CHECK(nn::CrossEntropyLoss()(logits, classes).item<double>() ==
        doctest::Approx(F::cross_entropy(logits, classes).item<double>()));
  CHECK(nn::NLLLoss({.reduction = F::Reduction::Sum})(logits.log_softmax(1), classes).item<double>() ==
        doctest::Approx(F::cross_entropy(logits, classes, {.reduction = F::Reduction::Sum}).item<double>()));
  const Tensor a = tensor<double>({0.5, -1.0}), b = tensor<double>({0.0, 1.0});
  CHECK(nn::MSELoss()(a, b).item<double>() == doctest::Approx((0.25 + 4) / 2));
  CHECK(nn::L1Loss(F::Reduction::Sum)(a, b).item<double>() == doctest::Approx(2.5));
  CHECK(nn::SmoothL1Loss({.reduction = F::Reduction::Sum, .beta = 0.5})(a, b).item<double>() == doctest::Approx(0.25 + 1.75));
  CHECK(nn::HuberLoss({.reduction = F::Reduction::Sum, .delta = 0.5})(a, b).item<double>() == doctest::Approx(0.125 + 0.875));
  const Tensor p = tensor<double>({0.5, 0.25}), y = tensor<double>({1.0, 0.0});
  CHECK(nn::BCELoss()(p, y).item<double>() == doctest::Approx((std::log(2.0) - std::log(0.75)) / 2));
  CHECK(nn::BCEWithLogitsLoss()(a, y).item<double>() ==
        doctest::Approx(F::binary_cross_entropy_with_logits(a, y).item<double>()));
  CHECK(nn::KLDivLoss({.reduction = F::Reduction::BatchMean})(logits.log_softmax(1), logits.softmax(1)).item<double>() ==
        doctest::Approx(0).scale(1));
  CHECK(nn::CrossEntropyLoss().str() == "CrossEntropyLoss()");
}

TEST_CASE("Conv1d and ConvTranspose2d hold PyTorch's weight layouts and print as PyTorch's") {
  manual_seed(4);
  nn::Conv1d conv1(4, 6, 3, {.stride = 2, .padding = 1, .groups = 2});
  CHECK(conv1.weight.sizes().equals({6, 2, 3}));
  CHECK(conv1.str() == "Conv1d(4, 6, kernel_size=(3,), stride=(2,), padding=(1,), groups=2)");
  const double bound1 = 1 / std::sqrt(6.0);  // fan_in: 2 channels per group times 3 taps
  for (double w : values(conv1.weight)) CHECK(std::abs(w) <= bound1);
  const Tensor x = randn({2, 4, 7});
  check_close(values(conv1(x)), values(nn::functional::conv1d(x, conv1.weight, conv1.bias, conv1.options)));
  CHECK(conv1(x).sizes().equals({2, 6, 4}));

  nn::ConvTranspose2d up(6, 4, {2, 2}, {.stride = {2, 2}}, false);
  CHECK(up.weight.sizes().equals({6, 4, 2, 2}));
  CHECK(!up.bias.defined());
  CHECK(up.str() == "ConvTranspose2d(6, 4, kernel_size=(2, 2), stride=(2, 2), bias=False)");
  CHECK(up(randn({1, 6, 5, 3})).sizes().equals({1, 4, 10, 6}));
  CHECK(nn::ConvTranspose2d(2, 2, {3, 3}, {.stride = {2, 2}, .padding = {1, 1}, .output_padding = {1, 1}}).str() ==
        "ConvTranspose2d(2, 2, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))");
  CHECK(names(up.named_parameters()) == std::vector<std::string>{"weight"});
  CHECK_THROWS_WITH(nn::Conv1d(3, 6, 3, {.groups = 2}), "[Conv1d] groups: expected a divisor of in_channels (3) and out_channels (6), got 2");
  CHECK_THROWS_WITH(nn::ConvTranspose2d(2, 2, {0, 3}), "[ConvTranspose2d] kernel_size: expected values of at least 1, got [0, 3]");
}
