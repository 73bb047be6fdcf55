#include "ember/nn/modules/linear.h"

#include <cmath>

#include "ember/nn/functional.h"
#include "ember/nn/init.h"

namespace ember::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias) : UnaryModule("Linear") {
  EMBER_CHECK(in_features > 0 && out_features > 0, "[Linear] features: expected positive sizes, got {} and {}",
              in_features, out_features);
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  weight = empty({out_features, in_features});
  init::uniform_(weight, -bound, bound);
  if (with_bias) {
    bias = empty({out_features});
    init::uniform_(bias, -bound, bound);
  }
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor Linear::forward(const Tensor& input) { return functional::linear(input, weight, bias); }

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", weight.size(1), weight.size(0),
                     bias.defined() ? "True" : "False");
}

}  // namespace ember::nn
