#include "ember/autograd/gradcheck.h"

#include <cmath>

#include "ember/autograd/engine.h"
#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"

namespace ember::autograd {
namespace {

// `t` with element `k` (row-major) moved by `delta`, as a new tensor that does not require grad.
Tensor nudged(const Tensor& t, int64_t k, double delta) {
  std::vector<double> values = to_vector<double>(t);
  values[static_cast<size_t>(k)] += delta;
  return tensor<double>(values, t.sizes(), t.device());
}

// Row-major float64 values of `f(inputs)`, without recording.
std::vector<double> evaluate(const DifferentiableFunction& f, const TensorVector& inputs) {
  NoGradGuard no_grad;
  return to_vector<double>(f(inputs));
}

void check_inputs(const TensorVector& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    EMBER_CHECK(inputs[i].dtype() == DType::Float64 && inputs[i].requires_grad(),
                "[gradcheck] inputs[{}]: expected a float64 tensor that requires grad", i);
  }
}

}  // namespace

void gradcheck(const DifferentiableFunction& f, const TensorVector& inputs, GradcheckOptions options) {
  check_inputs(inputs);
  const TensorVector jacobians = functional::jacobian(f, inputs);
  for (size_t i = 0; i < inputs.size(); ++i) {
    // Row-major [output element][input element]; an output with no history has a zero Jacobian.
    const std::vector<double> analytical = to_vector<double>(jacobians[i]);
    const int64_t n_in = inputs[i].numel();
    const int64_t n_out = n_in == 0 ? 0 : static_cast<int64_t>(analytical.size()) / n_in;
    for (int64_t k = 0; k < inputs[i].numel(); ++k) {
      TensorVector plus = inputs, minus = inputs;
      plus[i] = nudged(inputs[i], k, options.eps);
      minus[i] = nudged(inputs[i], k, -options.eps);
      const std::vector<double> up = evaluate(f, plus), down = evaluate(f, minus);
      for (int64_t j = 0; j < n_out; ++j) {
        const double numerical = (up[j] - down[j]) / (2 * options.eps);
        const double analytic = analytical[static_cast<size_t>(j * n_in + k)];
        EMBER_CHECK(std::fabs(numerical - analytic) <= options.atol + options.rtol * std::fabs(numerical),
                    "[gradcheck] inputs[{}] element {}, output element {}: backward gives {}, finite differences {}",
                    i, k, j, analytic, numerical);
      }
    }
  }
}

void gradgradcheck(const DifferentiableFunction& f, const TensorVector& inputs, GradcheckOptions options) {
  check_inputs(inputs);
  const Tensor probe = f(inputs);
  manual_seed(4242);
  const Tensor v = randn(probe.sizes(), DType::Float64, probe.device());
  TensorVector weights;
  for (const Tensor& x : inputs) weights.push_back(randn(x.sizes(), DType::Float64, x.device()));
  const DifferentiableFunction first_order = [&](const TensorVector& xs) {
    TensorVector leaves;
    for (const Tensor& x : xs) leaves.push_back(x.requires_grad() ? x : x.detach().requires_grad_());
    EnableGradGuard enable;
    const TensorVector grads = grad({f(leaves)}, leaves, {v}, true, true);
    Tensor total = zeros({}, DType::Float64, probe.device());
    for (size_t i = 0; i < grads.size(); ++i) {
      if (grads[i].defined()) total = total + (grads[i] * weights[i]).sum();
    }
    return total;
  };
  gradcheck(first_order, inputs, options);
}

}  // namespace ember::autograd
