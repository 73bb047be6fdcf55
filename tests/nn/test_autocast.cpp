// Mixed precision: AutocastGuard's casts, gradients through them, and GradScaler.
#include <doctest/doctest.h>

#include <cmath>

#include "../backends/reference.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/optim/grad_scaler.h"
#include "ember/optim/sgd.h"

using namespace ember;
using reference::values;

namespace {

// The largest elementwise difference relative to the largest magnitude of `expected`.
double relative_error(const Tensor& actual, const Tensor& expected) {
  return (actual.to(DType::Float64) - expected.to(DType::Float64)).abs().max().item<double>() /
         expected.to(DType::Float64).abs().max().item<double>();
}

}  // namespace

TEST_CASE("inside a region matrix products run in the region's dtype and range-hungry operators in float32") {
  const Tensor a = reference::random_tensor({16, 32}, 1), b = reference::random_tensor({32, 8}, 2);
  const Tensor exact = mm(a, b);
  {
    AutocastGuard autocast("cpu", DType::BFloat16);
    CHECK(autocast_enabled());
    CHECK(autocast_dtype() == DType::BFloat16);
    const Tensor product = mm(a, b);
    CHECK(product.dtype() == DType::BFloat16);
    CHECK(relative_error(product, exact) < 2e-2);
    CHECK(matmul(a.unsqueeze(0), b.unsqueeze(0)).dtype() == DType::BFloat16);  // a composite, through bmm
    CHECK(conv2d(reference::random_tensor({1, 2, 5, 5}, 3), reference::random_tensor({3, 2, 3, 3}, 4)).dtype() ==
          DType::BFloat16);

    CHECK(softmax(product, 1).dtype() == DType::Float32);
    CHECK(product.exp().dtype() == DType::Float32);
    CHECK(product.sum().dtype() == DType::Float32);
    CHECK((product + product).dtype() == DType::BFloat16);  // not listed: as it is
    CHECK(mm(a.to(DType::Float64), b.to(DType::Float64)).dtype() == DType::Float64);  // float64 is left alone
    {
      AutocastGuard off("cpu", DType::BFloat16, false);
      CHECK_FALSE(autocast_enabled());
      CHECK(mm(a, b).dtype() == DType::Float32);
    }
    CHECK(mm(a, b).dtype() == DType::BFloat16);
  }
  CHECK_FALSE(autocast_enabled());
  CHECK(mm(a, b).dtype() == DType::Float32);
  {
    AutocastGuard half("cpu", DType::Float16);
    CHECK(mm(a, b).dtype() == DType::Float16);
  }
  CHECK_THROWS_WITH(AutocastGuard("cpu", DType::Float32), "[autocast] dtype: expected float16 or bfloat16, got float32");
  CHECK_THROWS_WITH(AutocastGuard("no_such_backend"), doctest::Contains("no_such_backend"));
}

TEST_CASE("float32 parameters get float32 gradients through the casts, each parameter cast once per region") {
  Tensor w = reference::random_tensor({8, 4}, 5);
  w.requires_grad_();
  const Tensor x1 = reference::random_tensor({3, 8}, 6), x2 = reference::random_tensor({2, 8}, 7);
  Tensor y1, y2;
  {
    AutocastGuard autocast;
    y1 = mm(x1, w);
    y2 = mm(x2, w);
  }
  // Both products read the same cast of w.
  CHECK(y1.grad_fn()->next_edges()[1].node == y2.grad_fn()->next_edges()[1].node);
  (y1.sum() + y2.sum()).backward();
  REQUIRE(w.grad().defined());
  CHECK(w.grad().dtype() == DType::Float32);
  // d/dw of sum(x w) is x^T 1: the column sums of x, in each of w's columns.
  const Tensor expected = (x1.sum({0}) + x2.sum({0})).unsqueeze(1).expand({8, 4});
  CHECK(relative_error(w.grad(), expected) < 2e-2);

  Tensor y3;
  {
    AutocastGuard autocast;
    y3 = mm(x1, w);
  }
  CHECK(y3.grad_fn()->next_edges()[1].node != y1.grad_fn()->next_edges()[1].node);  // a new region casts again
}

TEST_CASE("a classifier trains under autocast as it does in float32") {
  const auto train = [](bool autocast_on) {
    manual_seed(3);
    auto model = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
        std::make_shared<nn::Linear>(2, 32), std::make_shared<nn::Tanh>(), std::make_shared<nn::Linear>(32, 2)});
    optim::SGD optimizer(model->parameters(), {.lr = 0.5});
    // Two classes: the sign of x0 * x1.
    const Tensor x = randn({256, 2});
    const Tensor y = (x.select(1, 0) * x.select(1, 1) > 0).to(DType::Int64);
    double loss_value = 0;
    for (int step = 0; step < 300; ++step) {
      Tensor loss;
      {
        AutocastGuard autocast("cpu", DType::BFloat16, autocast_on);
        const Tensor logits = (*model)(x);
        CHECK(logits.dtype() == (autocast_on ? DType::BFloat16 : DType::Float32));
        loss = nn::functional::cross_entropy(logits, y);
      }
      CHECK(loss.dtype() == DType::Float32);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_value = loss.item<double>();
    }
    return loss_value;
  };
  const double full = train(false), mixed = train(true);
  CHECK(full < 0.25);
  CHECK(mixed < 0.25);
  CHECK(mixed != full);
}

TEST_CASE("GradScaler scales the loss, unscales before the step, and skips steps that overflowed") {
  Tensor w = tensor({1.f, 2.f});
  w.requires_grad_();
  optim::SGD optimizer({w}, {.lr = 0.1});
  optim::GradScaler scaler({.init_scale = 1024, .growth_interval = 2});

  scaler.scale((w * w).sum()).backward();
  CHECK(to_vector<float>(w.grad()) == std::vector<float>{2048, 4096});
  scaler.unscale_(optimizer);
  CHECK(to_vector<float>(w.grad()) == std::vector<float>{2, 4});
  CHECK_THROWS_WITH(scaler.unscale_(optimizer),
                    "[GradScaler] unscale_: already called for this optimizer since the last update()");
  CHECK(scaler.step(optimizer));
  CHECK(to_vector<float>(w) == std::vector<float>{0.8f, 1.6f});
  scaler.update();
  CHECK(scaler.get_scale() == 1024);

  // An overflowing gradient: no step, and the scale backs off.
  optimizer.zero_grad();
  scaler.scale(w.sum() * 1e36f).backward();  // 1e36 * 1024 overflows float32
  CHECK_FALSE(scaler.step(optimizer));
  CHECK(to_vector<float>(w) == std::vector<float>{0.8f, 1.6f});
  scaler.update();
  CHECK(scaler.get_scale() == 512);

  // Two clean steps in a row grow it.
  for (int i = 0; i < 2; ++i) {
    optimizer.zero_grad();
    scaler.scale(w.sum()).backward();
    CHECK(scaler.step(optimizer));
    scaler.update();
  }
  CHECK(scaler.get_scale() == 1024);

  optim::GradScaler restored;
  restored.load_state_dict(scaler.state_dict());
  CHECK(restored.get_scale() == 1024);
  CHECK_THROWS_WITH(optim::GradScaler({.backoff_factor = 1.5}),
                    "[GradScaler] backoff_factor: expected a factor in (0, 1), got 1.5");

  optim::GradScaler disabled({.enabled = false});
  const Tensor loss = w.sum();
  CHECK(disabled.scale(loss).is_same(loss));
}
