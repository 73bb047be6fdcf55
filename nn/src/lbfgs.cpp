#include "ember/optim/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"
#include "strong_wolfe.h"

namespace ember::optim {
namespace {

double dot_of(const Tensor& a, const Tensor& b) { return (a * b).sum().item<double>(); }
double largest_magnitude(const Tensor& t) { return t.abs().max().item<double>(); }

// The loss the closure returns, as a double; evaluated with gradients recorded.
Tensor call_closure(const std::function<Tensor()>& closure) {
  autograd::EnableGradGuard grad;
  Tensor loss = closure();
  EMBER_CHECK(loss.defined() && loss.numel() == 1, "[LBFGS] closure: expected it to return the one-element loss");
  return loss;
}

}  // namespace

LBFGS::LBFGS(std::vector<Tensor> params, LBFGSOptions lbfgs_options)
    : Optimizer({std::move(params)}, {lbfgs_options.lr}, "LBFGS"), options(lbfgs_options) {
  EMBER_CHECK(options.max_iter > 0, "[LBFGS] max_iter: expected a positive count, got {}", options.max_iter);
  EMBER_CHECK(!options.max_eval || *options.max_eval > 0, "[LBFGS] max_eval: expected a positive count, got {}",
              options.max_eval.value_or(0));
  EMBER_CHECK(options.history_size > 0, "[LBFGS] history_size: expected a positive count, got {}",
              options.history_size);
  require_non_negative("tolerance_grad", options.tolerance_grad);
  require_non_negative("tolerance_change", options.tolerance_change);
}

void LBFGS::step() {
  EMBER_FAIL("[LBFGS] step: L-BFGS re-evaluates the loss; call step(closure) with a closure that zeroes the "
             "gradients, computes the loss, runs backward and returns it");
}

// Every parameter's gradient (zeros where it has none) as one vector.
Tensor LBFGS::flat_grad() const {
  std::vector<Tensor> parts;
  for (const Tensor& p : parameters()) {
    parts.push_back(p.grad().defined() ? p.grad().reshape({-1}) : zeros({p.numel()}, p.dtype(), p.device()));
  }
  return cat(parts);
}

Tensor LBFGS::flat_params() const {
  std::vector<Tensor> parts;
  for (const Tensor& p : parameters()) parts.push_back(p.detach().reshape({-1}));  // cat copies
  return cat(parts);
}

void LBFGS::set_params(const Tensor& flat) {
  autograd::NoGradGuard no_grad;
  int64_t offset = 0;
  for (const Tensor& p : parameters()) {
    p.copy_(flat.narrow(0, offset, p.numel()).view(p.sizes()));
    offset += p.numel();
  }
}

void LBFGS::add_to_params(double step_size, const Tensor& direction) {
  autograd::NoGradGuard no_grad;
  int64_t offset = 0;
  for (const Tensor& p : parameters()) {
    p.add_(direction.narrow(0, offset, p.numel()).view(p.sizes()), step_size);
    offset += p.numel();
  }
}

std::pair<double, Tensor> LBFGS::evaluate_along(const std::function<Tensor()>& closure, const Tensor& flat,
                                                double step_size, const Tensor& direction) {
  add_to_params(step_size, direction);
  const double loss = call_closure(closure).item<double>();
  Tensor grad = flat_grad();
  set_params(flat);
  return {loss, grad};
}

// The quasi-Newton direction -H g, H the inverse Hessian estimate the stored pairs (s, y) define
// over a scaled identity (Nocedal and Wright, Algorithm 7.4).
Tensor LBFGS::two_loop(const Tensor& grad) const {
  const size_t k = grad_changes_.size();
  std::vector<double> alpha(k);
  Tensor q = -grad;
  for (size_t i = k; i-- > 0;) {
    alpha[i] = dot_of(position_changes_[i], q) * curvatures_[i];
    q = q - grad_changes_[i] * alpha[i];
  }
  Tensor r = q * hessian_scale_;
  for (size_t i = 0; i < k; ++i) {
    const double beta = dot_of(grad_changes_[i], r) * curvatures_[i];
    r = r + position_changes_[i] * (alpha[i] - beta);
  }
  return r;
}

Tensor LBFGS::step(const std::function<Tensor()>& closure) {
  ++step_count_;
  const int64_t max_eval = options.max_eval.value_or(options.max_iter * 5 / 4);
  const Tensor original_loss = call_closure(closure);
  double loss = original_loss.item<double>();
  int64_t evaluations = 1;
  Tensor grad = flat_grad();
  if (largest_magnitude(grad) <= options.tolerance_grad) return original_loss;

  autograd::NoGradGuard no_grad;
  for (int64_t n = 1; n <= options.max_iter; ++n) {
    ++iterations_;
    if (iterations_ == 1) {
      direction_ = -grad;
      grad_changes_.clear();
      position_changes_.clear();
      curvatures_.clear();
      hessian_scale_ = 1;
    } else {
      // The newest pair, kept when the curvature along it is positive (so H stays positive definite).
      const Tensor y = grad - previous_grad_, s = direction_ * step_size_;
      const double ys = dot_of(y, s);
      if (ys > 1e-10) {
        if (static_cast<int64_t>(grad_changes_.size()) == options.history_size) {
          grad_changes_.pop_front();
          position_changes_.pop_front();
          curvatures_.pop_front();
        }
        grad_changes_.push_back(y);
        position_changes_.push_back(s);
        curvatures_.push_back(1 / ys);
        hessian_scale_ = ys / dot_of(y, y);
      }
      direction_ = two_loop(grad);
    }
    previous_grad_ = grad.clone();
    previous_loss_ = loss;
    // The first step is scaled by the gradient's size: the identity is a poor Hessian to start.
    step_size_ = iterations_ == 1 ? std::min(1.0, 1 / grad.abs().sum().item<double>()) * lr() : lr();
    const double gtd = dot_of(grad, direction_);
    if (gtd > -options.tolerance_change) break;  // not a descent direction any more

    int64_t line_evaluations = 0;
    if (options.strong_wolfe) {
      const Tensor start = flat_params();
      const LineSearchResult found = strong_wolfe(
          [&](double t) { return evaluate_along(closure, start, t, direction_); }, direction_, step_size_, loss, grad,
          gtd, options.tolerance_change);
      add_to_params(found.step, direction_);
      loss = found.loss;
      grad = found.grad;
      step_size_ = found.step;
      line_evaluations = found.evaluations;
    } else {
      add_to_params(step_size_, direction_);
      if (n != options.max_iter) {
        loss = call_closure(closure).item<double>();
        grad = flat_grad();
        line_evaluations = 1;
      }
    }
    evaluations += line_evaluations;
    if (n == options.max_iter || evaluations >= max_eval) break;
    if (largest_magnitude(grad) <= options.tolerance_grad) break;
    if (largest_magnitude(direction_) * std::abs(step_size_) <= options.tolerance_change) break;
    if (std::abs(loss - previous_loss_) < options.tolerance_change) break;
  }
  return original_loss;
}

namespace {

constexpr const char* kPrefix = "lbfgs.";

Tensor stacked(const std::deque<Tensor>& rows, int64_t n, const Tensor& like) {
  if (rows.empty()) return zeros({0, n}, like.dtype(), like.device());
  return stack(std::vector<Tensor>(rows.begin(), rows.end()));
}

}  // namespace

StateDict LBFGS::state_dict() const {
  StateDict state = Optimizer::state_dict();
  if (!direction_.defined()) return state;  // no step yet: nothing carried
  const int64_t n = direction_.numel();
  const std::string p = kPrefix;
  state[p + "direction"] = direction_.clone();
  state[p + "previous_grad"] = previous_grad_.clone();
  state[p + "scalars"] = tensor<double>({step_size_, previous_loss_, hessian_scale_});
  state[p + "iterations"] = scalar_tensor(iterations_, DType::Int64);
  state[p + "grad_changes"] = stacked(grad_changes_, n, direction_);
  state[p + "position_changes"] = stacked(position_changes_, n, direction_);
  state[p + "curvatures"] = tensor<double>(std::vector<double>(curvatures_.begin(), curvatures_.end()),
                                           {static_cast<int64_t>(curvatures_.size())});
  return state;
}

void LBFGS::load_state_dict(const StateDict& state) {
  // The "lbfgs." entries are this optimizer's; the rest are the base's.
  const std::string_view prefix = kPrefix;
  StateDict base, own;
  for (const auto& [key, value] : state) {
    if (key.starts_with(prefix)) {
      own[key.substr(prefix.size())] = value;
    } else {
      base[key] = value;
    }
  }
  Optimizer::load_state_dict(base);
  direction_ = previous_grad_ = Tensor();
  grad_changes_.clear();
  position_changes_.clear();
  curvatures_.clear();
  iterations_ = 0;
  if (own.empty()) return;
  int64_t n = 0;
  for (const Tensor& p : parameters()) n += p.numel();
  const Tensor& like = parameters().front();
  const auto entry = [&](const char* name, IntArrayRef shape) {
    const auto it = own.find(name);
    EMBER_CHECK(it != own.end(), "[LBFGS] state: expected an 'lbfgs.{}' entry beside the others", name);
    EMBER_CHECK(it->second.sizes().equals(shape), "[LBFGS] state['lbfgs.{}']: expected shape {}, got {}", name,
                shape_str(shape), shape_str(it->second.sizes()));
    return it->second;
  };
  const int64_t k = own.count("curvatures") ? own.at("curvatures").numel() : 0;
  EMBER_CHECK(k <= options.history_size, "[LBFGS] state['lbfgs.curvatures']: {} history pairs exceed history_size {}",
              k, options.history_size);
  const auto restored = [&](const Tensor& t) { return t.to(like.dtype()).to(like.device()).clone(); };
  const auto scalars = to_vector<double>(entry("scalars", {3}));
  const Tensor iterations = entry("iterations", {});
  EMBER_CHECK(!is_floating(iterations.dtype()) && iterations.item<int64_t>() > 0,
              "[LBFGS] state['lbfgs.iterations']: expected a positive integer count");
  const Tensor y = restored(entry("grad_changes", {k, n})), s = restored(entry("position_changes", {k, n}));
  const auto curvatures = to_vector<double>(entry("curvatures", {k}));
  direction_ = restored(entry("direction", {n}));
  previous_grad_ = restored(entry("previous_grad", {n}));
  step_size_ = scalars[0];
  previous_loss_ = scalars[1];
  hessian_scale_ = scalars[2];
  iterations_ = iterations.item<int64_t>();
  for (int64_t i = 0; i < k; ++i) {
    grad_changes_.push_back(y[i]);
    position_changes_.push_back(s[i]);
    curvatures_.push_back(curvatures[static_cast<size_t>(i)]);
  }
}

}  // namespace ember::optim
