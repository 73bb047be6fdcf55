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
  const Tensor out = f(inputs);
  const int64_t n_out = out.numel();
  // analytical[j][i]: gradients of output element j with respect to input i. An output with no
  // history has a zero Jacobian (a second derivative of a linear function, say).
  std::vector<TensorVector> analytical(out.requires_grad() ? 0 : static_cast<size_t>(n_out),
                                       TensorVector(inputs.size()));
  for (int64_t j = 0; j < n_out && out.requires_grad(); ++j) {
    std::vector<double> onehot(static_cast<size_t>(n_out), 0.0);
    onehot[static_cast<size_t>(j)] = 1.0;
    analytical.push_back(grad({out}, inputs, {tensor<double>(onehot, out.sizes(), out.device())}, true, false));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<std::vector<double>> rows(static_cast<size_t>(n_out));
    for (int64_t j = 0; j < n_out; ++j) {
      const Tensor& g = analytical[static_cast<size_t>(j)][i];
      rows[static_cast<size_t>(j)] = g.defined() ? to_vector<double>(g) : std::vector<double>(inputs[i].numel(), 0.0);
    }
    for (int64_t k = 0; k < inputs[i].numel(); ++k) {
      TensorVector plus = inputs, minus = inputs;
      plus[i] = nudged(inputs[i], k, options.eps);
      minus[i] = nudged(inputs[i], k, -options.eps);
      const std::vector<double> up = evaluate(f, plus), down = evaluate(f, minus);
      for (int64_t j = 0; j < n_out; ++j) {
        const double numerical = (up[j] - down[j]) / (2 * options.eps);
        const double analytic = rows[static_cast<size_t>(j)][static_cast<size_t>(k)];
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
