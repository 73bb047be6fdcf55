// spectral_norm: weight = weight_orig / sigma, sigma the largest singular value of weight_orig
// seen as a matrix [size(dim), rest], estimated by power iteration whose vectors persist as the
// buffers u and v (Miyato et al.), as torch.nn.utils.spectral_norm. Training forwards take
// `n_power_iterations` steps each; evaluation reuses the vectors. Gradients reach weight_orig
// through sigma = u^T W v with u and v held fixed, as PyTorch's do.
#include <string_view>

#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"
#include "ember/nn/functional.h"
#include "ember/nn/utils.h"
#include "reparametrization.h"

namespace ember::nn::utils {
namespace {

// The iterations at the start, as PyTorch's parametrizations.spectral_norm: from random vectors,
// enough that the first weight is already divided by a close estimate.
constexpr int64_t kInitialIterations = 15;

Tensor as_matrix(const Tensor& weight, int64_t dim) {
  return weight.movedim(IntArrayRef{dim}, IntArrayRef{0}).reshape({weight.size(dim), -1});
}

void power_iterate(const Tensor& matrix, Tensor& u, Tensor& v, int64_t steps, double eps) {
  autograd::NoGradGuard no_grad;
  for (int64_t i = 0; i < steps; ++i) {
    v = functional::normalize(mv(matrix.t(), u), 2, 0, eps);
    u = functional::normalize(mv(matrix, v), 2, 0, eps);
  }
}

}  // namespace

void spectral_norm(UnaryModule& module, const std::string& name, int64_t n_power_iterations, double eps,
                   std::optional<int64_t> dim) {
  const char* op = "spectral_norm";
  Tensor& weight = Reparametrization::parameter(module, name, op);
  EMBER_CHECK(n_power_iterations > 0, "[{}] n_power_iterations: expected 1 or more, got {}", op, n_power_iterations);
  EMBER_CHECK(eps > 0, "[{}] eps: expected a positive number, got {}", op, eps);
  EMBER_CHECK(weight.dim() >= 1, "[{}] name: expected a parameter of 1 or more dimensions, got a 0-D \"{}\"", op, name);
  // A transposed convolution's weight is [in, out / groups, ...]: its outputs are dimension 1.
  const bool transposed = std::string_view(module.type_name()).starts_with("ConvTranspose");
  const int64_t norm_dim = dim ? wrap_dim(*dim, weight.dim(), op) : transposed ? 1 : 0;
  const Tensor matrix = as_matrix(weight.detach(), norm_dim);
  Tensor u = functional::normalize(randn({matrix.size(0)}, weight.dtype(), weight.device()), 2, 0, eps);
  Tensor v = functional::normalize(randn({matrix.size(1)}, weight.dtype(), weight.device()), 2, 0, eps);
  power_iterate(matrix, u, v, kInitialIterations, eps);
  Tensor& original = Reparametrization::own(module, name + "_orig", weight, true);
  Tensor& u_slot = Reparametrization::own(module, name + "_u", u, false);
  Tensor& v_slot = Reparametrization::own(module, name + "_v", v, false);
  Reparametrization::take_over(module, name, [&weight, &original, &u_slot, &v_slot, norm_dim, n_power_iterations, eps](bool update) {
    const Tensor w = as_matrix(original, norm_dim);
    if (update) power_iterate(w.detach(), u_slot, v_slot, n_power_iterations, eps);
    weight = original / dot(u_slot, mv(w, v_slot));
  });
}

void remove_spectral_norm(UnaryModule& module, const std::string& name) {
  Reparametrization::restore(module, name, {name + "_orig", name + "_u", name + "_v"}, "remove_spectral_norm",
                             "spectral_norm");
}

}  // namespace ember::nn::utils
