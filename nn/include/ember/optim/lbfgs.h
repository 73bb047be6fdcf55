// L-BFGS: quasi-Newton steps from the last history_size gradient and position changes (the
// two-loop recursion), optionally placed by a strong-Wolfe line search, following PyTorch's
// torch.optim.LBFGS. Each step re-evaluates the loss, so it takes a closure. One parameter group;
// state_dict() carries the history ("lbfgs.*" entries), so a restored optimizer goes on where the
// saved one was.
#pragma once

#include <deque>
#include <functional>
#include <optional>

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct LBFGSOptions {
  double lr = 1;
  int64_t max_iter = 20;                // iterations per step()
  std::optional<int64_t> max_eval;      // loss evaluations per step(); max_iter * 5 / 4 by default
  double tolerance_grad = 1e-7;         // stop when every gradient element is this small
  double tolerance_change = 1e-9;       // stop when the loss or the step changes less than this
  int64_t history_size = 100;
  bool strong_wolfe = false;            // PyTorch's line_search_fn="strong_wolfe"
};

class LBFGS final : public Optimizer {
 public:
  LBFGS(std::vector<Tensor> params, LBFGSOptions options = {});
  // Up to max_iter iterations. `closure` zeroes the gradients, computes the loss, runs backward
  // and returns the loss; the loss from before the step is returned.
  Tensor step(const std::function<Tensor()>& closure);
  // Refuses: L-BFGS re-evaluates the loss, so it needs the closure.
  void step() override;
  // The base's entries and, once a step was taken, the direction, previous gradient, step size,
  // previous loss, Hessian scale, iteration count and the history pairs [k, n].
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

  const LBFGSOptions options;

 private:
  Tensor flat_grad() const;
  Tensor flat_params() const;
  void set_params(const Tensor& flat);
  void add_to_params(double step_size, const Tensor& direction);
  // The loss and gradient at flat + step_size * direction; the parameters are put back after.
  std::pair<double, Tensor> evaluate_along(const std::function<Tensor()>& closure, const Tensor& flat,
                                           double step_size, const Tensor& direction);
  Tensor two_loop(const Tensor& grad) const;

  // Carried from one step() to the next, as PyTorch's state.
  Tensor direction_, previous_grad_;
  double step_size_ = 0, previous_loss_ = 0, hessian_scale_ = 1;
  std::deque<Tensor> grad_changes_, position_changes_;
  std::deque<double> curvatures_;  // 1 / (y . s) per pair
  int64_t iterations_ = 0;
};

}  // namespace ember::optim
