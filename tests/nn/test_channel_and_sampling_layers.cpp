// bilinear, channel_shuffle, local_response_norm, lp_pool1d/2d, pdist, gumbel_softmax and rrelu
// against direct loops or hand-computed values, their gradients by finite differences, the
// layers, and errors on bad input.
#include <doctest/doctest.h>

#include <cmath>

#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"
#include "ember/nn.h"

using namespace ember;
namespace F = ember::nn::functional;

TEST_CASE("bilinear: x1^T W x2 + b for every row, as a direct loop; the Bilinear layer") {
  manual_seed(41);
  const Tensor x1 = randn({2, 3, 4}, DType::Float64), x2 = randn({2, 3, 5}, DType::Float64);
  const Tensor w = randn({6, 4, 5}, DType::Float64), b = randn({6}, DType::Float64);
  const Tensor out = F::bilinear(x1, x2, w, b);
  CHECK(out.sizes().equals({2, 3, 6}));
  const auto a = to_vector<double>(x1), c = to_vector<double>(x2), wv = to_vector<double>(w), bv = to_vector<double>(b);
  std::vector<double> expected;
  for (int r = 0; r < 6; ++r)
    for (int o = 0; o < 6; ++o) {
      double sum = bv[o];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 5; ++j) sum += a[r * 4 + i] * wv[(o * 4 + i) * 5 + j] * c[r * 5 + j];
      expected.push_back(sum);
    }
  const auto got = to_vector<double>(out);
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expected[i]).epsilon(1e-12));
  nn::Bilinear layer(4, 5, 6);
  CHECK(layer.weight.sizes().equals({6, 4, 5}));
  CHECK(layer(x1.to(DType::Float32), x2.to(DType::Float32)).sizes().equals({2, 3, 6}));
  CHECK(layer.str() == "Bilinear(in1_features=4, in2_features=5, out_features=6, bias=True)");
  CHECK(layer.named_parameters().size() == 2);
  CHECK_THROWS_WITH(F::bilinear(x1, x2.narrow(1, 0, 2), w),
                    "[bilinear] input2: expected shape [2, 3] with a last dimension of 5 (in2_features), got [2, 2, 5]");
  CHECK_THROWS_WITH(F::bilinear(x2, x2, w), "[bilinear] input1: expected a last dimension of 4 (in1_features), got shape [2, 3, 5]");
  CHECK_THROWS_WITH(nn::Bilinear(0, 5, 6), "[Bilinear] features: expected positive sizes, got [6, 0, 5]");
}

TEST_CASE("channel_shuffle interleaves the groups of channels") {
  const Tensor x = arange(6, DType::Float64).reshape({1, 6, 1});
  CHECK(to_vector<double>(F::channel_shuffle(x, 2)) == std::vector<double>{0, 3, 1, 4, 2, 5});
  CHECK(to_vector<double>(F::channel_shuffle(x, 3)) == std::vector<double>{0, 2, 4, 1, 3, 5});
  CHECK(to_vector<double>(nn::ChannelShuffle(6)(x)) == to_vector<double>(x));
  CHECK(nn::ChannelShuffle(2).str() == "ChannelShuffle(groups=2)");
  CHECK_THROWS_WITH(F::channel_shuffle(x, 4), "[channel_shuffle] groups: expected a positive divisor of the 6 channels, got 4");
  CHECK_THROWS_WITH(F::channel_shuffle(ones({2, 6}), 2),
                    "[channel_shuffle] input: expected [N, C, *] with at least 3 dimensions, got [2, 6]");
}

TEST_CASE("local_response_norm divides by the channel window's squares, as a direct loop") {
  manual_seed(42);
  const Tensor x = randn({2, 5, 3}, DType::Float64);
  const int64_t size = 3;
  const double alpha = 0.5, beta = 0.75, k = 2;
  const auto v = to_vector<double>(x);
  std::vector<double> expected;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 5; ++c)
      for (int l = 0; l < 3; ++l) {
        double squares = 0;
        for (int d = c - size / 2; d <= c + (size - 1) / 2; ++d) {
          if (d >= 0 && d < 5) squares += v[(n * 5 + d) * 3 + l] * v[(n * 5 + d) * 3 + l];
        }
        expected.push_back(v[(n * 5 + c) * 3 + l] / std::pow(k + alpha / size * squares, beta));
      }
  const auto got = to_vector<double>(F::local_response_norm(x, size, alpha, beta, k));
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expected[i]).epsilon(1e-12));
  CHECK(nn::LocalResponseNorm(2).str() == "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)");
  CHECK(to_vector<double>(nn::LocalResponseNorm(size, alpha, beta, k)(x)) == got);
  CHECK_THROWS_WITH(F::local_response_norm(ones({2, 3}), 2),
                    "[local_response_norm] input: expected [N, C, *] with at least 3 dimensions, got [2, 3]");
}

TEST_CASE("lp_pool1d and lp_pool2d take each window's p-norm") {
  const Tensor x = tensor<double>({3, 4, 1, 2, 2, 1}, {1, 1, 6});
  CHECK(to_vector<double>(F::lp_pool1d(x, 2, 2)) == std::vector<double>{5, std::sqrt(5.0), std::sqrt(5.0)});
  CHECK(to_vector<double>(F::lp_pool1d(x, 1, 3, 3)) == std::vector<double>{8, 5});
  const Tensor plane = tensor<double>({1, 2, 2, 4}, {1, 1, 2, 2});
  CHECK(F::lp_pool2d(plane, 2, {2, 2}).item<double>() == doctest::Approx(5));
  CHECK(F::lp_pool2d(plane, 3, {2, 2}).item<double>() == doctest::Approx(std::cbrt(1 + 8 + 8 + 64.0)));
  CHECK(nn::LPPool2d(2, {3, 3}).str() == "LPPool2d(norm_type=2.0, kernel_size=3, stride=None, ceil_mode=False)");
  CHECK(nn::LPPool1d(1.5, 2, 1).str() == "LPPool1d(norm_type=1.5, kernel_size=2, stride=1, ceil_mode=False)");
  CHECK(to_vector<double>(nn::LPPool1d(2, 2)(x)) == to_vector<double>(F::lp_pool1d(x, 2, 2)));
  // ceil_mode: the partial window's mean (5 and 6) times the whole kernel's size, as PyTorch's.
  const Tensor line = arange(1, 7, 1, DType::Float64).reshape({1, 1, 6});
  CHECK(to_vector<double>(F::lp_pool1d(line, 1, 4, std::nullopt, true)) == std::vector<double>{10, 22});
  CHECK(F::lp_pool2d(line.unsqueeze(2), 1, {1, 4}, std::nullopt, true).sizes().equals(IntArrayRef{1, 1, 1, 2}));
  CHECK(nn::LPPool2d(2, {2, 2}, std::nullopt, true).str() == "LPPool2d(norm_type=2.0, kernel_size=2, stride=None, ceil_mode=True)");
  CHECK_THROWS_WITH(F::lp_pool2d(plane, 0, {2, 2}), "[lp_pool2d] norm_type: expected a positive order, got 0");
}

TEST_CASE("pdist lists the distances of the pairs i < j") {
  const Tensor rows = tensor<double>({0, 0, 3, 4, 6, 8}, {3, 2});
  CHECK(to_vector<double>(F::pdist(rows)) == std::vector<double>{5, 10, 5});
  CHECK(to_vector<double>(F::pdist(rows, 1)) == std::vector<double>{7, 14, 7});
  CHECK(F::pdist(rows.narrow(0, 0, 1)).sizes().equals({0}));
  CHECK_THROWS_WITH(F::pdist(ones({3})), "[pdist] input: expected rows [N, M], got [3]");
}

TEST_CASE("gumbel_softmax samples the categorical distribution; hard samples are one-hot with soft gradients") {
  manual_seed(43);
  const Tensor logits = log(tensor<double>({0.2, 0.8})).expand({20000, 2}).contiguous().requires_grad_();
  const Tensor soft = F::gumbel_softmax(logits, 0.5);
  CHECK(allclose(soft.sum(IntArrayRef{1}), ones({20000}, DType::Float64)));
  const Tensor hard = F::gumbel_softmax(logits, 0.5, true);
  CHECK(allclose(hard.detach().sum(IntArrayRef{1}), ones({20000}, DType::Float64)));
  CHECK(eq(hard.detach() * (1 - hard.detach()), 0).all().item<bool>());  // zeros and ones only
  // The argmax of logits + Gumbel noise is a draw of the softmax of the logits.
  CHECK(hard.detach().select(1, 1).mean().item<double>() == doctest::Approx(0.8).epsilon(0.02));
  const Tensor g = autograd::grad({(hard * tensor<double>({1, 2})).sum()}, {logits})[0];
  CHECK(g.abs().sum().item<double>() > 0);
  CHECK_THROWS_WITH(F::gumbel_softmax(logits, 0), "[gumbel_softmax] tau: expected a positive temperature, got 0");
}

TEST_CASE("rrelu: the mean slope in evaluation, a slope from U(lower, upper) per element in training") {
  manual_seed(44);
  const Tensor x = -ones({10000}, DType::Float64);
  CHECK(allclose(F::rrelu(x, 0.1, 0.3), x * 0.2));
  const Tensor trained = F::rrelu(x, 0.1, 0.3, true);
  CHECK(trained.min().item<double>() >= -0.3);
  CHECK(trained.max().item<double>() <= -0.1);
  CHECK(trained.mean().item<double>() == doctest::Approx(-0.2).epsilon(0.02));
  CHECK(allclose(F::rrelu(-x, 0.1, 0.3, true), -x));  // positives pass
  nn::RReLU layer(0.1, 0.3);
  layer.eval();
  CHECK(allclose(layer(x), x * 0.2));
  CHECK(nn::RReLU().str() == "RReLU(lower=0.125, upper=0.3333333333333333)");
  CHECK_THROWS_WITH(nn::RReLU(0.5, 0.1), "[RReLU] upper: expected 0 <= lower <= upper, got lower 0.5 and upper 0.1");
}

TEST_CASE("bilinear, local_response_norm, lp_pool2d and pdist differentiate by finite differences") {
  manual_seed(45);
  autograd::TensorVector inputs = {randn({2, 3}, DType::Float64), randn({2, 4}, DType::Float64),
                                   randn({5, 3, 4}, DType::Float64), randn({1, 4, 3, 4}, DType::Float64)};
  for (Tensor& t : inputs) t.requires_grad_();
  CHECK_NOTHROW(autograd::gradcheck([](const autograd::TensorVector& t) {
    return cat({F::bilinear(t[0], t[1], t[2]).flatten(), F::local_response_norm(t[3], 3, 0.3, 0.75, 1).flatten(),
                F::lp_pool2d(t[3].abs() + 0.5, 3, {2, 2}, F::Pair{1, 2}).flatten(),
                F::lp_pool2d(t[3], 2, {2, 2}).flatten(), F::pdist(t[3].reshape({4, 12})),
                F::channel_shuffle(t[3], 2).flatten()});
  }, inputs));
}
