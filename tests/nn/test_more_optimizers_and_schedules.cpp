// Adadelta, Rprop and ASGD against their update rules computed by hand, and the ConstantLR,
// MultiplicativeLR and CyclicLR schedules against PyTorch's closed forms.
#include <doctest/doctest.h>

#include <cmath>

#include "ember/ember.h"
#include "ember/optim/adadelta.h"
#include "ember/optim/asgd.h"
#include "ember/optim/lr_scheduler.h"
#include "ember/optim/rprop.h"
#include "ember/optim/sgd.h"

using namespace ember;

namespace {

Tensor param(std::initializer_list<double> v) {
  Tensor p = tensor<double>(v);
  p.requires_grad_();
  return p;
}

double value(const Tensor& t, size_t i = 0) { return to_vector<double>(t)[i]; }

const std::vector<double> kGrads = {0.4, -0.3, 0.8, 0.1, -0.6, 0.2, 0.5, -0.2};

}  // namespace

TEST_CASE("Adadelta: unit-consistent steps from the two running root-mean-squares") {
  const double lr = 0.7, rho = 0.8, eps = 1e-4, wd = 0.1;
  Tensor p = param({1.5});
  optim::Adadelta opt({p}, {.lr = lr, .rho = rho, .eps = eps, .weight_decay = wd});
  double x = 1.5, square_avg = 0, acc_delta = 0;
  for (double grad : kGrads) {
    p.set_grad(tensor<double>({grad}));
    opt.step();
    const double g = grad + wd * x;
    square_avg = rho * square_avg + (1 - rho) * g * g;
    const double delta = std::sqrt(acc_delta + eps) / std::sqrt(square_avg + eps) * g;
    acc_delta = rho * acc_delta + (1 - rho) * delta * delta;
    x -= lr * delta;
    CHECK(value(p) == doctest::Approx(x).epsilon(1e-12));
  }
  CHECK_THROWS_WITH(optim::Adadelta({p}, {.rho = 1.5}), "[Adadelta] rho: expected a value in [0, 1], got 1.5");
}

TEST_CASE("Rprop: per-element steps grow while the sign holds, shrink and wait when it flips") {
  // Element 0's gradient keeps its sign, element 1's alternates, element 2's is zero at step 2.
  Tensor p = param({1, 1, 1});
  optim::Rprop opt({p}, {.lr = 0.1, .etaminus = 0.5, .etaplus = 1.2, .step_min = 0.01, .step_max = 0.15});
  const std::vector<std::vector<double>> grads = {{2, 3, -1}, {1, -3, 0}, {5, 2, -1}, {1, -1, -1}};
  std::vector<double> x = {1, 1, 1}, step = {0.1, 0.1, 0.1}, previous = {0, 0, 0};
  for (const auto& grad : grads) {
    p.set_grad(tensor<double>(grad, {3}));
    opt.step();
    for (size_t i = 0; i < 3; ++i) {
      const double agreement = grad[i] * previous[i];
      const double factor = agreement > 0 ? 1.2 : agreement < 0 ? 0.5 : 1;
      step[i] = std::clamp(step[i] * factor, 0.01, 0.15);
      const double held = agreement < 0 ? 0 : grad[i];
      x[i] -= (held > 0 ? 1 : held < 0 ? -1 : 0) * step[i];
      previous[i] = held;
      CAPTURE(i);
      CHECK(value(p, i) == doctest::Approx(x[i]).epsilon(1e-12));
    }
  }
  CHECK(step[0] == doctest::Approx(0.15));  // capped at step_max
  CHECK_THROWS_WITH(optim::Rprop({p}, {.etaplus = 0.9}), "[Rprop] etas: expected 0 < etaminus < 1 < etaplus, got 0.5 and 0.9");
  CHECK_THROWS_WITH(optim::Rprop({p}, {.step_min = 1, .step_max = 0.5}),
                    "[Rprop] step_sizes: expected 0 <= step_min <= step_max, got 1 and 0.5");
}

TEST_CASE("ASGD: a decaying rate, and the parameters' average from step t0 on") {
  const double lr = 0.3, lambd = 0.05, alpha = 0.75, t0 = 3, wd = 0.1;
  Tensor p = param({1.5});
  optim::ASGD opt({p}, {.lr = lr, .lambd = lambd, .alpha = alpha, .t0 = t0, .weight_decay = wd});
  CHECK_THROWS_WITH(opt.averaged(0), "[ASGD] averaged: parameter 0 has no average yet (it takes one at its first step)");
  double x = 1.5, eta = lr, mu = 1, ax = 0;
  for (size_t t = 1; t <= kGrads.size(); ++t) {
    p.set_grad(tensor<double>({kGrads[t - 1]}));
    opt.step();
    const double g = kGrads[t - 1] + wd * x;
    x = x * (1 - lambd * eta) - eta * g;
    ax = mu == 1 ? x : ax + (x - ax) * mu;
    eta = lr / std::pow(1 + lambd * lr * static_cast<double>(t), alpha);
    mu = 1 / std::max(1.0, static_cast<double>(t) - t0);
    CHECK(value(p) == doctest::Approx(x).epsilon(1e-12));
    CHECK(value(opt.averaged(0)) == doctest::Approx(ax).epsilon(1e-12));
  }
  CHECK(value(opt.averaged(0)) != doctest::Approx(value(p)));  // averaging has begun
  CHECK(opt.state_dict().count("0.ax") == 1);
}

TEST_CASE("ConstantLR and MultiplicativeLR") {
  Tensor p = param({1});
  optim::SGD sgd({p}, {.lr = 0.6});
  optim::ConstantLR constant(sgd, 0.5, 2);
  CHECK(sgd.lr() == doctest::Approx(0.3));
  constant.step();
  CHECK(sgd.lr() == doctest::Approx(0.3));
  constant.step();
  CHECK(sgd.lr() == doctest::Approx(0.6));  // total_iters reached
  CHECK_THROWS_WITH(optim::ConstantLR(sgd, 1.5), "[ConstantLR] factor: expected a value in [0, 1], got 1.5");

  optim::SGD other({p}, {.lr = 1.0});
  optim::MultiplicativeLR multiplicative(other, [](int64_t epoch) { return 1.0 / static_cast<double>(epoch + 1); });
  CHECK(other.lr() == 1.0);
  multiplicative.step();
  CHECK(other.lr() == doctest::Approx(0.5));
  multiplicative.step();
  CHECK(other.lr() == doctest::Approx(0.5 / 3));
}

TEST_CASE("CyclicLR: triangular, triangular2 and exp_range cycles, the momentum moving against the rate") {
  Tensor p = param({1});
  optim::SGD sgd({p}, {.lr = 5, .momentum = 0.5});
  optim::CyclicLR cyclic(sgd, 0.1, 0.5, {.step_size_up = 2, .step_size_down = 4});
  // Up over 2 steps, down over 4: 0.1, 0.3, 0.5, 0.4, 0.3, 0.2, then 0.1 again.
  const std::vector<double> expected = {0.1, 0.3, 0.5, 0.4, 0.3, 0.2, 0.1, 0.3};
  for (size_t step = 0; step < expected.size(); ++step) {
    CAPTURE(step);
    CHECK(sgd.lr() == doctest::Approx(expected[step]));
    const double height = (expected[step] - 0.1) / 0.4;
    CHECK(*sgd.momentum(0) == doctest::Approx(0.9 - 0.1 * height));
    cyclic.step();
  }
  optim::SGD halving({p}, {.lr = 1});
  optim::CyclicLR triangular2(halving, 0, 1, {.step_size_up = 1, .mode = "triangular2", .cycle_momentum = false});
  std::vector<double> peaks;
  for (int step = 0; step < 6; ++step) {
    triangular2.step();
    if (step % 2 == 0) peaks.push_back(halving.lr());
  }
  CHECK(peaks == std::vector<double>{1, 0.5, 0.25});
  optim::SGD decaying({p}, {.lr = 1});
  optim::CyclicLR exp_range(decaying, 0, 1, {.step_size_up = 1, .mode = "exp_range", .gamma = 0.5, .cycle_momentum = false});
  exp_range.step();
  CHECK(decaying.lr() == doctest::Approx(0.5));  // the peak at step 1, scaled by 0.5^1
  optim::SGD plain({p}, {.lr = 1});
  CHECK_THROWS_WITH(optim::CyclicLR(plain, 0.1, 1, {.mode = "sawtooth"}),
                    "[CyclicLR] mode: expected \"triangular\", \"triangular2\" or \"exp_range\", got \"sawtooth\"");
}
