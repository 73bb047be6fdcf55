#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"
#include "ember/nn/utils.h"

namespace ember::nn::utils {
namespace {

std::vector<Tensor> defined_grads(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  return grads;
}

// The norm of one gradient as a 0-dim float64 tensor on `device`; the per-gradient norms are
// combined there and read once, so that gradients on several devices cost one synchronisation.
Tensor grad_norm(const Tensor& half_or_wider, double norm_type, Device device) {
  // Squares of 16-bit gradients overflow float16 past 256: their norms are taken in float32.
  const Tensor grad = itemsize(half_or_wider.dtype()) < 4 ? half_or_wider.to(DType::Float32) : half_or_wider;
  Tensor norm;
  if (grad.numel() == 0) {
    norm = zeros({}, DType::Float64, grad.device());
  } else if (std::isinf(norm_type)) {
    norm = abs(grad).amax();
  } else if (norm_type == 2) {
    norm = sqrt((grad * grad).sum());
  } else {
    norm = pow(pow(abs(grad), wrapped_number(norm_type, grad.device())).sum(),
               wrapped_number(1 / norm_type, grad.device()));
  }
  return norm.to(DType::Float64).to(device);
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  EMBER_CHECK(norm_type > 0 && !std::isnan(norm_type),
              "[clip_grad_norm_] norm_type: expected a positive order or infinity, got {}", norm_type);
  EMBER_CHECK(max_norm >= 0, "[clip_grad_norm_] max_norm: expected a non-negative value, got {}", max_norm);
  const autograd::NoGradGuard no_grad;
  const std::vector<Tensor> grads = defined_grads(parameters);
  if (grads.empty()) return 0.0;
  std::vector<Tensor> norms;
  for (const Tensor& g : grads) norms.push_back(grad_norm(g, norm_type, grads[0].device()));
  const Tensor all = stack(norms);
  const double total = std::isinf(norm_type)
                           ? all.amax().item<double>()
                           : std::pow(pow(all, wrapped_number(norm_type, all.device())).sum().item<double>(),
                                      1 / norm_type);
  EMBER_CHECK(!error_if_nonfinite || std::isfinite(total),
              "[clip_grad_norm_] parameters: the total norm of order {} of the gradients is {}; pass "
              "error_if_nonfinite=false to scale them anyway",
              norm_type, total);
  const double coefficient = max_norm / (total + 1e-6);
  if (coefficient < 1 || std::isnan(coefficient)) {
    for (const Tensor& g : grads) g.mul_(wrapped_number(coefficient, g.device()));
  }
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  EMBER_CHECK(clip_value >= 0, "[clip_grad_value_] clip_value: expected a non-negative value, got {}", clip_value);
  const autograd::NoGradGuard no_grad;
  for (const Tensor& g : defined_grads(parameters)) g.clamp_(-clip_value, clip_value);
}

}  // namespace ember::nn::utils
