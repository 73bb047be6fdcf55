// Optimizers and learning-rate schedules against hand-derived update rules.
#include <doctest/doctest.h>

#include <cmath>

#include "ember/ember.h"
#include "ember/nn/modules/linear.h"
#include "ember/nn/utils.h"
#include "ember/optim/adadelta.h"
#include "ember/optim/adagrad.h"
#include "ember/optim/adam.h"
#include "ember/optim/adamax.h"
#include "ember/optim/asgd.h"
#include "ember/optim/lbfgs.h"
#include "ember/optim/lr_scheduler.h"
#include "ember/optim/nadam.h"
#include "ember/optim/radam.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/rprop.h"
#include "ember/optim/sgd.h"

using namespace ember;

namespace {

std::vector<double> values(const Tensor& t) { return to_vector<double>(t); }

Tensor param(std::initializer_list<double> v) {
  Tensor p = tensor<double>(v);
  p.requires_grad_();
  return p;
}

void check_values(const Tensor& t, const std::vector<double>& expected) {
  const auto got = values(t);
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expected[i]).epsilon(1e-12));
}

}  // namespace

TEST_CASE("SGD: plain, weight decay, momentum and Nesterov steps") {
  const Tensor g = tensor<double>({0.5, -1});
  Tensor p = param({1, 2});
  optim::SGD plain({p}, {0.1});
  p.set_grad(g);
  plain.step();
  check_values(p, {0.95, 2.1});

  Tensor q = param({1, 2});
  optim::SGD decayed({q}, {.lr = 0.1, .weight_decay = 0.5});
  q.set_grad(g);
  decayed.step();
  check_values(q, {1 - 0.1 * (0.5 + 0.5), 2 - 0.1 * (-1 + 1)});

  Tensor m = param({0, 0});
  optim::SGD momentum({m}, {.lr = 1, .momentum = 0.9});
  for (int i = 0; i < 2; ++i) {
    m.set_grad(g);
    momentum.step();
  }
  check_values(m, {-(1 + 1.9) * 0.5, (1 + 1.9) * 1});  // buffers g, then 0.9 g + g

  Tensor n = param({0, 0});
  optim::SGD nesterov({n}, {.lr = 1, .momentum = 0.9, .nesterov = true});
  for (int i = 0; i < 2; ++i) {
    n.set_grad(g);
    nesterov.step();
  }
  check_values(n, {-(1.9 + 2.71) * 0.5, (1.9 + 2.71) * 1});  // g + 0.9 g, then g + 0.9 * 1.9 g
  // A parameter whose first gradient comes late starts its buffer then, at that gradient, as PyTorch's.
  Tensor early = param({0}), late = param({0});
  optim::SGD damped({early, late}, {.lr = 1, .momentum = 0.9, .dampening = 0.5});
  early.set_grad(tensor<double>({1}));
  damped.step();
  late.set_grad(tensor<double>({1}));
  early.set_grad(tensor<double>({1}));
  damped.step();
  check_values(late, {-1});
  check_values(early, {-1 - (0.9 + 0.5)});
  CHECK_THROWS_WITH(optim::SGD({n}, {.lr = 1, .nesterov = true}), "[SGD] nesterov: needs a positive momentum and zero dampening");
  CHECK_THROWS_WITH(optim::SGD({}, {}), "[SGD] params: expected at least one parameter");
  CHECK_THROWS_WITH(optim::SGD({n}, {.weight_decay = -0.1}), "[SGD] weight_decay: expected a non-negative value, got -0.1");
}

TEST_CASE("an optimizer takes each parameter once, and only leaves") {
  const Tensor a = param({1, 2}), b = param({3});
  CHECK_THROWS_WITH(optim::SGD({a, b, a}, {}), "[SGD] params[2]: the same tensor as params[0]; list each parameter once");
  CHECK_THROWS_WITH(optim::Adam({b, a * 2}, {}),
                    "[Adam] params[1]: expected a leaf tensor, got one computed by MulTensorBackward; optimize the tensor it "
                    "was computed from, or a detach()ed copy");
  CHECK_THROWS_WITH(optim::Adam({a}, {.weight_decay = -1}), "[Adam] weight_decay: expected a non-negative value, got -1");
  // A view of a parameter is another tensor object: allowed, as in PyTorch, where it is a leaf too.
  CHECK_NOTHROW(optim::SGD({a, a.detach()}, {}));
}

TEST_CASE("clip_grad_norm_ scales all gradients together; clip_grad_value_ clamps each") {
  const Tensor a = param({1, 1}), b = param({1}), unused = param({5});
  auto set = [&] {
    a.set_grad(tensor<double>({3, 0}));
    b.set_grad(tensor<double>({-4}));
  };
  set();
  // Total 2-norm sqrt(9 + 16) = 5, scaled to 1 (less PyTorch's 1e-6 guard in the divisor).
  CHECK(nn::utils::clip_grad_norm_({a, b, unused}, 1.0) == doctest::Approx(5.0));
  check_values(a.grad(), {3 / (5 + 1e-6), 0});
  check_values(b.grad(), {-4 / (5 + 1e-6)});
  set();
  CHECK(nn::utils::clip_grad_norm_({a, b}, 10.0) == doctest::Approx(5.0));  // already within: unchanged
  check_values(a.grad(), {3, 0});
  CHECK(nn::utils::clip_grad_norm_({a, b}, 2.0, 1.0) == doctest::Approx(7.0));  // 1-norm 3 + 0 + 4
  check_values(b.grad(), {-4 * 2 / (7 + 1e-6)});
  set();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(nn::utils::clip_grad_norm_({a, b}, 2.0, inf) == doctest::Approx(4.0));  // the largest magnitude
  check_values(a.grad(), {3 * 2 / (4 + 1e-6), 0});
  set();
  CHECK(nn::utils::clip_grad_norm_({a, b}, 1.0, 3.0) == doctest::Approx(std::cbrt(27.0 + 64.0)));
  const Tensor half = zeros({1}, DType::Float16).requires_grad_();
  half.set_grad(tensor<float>({300.f, 400.f}).to(DType::Float16).narrow(0, 0, 1));  // 300^2 overflows float16
  CHECK(nn::utils::clip_grad_norm_({half}, 1.0) == doctest::Approx(300.0));
  CHECK(nn::utils::clip_grad_norm_({unused}, 1.0) == 0.0);  // no gradients: nothing to clip

  b.set_grad(tensor<double>({std::nan("")}));
  CHECK_THROWS_WITH(nn::utils::clip_grad_norm_({a, b}, 1.0, 2.0, true),
                    "[clip_grad_norm_] parameters: the total norm of order 2 of the gradients is nan; pass "
                    "error_if_nonfinite=false to scale them anyway");
  CHECK_THROWS_WITH(nn::utils::clip_grad_norm_({a}, 1.0, 0.0), "[clip_grad_norm_] norm_type: expected a positive order or infinity, got 0");
  CHECK_THROWS_WITH(nn::utils::clip_grad_norm_({a}, -1.0), "[clip_grad_norm_] max_norm: expected a non-negative value, got -1");

  set();
  nn::utils::clip_grad_value_({a, b}, 2.5);
  check_values(a.grad(), {2.5, 0});
  check_values(b.grad(), {-2.5});
  CHECK_THROWS_WITH(nn::utils::clip_grad_value_({a}, -1), "[clip_grad_value_] clip_value: expected a non-negative value, got -1");
}

TEST_CASE("Adam's first step moves each parameter by lr against the sign of its gradient") {
  Tensor p = param({1, 2, 3});
  optim::Adam adam({p}, {.lr = 0.01});
  p.set_grad(tensor<double>({4, -0.001, 0}));
  adam.step();
  const auto v = values(p);
  CHECK(v[0] == doctest::Approx(1 - 0.01).epsilon(1e-6));
  CHECK(v[1] == doctest::Approx(2 + 0.01).epsilon(1e-4));
  CHECK(v[2] == 3);
  CHECK_THROWS_WITH(optim::Adam({p}, {.beta1 = 1}), "[Adam] betas: expected values in [0, 1), got (1, 0.999)");
}

TEST_CASE("Adam and AdamW over several steps match the update rule computed by hand") {
  const std::vector<double> grads = {0.3, -0.2, 0.5};
  for (const bool decoupled : {false, true}) {
    CAPTURE(decoupled);
    const double lr = 0.1, b1 = 0.9, b2 = 0.99, eps = 1e-8, wd = 0.05;
    Tensor p = param({1});
    std::unique_ptr<optim::Optimizer> opt;
    if (decoupled) {
      opt = std::make_unique<optim::AdamW>(std::vector<Tensor>{p}, optim::AdamOptions{lr, b1, b2, eps, wd});
    } else {
      opt = std::make_unique<optim::Adam>(std::vector<Tensor>{p}, optim::AdamOptions{lr, b1, b2, eps, wd});
    }
    double x = 1, m = 0, v = 0;
    for (size_t t = 1; t <= grads.size(); ++t) {
      double g = grads[t - 1];
      p.set_grad(tensor<double>({g}));
      opt->step();
      if (decoupled) {
        x *= 1 - lr * wd;
      } else {
        g += wd * x;
      }
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      const double mhat = m / (1 - std::pow(b1, t)), vhat = v / (1 - std::pow(b2, t));
      x -= lr * mhat / (std::sqrt(vhat) + eps);
      CHECK(values(p)[0] == doctest::Approx(x).epsilon(1e-9));
    }
  }
}

TEST_CASE("Adam with amsgrad scales its steps by the largest second moment so far") {
  const std::vector<double> grads = {2.0, 0.1, 0.1};
  const double lr = 0.1, b1 = 0.9, b2 = 0.99, eps = 1e-8;
  Tensor p = param({1});
  optim::Adam adam({p}, {.lr = lr, .beta1 = b1, .beta2 = b2, .eps = eps, .amsgrad = true});
  double x = 1, m = 0, v = 0, largest = 0;
  for (size_t t = 1; t <= grads.size(); ++t) {
    const double g = grads[t - 1];
    p.set_grad(tensor<double>({g}));
    adam.step();
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    largest = std::max(largest, v);
    x -= lr / (1 - std::pow(b1, t)) * m / (std::sqrt(largest / (1 - std::pow(b2, t))) + eps);
    CHECK(values(p)[0] == doctest::Approx(x).epsilon(1e-9));
  }
  CHECK(largest > v);  // the later, smaller gradients did not shrink the scale
  CHECK(adam.state_dict().count("0.max_exp_avg_sq") == 1);
}

TEST_CASE("RMSprop, plain, centred and with momentum, over several steps match the rule by hand") {
  const std::vector<double> grads = {0.4, -0.3, 0.8};
  for (const bool centered : {false, true}) {
    for (const double momentum : {0.0, 0.7}) {
      CAPTURE(centered);
      CAPTURE(momentum);
      const double lr = 0.05, alpha = 0.9, eps = 1e-8, wd = 0.1;
      Tensor p = param({1.5});
      optim::RMSprop opt({p}, {.lr = lr, .alpha = alpha, .eps = eps, .weight_decay = wd, .momentum = momentum,
                               .centered = centered});
      double x = 1.5, square_avg = 0, grad_avg = 0, buffer = 0;
      for (const double grad : grads) {
        p.set_grad(tensor<double>({grad}));
        opt.step();
        const double g = grad + wd * x;
        square_avg = alpha * square_avg + (1 - alpha) * g * g;
        grad_avg = alpha * grad_avg + (1 - alpha) * g;
        const double avg = std::sqrt(centered ? square_avg - grad_avg * grad_avg : square_avg) + eps;
        buffer = momentum * buffer + g / avg;
        x -= lr * (momentum > 0 ? buffer : g / avg);
        CHECK(values(p)[0] == doctest::Approx(x).epsilon(1e-9));
      }
    }
  }
  Tensor p = param({1});
  CHECK_THROWS_WITH(optim::RMSprop({p}, {.alpha = -0.5}), "[RMSprop] alpha: expected a non-negative value, got -0.5");
  CHECK_THROWS_WITH(optim::RMSprop({p}, {.momentum = -1}), "[RMSprop] momentum: expected a non-negative value, got -1");
}

TEST_CASE("Adagrad with rate decay, weight decay and an initial accumulator matches the rule by hand") {
  const std::vector<double> grads = {0.4, -0.3, 0.8};
  const double lr = 0.2, lr_decay = 0.5, wd = 0.1, initial = 0.25, eps = 1e-10;
  Tensor p = param({1, -2});
  optim::Adagrad opt({p}, {.lr = lr, .lr_decay = lr_decay, .weight_decay = wd, .initial_accumulator_value = initial,
                           .eps = eps});
  std::vector<double> x = {1, -2}, sum = {initial, initial};
  for (size_t t = 1; t <= grads.size(); ++t) {
    p.set_grad(tensor<double>({grads[t - 1], -grads[t - 1]}));
    opt.step();
    const double rate = lr / (1 + (t - 1) * lr_decay);
    for (size_t i = 0; i < 2; ++i) {
      const double g = (i == 0 ? grads[t - 1] : -grads[t - 1]) + wd * x[i];
      sum[i] += g * g;
      x[i] -= rate * g / (std::sqrt(sum[i]) + eps);
    }
    check_values(p, x);
  }
  CHECK_THROWS_WITH(optim::Adagrad({p}, {.lr_decay = -1}), "[Adagrad] lr_decay: expected a non-negative value, got -1");
  CHECK_THROWS_WITH(optim::Adagrad({p}, {.initial_accumulator_value = -0.1}),
                    "[Adagrad] initial_accumulator_value: expected a non-negative value, got -0.1");
}

TEST_CASE("Adamax, NAdam and RAdam over several steps match their update rules by hand") {
  const std::vector<double> grads = {0.4, -0.3, 0.8, 0.1, -0.6, 0.2, 0.5, -0.2};
  const double lr = 0.05, beta1 = 0.8, beta2 = 0.7, eps = 1e-8, wd = 0.1;
  SUBCASE("Adamax: the decayed infinity norm") {
    Tensor p = param({1.5});
    optim::Adamax opt({p}, {.lr = lr, .beta1 = beta1, .beta2 = beta2, .eps = eps, .weight_decay = wd});
    double x = 1.5, m = 0, u = 0;
    for (size_t t = 1; t <= grads.size(); ++t) {
      p.set_grad(tensor<double>({grads[t - 1]}));
      opt.step();
      const double g = grads[t - 1] + wd * x;
      m = beta1 * m + (1 - beta1) * g;
      u = std::max(beta2 * u, std::abs(g) + eps);
      x -= lr / (1 - std::pow(beta1, t)) * m / u;
      CHECK(values(p)[0] == doctest::Approx(x).epsilon(1e-12));
    }
  }
  SUBCASE("NAdam: Dozat's momentum schedule") {
    const double decay = 0.3;  // large, so that the schedule moves within a few steps
    Tensor p = param({1.5});
    optim::NAdam opt({p}, {.lr = lr, .beta1 = beta1, .beta2 = beta2, .eps = eps, .weight_decay = wd, .momentum_decay = decay});
    double x = 1.5, m = 0, v = 0, product = 1;
    const auto mu = [&](double t) { return beta1 * (1 - 0.5 * std::pow(0.96, t * decay)); };
    for (size_t t = 1; t <= grads.size(); ++t) {
      p.set_grad(tensor<double>({grads[t - 1]}));
      opt.step();
      const double g = grads[t - 1] + wd * x;
      product *= mu(t);
      m = beta1 * m + (1 - beta1) * g;
      v = beta2 * v + (1 - beta2) * g * g;
      const double denominator = std::sqrt(v / (1 - std::pow(beta2, t))) + eps;
      x -= lr * (1 - mu(t)) / (1 - product) * g / denominator;
      x -= lr * mu(t + 1) / (1 - product * mu(t + 1)) * m / denominator;
      CHECK(values(p)[0] == doctest::Approx(x).epsilon(1e-12));
    }
  }
  SUBCASE("RAdam: momentum alone while rho <= 5, then the rectified adaptive step") {
    Tensor p = param({1.5});
    optim::RAdam opt({p}, {.lr = lr, .beta1 = beta1, .beta2 = 0.9, .eps = eps, .weight_decay = wd});
    double x = 1.5, m = 0, v = 0;
    int rectified = 0;
    for (size_t t = 1; t <= grads.size(); ++t) {
      p.set_grad(tensor<double>({grads[t - 1]}));
      opt.step();
      const double g = grads[t - 1] + wd * x, b2 = 0.9;
      m = beta1 * m + (1 - beta1) * g;
      v = b2 * v + (1 - b2) * g * g;
      const double c1 = 1 - std::pow(beta1, t), c2 = 1 - std::pow(b2, t);
      const double rho_inf = 2 / (1 - b2) - 1, rho = rho_inf - 2 * t * std::pow(b2, t) / c2;
      if (rho > 5) {
        ++rectified;
        const double r = std::sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho));
        x -= lr * m / c1 * r * std::sqrt(c2) / (std::sqrt(v) + eps);
      } else {
        x -= lr * m / c1;
      }
      CHECK(values(p)[0] == doctest::Approx(x).epsilon(1e-12));
    }
    CHECK(rectified > 0);
    CHECK(rectified < static_cast<int>(grads.size()));
  }
  Tensor p = param({1});
  CHECK_THROWS_WITH(optim::Adamax({p}, {.beta2 = 1}), "[Adamax] betas: expected values in [0, 1), got (0.9, 1)");
  CHECK_THROWS_WITH(optim::NAdam({p}, {.momentum_decay = -1}), "[NAdam] momentum_decay: expected a non-negative value, got -1");
  CHECK_THROWS_WITH(optim::RAdam({p}, {.eps = -1}), "[RAdam] eps: expected a non-negative value, got -1");
}

TEST_CASE("LBFGS: a first step along -g scaled by its 1-norm, a quadratic solved, Rosenbrock with strong Wolfe") {
  SUBCASE("the first iteration is steepest descent, scaled by min(1, 1 / |g|_1) * lr") {
    Tensor p = param({1.5, -0.5});
    optim::LBFGS opt({p}, {.lr = 0.8, .max_iter = 1});
    const Tensor loss = opt.step([&] {
      opt.zero_grad();
      const Tensor l = (p * p * tensor<double>({2, 3})).sum();  // g = (4 x, 6 y) = (6, -3)
      l.backward();
      return l;
    });
    CHECK(loss.item<double>() == doctest::Approx(2 * 2.25 + 3 * 0.25));  // the loss before the step
    const double t = 0.8 / 9;
    check_values(p, {1.5 - t * 6, -0.5 + t * 3});
  }
  SUBCASE("0.5 x^T A x - b^T x: the quasi-Newton steps reach A^-1 b") {
    const Tensor m = tensor<double>({2, 1, 0, 0, 1, 3, 1, 0, 0, 1, 4, 1, 0, 0, 1, 5}, {4, 4});
    const Tensor a = matmul(m, m.t()), b = tensor<double>({1, -2, 3, 0.5});
    for (const bool line_search : {false, true}) {
      CAPTURE(line_search);
      Tensor x = param({0, 0, 0, 0});
      optim::LBFGS opt({x}, {.history_size = 3, .strong_wolfe = line_search});
      int evaluations = 0;
      const auto closure = [&] {
        ++evaluations;
        opt.zero_grad();
        const Tensor l = 0.5 * (x * matmul(a, x)).sum() - (b * x).sum();
        l.backward();
        return l;
      };
      for (int i = 0; i < 3; ++i) opt.step(closure);
      // Within what the default tolerances allow: the loss stops changing by 1e-9 first.
      CHECK(allclose(x.detach(), linalg_solve(a, b), 1e-4, 1e-5));
      CHECK(evaluations <= 3 * 25);  // max_eval per step: max_iter * 5 / 4
    }
  }
  SUBCASE("Rosenbrock's valley with the strong Wolfe line search") {
    Tensor xy = param({-1.5, 2});
    optim::LBFGS opt({xy}, {.max_iter = 100, .strong_wolfe = true});
    const auto closure = [&] {
      opt.zero_grad();
      const Tensor x = xy[0], y = xy[1];
      const Tensor l = (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
      l.backward();
      return l;
    };
    for (int i = 0; i < 5; ++i) opt.step(closure);
    CHECK(allclose(xy.detach(), tensor<double>({1, 1}), 1e-4, 1e-5));
  }
  Tensor p = param({1});
  optim::LBFGS opt({p});
  CHECK_THROWS_WITH(opt.step(), doctest::Contains("[LBFGS] step: L-BFGS re-evaluates the loss; call step(closure)"));
  CHECK_THROWS_WITH(opt.step([&] { return cat({p, p}); }), "[LBFGS] closure: expected it to return the one-element loss");
  CHECK_THROWS_WITH(optim::LBFGS({p}, {.history_size = 0}), "[LBFGS] history_size: expected a positive count, got 0");
}

TEST_CASE("LBFGS's state_dict carries its history: a restored optimizer takes the very steps the saved one takes") {
  const Tensor m = tensor<double>({2, 1, 0, 0, 1, 3, 1, 0, 0, 1, 4, 1, 0, 0, 1, 5}, {4, 4});
  const Tensor a = matmul(m, m.t()), b = tensor<double>({1, -2, 3, 0.5});
  const auto closure_for = [&](optim::LBFGS& opt, Tensor& x) {
    return [&opt, &x, &a, &b] {
      opt.zero_grad();
      const Tensor l = 0.5 * (x * matmul(a, x)).sum() - (b * x).sum();
      l.backward();
      return l;
    };
  };
  Tensor x = param({0, 0, 0, 0});
  optim::LBFGS first({x}, {.max_iter = 3, .max_eval = 10, .history_size = 3});
  first.step(closure_for(first, x));
  const optim::StateDict saved = first.state_dict();
  CHECK(saved.at("lbfgs.grad_changes").size(1) == 4);
  CHECK(saved.at("lbfgs.iterations").item<int64_t>() == 3);
  CHECK(saved.at("lbfgs.grad_changes").size(0) == 2);  // a pair from each iteration after the first
  // A second optimizer over a copy of the parameters, restored from the first's state.
  Tensor y = x.detach().clone().requires_grad_();
  optim::LBFGS second({y}, {.max_iter = 3, .max_eval = 10, .history_size = 3});
  second.load_state_dict(saved);
  first.step(closure_for(first, x));
  second.step(closure_for(second, y));
  CHECK(equal(x.detach(), y.detach()));
  // A fresh optimizer's state has no history; loading it clears one.
  optim::LBFGS fresh({y}, {.history_size = 3});
  CHECK(fresh.state_dict().count("lbfgs.direction") == 0);
  second.load_state_dict(fresh.state_dict());
  CHECK(second.state_dict().count("lbfgs.direction") == 0);
  optim::StateDict broken = saved;
  broken["lbfgs.direction"] = zeros({3}, DType::Float64);
  CHECK_THROWS_WITH(second.load_state_dict(broken), "[LBFGS] state['lbfgs.direction']: expected shape [4], got [3]");
  broken.erase("lbfgs.direction");
  CHECK_THROWS_WITH(second.load_state_dict(broken), "[LBFGS] state: expected an 'lbfgs.direction' entry beside the others");
  optim::LBFGS short_history({y}, {.history_size = 1});
  CHECK_THROWS_WITH(short_history.load_state_dict(saved),
                    doctest::Contains("[LBFGS] state['lbfgs.curvatures']: 2 history pairs exceed history_size 1"));
}

TEST_CASE("optimizers drive a quadratic to its minimum through autograd") {
  for (int which = 0; which < 12; ++which) {
    CAPTURE(which);
    Tensor p = param({-2, 5});
    const Tensor target = tensor<double>({3, -1});
    std::unique_ptr<optim::Optimizer> opt;
    if (which == 0) opt = std::make_unique<optim::SGD>(std::vector<Tensor>{p}, optim::SGDOptions{.lr = 0.1, .momentum = 0.5});
    if (which == 1) opt = std::make_unique<optim::Adam>(std::vector<Tensor>{p}, optim::AdamOptions{.lr = 0.1});
    if (which == 2) opt = std::make_unique<optim::AdamW>(std::vector<Tensor>{p}, optim::AdamOptions{.lr = 0.1, .weight_decay = 0});
    if (which == 3) opt = std::make_unique<optim::RMSprop>(std::vector<Tensor>{p}, optim::RMSpropOptions{.lr = 0.05, .momentum = 0.5});
    if (which == 4) opt = std::make_unique<optim::Adagrad>(std::vector<Tensor>{p}, optim::AdagradOptions{.lr = 1.5});
    if (which == 5) opt = std::make_unique<optim::Adam>(std::vector<Tensor>{p}, optim::AdamOptions{.lr = 0.1, .amsgrad = true});
    if (which == 6) opt = std::make_unique<optim::Adamax>(std::vector<Tensor>{p}, optim::AdamaxOptions{.lr = 0.5});
    if (which == 7) opt = std::make_unique<optim::NAdam>(std::vector<Tensor>{p}, optim::NAdamOptions{.lr = 0.1});
    if (which == 8) opt = std::make_unique<optim::RAdam>(std::vector<Tensor>{p}, optim::RAdamOptions{.lr = 0.1});
    if (which == 9) opt = std::make_unique<optim::Adadelta>(std::vector<Tensor>{p}, optim::AdadeltaOptions{.lr = 10});
    if (which == 10) opt = std::make_unique<optim::Rprop>(std::vector<Tensor>{p}, optim::RpropOptions{.lr = 0.1});
    if (which == 11) opt = std::make_unique<optim::ASGD>(std::vector<Tensor>{p}, optim::ASGDOptions{.lr = 0.1, .t0 = 100});
    for (int step = 0; step < 300; ++step) {
      opt->zero_grad();
      const Tensor diff = p - target;
      (diff * diff).sum().backward();
      opt->step();
    }
    const auto v = values(p);
    CHECK(v[0] == doctest::Approx(3).epsilon(1e-3));
    CHECK(v[1] == doctest::Approx(-1).epsilon(1e-3));
  }
}

TEST_CASE("a parameter first given a gradient late counts its steps from there, as PyTorch's") {
  // Adam: unfrozen at the third step, its first update is still lr against the gradient's sign.
  Tensor always = param({0}), late = param({0});
  optim::Adam adam({always, late}, {.lr = 0.1});
  for (int step = 0; step < 3; ++step) {
    always.set_grad(tensor<double>({1}));
    if (step == 2) late.set_grad(tensor<double>({1}));
    adam.step();
  }
  CHECK(values(late)[0] == doctest::Approx(-0.1).epsilon(1e-6));
  const optim::StateDict state = adam.state_dict();
  CHECK(state.at("step").item<int64_t>() == 3);
  CHECK(state.at("0.step").item<int64_t>() == 3);
  CHECK(state.at("1.step").item<int64_t>() == 1);
  // Adagrad's rate decays with the parameter's own steps.
  Tensor a = param({0}), b = param({0});
  optim::Adagrad adagrad({a, b}, {.lr = 1, .lr_decay = 1});
  a.set_grad(tensor<double>({1}));
  adagrad.step();
  b.set_grad(tensor<double>({1}));
  adagrad.step();
  check_values(b, {-1.0 / (1 + 1e-10)});  // its first step: the full rate
}

TEST_CASE("optimizer state saves and restores, and bad state is refused by name") {
  Tensor a = param({1, 2});
  optim::Adam first({a}, {.lr = 0.1});
  for (int i = 0; i < 2; ++i) {
    a.set_grad(tensor<double>({0.5, -0.25}));
    first.step();
  }
  const optim::StateDict saved = first.state_dict();
  CHECK(saved.count("0.exp_avg") == 1);
  CHECK(saved.at("step").item<int64_t>() == 2);
  Tensor b = a.detach().clone();
  b.requires_grad_();
  optim::Adam second({b}, {.lr = 0.1});
  second.load_state_dict(saved);
  a.set_grad(tensor<double>({1, 1}));
  b.set_grad(tensor<double>({1, 1}));
  first.step();
  second.step();
  CHECK(values(a) == values(b));
  CHECK_THROWS_WITH(second.load_state_dict({}), "[Adam] state: expected a 'step' entry");
  CHECK_THROWS_WITH(second.load_state_dict({{"step", scalar_tensor(1)}, {"3.exp_avg", zeros({2})}}),
                    "[Adam] state['3.exp_avg']: expected '<parameter index>.<buffer>' with an index below 1");
  CHECK_THROWS_WITH(second.load_state_dict({{"step", scalar_tensor(1)}, {"0.exp_avg", zeros({3})}}),
                    "[Adam] state['0.exp_avg']: expected shape [2] like parameter 0, got [3]");
  CHECK_THROWS_WITH(second.load_state_dict({{"step", scalar_tensor(1)}, {"0.step", scalar_tensor(1.5)}}),
                    "[Adam] state['0.step']: expected a non-negative integer step count (0-dim), got float32 []");
  // A state without per-parameter counts gives every parameter with buffers the optimizer's count.
  optim::StateDict without_counts = saved;
  without_counts.erase("0.step");
  second.load_state_dict(without_counts);
  CHECK(second.state_dict().at("0.step").item<int64_t>() == 2);
  second.zero_grad();
  CHECK_FALSE(b.grad().defined());
}

TEST_CASE("step, exponential, linear, lambda and cosine learning-rate schedules") {
  Tensor p = param({0});
  optim::SGD sgd({p}, {.lr = 1});
  optim::StepLR step(sgd, 2, 0.5);
  std::vector<double> lrs;
  for (int epoch = 0; epoch < 5; ++epoch) {
    step.step();
    lrs.push_back(sgd.lr());
  }
  CHECK(lrs == std::vector<double>{1, 0.5, 0.5, 0.25, 0.25});
  optim::SGD other({p}, {.lr = 1});
  optim::CosineAnnealingLR cosine(other, 4, 0.1);
  for (int epoch = 1; epoch <= 5; ++epoch) {
    cosine.step();
    const double expected = 0.1 + 0.9 * (1 + std::cos(M_PI * epoch / 4)) / 2;  // past t_max it rises again
    CHECK(other.lr() == doctest::Approx(expected));
  }
  // The rate after constructing, then after each of four steps, against PyTorch's closed forms.
  auto schedule = [&](auto make) {
    optim::SGD sgd_for({p}, {.lr = 0.8});
    auto scheduler = make(sgd_for);
    std::vector<double> seen = {sgd_for.lr()};
    for (int epoch = 0; epoch < 4; ++epoch) {
      scheduler.step();
      seen.push_back(sgd_for.lr());
    }
    CHECK(scheduler.last_epoch() == 4);
    return seen;
  };
  auto close = [](const std::vector<double>& got, const std::vector<double>& expected) {
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expected[i]));
  };
  close(schedule([](optim::Optimizer& o) { return optim::ExponentialLR(o, 0.5); }), {0.8, 0.4, 0.2, 0.1, 0.05});
  // A warm-up from a quarter of the rate to all of it over two epochs, applied at construction.
  close(schedule([](optim::Optimizer& o) { return optim::LinearLR(o, 0.25, 1.0, 2); }), {0.2, 0.5, 0.8, 0.8, 0.8});
  close(schedule([](optim::Optimizer& o) { return optim::LambdaLR(o, [](int64_t e) { return 1.0 / (e + 1); }); }),
        {0.8, 0.4, 0.8 / 3, 0.2, 0.16});
  close(schedule([](optim::Optimizer& o) { return optim::MultiStepLR(o, {1, 3}, 0.5); }), {0.8, 0.4, 0.4, 0.2, 0.2});
  close(schedule([](optim::Optimizer& o) { return optim::PolynomialLR(o, 4, 2.0); }), {0.8, 0.45, 0.2, 0.05, 0});
  // Periods of 2 then 4 epochs, each restarting at the initial rate.
  close(schedule([](optim::Optimizer& o) { return optim::CosineAnnealingWarmRestarts(o, 2, 2); }),
        {0.8, 0.4, 0.8, 0.8 * (1 + std::cos(M_PI / 4)) / 2, 0.4});
  // 1cycle over 10 steps: up from max_lr / 25 over steps 0..2, then down to max_lr / 25 / 1e4 at step 9.
  const double top = 1.0, first = top / 25, lowest = first / 1e4;
  auto cosine_step = [](double from, double to, double pct) { return to + (from - to) / 2 * (std::cos(M_PI * pct) + 1); };
  close(schedule([&](optim::Optimizer& o) { return optim::OneCycleLR(o, top, 10); }),
        {first, cosine_step(first, top, 0.5), top, cosine_step(top, lowest, 1.0 / 7), cosine_step(top, lowest, 2.0 / 7)});
  close(schedule([&](optim::Optimizer& o) { return optim::OneCycleLR(o, top, 10, {.anneal_strategy = "linear", .three_phase = true}); }),
        {first, (first + top) / 2, top, top + (first - top) * (1.0 / 2), first});
  {
    optim::SGD short_run({p}, {.lr = 1});
    optim::OneCycleLR cycle(short_run, 1.0, 2);
    cycle.step();
    cycle.step();
    CHECK_THROWS_WITH(cycle.step(), "[OneCycleLR] step: stepped 3 times, past total_steps 2");
  }
  CHECK_THROWS_WITH(optim::MultiStepLR(sgd, {3, 1}), "[MultiStepLR] milestones: expected them in increasing order, got [3, 1]");
  CHECK_THROWS_WITH(optim::OneCycleLR(sgd, 1.0, 10, {.anneal_strategy = "step"}),
                    "[OneCycleLR] anneal_strategy: expected \"cos\" or \"linear\", got \"step\"");
  CHECK_THROWS_WITH(optim::CosineAnnealingWarmRestarts(sgd, 2, 0), "[CosineAnnealingWarmRestarts] t_mult: expected an integer of at least 1, got 0");
  CHECK_THROWS_WITH(optim::LinearLR(sgd, 0.0), "[LinearLR] start_factor: expected a value in (0, 1], got 0");
  CHECK_THROWS_WITH(optim::ExponentialLR(sgd, -1), "[ExponentialLR] gamma: expected a positive finite factor, got -1");
  CHECK_THROWS_WITH(optim::LambdaLR(sgd, nullptr), "[LambdaLR] lr_lambda: expected a function, got an empty one");
}

TEST_CASE("OneCycleLR cycles the momentum (beta1 for Adam) against the rate, or refuses an optimizer without one") {
  Tensor p = param({0});
  optim::SGD sgd({p}, {.lr = 1, .momentum = 0.5});
  optim::OneCycleLR cycle(sgd, 1.0, 10);
  // Steps 0..2 go from max_momentum 0.95 down to base_momentum 0.85 as the rate rises; 3..9 back up.
  const auto cosine_step = [](double from, double to, double pct) { return to + (from - to) / 2 * (std::cos(M_PI * pct) + 1); };
  std::vector<double> momenta = {*sgd.momentum(0)};
  for (int i = 0; i < 9; ++i) {
    cycle.step();
    momenta.push_back(*sgd.momentum(0));
  }
  CHECK(momenta[0] == doctest::Approx(0.95));
  CHECK(momenta[1] == doctest::Approx(0.90));
  CHECK(momenta[2] == doctest::Approx(0.85));
  CHECK(momenta[3] == doctest::Approx(cosine_step(0.85, 0.95, 1.0 / 7)));
  CHECK(momenta[9] == doctest::Approx(0.95));
  optim::Adam adam({p}, {.lr = 1});
  optim::OneCycleLR adam_cycle(adam, 1.0, 4, {.anneal_strategy = "linear", .base_momentum = 0.8, .max_momentum = 0.9});
  CHECK(*adam.momentum(0) == doctest::Approx(0.9));
  adam_cycle.step();  // step 1 ends the rise (0.3 * 4 - 1 = 0.2): the descent of the rate begins
  CHECK(*adam.momentum(0) == doctest::Approx(0.8 + 0.1 * (1 - 0.2) / 2.8));
  optim::Adagrad adagrad({p}, {.lr = 1});
  CHECK(!adagrad.momentum(0).has_value());
  CHECK_THROWS_WITH(optim::OneCycleLR(adagrad, 1.0, 4),
                    "[OneCycleLR] cycle_momentum: the optimizer has no momentum or beta1 to cycle; pass cycle_momentum = false");
  CHECK_NOTHROW(optim::OneCycleLR(adagrad, 1.0, 4, {.cycle_momentum = false}));
  CHECK_THROWS_WITH(adagrad.set_momentum(0, 0.9), "[Adagrad] momentum: this optimizer has no momentum (nor beta1) to set");
  CHECK_THROWS_WITH(sgd.momentum(3), "[SGD] group: expected one of the 1 parameter groups, got 3");
}

TEST_CASE("ReduceLROnPlateau cuts the rate after `patience` epochs without improvement, then cools down") {
  Tensor p = param({0});
  optim::SGD sgd({p}, {.lr = 0.8});
  optim::ReduceLROnPlateau plateau(sgd, {.factor = 0.5, .patience = 1, .cooldown = 1, .min_lr = 0.15});
  std::vector<double> lrs;
  for (double loss : {1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95}) {
    plateau.step(loss);
    lrs.push_back(sgd.lr());
  }
  // Bad epochs 3 and 4 cut to 0.4; epoch 5 is cooldown; 6 and 7 cut to 0.2; 8 cools; 9 and 10 stop at min_lr.
  CHECK(lrs == std::vector<double>{0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.15});
  // "max" mode with an absolute threshold: only a rise of more than 0.1 counts.
  optim::SGD other({p}, {.lr = 1});
  optim::ReduceLROnPlateau accuracy(other, {.mode = "max", .patience = 0, .threshold = 0.1, .threshold_mode = "abs"});
  accuracy.step(0.5);
  accuracy.step(0.55);  // not better by more than 0.1: cut at once (patience 0)
  CHECK(other.lr() == doctest::Approx(0.1));
  accuracy.step(0.7);
  CHECK(accuracy.num_bad_epochs() == 0);
  CHECK(other.lr() == doctest::Approx(0.1));
  CHECK_THROWS_WITH(optim::ReduceLROnPlateau(sgd, {.mode = "lowest"}), "[ReduceLROnPlateau] mode: expected \"min\" or \"max\", got \"lowest\"");
  CHECK_THROWS_WITH(optim::ReduceLROnPlateau(sgd, {.factor = 1}), "[ReduceLROnPlateau] factor: expected a value in [0, 1), got 1");
}

TEST_CASE("parameter groups step at their own rates and options, and schedules scale each group") {
  Tensor backbone = param({1, 1}), head = param({1});
  optim::SGD sgd(std::vector<optim::ParamGroup<optim::SGDOptions>>{{{backbone}, {.lr = 0.01}},
                                                                    {{head}, {.lr = 0.1, .weight_decay = 0.5}}});
  CHECK(sgd.num_groups() == 2);
  CHECK(sgd.parameters().size() == 2);
  backbone.set_grad(tensor<double>({1, -1}));
  head.set_grad(tensor<double>({2}));
  sgd.step();
  check_values(backbone, {0.99, 1.01});
  check_values(head, {1 - 0.1 * (2 + 0.5)});
  // A schedule scales each group from its own starting rate.
  optim::StepLR schedule(sgd, 1, 0.5);
  schedule.step();
  CHECK(sgd.lr(0) == doctest::Approx(0.005));
  CHECK(sgd.lr(1) == doctest::Approx(0.05));
  sgd.set_lr(1, 0.2);
  CHECK(sgd.lr(1) == 0.2);
  sgd.set_lr(0.3);  // every group
  CHECK((sgd.lr(0) == 0.3 && sgd.lr(1) == 0.3));
  // Adam with decay for the weights only; its state indices count through the groups.
  Tensor weight = param({1, 2}), bias = param({3});
  optim::AdamW adamw(std::vector<optim::ParamGroup<optim::AdamOptions>>{{{weight}, {.lr = 0.1, .weight_decay = 0.1}},
                                                                        {{bias}, {.lr = 0.1, .weight_decay = 0}}});
  weight.set_grad(tensor<double>({1, 1}));
  bias.set_grad(tensor<double>({1}));
  adamw.step();
  // The first Adam step moves by lr / (1 + eps / |g|): equal to lr within 1e-7.
  CHECK(values(weight)[0] == doctest::Approx(1 * (1 - 0.01) - 0.1).epsilon(1e-7));
  CHECK(values(weight)[1] == doctest::Approx(2 * (1 - 0.01) - 0.1).epsilon(1e-7));
  CHECK(values(bias)[0] == doctest::Approx(3 - 0.1).epsilon(1e-7));
  CHECK(adamw.state_dict().count("1.exp_avg") == 1);
  optim::ReduceLROnPlateau plateau(adamw, {.factor = 0.5, .patience = 0});
  plateau.step(1);
  plateau.step(2);
  CHECK((adamw.lr(0) == doctest::Approx(0.05) && adamw.lr(1) == doctest::Approx(0.05)));
  CHECK_THROWS_WITH(adamw.lr(2), "[AdamW] group: expected one of the 2 parameter groups, got 2");
  CHECK_THROWS_WITH(optim::SGD(std::vector<optim::ParamGroup<optim::SGDOptions>>{{{backbone}, {}}, {{}, {}}}),
                    "[SGD] params: expected at least one parameter in group 1");
  CHECK_THROWS_WITH(optim::SGD(std::vector<optim::ParamGroup<optim::SGDOptions>>{{{backbone}, {}}, {{backbone}, {}}}),
                    "[SGD] params[1]: the same tensor as params[0]; list each parameter once");
  CHECK_THROWS_WITH(optim::Adam(std::vector<optim::ParamGroup<optim::AdamOptions>>{{{head}, {}}, {{bias}, {.beta2 = 1}}}),
                    "[Adam] betas: expected values in [0, 1), got (0.9, 1)");
  CHECK_THROWS_WITH(optim::SGD(std::vector<optim::ParamGroup<optim::SGDOptions>>{}), "[SGD] params: expected at least one parameter group");
}

TEST_CASE("parameters_to_vector joins the parameters and vector_to_parameters splits them back") {
  nn::Linear layer(3, 2);
  const std::vector<Tensor> parameters = layer.parameters();  // weight [2, 3], bias [2]
  const Tensor flat = nn::utils::parameters_to_vector(parameters);
  CHECK(flat.sizes().equals({8}));
  CHECK(to_vector<float>(flat.narrow(0, 0, 6)) == to_vector<float>(layer.weight));
  CHECK(to_vector<float>(flat.narrow(0, 6, 2)) == to_vector<float>(layer.bias));
  flat.square().sum().backward();  // differentiable: d sum(v^2) / dw = 2w
  CHECK(to_vector<float>(layer.weight.grad()) == to_vector<float>(layer.weight * 2));

  nn::utils::vector_to_parameters(arange(8).to(DType::Float32), parameters);
  CHECK(to_vector<float>(layer.weight) == std::vector<float>{0, 1, 2, 3, 4, 5});
  CHECK(to_vector<float>(layer.bias) == std::vector<float>{6, 7});
  CHECK(layer.weight.requires_grad());
  CHECK_THROWS_WITH(nn::utils::vector_to_parameters(zeros({7}), parameters),
                    "[vector_to_parameters] vector: expected a 1-D tensor of 8 elements (the parameters'), got [7]");
  CHECK_THROWS_WITH(nn::utils::parameters_to_vector({}),
                    "[parameters_to_vector] parameters: expected at least one tensor");
}
