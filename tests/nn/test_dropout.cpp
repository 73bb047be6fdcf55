// The dropout family: how much is dropped, what the kept elements become, channels dropped whole,
// alpha dropout keeping a standard normal input's mean and variance; evaluation mode; errors.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "ember/ember.h"
#include "ember/nn.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {

// The fraction of [N, C] channels of `out` that are zero throughout, after checking that every
// channel is either all zero or all `kept`.
double dropped_channel_fraction(const Tensor& out, double kept) {
  const Tensor planes = out.reshape({out.size(0) * out.size(1), -1});
  const auto zero = to_vector<bool>(eq(planes, 0).all(IntArrayRef{1}));
  const auto whole = to_vector<bool>(eq(planes, kept).all(IntArrayRef{1}));
  int64_t dropped = 0;
  for (size_t i = 0; i < zero.size(); ++i) {
    CHECK((zero[i] || whole[i]));
    dropped += zero[i];
  }
  return static_cast<double>(dropped) / static_cast<double>(zero.size());
}

}  // namespace

TEST_CASE("dropout1d, dropout2d and dropout3d drop whole channels and scale the rest") {
  manual_seed(21);
  CHECK(dropped_channel_fraction(F::dropout1d(ones({64, 32, 5}), 0.25), 1 / 0.75) == doctest::Approx(0.25).epsilon(0.2));
  CHECK(dropped_channel_fraction(F::dropout2d(ones({64, 32, 3, 3}), 0.5), 2) == doctest::Approx(0.5).epsilon(0.1));
  CHECK(dropped_channel_fraction(F::dropout3d(ones({32, 32, 2, 2, 2}), 0.75), 4) == doctest::Approx(0.75).epsilon(0.1));
  // Unbatched [C, H, W]: each of the C planes dropped or kept whole.
  CHECK(dropped_channel_fraction(F::dropout2d(ones({512, 3, 3}), 0.5).unsqueeze(0), 2) == doctest::Approx(0.5).epsilon(0.15));
  const Tensor x = randn({2, 3, 4, 4});
  CHECK(F::dropout2d(x, 0.5, false).is_same(x));  // evaluation: the input itself
  CHECK(F::dropout2d(x, 1.0).abs().sum().item<double>() == 0);
  CHECK_THROWS_WITH(F::dropout2d(ones({2, 3}), 0.5), "[dropout2d] input: expected a [N, C, H, W] or [C, H, W] tensor, got [2, 3]");
  CHECK_THROWS_WITH(F::dropout1d(ones({2, 3, 4}), 1.5), "[dropout1d] p: expected a probability in [0, 1], got 1.5");
}

TEST_CASE("alpha dropout keeps a standard normal input's mean and variance") {
  manual_seed(22);
  const Tensor x = randn({200000}, DType::Float64);
  for (double p : {0.1, 0.5}) {
    CAPTURE(p);
    const Tensor out = F::alpha_dropout(x, p);
    CHECK(std::abs(out.mean().item<double>()) < 0.01);
    CHECK(out.var().item<double>() == doctest::Approx(1).epsilon(0.02));
    // Dropped elements all take one value, a(p - 1) times SELU's saturation.
    const double a = 1 / std::sqrt((1.7580993408473766 * 1.7580993408473766 * p + 1) * (1 - p));
    const double dropped_value = 1.7580993408473766 * a * (p - 1);
    const double dropped = isclose(out, full_like(out, dropped_value), 0, 1e-12).to(DType::Float64).mean().item<double>();
    CHECK(dropped == doctest::Approx(p).epsilon(0.05));
  }
  // feature_alpha_dropout drops channels: a dropped channel is constant.
  const Tensor channels = F::feature_alpha_dropout(randn({8, 64, 4}, DType::Float64), 0.5);
  const auto spread = to_vector<double>((channels.amax(IntArrayRef{2}) - channels.amin(IntArrayRef{2})).flatten());
  int64_t constant = 0;
  for (double s : spread) constant += s == 0;
  CHECK(static_cast<double>(constant) / static_cast<double>(spread.size()) == doctest::Approx(0.5).epsilon(0.2));
  CHECK(F::alpha_dropout(x, 0.5, false).is_same(x));
  CHECK_THROWS_WITH(F::alpha_dropout(tensor<int64_t>({1}), 0.5), "[alpha_dropout] input: expected a floating-point tensor, got int64");
}

TEST_CASE("the dropout layers: training only, and printed as PyTorch's") {
  nn::Dropout2d layer(0.5);
  const Tensor x = ones({4, 8, 2, 2});
  layer.eval();
  CHECK(layer(x).is_same(x));
  layer.train();
  CHECK(dropped_channel_fraction(layer(ones({64, 32, 2, 2})), 2) == doctest::Approx(0.5).epsilon(0.15));
  CHECK(nn::Dropout1d(0.25).str() == "Dropout1d(p=0.25)");
  CHECK(nn::Dropout3d().str() == "Dropout3d(p=0.5)");
  CHECK(nn::AlphaDropout(0.1).str() == "AlphaDropout(p=0.1)");
  CHECK(nn::FeatureAlphaDropout(0.0).str() == "FeatureAlphaDropout(p=0.0)");
  CHECK_THROWS_WITH(nn::Dropout2d(-0.5), "[Dropout2d] p: expected a probability in [0, 1], got -0.5");
}
