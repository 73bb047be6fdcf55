// nn::functional: losses against loops written here, and gradients of every composite by
// finite differences.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"
#include "ember/nn/functional.h"

using namespace ember;
namespace F = ember::nn::functional;
using autograd::TensorVector;

namespace {

std::vector<double> values(const Tensor& t) { return to_vector<double>(t.to(DType::Float64)); }

void check_close_values(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-12));
}

// Equal to 12 significant digits (exactly, for 0).
bool relative_close(double got, double want) { return got == want || std::abs(got - want) <= 1e-12 * std::abs(want); }

// PyTorch's cross entropy for one sample, written out: -(1-s) w[t] logp[t] - s/C sum_c w[c] logp[c].
double reference_cross_entropy(const std::vector<double>& logits, int64_t target, const std::vector<double>& w,
                               double smoothing) {
  double top = logits[0];
  for (double v : logits) top = std::max(top, v);
  double total = 0;
  for (double v : logits) total += std::exp(v - top);
  const double lse = top + std::log(total);
  double uniform = 0;
  for (size_t c = 0; c < logits.size(); ++c) uniform -= w[c] * (logits[c] - lse);
  return -(1 - smoothing) * w[target] * (logits[target] - lse) + smoothing / logits.size() * uniform;
}

Tensor random_input(IntArrayRef shape) {
  Tensor t = randn(shape, DType::Float64);
  t.requires_grad_();
  return t;
}

}  // namespace

TEST_CASE("cross_entropy matches the written-out formula with weights, ignore_index and smoothing") {
  const std::vector<double> logits = {1.0, -0.5, 2.0, 0.3, 0.0, 0.1};  // 2 samples x 3 classes
  const Tensor x = tensor<double>(logits, {2, 3});
  const Tensor target = tensor<int64_t>({2, 0});
  const std::vector<double> w = {0.5, 1.0, 2.0};
  const std::vector<double> ones3 = {1, 1, 1};
  const std::vector<double> row0(logits.begin(), logits.begin() + 3), row1(logits.begin() + 3, logits.end());

  const double plain0 = reference_cross_entropy(row0, 2, ones3, 0), plain1 = reference_cross_entropy(row1, 0, ones3, 0);
  CHECK(F::cross_entropy(x, target).item<double>() == doctest::Approx((plain0 + plain1) / 2));
  const auto per_sample = values(F::cross_entropy(x, target, {.reduction = F::Reduction::None}));
  CHECK(per_sample[0] == doctest::Approx(plain0));
  CHECK(per_sample[1] == doctest::Approx(plain1));

  // Weighted mean divides by the targets' weights (2.0 + 0.5); smoothing mixes in every class.
  const double s0 = reference_cross_entropy(row0, 2, w, 0.2), s1 = reference_cross_entropy(row1, 0, w, 0.2);
  const Tensor weight = tensor<double>(w, {3});
  CHECK(F::cross_entropy(x, target, {.weight = weight, .label_smoothing = 0.2}).item<double>() ==
        doctest::Approx((s0 + s1) / 2.5));
  CHECK(F::cross_entropy(x, target, {.weight = weight, .reduction = F::Reduction::Sum, .label_smoothing = 0.2})
            .item<double>() == doctest::Approx(s0 + s1));

  // An ignored target drops out of both the sum and the mean's denominator.
  const Tensor with_ignored = tensor<int64_t>({2, -100});
  CHECK(F::cross_entropy(x, with_ignored, {.label_smoothing = 0.1}).item<double>() ==
        doctest::Approx(reference_cross_entropy(row0, 2, ones3, 0.1)));

  CHECK(F::nll_loss(log_softmax(x, 1), target).item<double>() == doctest::Approx((plain0 + plain1) / 2));
  // Targets of any integer dtype, the default ignore_index -100 outside uint8's range included.
  CHECK(F::nll_loss(log_softmax(x, 1), target.to(DType::UInt8)).item<double>() == doctest::Approx((plain0 + plain1) / 2));
  CHECK_THROWS_WITH(F::cross_entropy(x, tensor<int64_t>({3, 0})),
                    "[cross_entropy] target: expected class indices in [0, 3), got 3");
  CHECK_THROWS_WITH(F::cross_entropy(x, tensor<float>({1, 0})),
                    "[cross_entropy] target: expected class indices, an integer tensor of shape [2] (the input's "
                    "without its class dimension), got float32 [2]");
  CHECK_THROWS_WITH(F::cross_entropy(x, target, {.weight = ones({2})}),
                    "[cross_entropy] weight: expected one weight per class, shape [3], got [2]");
  CHECK_THROWS_WITH(F::cross_entropy(x, target, {.label_smoothing = 1.5}),
                    "[cross_entropy] label_smoothing: expected a value in [0, 1], got 1.5");
}

TEST_CASE("cross_entropy and nll_loss take [N, C, d...] scores, unbatched ones, and class probabilities") {
  manual_seed(5);
  const Tensor x = randn({2, 3, 4}, DType::Float64);  // N 2, C 3, one spatial dim of 4
  const Tensor target = tensor<int64_t>({0, 2, 1, 1, 2, 2, 0, -100}, {2, 4});
  // The same loss as the [N * 4, C] rows it flattens to.
  const Tensor rows = x.permute({0, 2, 1}).reshape({8, 3});
  const Tensor flat_target = target.reshape({8});
  const F::CrossEntropyOptions smoothed = {.weight = tensor<double>({1.0, 2.0, 0.5}), .label_smoothing = 0.2};
  CHECK(F::cross_entropy(x, target, smoothed).item<double>() ==
        doctest::Approx(F::cross_entropy(rows, flat_target, smoothed).item<double>()));
  const Tensor unreduced = F::cross_entropy(x, target, {.reduction = F::Reduction::None});
  CHECK(unreduced.sizes().equals({2, 4}));
  CHECK(values(unreduced.reshape({8})) ==
        values(F::cross_entropy(rows, flat_target, {.reduction = F::Reduction::None})));
  CHECK(values(unreduced)[7] == 0);  // the ignored target
  CHECK(F::nll_loss(log_softmax(x, 1), target).item<double>() ==
        doctest::Approx(F::nll_loss(log_softmax(rows, 1), flat_target).item<double>()));
  // Unbatched: scores [C], a 0-dim target.
  const Tensor one = x.select(0, 0).select(1, 0);
  CHECK(F::cross_entropy(one, scalar_tensor(2, DType::Int64)).item<double>() ==
        doctest::Approx(-log_softmax(one, 0).select(0, 2).item<double>()));
  CHECK(F::cross_entropy(one, scalar_tensor(2, DType::Int64), {.reduction = F::Reduction::None}).dim() == 0);
  CHECK_THROWS_WITH(F::cross_entropy(x, tensor<int64_t>({0, 1})),
                    "[cross_entropy] target: expected class indices, an integer tensor of shape [2, 4] (the input's "
                    "without its class dimension), got int64 [2]");

  // Probabilities: a one-hot target gives the class-index loss; soft ones the written-out sum.
  const Tensor logits = x.select(2, 0);  // [2, 3]
  const Tensor one_hot = tensor<double>({0, 0, 1, 1, 0, 0}, {2, 3});
  CHECK(F::cross_entropy(logits, one_hot).item<double>() ==
        doctest::Approx(F::cross_entropy(logits, tensor<int64_t>({2, 0})).item<double>()));
  const Tensor soft = tensor<double>({0.2, 0.3, 0.5, 0.6, 0.4, 0.0}, {2, 3});
  const auto lp = values(log_softmax(logits, 1));
  const std::vector<double> w = {1.0, 2.0, 0.5};
  double expected = 0;
  for (int i = 0; i < 2; ++i) {
    for (int c = 0; c < 3; ++c) {
      const double q = values(soft)[i * 3 + c] * 0.9 + 0.1 / 3;
      expected -= w[c] * q * lp[i * 3 + c];
    }
  }
  CHECK(F::cross_entropy(logits, soft, {.weight = tensor<double>(w, {3}), .label_smoothing = 0.1}).item<double>() ==
        doctest::Approx(expected / 2));
  CHECK(F::cross_entropy(x, x.softmax(1), {.reduction = F::Reduction::None}).sizes().equals({2, 4}));
}

TEST_CASE("l1, smooth l1, huber, binary cross entropy and kl_div match their formulas") {
  const Tensor input = tensor<double>({0.5, -1.0, 3.0, 0.25});
  const Tensor target = tensor<double>({0.0, 1.0, 0.5, 0.25});  // differences 0.5, -2, 2.5, 0
  CHECK(F::l1_loss(input, target).item<double>() == doctest::Approx(5.0 / 4));
  CHECK(F::l1_loss(input, target, F::Reduction::Sum).item<double>() == doctest::Approx(5.0));
  // beta 1: 0.5 d^2 below 1, |d| - 0.5 above.
  CHECK(values(F::smooth_l1_loss(input, target, {.reduction = F::Reduction::None})) == std::vector<double>{0.125, 1.5, 2.0, 0.0});
  CHECK(values(F::smooth_l1_loss(input, target, {.reduction = F::Reduction::None, .beta = 4.0})) ==
        std::vector<double>{0.03125, 0.5, 0.78125, 0.0});
  CHECK(F::smooth_l1_loss(input, target, {.beta = 0.0}).item<double>() == doctest::Approx(5.0 / 4));
  // delta 2: 0.5 d^2 below 2, 2 (|d| - 1) above.
  CHECK(values(F::huber_loss(input, target, {.reduction = F::Reduction::None, .delta = 2.0})) == std::vector<double>{0.125, 2.0, 3.0, 0.0});
  CHECK_THROWS_WITH(F::smooth_l1_loss(input, target, {.beta = -1}), "[smooth_l1_loss] beta: expected a value >= 0, got -1");
  CHECK_THROWS_WITH(F::huber_loss(input, target, {.delta = 0}), "[huber_loss] delta: expected a value > 0, got 0");
  CHECK_THROWS_WITH(F::l1_loss(input, target.view({2, 2})), "[l1_loss] target: expected shape [4] like input, got [2, 2]");

  const Tensor p = tensor<double>({0.9, 0.2, 1.0, 0.0}), y = tensor<double>({1.0, 0.0, 0.0, 0.0});
  // -log(0.9), -log(0.8), log(1 - 1) clamped at -100, and 0 * log(0) counted as 0.
  check_close_values(values(F::binary_cross_entropy(p, y, {.reduction = F::Reduction::None})), {-std::log(0.9), -std::log(0.8), 100.0, 0.0});
  CHECK(F::binary_cross_entropy(p, y, {.weight = tensor<double>({2.0, 1.0, 0.0, 1.0})}).item<double>() ==
        doctest::Approx((-2 * std::log(0.9) - std::log(0.8)) / 4));
  CHECK_THROWS_WITH(F::binary_cross_entropy(tensor<double>({1.5}), tensor<double>({1.0})),
                    "[binary_cross_entropy] input: expected probabilities in [0, 1]");
  CHECK_THROWS_WITH(F::binary_cross_entropy(tensor<int64_t>({1}), tensor<int64_t>({1})),
                    "[binary_cross_entropy] input: expected floating-point probabilities, got int64");

  const Tensor log_q = log(tensor<double>({0.25, 0.75, 0.5, 0.5}, {2, 2}));
  const Tensor t = tensor<double>({0.5, 0.5, 1.0, 0.0}, {2, 2});
  const double kl0 = 0.5 * std::log(0.5 / 0.25) + 0.5 * std::log(0.5 / 0.75), kl1 = std::log(1.0 / 0.5);
  CHECK(F::kl_div(log_q, t, {.reduction = F::Reduction::Sum}).item<double>() == doctest::Approx(kl0 + kl1));
  CHECK(F::kl_div(log_q, t, {.reduction = F::Reduction::BatchMean}).item<double>() == doctest::Approx((kl0 + kl1) / 2));
  CHECK(F::kl_div(log_q, t).item<double>() == doctest::Approx((kl0 + kl1) / 4));
  CHECK(F::kl_div(log_q, log(t), {.reduction = F::Reduction::Sum, .log_target = true}).item<double>() == doctest::Approx(kl0 + kl1));
  CHECK(values(F::kl_div(log_q, t, {.reduction = F::Reduction::None}))[3] == 0);  // a zero target contributes 0, not NaN
}

TEST_CASE("hardtanh, relu6, hardsigmoid, hardswish and mish match their formulas") {
  const Tensor x = tensor<double>({-7.0, -3.0, -0.5, 0.0, 1.5, 3.0, 8.0});
  CHECK(values(F::hardtanh(x)) == std::vector<double>{-1, -1, -0.5, 0, 1, 1, 1});
  CHECK(values(F::hardtanh(x, -2, 2.5)) == std::vector<double>{-2, -2, -0.5, 0, 1.5, 2.5, 2.5});
  CHECK(values(F::relu6(x)) == std::vector<double>{0, 0, 0, 0, 1.5, 3, 6});
  const auto xs = values(x);
  std::vector<double> hsig, hswish, mish;
  for (double v : xs) {
    hsig.push_back(std::clamp(v / 6 + 0.5, 0.0, 1.0));
    hswish.push_back(v * std::clamp(v + 3, 0.0, 6.0) / 6);
    mish.push_back(v * std::tanh(std::log1p(std::exp(v))));
  }
  check_close_values(values(F::hardsigmoid(x)), hsig);
  check_close_values(values(F::hardswish(x)), hswish);
  check_close_values(values(F::mish(x)), mish);
  CHECK_THROWS_WITH(F::hardtanh(x, 1, 0), "[hardtanh] max_val: expected at least min_val 1, got 0");
  CHECK_THROWS_WITH(F::mish(tensor<int64_t>({1})), "[mish] input: expected a floating-point tensor, got int64");
}

TEST_CASE("conv1d and conv_transpose2d match loops written here") {
  manual_seed(21);
  // conv1d: out[n][o][l] = b[o] + sum over c in o's group, k of x[n][c][l s - p + k d] w[o][c][k].
  const int64_t n = 2, c = 4, length = 9, out_c = 6, k = 3, groups = 2, stride = 2, padding = 2, dilation = 2;
  const Tensor x = randn({n, c, length}, DType::Float64), w = randn({out_c, c / groups, k}, DType::Float64);
  const Tensor b = randn({out_c}, DType::Float64);
  const Tensor y = F::conv1d(x, w, b, {.stride = stride, .padding = padding, .dilation = dilation, .groups = groups});
  const int64_t out_len = (length + 2 * padding - dilation * (k - 1) - 1) / stride + 1;
  REQUIRE(y.sizes().equals({n, out_c, out_len}));
  const auto xv = values(x), wv = values(w), bv = values(b), yv = values(y);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t o = 0; o < out_c; ++o) {
      for (int64_t l = 0; l < out_len; ++l) {
        double sum = bv[o];
        const int64_t group = o / (out_c / groups);
        for (int64_t ci = 0; ci < c / groups; ++ci) {
          for (int64_t t = 0; t < k; ++t) {
            const int64_t pos = l * stride - padding + t * dilation;
            if (pos >= 0 && pos < length) sum += xv[(i * c + group * (c / groups) + ci) * length + pos] * wv[(o * (c / groups) + ci) * k + t];
          }
        }
        CHECK(yv[(i * out_c + o) * out_len + l] == doctest::Approx(sum).epsilon(1e-12));
      }
    }
  }
  CHECK(F::conv1d(x.select(0, 0), w, b, {.stride = stride, .padding = padding, .dilation = dilation, .groups = groups})
            .sizes().equals({out_c, out_len}));
  CHECK_THROWS_WITH(F::conv1d(x, w.unsqueeze(0)), "[conv1d] weight: expected [out_channels, in_channels / groups, kernel_size], got [1, 6, 2, 3]");
  CHECK_THROWS_WITH(F::conv1d(x.unsqueeze(0), w), "[conv1d] input: expected a [N, C, L] or [C, L] tensor, got [1, 2, 4, 9]");

  // conv_transpose2d scatters: out[n][o][h s - p + i d + ...] += x[n][c][h][w] wt[c][o'][i][j].
  const int64_t cin = 4, cout = 6, h = 3, wd = 2, kh = 2, kw = 3, g = 2;
  const F::ConvTranspose2dOptions options = {.stride = {2, 3}, .padding = {1, 0}, .output_padding = {1, 2}, .groups = g, .dilation = {1, 2}};
  const Tensor xt = randn({n, cin, h, wd}, DType::Float64), wt = randn({cin, cout / g, kh, kw}, DType::Float64);
  const Tensor bt = randn({cout}, DType::Float64);
  const Tensor yt = F::conv_transpose2d(xt, wt, bt, options);
  const int64_t oh = (h - 1) * 2 - 2 * 1 + 1 * (kh - 1) + 1 + 1, ow = (wd - 1) * 3 - 0 + 2 * (kw - 1) + 2 + 1;
  REQUIRE(yt.sizes().equals({n, cout, oh, ow}));
  std::vector<double> expected(static_cast<size_t>(n * cout * oh * ow));
  const auto xtv = values(xt), wtv = values(wt), btv = values(bt);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t o = 0; o < cout; ++o) {
      for (int64_t p = 0; p < oh * ow; ++p) expected[(i * cout + o) * oh * ow + p] = btv[o];
    }
    for (int64_t ci = 0; ci < cin; ++ci) {
      const int64_t group = ci / (cin / g);
      for (int64_t oo = 0; oo < cout / g; ++oo) {
        const int64_t o = group * (cout / g) + oo;
        for (int64_t y0 = 0; y0 < h; ++y0) {
          for (int64_t x0 = 0; x0 < wd; ++x0) {
            for (int64_t a = 0; a < kh; ++a) {
              for (int64_t e = 0; e < kw; ++e) {
                const int64_t py = y0 * 2 - 1 + a * 1, px = x0 * 3 - 0 + e * 2;
                if (py < 0 || py >= oh || px < 0 || px >= ow) continue;
                expected[((i * cout + o) * oh + py) * ow + px] +=
                    xtv[((i * cin + ci) * h + y0) * wd + x0] * wtv[((ci * (cout / g) + oo) * kh + a) * kw + e];
              }
            }
          }
        }
      }
    }
  }
  check_close_values(values(yt), expected);
  CHECK_THROWS_WITH(F::conv_transpose2d(xt, wt, bt, {.stride = {2, 2}, .output_padding = {2, 0}}),
                    "[conv_transpose2d] output_padding: expected values from 0 to below the stride [2, 2], got [2, 0]");
  CHECK_THROWS_WITH(F::conv_transpose2d(xt.narrow(1, 0, 3), wt, bt, {.groups = g}),
                    "[conv_transpose2d] input: expected 4 channels (the weight's first dimension), got 3");
  CHECK_THROWS_WITH(F::conv_transpose2d(xt, wt, bt, {.groups = 3}),
                    "[conv_transpose2d] groups: expected a positive divisor of the weight's 4 input channels, got 3");
  CHECK_THROWS_WITH(F::conv_transpose2d(xt, wt, Tensor(), {.stride = {INT64_MAX, 1}}),
                    doctest::Contains("[conv_transpose2d] input: the output would be"));
  CHECK_THROWS_WITH(F::conv_transpose2d(xt, wt, Tensor(), {.padding = {5, 0}}),
                    doctest::Contains("expected a positive size that int64 holds"));
}

TEST_CASE("adaptive_avg_pool2d averages PyTorch's windows, equal or not") {
  manual_seed(9);
  const Tensor x = randn({2, 3, 5, 7}, DType::Float64);
  const auto v = values(x);
  auto expect = [&](int64_t oh, int64_t ow) {
    std::vector<double> e;
    for (int64_t nc = 0; nc < 6; ++nc) {
      for (int64_t i = 0; i < oh; ++i) {
        for (int64_t j = 0; j < ow; ++j) {
          const int64_t h0 = i * 5 / oh, h1 = ((i + 1) * 5 + oh - 1) / oh;
          const int64_t w0 = j * 7 / ow, w1 = ((j + 1) * 7 + ow - 1) / ow;
          double sum = 0;
          for (int64_t h = h0; h < h1; ++h) {
            for (int64_t w = w0; w < w1; ++w) sum += v[(nc * 5 + h) * 7 + w];
          }
          e.push_back(sum / static_cast<double>((h1 - h0) * (w1 - w0)));
        }
      }
    }
    return e;
  };
  for (const F::Pair size : {F::Pair{1, 1}, F::Pair{5, 7}, F::Pair{3, 4}, F::Pair{2, 3}, F::Pair{8, 9}, F::Pair{5, 1}}) {
    CAPTURE(size[0]);
    CAPTURE(size[1]);
    const Tensor out = F::adaptive_avg_pool2d(x, size);
    CHECK(out.sizes().equals({2, 3, size[0], size[1]}));
    check_close_values(values(out), expect(size[0], size[1]));
  }
  CHECK(F::adaptive_avg_pool2d(x.select(0, 0), {2, 2}).sizes().equals({3, 2, 2}));  // unbatched
  CHECK_THROWS_WITH(F::adaptive_avg_pool2d(x, {int64_t{1} << 40, int64_t{1} << 40}),
                    "[empty] size: the number of elements overflows int64");
  CHECK_THROWS_WITH(F::adaptive_avg_pool2d(x.select(0, 0).narrow(0, 0, 1), {int64_t{1} << 30, int64_t{1} << 30}),
                    doctest::Contains("[empty]"));  // 2^60 floats: refused before 2^30 windows are laid out
  CHECK_THROWS_WITH(F::adaptive_avg_pool2d(x, {0, 2}), "[adaptive_avg_pool2d] output_size: expected values of at least 1, got [0, 2]");
  CHECK_THROWS_WITH(F::adaptive_avg_pool2d(zeros({1, 2, 0, 3}), {1, 1}),
                    "[adaptive_avg_pool2d] input: expected a non-empty height and width, got [1, 2, 0, 3]");
  CHECK_THROWS_WITH(F::adaptive_avg_pool2d(x.to(DType::Int64), {1, 1}),
                    "[adaptive_avg_pool2d] input: expected a floating-point tensor, got int64");
}

TEST_CASE("mse_loss and binary_cross_entropy_with_logits match their formulas, stably for large logits") {
  const Tensor a = tensor<double>({1, 2, 3}), b = tensor<double>({1.5, 2, 1});
  CHECK(F::mse_loss(a, b).item<double>() == doctest::Approx((0.25 + 0 + 4) / 3));
  CHECK(F::mse_loss(a, b, F::Reduction::Sum).item<double>() == doctest::Approx(4.25));
  CHECK_THROWS_WITH(F::mse_loss(a, ones({2})), "[mse_loss] target: expected shape [3] like input, got [2]");

  const std::vector<double> x = {-800, -1, 0, 2, 800}, y = {0, 1, 0.5, 0, 1};
  const Tensor logits = tensor<double>(x, {5}), targets = tensor<double>(y, {5});
  const auto loss = values(F::binary_cross_entropy_with_logits(logits, targets, {.reduction = F::Reduction::None}));
  for (size_t i = 0; i < x.size(); ++i) {
    // -y log(sigmoid(x)) - (1 - y) log(1 - sigmoid(x)), with log(1 + e^-x) computed stably.
    const double softplus_neg = std::log1p(std::exp(-std::abs(x[i]))) + std::max(-x[i], 0.0);
    CHECK(loss[i] == doctest::Approx(y[i] * softplus_neg + (1 - y[i]) * (softplus_neg + x[i])));
  }
  const Tensor pos_weight = tensor<double>({3.0});
  const double with_pos = values(F::binary_cross_entropy_with_logits(
      tensor<double>({-1.0}), tensor<double>({1.0}), {.pos_weight = pos_weight}))[0];
  CHECK(with_pos == doctest::Approx(3 * std::log1p(std::exp(1.0))));
  CHECK_THROWS_WITH(F::binary_cross_entropy_with_logits(ones({2, 3}), ones({2, 3}), {.pos_weight = ones({2})}),
                    "[binary_cross_entropy_with_logits] pos_weight: shapes [2] and [2, 3] do not broadcast (dimension 1: 2 vs 3)");
  CHECK_THROWS_WITH(F::binary_cross_entropy_with_logits(ones({3}), ones({3}), {.weight = ones({2, 3})}),
                    "[binary_cross_entropy_with_logits] weight: expected a shape that broadcasts to [3], got [2, 3]");
}

TEST_CASE("leaky_relu, elu and softplus match their formulas; softplus stays exact far from zero") {
  const std::vector<double> x = {-800, -30, -2, -1e-3, 0, 1e-3, 2, 30, 800};
  const Tensor t = tensor<double>(x, {9});
  const auto leaky = values(F::leaky_relu(t, 0.2)), elu = values(F::elu(t, 1.5)), soft = values(F::softplus(t));
  const auto sharp = values(F::softplus(t, 2.0, 5.0));
  for (size_t i = 0; i < x.size(); ++i) {
    CAPTURE(x[i]);
    CHECK(leaky[i] == doctest::Approx(x[i] > 0 ? x[i] : 0.2 * x[i]));
    CHECK(elu[i] == doctest::Approx(x[i] > 0 ? x[i] : 1.5 * std::expm1(x[i])));
    // log1p(exp(x)) where it does not overflow (log(1 + e^-30) would lose most digits); x itself
    // past the threshold of 20.
    CHECK(relative_close(soft[i], x[i] > 20 ? x[i] : std::log1p(std::exp(x[i]))));
    CHECK(relative_close(sharp[i], 2 * x[i] > 5 ? x[i] : std::log1p(std::exp(2 * x[i])) / 2));
  }
  CHECK_THROWS_WITH(F::leaky_relu(tensor<int64_t>({1})), "[leaky_relu] input: expected a floating-point tensor, got int64");
  CHECK_THROWS_WITH(F::softplus(t, 0.0), "[softplus] beta: expected a finite non-zero value, got 0");
}

TEST_CASE("normalize and cosine_similarity divide by the norm, clamped at eps") {
  const Tensor x = tensor<double>({3, 4, 0, 0, 1, -1}, {3, 2});
  const auto unit = values(F::normalize(x));  // along dim 1: rows (3, 4), (0, 0), (1, -1)
  const double r = 1 / std::sqrt(2.0);
  const std::vector<double> expected = {0.6, 0.8, 0, 0, r, -r};
  for (size_t i = 0; i < expected.size(); ++i) CHECK(unit[i] == doctest::Approx(expected[i]));
  const auto l1 = values(F::normalize(x, 1.0, 0));  // columns: |3| + |0| + |1| = 4, 4 + 0 + 1 = 5
  CHECK(l1[0] == doctest::Approx(0.75));
  CHECK(l1[5] == doctest::Approx(-0.2));
  const auto p3 = values(F::normalize(tensor<double>({1, 2}), 3.0, 0));
  CHECK(p3[1] == doctest::Approx(2 / std::cbrt(9.0)));
  const auto cos = values(F::cosine_similarity(tensor<double>({1, 0, 1, 1, 0, 0}, {3, 2}), tensor<double>({1, 0})));
  CHECK(cos[0] == doctest::Approx(1.0));
  CHECK(cos[1] == doctest::Approx(r));
  CHECK(cos[2] == 0.0);  // a zero vector: 0 / eps
  CHECK_THROWS_WITH(F::normalize(x, -1.0), "[normalize] p: expected a positive finite norm order, got -1");
  CHECK_THROWS_WITH(F::normalize(x, 2.0, 2), "[normalize] dim: expected a value in [-2, 1], got 2");
  CHECK_THROWS_WITH(F::cosine_similarity(ones({2, 3}), ones({2})),
                    "[cosine_similarity] x2: shapes [2, 3] and [2] do not broadcast (dimension 1: 3 vs 2)");
}

TEST_CASE("group_norm and rms_norm match loops written here") {
  const Tensor x = randn({2, 4, 3}, DType::Float64);
  const auto v = values(x);
  const Tensor weight = tensor<double>({1, 2, 3, 4}), bias = tensor<double>({0, 0.5, 0, -1});
  const auto got = values(F::group_norm(x, 2, weight, bias, 1e-5));
  for (int n = 0; n < 2; ++n) {
    for (int g = 0; g < 2; ++g) {
      const int first = n * 12 + g * 6;  // each group: 2 channels of 3 positions, contiguous
      double mean = 0, var = 0;
      for (int i = 0; i < 6; ++i) mean += v[first + i] / 6;
      for (int i = 0; i < 6; ++i) var += (v[first + i] - mean) * (v[first + i] - mean) / 6;
      for (int i = 0; i < 6; ++i) {
        const int channel = g * 2 + i / 3;
        const double expected = (v[first + i] - mean) / std::sqrt(var + 1e-5) * (channel + 1) + values(bias)[channel];
        CHECK(got[first + i] == doctest::Approx(expected));
      }
    }
  }
  const auto rms = values(F::rms_norm(x, {3}, tensor<double>({1, 2, 3})));
  for (int row = 0; row < 8; ++row) {
    double mean_square = 0;
    for (int i = 0; i < 3; ++i) mean_square += v[row * 3 + i] * v[row * 3 + i] / 3;
    for (int i = 0; i < 3; ++i) {
      CHECK(rms[row * 3 + i] == doctest::Approx(v[row * 3 + i] / std::sqrt(mean_square + 0x1p-52) * (i + 1)));
    }
  }
  CHECK(values(F::rms_norm(zeros({2}, DType::Float64), {2})) == std::vector<double>{0, 0});  // eps keeps 0 / 0 away
  CHECK_THROWS_WITH(F::group_norm(x, 3), "[group_norm] num_groups: expected a positive divisor of the 4 channels, got 3");
  CHECK_THROWS_WITH(F::group_norm(x, 2, ones({3}, DType::Float64)), "[group_norm] weight: expected shape [4], got [3]");
  CHECK_THROWS_WITH(F::rms_norm(x, {4}), "[rms_norm] input: expected trailing dimensions [4], got shape [2, 4, 3]");
  CHECK_THROWS_WITH(F::rms_norm(ones({2}, DType::Int64), {2}), "[rms_norm] input: expected a floating-point tensor, got int64");
  CHECK_THROWS_WITH(F::group_norm(ones({4}), 2), "[group_norm] input: expected a floating-point [N, C, *] tensor, got float32 [4]");
}

TEST_CASE("one_hot and pad") {
  const Tensor classes = tensor<int64_t>({2, 0, 1, 2}, {2, 2});
  const Tensor hot = F::one_hot(classes);
  CHECK(hot.sizes().equals({2, 2, 3}));
  CHECK(hot.dtype() == DType::Int64);
  CHECK(to_vector<int64_t>(hot) == std::vector<int64_t>{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1});
  CHECK(F::one_hot(tensor<uint8_t>({1}), 300).sizes().equals({1, 300}));
  CHECK(F::one_hot(empty({0}, DType::Int64), 4).sizes().equals({0, 4}));
  CHECK_THROWS_WITH(F::one_hot(classes, 2), "[one_hot] indices: expected class indices in [0, 2), got 2");
  CHECK_THROWS_WITH(F::one_hot(tensor<int64_t>({-1})), "[one_hot] indices: expected class indices in [0, 0), got -1");
  CHECK_THROWS_WITH(F::one_hot(empty({0}, DType::Int64)),
                    "[one_hot] num_classes: cannot infer the number of classes from an empty tensor; pass num_classes");
  CHECK_THROWS_WITH(F::one_hot(ones({2})), "[one_hot] indices: expected an integer tensor, got float32");

  const Tensor m = arange(1, 7).reshape({2, 3}).to(DType::Float32);
  const Tensor padded = F::pad(m, {1, 0, 0, 2}, -1);  // one column before, two rows after
  CHECK(padded.sizes().equals({4, 4}));
  CHECK(to_vector<float>(padded) == std::vector<float>{-1, 1, 2, 3, -1, 4, 5, 6, -1, -1, -1, -1, -1, -1, -1, -1});
  CHECK(to_vector<float>(F::pad(m, {-1, 1})) == std::vector<float>{2, 3, 0, 5, 6, 0});  // crops the first column
  CHECK(F::pad(m, {0, 0, -2, 0}).sizes().equals({0, 3}));
  CHECK_THROWS_WITH(F::pad(m, {1}), "[pad] pad: expected pairs of counts for at most the input's 2 dimensions, got [1]");
  CHECK_THROWS_WITH(F::pad(m, {-2, -2}), "[pad] pad: counts -2 and -2 crop more than the 3 elements of dimension 1");
  CHECK_THROWS_WITH(F::pad(m, {std::numeric_limits<int64_t>::min(), 0}),
                    "[pad] pad: counts -9223372036854775808 and 0 crop more than the 3 elements of dimension 1");
  CHECK_THROWS_AS(F::pad(m, {std::numeric_limits<int64_t>::max(), 0, 0, 3}), ember::Error);
}

TEST_CASE("scaled_dot_product_attention matches softmax(q k^T / sqrt(E)) v written out") {
  const Tensor q = randn({2, 3, 4}, DType::Float64), k = randn({2, 5, 4}, DType::Float64), v = randn({2, 5, 2}, DType::Float64);
  const auto qv = values(q), kv = values(k), vv = values(v);
  // keep[l][s]: whether query l may attend to key s (the bool mask below).
  const bool keep[3][5] = {{1, 1, 0, 1, 0}, {0, 1, 1, 1, 1}, {1, 0, 0, 0, 0}};
  std::vector<bool> mask_values;
  for (const auto& row : keep) mask_values.insert(mask_values.end(), row, row + 5);
  const Tensor mask = from_host(std::vector<char>(mask_values.begin(), mask_values.end()).data(), 15, DType::Bool, {3, 5});
  auto reference = [&](bool masked, bool causal) {
    std::vector<double> out;
    for (int b = 0; b < 2; ++b) {
      for (int l = 0; l < 3; ++l) {
        std::vector<double> w(5);
        double total = 0;
        for (int s = 0; s < 5; ++s) {
          double dot = 0;
          for (int e = 0; e < 4; ++e) dot += qv[(b * 3 + l) * 4 + e] * kv[(b * 5 + s) * 4 + e];
          const bool allowed = (!masked || keep[l][s]) && (!causal || s <= l);
          w[s] = allowed ? std::exp(dot / 2) : 0;  // 1 / sqrt(4)
          total += w[s];
        }
        for (int j = 0; j < 2; ++j) {
          double acc = 0;
          for (int s = 0; s < 5; ++s) acc += w[s] / total * vv[(b * 5 + s) * 2 + j];
          out.push_back(acc);
        }
      }
    }
    return out;
  };
  auto check_against = [](const Tensor& got, const std::vector<double>& expected) {
    const auto g = values(got);
    REQUIRE(g.size() == expected.size());
    for (size_t i = 0; i < g.size(); ++i) CHECK(g[i] == doctest::Approx(expected[i]));
  };
  check_against(F::scaled_dot_product_attention(q, k, v), reference(false, false));
  check_against(F::scaled_dot_product_attention(q, k, v, {.attn_mask = mask}), reference(true, false));
  check_against(F::scaled_dot_product_attention(q, k, v, {.is_causal = true}), reference(false, true));
  // A floating mask of 0 and -inf is the same bool mask.
  const Tensor additive = where(mask, zeros({}, DType::Float64), full({}, -INFINITY, DType::Float64));
  check_against(F::scaled_dot_product_attention(q, k, v, {.attn_mask = additive}), reference(true, false));
  const Tensor doubled = F::scaled_dot_product_attention(q, k, v, {.scale = 1.0});
  check_against(doubled, values(F::scaled_dot_product_attention(q * std::sqrt(2.0), k * std::sqrt(2.0), v)));
  CHECK_THROWS_WITH(F::scaled_dot_product_attention(q, k.narrow(2, 0, 3), v),
                    "[scaled_dot_product_attention] key: expected 4 features like the query, got shape [2, 5, 3]");
  CHECK_THROWS_WITH(F::scaled_dot_product_attention(q, k, v, {.attn_mask = ones({4, 5}, DType::Bool)}),
                    "[scaled_dot_product_attention] attn_mask: shapes [2, 3, 5] and [4, 5] do not broadcast (dimension 1: 3 vs 4)");
  CHECK_THROWS_WITH(F::scaled_dot_product_attention(q, k, v, {.attn_mask = mask, .is_causal = true}),
                    "[scaled_dot_product_attention] attn_mask: expected no mask with is_causal, which makes its own");
  CHECK_THROWS_WITH(F::scaled_dot_product_attention(q, k, v, {.attn_mask = ones({3, 5}, DType::Int64)}),
                    "[scaled_dot_product_attention] attn_mask: expected a bool or floating-point mask, got int64");
}

TEST_CASE("avg_pool2d checks its window against its own arguments") {
  const Tensor x = ones({1, 2, 4, 4});
  CHECK_THROWS_WITH(F::avg_pool2d(x, {0, 2}), "[avg_pool2d] kernel_size: expected values of at least 1, got [0, 2]");
  CHECK_THROWS_WITH(F::avg_pool2d(x, {2, 2}, {.stride = F::Pair{0, 1}}),
                    "[avg_pool2d] stride: expected values of at least 1, got [0, 1]");
  CHECK_THROWS_WITH(F::avg_pool2d(x, {2, 2}, {.padding = {-1, 0}}),
                    "[avg_pool2d] padding: expected values from 0 to half the kernel size [2, 2], got [-1, 0]");
  CHECK_THROWS_WITH(F::avg_pool2d(x, {2, 2}, {.padding = {2, 0}}),
                    "[avg_pool2d] padding: expected values from 0 to half the kernel size [2, 2], got [2, 0]");
  CHECK_THROWS_WITH(F::avg_pool2d(x, {7, 2}, {.padding = {1, 0}}),
                    "[avg_pool2d] kernel_size: expected at most the input's 4x4 plus twice the padding [1, 0], got [7, 2]");
  const int64_t huge = std::numeric_limits<int64_t>::max();
  CHECK_THROWS_AS(F::avg_pool2d(x, {huge, 2}, {.padding = {huge / 2, 0}}), ember::Error);  // no sum overflows on the way
  CHECK(F::avg_pool2d(x, {6, 2}, {.padding = {1, 0}}).sizes().vec() == std::vector<int64_t>{1, 2, 1, 2});
}

TEST_CASE("the composites' gradients agree with finite differences") {
  using V = const TensorVector&;
  const Tensor target = tensor<int64_t>({2, 0, 1, -100});
  const Tensor class_weight = tensor<double>({0.5, 1.0, 2.0});
  autograd::gradcheck([&](V x) { return F::cross_entropy(x[0], target, {.weight = class_weight, .label_smoothing = 0.3}); },
                      {random_input({4, 3})});
  autograd::gradcheck([&](V x) { return F::binary_cross_entropy_with_logits(x[0], x[1], {.pos_weight = tensor<double>({2.0, 0.5})}); },
                      {random_input({3, 2}), random_input({3, 2})});
  autograd::gradcheck([](V x) { return F::mse_loss(x[0], x[1]); }, {random_input({5}), random_input({5})});
  autograd::gradcheck([](V x) { return F::linear(x[0], x[1], x[2]); }, {random_input({2, 3}), random_input({4, 3}), random_input({4})});
  autograd::gradcheck([](V x) { return F::conv2d(x[0], x[1], x[2], {.padding = {1, 1}}); },
                      {random_input({2, 2, 4, 4}), random_input({3, 2, 3, 3}), random_input({3})});
  autograd::gradcheck([](V x) { return F::avg_pool2d(x[0], {2, 2}, {.stride = std::optional<F::Pair>({1, 1}), .padding = {1, 1}}); },
                      {random_input({1, 2, 3, 3})});
  autograd::gradcheck([](V x) { return F::batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); },
                      {random_input({3, 2, 2}), random_input({2}), random_input({2})});
  autograd::gradcheck([](V x) { return F::layer_norm(x[0], {3}, x[1], x[2]); },
                      {random_input({2, 3}), random_input({3}), random_input({3})});
  autograd::gradcheck([](V x) { return F::embedding(tensor<int64_t>({1, 1, 0}), x[0]); }, {random_input({3, 2})});
  autograd::gradgradcheck([&](V x) { return F::cross_entropy(x[0], target, {.label_smoothing = 0.1}); }, {random_input({4, 3})});
  autograd::gradcheck([](V x) { return F::leaky_relu(x[0], 0.3) + F::elu(x[0], 0.7) + F::softplus(x[0], 1.5, 1.0); },
                      {random_input({7})});
  autograd::gradcheck([](V x) { return F::normalize(x[0], 2.0, 0) + F::normalize(x[0], 3.0, 1); }, {random_input({3, 2})});
  autograd::gradcheck([](V x) { return F::cosine_similarity(x[0], x[1], -1); }, {random_input({2, 3}), random_input({3})});
  autograd::gradcheck([](V x) { return F::group_norm(x[0], 2, x[1], x[2]); },
                      {random_input({2, 4, 2}), random_input({4}), random_input({4})});
  autograd::gradcheck([](V x) { return F::rms_norm(x[0], {3}, x[1]); }, {random_input({2, 3}), random_input({3})});
  autograd::gradcheck([](V x) { return F::pad(x[0], {1, -1, 2, 0}, 0.5); }, {random_input({2, 3})});
  autograd::gradcheck([](V x) { return F::scaled_dot_product_attention(x[0], x[1], x[2], {.is_causal = true}); },
                      {random_input({2, 3, 2}), random_input({2, 3, 2}), random_input({2, 3, 2})});
  const Tensor classes = tensor<int64_t>({2, 0, 1, -100, 1, 1}, {2, 3});
  autograd::gradcheck([&](V x) { return F::cross_entropy(x[0], classes, {.label_smoothing = 0.2}); }, {random_input({2, 3, 3})});
  autograd::gradcheck([](V x) { return F::cross_entropy(x[0], x[1].softmax(1)); }, {random_input({2, 3}), random_input({2, 3})});
  autograd::gradcheck([](V x) { return F::l1_loss(x[0], x[1]) + F::smooth_l1_loss(x[0], x[1], {.reduction = F::Reduction::Sum, .beta = 0.5}) +
                                       F::huber_loss(x[0], x[1], {.delta = 0.7}); },
                      {random_input({6}), random_input({6})});
  autograd::gradcheck([](V x) { return F::binary_cross_entropy(sigmoid(x[0]), sigmoid(x[1])); }, {random_input({5}), random_input({5})});
  autograd::gradcheck([](V x) { return F::kl_div(log_softmax(x[0], 1), x[1].softmax(1), {.reduction = F::Reduction::BatchMean}); },
                      {random_input({2, 3}), random_input({2, 3})});
  autograd::gradcheck([](V x) { return F::hardtanh(x[0], -0.5, 0.5) + F::hardswish(x[0] * 4) + F::mish(x[0]) +
                                       F::hardsigmoid(x[0] * 4); },
                      {random_input({7})});
  autograd::gradcheck([](V x) { return F::adaptive_avg_pool2d(x[0], {2, 3}); }, {random_input({1, 2, 3, 5})});
  autograd::gradcheck([](V x) { return F::conv1d(x[0], x[1], x[2], {.stride = 2, .padding = 1, .groups = 2}); },
                      {random_input({2, 4, 5}), random_input({2, 2, 3}), random_input({2})});
  autograd::gradcheck([](V x) { return F::conv_transpose2d(x[0], x[1], x[2], {.stride = {2, 1}, .output_padding = {1, 0}}); },
                      {random_input({1, 2, 2, 3}), random_input({2, 3, 2, 2}), random_input({3})});
  // At a zero vector the clamp holds the norm at eps: the gradient is 1/eps along the input, not NaN.
  const Tensor zero = zeros({2}, DType::Float64).requires_grad_();
  F::normalize(zero, 2.0, 0, 0.5).sum().backward();
  CHECK(values(zero.grad()) == std::vector<double>{2.0, 2.0});
  const Tensor big = tensor<double>({100.0, -100.0}).requires_grad_();  // exp(100 * 10) overflows
  F::elu(big * 10).sum().backward();
  CHECK(values(big.grad()) == std::vector<double>{10.0, 0.0});
}

TEST_CASE("interpolate resamples as PyTorch's: nearest, nearest-exact and the linear modes") {
  const Tensor square = tensor<double>({1, 2, 3, 4}, {1, 1, 2, 2});
  check_close_values(values(F::interpolate(square, {.scale_factor = {2}})),
                     {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  // PyTorch's bilinear upsampling of [[1, 2], [3, 4]] by 2, and with the corners aligned to 3 x 3.
  check_close_values(values(F::interpolate(square, {.scale_factor = {2}, .mode = "bilinear"})),
                     {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
  check_close_values(values(F::interpolate(square, {.size = {3}, .mode = "bilinear", .align_corners = true})),
                     {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
  const Tensor line = tensor<double>({1, 2}, {1, 1, 2});
  check_close_values(values(F::interpolate(line, {.size = {4}, .mode = "linear"})), {1, 1.25, 1.75, 2});
  check_close_values(values(F::interpolate(line, {.size = {4}, .mode = "linear", .align_corners = true})),
                     {1, 4.0 / 3, 5.0 / 3, 2});
  // Downsampling: nearest takes floor(j * scale), nearest-exact the centre's floor((j + 0.5) * scale).
  const Tensor six = arange(6, DType::Float64).reshape({1, 1, 6});
  check_close_values(values(F::interpolate(six, {.size = {3}})), {0, 2, 4});
  check_close_values(values(F::interpolate(six, {.size = {3}, .mode = "nearest-exact"})), {1, 3, 5});
  // A factor maps coordinates by 1 / factor (3 -> 5 with 1.7, not 3 / 5), left of the first centre clamped.
  const Tensor three = tensor<double>({0, 10, 20}, {1, 1, 3});
  check_close_values(values(F::interpolate(three, {.scale_factor = {1.7}, .mode = "linear"})),
                     {0, (1.5 / 1.7 - 0.5) * 10, (2.5 / 1.7 - 0.5) * 10, (3.5 / 1.7 - 0.5) * 10, 20});
  // Per-dimension sizes and factors; integer images resample by nearest; trilinear over 5-D.
  const Tensor image = arange(12, DType::UInt8).reshape({1, 1, 3, 4});
  const Tensor resized = F::interpolate(image, {.size = {2, 8}});
  CHECK(resized.dtype() == DType::UInt8);
  CHECK(to_vector<int64_t>(resized) == std::vector<int64_t>{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7});
  CHECK(F::interpolate(zeros({2, 3, 4, 5}), {.scale_factor = {0.5, 2}}).sizes().equals({2, 3, 2, 10}));
  const Tensor cube = randn({1, 2, 2, 3, 2}, DType::Float64);
  const Tensor same = F::interpolate(cube, {.size = {2, 3, 2}, .mode = "trilinear"});
  check_close_values(values(same), values(cube));
}

TEST_CASE("interpolate resamples as PyTorch's: bicubic, antialiased and area") {
  // PyTorch's bicubic upsampling of [[1, 2], [3, 4]] by 2 (Keys' kernel with a = -0.75, the edge
  // sample read again past the border): every row is the first row shifted.
  const Tensor square = tensor<double>({1, 2, 3, 4}, {1, 1, 2, 2});
  const std::vector<double> first_row = {0.68359375, 1.015625, 1.5625, 1.89453125};
  std::vector<double> expected;
  for (const double shift : {0.0, 0.6640625, 1.7578125, 2.421875}) {
    for (const double v : first_row) expected.push_back(v + shift);
  }
  check_close_values(values(F::interpolate(square, {.scale_factor = {2}, .mode = "bicubic"})), expected);
  // With the corners aligned, halfway between samples weighs the four neighbours
  // -0.09375, 0.59375, 0.59375, -0.09375.
  const Tensor spike = tensor<double>({0, 0, 1, 0}, {1, 1, 1, 4});
  check_close_values(values(F::interpolate(spike, {.size = {1, 7}, .mode = "bicubic", .align_corners = true})),
                     {0, -0.09375, 0, 0.59375, 1, 0.59375, 0});
  // Antialiased halving is PIL's triangle filter two samples wide: weights 1/8, 3/8, 3/8, 1/8 inside,
  // renormalised where the footprint crosses the border.
  const Tensor ramp = arange(8, DType::Float64).reshape({1, 1, 8});
  check_close_values(values(F::interpolate(ramp, {.size = {4}, .mode = "linear", .antialias = true})),
                     {5.0 / 7, 2.5, 4.5, 44.0 / 7});
  check_close_values(values(F::interpolate(ramp, {.size = {4}, .mode = "linear"})), {0.5, 2.5, 4.5, 6.5});
  const Tensor flat = full({1, 2, 9, 7}, 3.0, DType::Float64);
  check_close_values(values(F::interpolate(flat, {.size = {4, 2}, .mode = "bicubic", .antialias = true})),
                     std::vector<double>(16, 3.0));
  // Area is adaptive average pooling: window i spans [floor(6 i / 4), ceil(6 (i + 1) / 4)).
  const Tensor six = arange(6, DType::Float64).reshape({1, 1, 6});
  check_close_values(values(F::interpolate(six, {.size = {4}, .mode = "area"})), {0.5, 1.5, 3.5, 4.5});
  check_close_values(values(F::interpolate(six, {.scale_factor = {0.5}, .mode = "area"})), {0.5, 2.5, 4.5});
}

TEST_CASE("interpolate differentiates through its samples and refuses what it cannot resample") {
  const TensorVector inputs = {random_input({1, 2, 3, 4})};
  autograd::gradcheck([](const TensorVector& x) { return F::interpolate(x[0], {.size = {5, 3}, .mode = "bilinear"}); }, inputs);
  autograd::gradcheck([](const TensorVector& x) {
    return F::interpolate(x[0].unsqueeze(2), {.scale_factor = {2, 1.5, 0.5}, .mode = "trilinear", .align_corners = true});
  }, inputs);
  autograd::gradcheck([](const TensorVector& x) { return F::interpolate(x[0], {.size = {7}}); }, inputs);
  autograd::gradcheck([](const TensorVector& x) { return F::interpolate(x[0], {.size = {5, 3}, .mode = "bicubic"}); }, inputs);
  autograd::gradcheck([](const TensorVector& x) {
    return F::interpolate(x[0], {.size = {2, 2}, .mode = "bilinear", .antialias = true});
  }, inputs);
  const Tensor x = zeros({1, 1, 4});
  CHECK_THROWS_WITH(F::interpolate(x, {.size = {8}, .mode = "bilinear"}),
                    "[interpolate] mode: \"bilinear\" needs a 4-D input, got 1 spatial dimensions (3-D)");
  CHECK_THROWS_WITH(F::interpolate(x, {.size = {8}, .mode = "cubic"}),
                    "[interpolate] mode: expected \"nearest\", \"nearest-exact\", \"linear\", \"bilinear\", "
                    "\"bicubic\", \"trilinear\" or \"area\", got \"cubic\"");
  CHECK_THROWS_WITH(F::interpolate(x, {.size = {8}, .mode = "bicubic"}),
                    "[interpolate] mode: \"bicubic\" needs a 4-D input, got 1 spatial dimensions (3-D)");
  CHECK_THROWS_WITH(F::interpolate(x, {.size = {8}, .align_corners = false}),
                    "[interpolate] align_corners: only the linear and cubic modes take it, not \"nearest\"");
  CHECK_THROWS_WITH(F::interpolate(x, {.size = {2}, .mode = "area", .antialias = true}),
                    "[interpolate] antialias: only the linear and cubic modes take it, not \"area\"");
  CHECK_THROWS_WITH(F::interpolate(zeros({1, 1, 4}, DType::Int32), {.size = {2}, .mode = "area"}),
                    "[interpolate] input: the area mode needs a floating-point tensor, got int32");
  CHECK_THROWS_WITH(F::interpolate(x, {}), "[interpolate] size: expected either size or scale_factor, got neither");
  CHECK_THROWS_WITH(F::interpolate(x, {.size = {8}, .scale_factor = {2}}),
                    "[interpolate] size: expected either size or scale_factor, not both");
  CHECK_THROWS_WITH(F::interpolate(zeros({1, 1, 4, 4}), {.size = {8, 8, 8}}),
                    "[interpolate] size: expected 1 or 2 values (one per spatial dimension), got 3");
  CHECK_THROWS_WITH(F::interpolate(x, {.scale_factor = {0.1}}),
                    "[interpolate] size: expected input and output sizes above 0, got 4 -> 0 in dimension 2");
  CHECK_THROWS_WITH(F::interpolate(x, {.scale_factor = {NAN}}),
                    "[interpolate] scale_factor: expected positive finite factors, got nan");
  CHECK_THROWS_WITH(F::interpolate(arange(4).reshape({1, 1, 4}), {.size = {8}, .mode = "linear"}),
                    "[interpolate] input: the linear mode needs a floating-point tensor, got int64");
  CHECK_THROWS_WITH(F::interpolate(zeros({4, 4}), {.size = {8}}),
                    "[interpolate] input: expected [N, C] and one to three spatial dimensions (3-D to 5-D), got [4, 4]");
  CHECK_THROWS_AS(F::interpolate(x, {.size = {int64_t{1} << 60}}), Error);  // no memory holds it
}

TEST_CASE("pad's reflect, replicate and circular modes take their elements as PyTorch's do") {
  const Tensor line = tensor<double>({1, 2, 3}, {1, 1, 3});
  check_close_values(values(F::pad(line, {2, 1}, "reflect")), {3, 2, 1, 2, 3, 2});
  check_close_values(values(F::pad(line, {2, 1}, "replicate")), {1, 1, 1, 2, 3, 3});
  check_close_values(values(F::pad(line, {2, 1}, "circular")), {2, 3, 1, 2, 3, 1});
  check_close_values(values(F::pad(line, {3, 3}, "circular")), {1, 2, 3, 1, 2, 3, 1, 2, 3});
  check_close_values(values(F::pad(line, {1, 2}, "constant", 9)), {9, 1, 2, 3, 9, 9});
  const Tensor plane = tensor<double>({1, 2, 3, 4, 5, 6}, {1, 2, 3});
  check_close_values(values(F::pad(plane, {1, 1, 1, 0}, "reflect")), {5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5});
  check_close_values(values(F::pad(plane, {0, 0, 0, 2}, "replicate")), {1, 2, 3, 4, 5, 6, 4, 5, 6, 4, 5, 6});
  autograd::gradcheck([](const TensorVector& x) {
    return F::pad(x[0], {2, 1, 1, 1}, "reflect") .sum(0) + F::pad(x[0], {2, 1, 1, 1}, "replicate").sum(0) +
           F::pad(x[0], {2, 1, 1, 1}, "circular").sum(0);
  }, {random_input({2, 3, 4})});
  CHECK_THROWS_WITH(F::pad(line, {3, 0}, "reflect"),
                    "[pad] pad: the reflect mode takes counts from 0 to 2 for dimension 2 of size 3, got 3 and 0");
  CHECK_THROWS_WITH(F::pad(line, {0, 4}, "circular"),
                    "[pad] pad: the circular mode takes counts from 0 to 3 for dimension 2 of size 3, got 0 and 4");
  CHECK_THROWS_WITH(F::pad(line, {-1, 0}, "replicate"),
                    "[pad] pad: the replicate mode takes counts from 0 to any for dimension 2 of size 3, got -1 and 0");
  CHECK_THROWS_WITH(F::pad(line, {1, 1}, "mirror"),
                    "[pad] mode: expected \"constant\", \"reflect\", \"replicate\" or \"circular\", got \"mirror\"");
  CHECK_THROWS_AS(F::pad(line, {0, int64_t{1} << 60}, "replicate"), Error);  // no memory holds it
}

TEST_CASE("pixel_shuffle spreads each channel's block of sub-pixels over the plane, and pixel_unshuffle gathers it") {
  const int64_t r = 2, c = 2, h = 2, w = 3;
  const Tensor x = arange(2 * c * r * r * h * w, DType::Float64).reshape({2, c * r * r, h, w});
  const Tensor shuffled = F::pixel_shuffle(x, r);
  REQUIRE(shuffled.sizes().equals({2, c, h * r, w * r}));
  const std::vector<double> in = values(x), out = values(shuffled);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t k = 0; k < c * r * r; ++k)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t z = 0; z < w; ++z) {
          const int64_t channel = k / (r * r), i = k / r % r, j = k % r;
          const size_t from = static_cast<size_t>(((n * c * r * r + k) * h + y) * w + z);
          const size_t to = static_cast<size_t>(((n * c + channel) * h * r + y * r + i) * w * r + z * r + j);
          CHECK(out[to] == in[from]);
        }
  check_close_values(values(F::pixel_unshuffle(shuffled, r)), in);
  CHECK(F::pixel_shuffle(zeros({9, 1, 1}), 3).sizes().equals({1, 3, 3}));  // unbatched
  autograd::gradcheck([](const TensorVector& v) { return F::pixel_unshuffle(F::pixel_shuffle(v[0], 2) * 2, 2); },
                      {random_input({1, 4, 2, 1})});
  CHECK_THROWS_WITH(F::pixel_shuffle(zeros({1, 6, 2, 2}), 2),
                    "[pixel_shuffle] input: expected channels divisible by upscale_factor^2 = 4, got 6");
  CHECK_THROWS_WITH(F::pixel_unshuffle(zeros({1, 1, 3, 4}), 2),
                    "[pixel_unshuffle] input: expected a height and width divisible by downscale_factor 2, got 3 x 4");
  CHECK_THROWS_WITH(F::pixel_shuffle(zeros({4, 4}), 2), "[pixel_shuffle] input: expected [*, C, H, W], got [4, 4]");
  CHECK_THROWS_WITH(F::pixel_shuffle(zeros({1, 4, 2, 2}), std::numeric_limits<int64_t>::max()),
                    "[pixel_shuffle] upscale_factor: 9223372036854775807 squared overflows int64");
}

TEST_CASE("instance_norm normalises each channel of each sample; 1-D pooling is the 2-D one over a height of 1") {
  const Tensor x = randn({2, 3, 4, 5}, DType::Float64);
  const Tensor weight = randn({3}, DType::Float64), bias = randn({3}, DType::Float64);
  const Tensor flat = x.reshape({2, 3, 20});
  const Tensor expected = ((flat - flat.mean(2, true)) / sqrt(flat.var(2, 0, true) + 1e-5)).reshape(x.sizes()) *
                              weight.view({3, 1, 1}) + bias.view({3, 1, 1});
  check_close_values(values(F::instance_norm(x, weight, bias)), values(expected));
  autograd::gradcheck([](const TensorVector& v) { return F::instance_norm(v[0], v[1], v[2]); },
                      {random_input({2, 2, 3}), random_input({2}), random_input({2})});
  CHECK_THROWS_WITH(F::instance_norm(zeros({2, 3})),
                    "[instance_norm] input: expected a floating-point [N, C, *spatial] tensor with channels, got float32 [2, 3]");
  const Tensor seq = tensor<double>({1, 3, 2, 5, 4, 0}, {1, 1, 6});
  check_close_values(values(F::max_pool1d(seq, 2)), {3, 5, 4});
  check_close_values(values(F::max_pool1d(seq, 2, {.stride = 1})), {3, 3, 5, 5, 4});
  check_close_values(values(F::max_pool1d(seq.squeeze(0), 4, {.stride = 3, .ceil_mode = true})), {5, 5});
  check_close_values(values(F::avg_pool1d(seq, 2)), {2, 3.5, 2});
  check_close_values(values(F::avg_pool1d(seq, 3, {.stride = 2, .padding = 1})), {4.0 / 3, 10.0 / 3, 3});
  autograd::gradcheck([](const TensorVector& v) { return F::max_pool1d(v[0], 3, {.stride = 2}) + F::avg_pool1d(v[0], 3, {.stride = 2}); },
                      {random_input({2, 3, 7})});
  CHECK_THROWS_WITH(F::max_pool1d(zeros({1, 1, 2, 6}), 2),
                    "[max_pool1d] input: expected a [N, C, L] or [C, L] tensor, got [1, 1, 2, 6]");
  CHECK_THROWS_WITH(F::avg_pool1d(seq, 0), "[avg_pool1d] kernel_size: expected a positive size, got 0");
}

TEST_CASE("margin, ranking, embedding, Poisson and Gaussian losses match their formulas") {
  const std::vector<double> xs = {0.5, -1.5, 2.0, 0.0}, ys = {1, -1, -1, 1};
  const Tensor x = tensor<double>(xs, {4}), y = tensor<double>(ys, {4});
  auto mean_of = [](const std::vector<double>& v) { double s = 0; for (double e : v) s += e; return s / v.size(); };
  std::vector<double> soft, hinge;
  for (size_t i = 0; i < xs.size(); ++i) {
    soft.push_back(std::log1p(std::exp(-ys[i] * xs[i])));
    hinge.push_back(ys[i] == 1 ? xs[i] : std::max(0.0, 1.0 - xs[i]));
  }
  check_close_values(values(F::soft_margin_loss(x, y, F::Reduction::None)), soft);
  CHECK(F::soft_margin_loss(x, y).item<double>() == doctest::Approx(mean_of(soft)));
  check_close_values(values(F::hinge_embedding_loss(x, y, {.reduction = F::Reduction::None})), hinge);
  // Ranking: x1 should beat x2 where y = 1.
  const Tensor x2 = tensor<double>({1.0, -2.0, 0.0, 0.0});
  check_close_values(values(F::margin_ranking_loss(x, x2, y, {.margin = 0.1, .reduction = F::Reduction::None})),
                     {0.6, 0.6, 2.1, 0.1});
  // Multilabel: per sample, the mean over classes of each class's binary cross entropy.
  const Tensor logits = tensor<double>({0.2, -1.0, 3.0, 0.5}, {2, 2}), labels = tensor<double>({1, 0, 0, 1}, {2, 2});
  auto bce = [](double z, double t) { return -(t * std::log(1 / (1 + std::exp(-z))) + (1 - t) * std::log(1 - 1 / (1 + std::exp(-z)))); };
  check_close_values(values(F::multilabel_soft_margin_loss(logits, labels, {.reduction = F::Reduction::None})),
                     {(bce(0.2, 1) + bce(-1.0, 0)) / 2, (bce(3.0, 0) + bce(0.5, 1)) / 2});
  // Cosine embedding: 1 - cos for similar pairs, max(0, cos - margin) for dissimilar ones.
  const Tensor a = tensor<double>({1, 0, 1, 1}, {2, 2}), b = tensor<double>({1, 1, 1, 1}, {2, 2});
  const double cos0 = 1 / std::sqrt(2.0);
  check_close_values(values(F::cosine_embedding_loss(a, b, tensor<double>({1, -1}), {.margin = 0.5, .reduction = F::Reduction::None})),
                     {1 - cos0, 0.5});
  // Triplet: distances with eps added to the differences, as PyTorch's pairwise_distance.
  const Tensor anchor = tensor<double>({0, 0}, {1, 2}), pos = tensor<double>({3, 4}, {1, 2}), neg = tensor<double>({1, 0}, {1, 2});
  const double eps = 1e-6, d_pos = std::hypot(-3 + eps, -4 + eps), d_neg = std::hypot(-1 + eps, eps);
  CHECK(F::triplet_margin_loss(anchor, pos, neg).item<double>() == doctest::Approx(d_pos - d_neg + 1));
  const double d_swap = std::hypot(2 + eps, 4 + eps);  // positive to negative is farther: no swap
  CHECK(F::triplet_margin_loss(anchor, pos, neg, {.swap = true}).item<double>() ==
        doctest::Approx(d_pos - std::min(d_neg, d_swap) + 1));
  // Poisson: exp(x) - t x, with Stirling's term for t > 1 when full.
  const Tensor rates = tensor<double>({0.5, 1.0, 2.0}), counts = tensor<double>({0, 1, 3});
  std::vector<double> poisson;
  for (int i = 0; i < 3; ++i) {
    const double r = std::vector<double>{0.5, 1.0, 2.0}[i], t = std::vector<double>{0, 1, 3}[i];
    poisson.push_back(std::exp(r) - t * r + (t > 1 ? t * std::log(t) - t + 0.5 * std::log(2 * M_PI * t) : 0));
  }
  check_close_values(values(F::poisson_nll_loss(rates, counts, {.full = true, .reduction = F::Reduction::None})), poisson);
  check_close_values(values(F::poisson_nll_loss(rates, counts, {.log_input = false, .reduction = F::Reduction::None})),
                     {0.5, 1.0 - std::log(1.0 + 1e-8), 2.0 - 3 * std::log(2.0 + 1e-8)});
  // Gaussian: (log var + d^2 / var) / 2, var clamped at eps in value, one per sample allowed.
  const Tensor mean = tensor<double>({1, 2, 3, 4}, {2, 2}), seen = tensor<double>({1.5, 2, 2, 4}, {2, 2});
  const Tensor var = tensor<double>({0.5, 0.0});
  check_close_values(values(F::gaussian_nll_loss(mean, seen, var, {.reduction = F::Reduction::None})),
                     {0.5 * (std::log(0.5) + 0.25 / 0.5), 0.5 * std::log(0.5), 0.5 * (std::log(1e-6) + 1 / 1e-6),
                      0.5 * std::log(1e-6)});
  CHECK(F::gaussian_nll_loss(mean, seen, var.unsqueeze(1), {.full = true}).item<double>() ==
        doctest::Approx(F::gaussian_nll_loss(mean, seen, var).item<double>() + 0.5 * std::log(2 * M_PI)));

  using V = const TensorVector&;
  const TensorVector two = {random_input({3, 4}), random_input({3, 4})};
  const Tensor signs = tensor<double>({1, -1, 1, -1, -1, 1, 1, -1, 1, 1, -1, -1}, {3, 4});
  autograd::gradcheck([&](V v) { return F::soft_margin_loss(v[0], signs) + F::hinge_embedding_loss(v[0] * v[1], signs); }, two);
  autograd::gradcheck([&](V v) { return F::margin_ranking_loss(v[0], v[1], signs, {.margin = 0.3}); }, two);
  autograd::gradcheck([&](V v) { return F::multilabel_soft_margin_loss(v[0], (signs + 1) / 2, {.weight = v[1][0]}); }, two);
  autograd::gradcheck([&](V v) { return F::cosine_embedding_loss(v[0], v[1], signs.select(1, 0), {.margin = -0.5}); }, two);
  autograd::gradcheck([&](V v) { return F::triplet_margin_loss(v[0], v[1], v[0].flip({0}), {.p = 3, .swap = true}); }, two);
  autograd::gradcheck([&](V v) { return F::poisson_nll_loss(v[0], abs(v[1]) * 3, {.full = true}); }, two);
  autograd::gradcheck([&](V v) { return F::gaussian_nll_loss(v[0], v[1], v[1].abs().sum(1) + 0.1); }, two);

  CHECK_THROWS_WITH(F::margin_ranking_loss(x, x2.narrow(0, 0, 3), y, {}),
                    "[margin_ranking_loss] target: expected shape [4] like input, got [3]");
  CHECK_THROWS_WITH(F::cosine_embedding_loss(a, b, y, {}), "[cosine_embedding_loss] target: expected one label per row of [2, 2], got [4]");
  CHECK_THROWS_WITH(F::triplet_margin_loss(anchor, pos, neg, {.p = 0}), "[triplet_margin_loss] p: expected a positive norm, got 0");
  CHECK_THROWS_WITH(F::gaussian_nll_loss(mean, seen, -var - 1), "[gaussian_nll_loss] var: expected non-negative variances");
  CHECK_THROWS_WITH(F::gaussian_nll_loss(mean, seen, ones({3})),
                    "[gaussian_nll_loss] var: shapes [3, 1] and [2, 2] do not broadcast (dimension 0: 3 vs 2)");
  CHECK_THROWS_WITH(F::multilabel_soft_margin_loss(ones({2, 2, 2}), ones({2, 2, 2})),
                    "[multilabel_soft_margin_loss] input: expected floating-point logits [N, C] or [C], got float32 [2, 2, 2]");
}

TEST_CASE("embedding_bag sums, averages and maxes bags given by offsets or rows") {
  const Tensor weight = tensor<double>({1, 2, 3, 4, 5, 6, 7, 8}, {4, 2});
  const Tensor input = tensor<int64_t>({0, 2, 1, 3, 3});
  const Tensor offsets = tensor<int64_t>({0, 2, 2});  // bags {0, 2}, {}, {1, 3, 3}
  const auto bag = [&](const std::string& mode, const Tensor& o = Tensor(), bool last = false,
                       std::optional<int64_t> padding = std::nullopt, const Tensor& w = Tensor()) {
    return to_vector<double>(F::embedding_bag(input, weight, o.defined() ? o : offsets,
                                              {.mode = mode, .include_last_offset = last, .padding_idx = padding}, w));
  };
  CHECK(bag("sum") == std::vector<double>{6, 8, 0, 0, 17, 20});
  const auto mean = bag("mean");
  CHECK(mean[0] == 3);
  CHECK(mean[2] == 0);
  CHECK(mean[4] == doctest::Approx(17.0 / 3));
  CHECK(bag("max") == std::vector<double>{5, 6, 0, 0, 7, 8});
  CHECK(bag("max", tensor<int64_t>({0, 2, 2, 5}), true) == std::vector<double>{5, 6, 0, 0, 7, 8});
  // Entries of the padding index are left out, of the mean's count too.
  CHECK(bag("mean", Tensor(), false, 3) == std::vector<double>{3, 4, 0, 0, 3, 4});
  CHECK(bag("max", Tensor(), false, -1) == std::vector<double>{5, 6, 0, 0, 3, 4});
  CHECK(bag("sum", Tensor(), false, std::nullopt, tensor<double>({1, 0.5, 2, 1, -1})) == std::vector<double>{3.5, 5, 0, 0, 6, 8});
  // A 2-D input: one bag per row.
  CHECK(to_vector<double>(F::embedding_bag(tensor<int64_t>({0, 2, 1, 3}, {2, 2}), weight)) == std::vector<double>{3, 4, 5, 6});

  for (const char* mode : {"sum", "mean", "max"}) {
    CAPTURE(mode);
    const Tensor w = randn({4, 3}, DType::Float64).requires_grad_();
    CHECK_NOTHROW(autograd::gradcheck([&](const TensorVector& x) {
      return F::embedding_bag(input, x[0], offsets, {.mode = mode, .padding_idx = 2}) +
             F::embedding_bag(input.narrow(0, 0, 4).reshape({2, 2}), x[0], Tensor(), {.mode = mode}).sum(0);
    }, {w}));
  }

  CHECK_THROWS_WITH(F::embedding_bag(input, weight, tensor<int64_t>({1, 2})), "[embedding_bag] offsets: expected the first bag to start at 0");
  CHECK_THROWS_WITH(F::embedding_bag(input, weight, tensor<int64_t>({0, 3, 2})),
                    "[embedding_bag] offsets: expected non-decreasing starts of at most the input's length 5, got 2 after 3");
  CHECK_THROWS_WITH(F::embedding_bag(input, weight, tensor<int64_t>({0, 6})),
                    "[embedding_bag] offsets: expected non-decreasing starts of at most the input's length 5, got 6 after 0");
  CHECK_THROWS_WITH(F::embedding_bag(input, weight, offsets, {.mode = "avg"}), "[embedding_bag] mode: expected 'sum', 'mean' or 'max', got 'avg'");
  CHECK_THROWS_WITH(F::embedding_bag(input, weight, offsets, {}, ones({5}, DType::Float64)),
                    "[embedding_bag] per_sample_weights: expected only with mode 'sum', got mode 'mean'");
  CHECK_THROWS_WITH(F::embedding_bag(input, weight), "[embedding_bag] offsets: expected a 1-D integer tensor of bag starts for a 1-D input, got none");
  CHECK_THROWS_WITH(F::embedding_bag(input.reshape({1, 5}), weight, offsets),
                    "[embedding_bag] offsets: a 2-D input holds one bag per row; expected no offsets");
  CHECK_THROWS_WITH(F::embedding_bag(input, weight, tensor<int64_t>({0, 2}), {.include_last_offset = true}),
                    "[embedding_bag] offsets: with include_last_offset the last entry must be the input's length 5, got 2");
}

TEST_CASE("selu, celu, logsigmoid, softsign, the shrinks, threshold, glu, softmin and prelu match their formulas") {
  const std::vector<double> xs = {-30, -2.5, -0.3, 0, 0.2, 0.7, 3, 40};
  const Tensor x = tensor<double>(ArrayRef<double>(xs), {8});
  const auto check_each = [&](const Tensor& got, double (*f)(double)) {
    const auto v = to_vector<double>(got);
    REQUIRE(v.size() == xs.size());
    for (size_t i = 0; i < xs.size(); ++i) {
      CAPTURE(xs[i]);
      CHECK(v[i] == doctest::Approx(f(xs[i])).epsilon(1e-12));
    }
  };
  check_each(F::selu(x), [](double v) {
    return 1.0507009873554804934 * (v > 0 ? v : 1.6732632423543772848 * (std::exp(v) - 1));
  });
  check_each(F::celu(x, 0.5), [](double v) { return v > 0 ? v : 0.5 * (std::exp(v / 0.5) - 1); });
  check_each(F::logsigmoid(x), [](double v) { return -std::log1p(std::exp(-v)); });
  check_each(F::softsign(x), [](double v) { return v / (1 + std::abs(v)); });
  check_each(F::tanhshrink(x), [](double v) { return v - std::tanh(v); });
  check_each(F::softshrink(x, 0.5), [](double v) { return v > 0.5 ? v - 0.5 : v < -0.5 ? v + 0.5 : 0.0; });
  check_each(F::hardshrink(x, 0.5), [](double v) { return std::abs(v) > 0.5 ? v : 0.0; });
  check_each(F::threshold(x, 0.1, 20), [](double v) { return v > 0.1 ? v : 20.0; });
  // glu over the last dimension: [a | b] -> a * sigmoid(b).
  const Tensor pairs = tensor<double>({1, 2, 0, -1}, {1, 4});
  const auto g = to_vector<double>(F::glu(pairs));
  CHECK(g[0] == doctest::Approx(1 / (1 + std::exp(0.0))));
  CHECK(g[1] == doctest::Approx(2 / (1 + std::exp(1.0))));
  CHECK(allclose(F::softmin(pairs, 1), softmax(-pairs, 1)));
  // prelu: one slope, or one per channel of [N, C, L].
  check_each(F::prelu(x, tensor<double>({0.25})), [](double v) { return v > 0 ? v : 0.25 * v; });
  const Tensor per_channel = F::prelu(tensor<double>({-1, -1, 2, -1}, {1, 2, 2}), tensor<double>({0.5, 3}));
  CHECK(to_vector<double>(per_channel) == std::vector<double>{-0.5, -0.5, 2, -3});

  const Tensor smooth = tensor<double>({-2.5, -0.3, 0.2, 0.7, 1.9, -1.1}, {2, 3}).requires_grad_();
  const Tensor slopes = tensor<double>({0.2, 0.4, 0.1}).requires_grad_();
  CHECK_NOTHROW(autograd::gradcheck([](const TensorVector& v) {
    return F::selu(v[0]) + F::celu(v[0], 2) + F::logsigmoid(v[0]) + F::softsign(v[0]) + F::tanhshrink(v[0]) +
           F::softshrink(v[0], 0.1) + F::hardshrink(v[0], 0.1) + F::threshold(v[0], 0.1, 3) + F::softmin(v[0], 1) +
           F::prelu(v[0], v[1]) + F::glu(cat({v[0], v[0] * 2}, 1), 1);
  }, {smooth, slopes}));

  CHECK_THROWS_WITH(F::celu(x, 0), "[celu] alpha: expected a finite non-zero value, got 0");
  CHECK_THROWS_WITH(F::softshrink(x, -1), "[softshrink] lambd: expected a non-negative value, got -1");
  CHECK_THROWS_WITH(F::glu(ones({2, 3})), "[glu] input: expected an even size along dimension 1, got 3");
  CHECK_THROWS_WITH(F::prelu(ones({2, 3}), ones({2})), "[prelu] weight: expected 1 slope or one per channel (3), got shape [2]");
}

TEST_CASE("grid_sample against a direct bilinear loop; affine_grid's identity samples the input back") {
  manual_seed(9);
  const Tensor input = randn({2, 3, 4, 5}, DType::Float64);
  const Tensor grid = rand({2, 3, 2, 2}, DType::Float64) * 2.4 - 1.2;  // some samples fall outside
  const auto in = to_vector<double>(input), g = to_vector<double>(grid);
  for (const bool align : {false, true}) {
    for (const char* padding : {"zeros", "border"}) {
      CAPTURE(align);
      CAPTURE(padding);
      const bool border = std::string(padding) == "border";
      const auto got = to_vector<double>(F::grid_sample(input, grid, {.padding_mode = padding, .align_corners = align}));
      const auto pixel = [&](double v, int64_t size) {
        const double p = align ? (v + 1) / 2 * static_cast<double>(size - 1) : ((v + 1) * static_cast<double>(size) - 1) / 2;
        return border ? std::clamp(p, 0.0, static_cast<double>(size - 1)) : p;
      };
      const auto at = [&](int64_t n, int64_t c, int64_t y, int64_t x) {
        return y < 0 || y >= 4 || x < 0 || x >= 5 ? 0.0 : in[static_cast<size_t>(((n * 3 + c) * 4 + y) * 5 + x)];
      };
      size_t k = 0;
      for (int64_t n = 0; n < 2; ++n) {
        for (int64_t c = 0; c < 3; ++c) {
          for (int64_t i = 0; i < 6; ++i, ++k) {
            const double x = pixel(g[static_cast<size_t>((n * 6 + i) * 2)], 5), y = pixel(g[static_cast<size_t>((n * 6 + i) * 2 + 1)], 4);
            const auto x0 = static_cast<int64_t>(std::floor(x)), y0 = static_cast<int64_t>(std::floor(y));
            const double fx = x - static_cast<double>(x0), fy = y - static_cast<double>(y0);
            const double expected = at(n, c, y0, x0) * (1 - fx) * (1 - fy) + at(n, c, y0, x0 + 1) * fx * (1 - fy) +
                                    at(n, c, y0 + 1, x0) * (1 - fx) * fy + at(n, c, y0 + 1, x0 + 1) * fx * fy;
            CHECK(got[k] == doctest::Approx(expected).epsilon(1e-12));
          }
        }
      }
    }
  }
  // The identity map samples every pixel centre: the input comes back, bilinear or nearest.
  const Tensor identity = tensor<double>({1, 0, 0, 0, 1, 0}, {1, 2, 3}).expand({2, 2, 3});
  for (const bool align : {false, true}) {
    const Tensor same = F::affine_grid(identity, {2, 3, 4, 5}, align);
    CHECK(allclose(F::grid_sample(input, same, {.align_corners = align}), input, 1e-9, 1e-12));
    CHECK(allclose(F::grid_sample(input, same, {.mode = "nearest", .align_corners = align}), input, 1e-9, 1e-12));
  }
  // A shift by one pixel (2 / W in grid units, align_corners=false) moves the image left.
  const Tensor shift = tensor<double>({1, 0, 0.4, 0, 1, 0}, {1, 2, 3});
  const Tensor moved = F::grid_sample(input.narrow(0, 0, 1), F::affine_grid(shift, {1, 3, 4, 5}));
  CHECK(allclose(moved.narrow(3, 0, 4), input.narrow(0, 0, 1).narrow(3, 1, 4), 1e-9, 1e-12));
  CHECK(to_vector<double>(moved.narrow(3, 4, 1).abs().sum())[0] == 0);

  CHECK_NOTHROW(autograd::gradcheck([](const TensorVector& v) {
    return F::grid_sample(v[0], v[1]) + F::grid_sample(v[0], v[1], {.padding_mode = "border", .align_corners = true});
  }, {input.clone().requires_grad_(), grid.clone().requires_grad_()}));
  CHECK_NOTHROW(autograd::gradcheck([](const TensorVector& v) { return F::affine_grid(v[0], {2, 1, 3, 2}); },
                                    {randn({2, 2, 3}, DType::Float64).requires_grad_()}));
  CHECK_THROWS_WITH(F::grid_sample(input, grid, {.mode = "bicubic"}), "[grid_sample] mode: expected 'bilinear' or 'nearest', got 'bicubic'");
  CHECK_THROWS_WITH(F::grid_sample(input, grid.narrow(3, 0, 1)), "[grid_sample] grid: expected [2, H_out, W_out, 2], got [2, 3, 2, 1]");
  CHECK_THROWS_WITH(F::affine_grid(identity, {2, 3, 4}), "[affine_grid] size: expected [N, C, H, W], got [2, 3, 4]");
}
