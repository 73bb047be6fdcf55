#include "ember/ember.h"
#include "ember/nn/utils.h"

namespace ember::nn::utils {
namespace {

// The parameters, checked to be defined and on one device, and their total element count.
int64_t total_elements(const std::vector<Tensor>& parameters, const char* op) {
  int64_t total = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const Tensor& p = parameters[i];
    EMBER_CHECK(p.defined(), "[{}] parameters[{}]: expected a defined tensor", op, i);
    EMBER_CHECK(p.device() == parameters[0].device(), "[{}] parameters[{}]: expected {} like parameters[0], got {}", op,
                i, parameters[0].device().str(), p.device().str());
    total += p.numel();
  }
  return total;
}

}  // namespace

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  EMBER_CHECK(!parameters.empty(), "[parameters_to_vector] parameters: expected at least one tensor");
  total_elements(parameters, "parameters_to_vector");
  std::vector<Tensor> flat;
  flat.reserve(parameters.size());
  for (const Tensor& p : parameters) flat.push_back(p.reshape({-1}));
  return cat(flat, 0);
}

void vector_to_parameters(const Tensor& vector, const std::vector<Tensor>& parameters) {
  const int64_t total = total_elements(parameters, "vector_to_parameters");
  EMBER_CHECK(vector.defined() && vector.dim() == 1 && vector.numel() == total,
              "[vector_to_parameters] vector: expected a 1-D tensor of {} elements (the parameters'), got {}", total,
              vector.defined() ? shape_str(vector.sizes()) : std::string("an undefined tensor"));
  autograd::NoGradGuard no_grad;
  int64_t start = 0;
  for (const Tensor& p : parameters) {
    p.copy_(vector.narrow(0, start, p.numel()).view(p.sizes()));
    start += p.numel();
  }
}

}  // namespace ember::nn::utils
