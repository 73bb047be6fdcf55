// multi_margin_loss, multilabel_margin_loss and triplet_margin_with_distance_loss against
// hand-computed values (PyTorch's documented examples among them), their gradients by finite
// differences, the layers, and errors on bad input.
#include <doctest/doctest.h>

#include <cmath>

#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"
#include "ember/nn.h"

using namespace ember;
namespace F = ember::nn::functional;

TEST_CASE("multi_margin_loss: the hinge of every other class against the target's score") {
  const Tensor x = tensor<double>({0.1, 0.2, 0.4, 0.8}, {1, 4});
  const Tensor y = tensor<int64_t>({3});
  // (max(0, 1 - 0.7) + max(0, 1 - 0.6) + max(0, 1 - 0.4)) / 4
  CHECK(F::multi_margin_loss(x, y).item<double>() == doctest::Approx(0.325));
  CHECK(F::multi_margin_loss(x, y, {.p = 2}).item<double>() == doctest::Approx((0.09 + 0.16 + 0.36) / 4));
  CHECK(F::multi_margin_loss(x, y, {.margin = 0.5}).item<double>() == doctest::Approx(0.1 / 4));
  CHECK(F::multi_margin_loss(x, y, {.weight = tensor<double>({1, 1, 1, 2})}).item<double>() == doctest::Approx(0.65));
  // Unbatched, and one loss per sample.
  CHECK(F::multi_margin_loss(x[0], y[0]).item<double>() == doctest::Approx(0.325));
  const Tensor two = F::multi_margin_loss(cat({x, x}), tensor<int64_t>({3, 0}), {.reduction = F::Reduction::None});
  CHECK(to_vector<double>(two)[0] == doctest::Approx(0.325));
  CHECK(to_vector<double>(two)[1] == doctest::Approx((1.1 + 1.3 + 1.7) / 4));
  nn::MultiMarginLoss layer;
  CHECK(layer(x, y).item<double>() == doctest::Approx(0.325));
  CHECK_THROWS_WITH(F::multi_margin_loss(x, tensor<int64_t>({4})),
                    "[multi_margin_loss] target: expected class indices from 0 to 3, got values from 4 to 4");
  CHECK_THROWS_WITH(F::multi_margin_loss(x, y, {.p = 3}), "[multi_margin_loss] p: expected 1 or 2, got 3");
  CHECK_THROWS_WITH(F::multi_margin_loss(x, y, {.weight = ones({3}, DType::Float64)}),
                    "[multi_margin_loss] weight: expected shape [4], got [3]");
  CHECK_THROWS_WITH(F::multi_margin_loss(x, tensor<double>({3})),
                    "[multi_margin_loss] target: expected class indices (an integer tensor), got float64");
}

TEST_CASE("multilabel_margin_loss: listed classes against unlisted ones, the list ending at -1") {
  const Tensor x = tensor<double>({0.1, 0.2, 0.4, 0.8}, {1, 4});
  // Classes 3 and 0 (entries after the -1 are ignored) against 1 and 2:
  // (0.4 + 0.6 + 1.1 + 1.3) / 4.
  CHECK(F::multilabel_margin_loss(x, tensor<int64_t>({3, 0, -1, 1}, {1, 4})).item<double>() == doctest::Approx(0.85));
  CHECK(F::multilabel_margin_loss(x[0], tensor<int64_t>({3, 0, -1, 1})).item<double>() == doctest::Approx(0.85));
  // No class listed: nothing to rank.
  CHECK(F::multilabel_margin_loss(x, tensor<int64_t>({-1, 0, 1, 2}, {1, 4})).item<double>() == 0);
  CHECK(nn::MultiLabelMarginLoss(F::Reduction::Sum)(x, tensor<int64_t>({3, 0, -1, 1}, {1, 4})).item<double>() ==
        doctest::Approx(0.85));
  CHECK_THROWS_WITH(F::multilabel_margin_loss(x, tensor<int64_t>({3, -2, -1, 1}, {1, 4})),
                    "[multilabel_margin_loss] target: expected class indices from -1 to 3, got values from -2 to 3");
  CHECK_THROWS_WITH(F::multilabel_margin_loss(x, tensor<int64_t>({3, 0}, {1, 2})),
                    "[multilabel_margin_loss] target: expected shape [1, 4] like input, got [1, 2]");
}

TEST_CASE("triplet_margin_with_distance_loss: the 2-norm by default, any distance given") {
  manual_seed(31);
  const Tensor a = randn({5, 3}, DType::Float64), p = randn({5, 3}, DType::Float64), n = randn({5, 3}, DType::Float64);
  CHECK(F::triplet_margin_with_distance_loss(a, p, n).item<double>() ==
        doctest::Approx(F::triplet_margin_loss(a, p, n).item<double>()));
  CHECK(F::triplet_margin_with_distance_loss(a, p, n, {.swap = true}).item<double>() ==
        doctest::Approx(F::triplet_margin_loss(a, p, n, {.swap = true}).item<double>()));
  // 1 - cosine similarity: anchor (1, 0), positive (1, 1) at 1 - 1/sqrt(2), negative (0, 1) at 1.
  const auto cosine_distance = [](const Tensor& x, const Tensor& y) { return 1 - F::cosine_similarity(x, y, -1); };
  const Tensor loss = F::triplet_margin_with_distance_loss(tensor<double>({1, 0}), tensor<double>({1, 1}),
                                                           tensor<double>({0, 1}), {.distance_function = cosine_distance, .margin = 1});
  CHECK(loss.item<double>() == doctest::Approx(1 - 1 / std::sqrt(2.0)).epsilon(1e-12));
  CHECK(F::triplet_margin_with_distance_loss(tensor<double>({1, 0}), tensor<double>({1, 1}), tensor<double>({0, 1}),
                                             {.distance_function = cosine_distance, .margin = 0.5}).item<double>() == 0);
  nn::TripletMarginWithDistanceLoss layer({.distance_function = cosine_distance, .margin = 2});
  CHECK(layer(tensor<double>({1, 0}), tensor<double>({1, 1}), tensor<double>({0, 1})).item<double>() ==
        doctest::Approx(2 - 1 / std::sqrt(2.0)));
  CHECK_THROWS_WITH(F::triplet_margin_with_distance_loss(a, p, n.narrow(0, 0, 2)),
                    "[triplet_margin_with_distance_loss] target: expected shape [5, 3] like input, got [2, 3]");
}

TEST_CASE("the margin losses differentiate by finite differences") {
  manual_seed(32);
  const autograd::TensorVector inputs = {randn({3, 5}, DType::Float64).requires_grad_()};
  CHECK_NOTHROW(autograd::gradcheck([](const autograd::TensorVector& x) {
    const Tensor classes = tensor<int64_t>({4, 0, 2});
    const Tensor lists = tensor<int64_t>({4, 1, -1, 0, 0, 2, 2, -1, 3, 3, 0, 3, -1, 0, 0}, {3, 5});
    return cat({F::multi_margin_loss(x[0], classes, {.p = 2, .margin = 3}).unsqueeze(0),
                F::multi_margin_loss(x[0], classes, {.margin = 3, .reduction = F::Reduction::None}),
                F::multilabel_margin_loss(x[0] * 0.1, lists, F::Reduction::None)});
  }, inputs));
}
