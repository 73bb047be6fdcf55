// ctc_loss against the sum over every alignment, enumerated path by path; its gradient by finite
// differences; the layouts of targets; impossible alignments; errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"
#include "ember/nn.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {

// -log of the summed probability of every path of `steps` classes that collapses (repeats merged,
// then blanks dropped) to `target`.
double enumerated_loss(const std::vector<double>& log_probs, int64_t n, int64_t batch, int64_t classes, int64_t steps,
                       const std::vector<int64_t>& target, int64_t blank = 0) {
  double total = 0;
  std::vector<int64_t> path(static_cast<size_t>(steps), 0);
  for (int64_t code = 0; code < static_cast<int64_t>(std::pow(classes, steps)); ++code) {
    int64_t rest = code;
    for (int64_t t = 0; t < steps; ++t, rest /= classes) path[static_cast<size_t>(t)] = rest % classes;
    std::vector<int64_t> collapsed;
    for (int64_t t = 0; t < steps; ++t) {
      const int64_t c = path[static_cast<size_t>(t)];
      if (c != blank && (t == 0 || c != path[static_cast<size_t>(t - 1)])) collapsed.push_back(c);
    }
    if (collapsed != target) continue;
    double log_p = 0;
    for (int64_t t = 0; t < steps; ++t) log_p += log_probs[static_cast<size_t>((t * batch + n) * classes + path[static_cast<size_t>(t)])];
    total += std::exp(log_p);
  }
  return -std::log(total);
}

}  // namespace

TEST_CASE("ctc_loss sums the probability of every alignment, per sequence and reduced") {
  manual_seed(7);
  const int64_t steps = 5, batch = 3, classes = 3;
  const Tensor log_probs = log_softmax(randn({steps, batch, classes}, DType::Float64), 2);
  const std::vector<double> lp = to_vector<double>(log_probs);
  const std::vector<std::vector<int64_t>> targets = {{1, 2}, {1, 1}, {}};
  const std::vector<int64_t> input_lengths = {5, 4, 3};
  std::vector<double> expected;
  for (int64_t b = 0; b < batch; ++b) {
    expected.push_back(enumerated_loss(lp, b, batch, classes, input_lengths[static_cast<size_t>(b)], targets[static_cast<size_t>(b)]));
  }
  const Tensor padded = tensor<int64_t>({1, 2, 1, 1, 0, 0}, {3, 2});
  const Tensor concatenated = tensor<int64_t>({1, 2, 1, 1});
  const Tensor in_len = tensor<int64_t>({5, 4, 3}), target_len = tensor<int64_t>({2, 2, 0});
  for (const Tensor& t : {padded, concatenated}) {
    const auto losses = to_vector<double>(F::ctc_loss(log_probs, t, in_len, target_len, {.reduction = F::Reduction::None}));
    REQUIRE(losses.size() == 3);
    for (size_t b = 0; b < 3; ++b) CHECK(losses[b] == doctest::Approx(expected[b]).epsilon(1e-12));
  }
  CHECK(F::ctc_loss(log_probs, padded, in_len, target_len, {.reduction = F::Reduction::Sum}).item<double>() ==
        doctest::Approx(expected[0] + expected[1] + expected[2]));
  // Mean: each loss over its target length (at least 1), then the batch's mean.
  CHECK(nn::CTCLoss()(log_probs, padded, in_len, target_len).item<double>() ==
        doctest::Approx((expected[0] / 2 + expected[1] / 2 + expected[2]) / 3));
  // Another blank, and one unbatched sequence.
  const double with_blank_2 = enumerated_loss(lp, 0, batch, classes, 5, {1, 0}, 2);
  CHECK(F::ctc_loss(log_probs.select(1, 0), tensor<int64_t>({1, 0}), scalar_tensor(5, DType::Int64),
                    scalar_tensor(2, DType::Int64), {.blank = 2, .reduction = F::Reduction::None}).item<double>() ==
        doctest::Approx(with_blank_2).epsilon(1e-12));
}

TEST_CASE("ctc_loss: impossible alignments are infinite, or zero with zero_infinity, and the gradient checks") {
  manual_seed(8);
  const Tensor logits = randn({4, 2, 3}, DType::Float64);
  // [1, 1, 1] needs five steps (blanks between the repeats); four are given.
  const Tensor targets = tensor<int64_t>({1, 1, 1, 2, 0, 0}, {2, 3});
  const Tensor in_len = tensor<int64_t>({4, 4}), target_len = tensor<int64_t>({3, 1});
  const Tensor loss = F::ctc_loss(log_softmax(logits, 2), targets, in_len, target_len, {.reduction = F::Reduction::None});
  CHECK(std::isinf(to_vector<double>(loss)[0]));
  Tensor x = logits.clone().requires_grad_();
  const Tensor zeroed = F::ctc_loss(log_softmax(x, 2), targets, in_len, target_len, {.zero_infinity = true});
  zeroed.backward();
  for (double g : to_vector<double>(x.grad())) CHECK(std::isfinite(g));
  CHECK(to_vector<double>(x.grad().select(1, 0).abs().sum())[0] == 0);  // the impossible sequence adds nothing

  const Tensor possible = tensor<int64_t>({1, 2, 1, 2, 2, 0}, {2, 3});
  CHECK_NOTHROW(autograd::gradcheck([&](const autograd::TensorVector& v) {
    return F::ctc_loss(log_softmax(v[0], 2), possible, tensor<int64_t>({4, 3}), tensor<int64_t>({3, 2}),
                       {.reduction = F::Reduction::None});
  }, {logits.clone().requires_grad_()}));
}

TEST_CASE("ctc_loss refuses bad lengths, labels and shapes") {
  const Tensor lp = log_softmax(zeros({4, 2, 3}), 2);
  const Tensor targets = tensor<int64_t>({1, 2, 1, 0}, {2, 2});
  const Tensor two = tensor<int64_t>({2, 2});
  CHECK_THROWS_WITH(F::ctc_loss(zeros({4, 3, 2, 1}), targets, two, two),
                    "[ctc_loss] log_probs: expected a floating [T, N, C] or [T, C] tensor, got float32 [4, 3, 2, 1]");
  CHECK_THROWS_WITH(F::ctc_loss(lp, targets, tensor<int64_t>({5, 2}), two),
                    "[ctc_loss] input_lengths: expected lengths of at most T = 4, got 5");
  CHECK_THROWS_WITH(F::ctc_loss(lp, targets, tensor<int64_t>({4}), two), "[ctc_loss] input_lengths: expected 2 integer length(s), got [1]");
  CHECK_THROWS_WITH(F::ctc_loss(lp, targets, two, two), "[ctc_loss] targets: expected labels in [0, 3) other than the blank 0, got 0");
  CHECK_THROWS_WITH(F::ctc_loss(lp, targets, two, tensor<int64_t>({3, 1})),
                    "[ctc_loss] targets: expected [2, S] with S at least the longest target length 3, got [2, 2]");
  CHECK_THROWS_WITH(F::ctc_loss(lp, tensor<int64_t>({1, 2}), two, tensor<int64_t>({2, 1})),
                    "[ctc_loss] targets: expected the 3 labels of the targets one after another, got [2]");
  CHECK_THROWS_WITH(F::ctc_loss(lp, targets, two, tensor<int64_t>({1, 1}), {.blank = 3}),
                    "[ctc_loss] blank: expected a class in [0, 3), got 3");
  CHECK_THROWS_WITH(F::ctc_loss(lp, targets, two, tensor<int64_t>({-1, 1})),
                    "[ctc_loss] target_lengths: expected non-negative lengths, got -1");
}

TEST_CASE("ctc_loss's gradient is the derivative with respect to log_probs themselves, at every length") {
  manual_seed(12);
  // Unnormalised log_probs, so that the gradient is checked as it is, not through log_softmax;
  // sequences of 5, 3 and 0 steps, targets of 2, 0 and 0 labels, one with a repeat.
  const Tensor targets = tensor<int64_t>({2, 2, 0, 0, 0, 0}, {3, 2});
  const Tensor in_len = tensor<int64_t>({5, 3, 0}), target_len = tensor<int64_t>({2, 0, 0});
  const auto loss_of = [&](const autograd::TensorVector& v) {
    return F::ctc_loss(v[0], targets, in_len, target_len, {.reduction = F::Reduction::None});
  };
  Tensor lp = (randn({5, 3, 3}, DType::Float64) * 0.5).requires_grad_();
  CHECK_NOTHROW(autograd::gradcheck(loss_of, {lp}));
  const std::vector<double> losses = to_vector<double>(loss_of({lp}));
  CHECK(losses[2] == 0);  // nothing to emit in no steps: probability 1

  // Unbatched, float32, with impossible classes (-inf): finite gradients, none on the padding steps.
  Tensor single = log_softmax(randn({6, 4}), 1).masked_fill(eq(arange(4), 3), -INFINITY).detach();
  single.requires_grad_();
  F::ctc_loss(single, tensor<int64_t>({1, 2}), tensor<int64_t>({4}), tensor<int64_t>({2})).backward();
  for (float g : to_vector<float>(single.grad())) CHECK(std::isfinite(g));
  CHECK(to_vector<float>(single.grad().narrow(0, 4, 2).abs().sum())[0] == 0);

  const Tensor twice = F::ctc_loss(lp, targets, in_len, target_len);
  CHECK_THROWS_WITH(autograd::grad({twice}, {lp}, {}, false, true),
                    "[ctc_loss] backward: create_graph is not supported: the gradient comes from the alpha and beta "
                    "recursions, which are not differentiated again");
}
