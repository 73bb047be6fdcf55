// weight_norm: weight = g v / ||v||, the norm over every dimension but one, so that the optimizer
// steps a direction v and a magnitude g (Salimans and Kingma), as torch.nn.utils.weight_norm.
#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"
#include "ember/nn/utils.h"
#include "reparametrization.h"

namespace ember::nn::utils {
namespace {

// ||v|| over every dimension but `dim`, kept as size 1 so that it broadcasts against v; over all
// of them, a 0-D norm, without a dim.
Tensor norm_except_dim(const Tensor& v, std::optional<int64_t> dim) {
  if (!dim) return linalg_vector_norm(v, 2, std::nullopt, false, std::nullopt);
  DimVector others;
  for (int64_t d = 0; d < v.dim(); ++d) {
    if (d != *dim) others.push_back(d);
  }
  return linalg_vector_norm(v, 2, IntArrayRef(others), true, std::nullopt);
}

}  // namespace

void weight_norm(UnaryModule& module, const std::string& name, std::optional<int64_t> dim) {
  const char* op = "weight_norm";
  Tensor& weight = Reparametrization::parameter(module, name, op);
  if (dim) dim = wrap_dim(*dim, weight.dim(), op);
  Tensor g, v;
  {
    autograd::NoGradGuard no_grad;
    g = norm_except_dim(weight, dim);
    v = weight.clone();
  }
  Tensor& g_slot = Reparametrization::own(module, name + "_g", g, true);
  Tensor& v_slot = Reparametrization::own(module, name + "_v", v, true);
  Reparametrization::take_over(module, name, [&weight, &g_slot, &v_slot, dim](bool) {
    weight = v_slot * (g_slot / norm_except_dim(v_slot, dim));
  });
}

void remove_weight_norm(UnaryModule& module, const std::string& name) {
  Reparametrization::restore(module, name, {name + "_g", name + "_v"}, "remove_weight_norm", "weight_norm");
}

}  // namespace ember::nn::utils
