#include "ember/nn/modules/linear.h"

#include <algorithm>
#include <cmath>

#include "ember/nn/functional.h"
#include "ember/nn/init.h"

namespace ember::nn {
namespace {

// A weight of `shape` and a bias [shape[0]], uniform within +-1/sqrt(shape[1]): PyTorch's
// default for Linear and Bilinear.
void init_affine(const char* type, IntArrayRef shape, bool with_bias, Tensor& weight, Tensor& bias) {
  EMBER_CHECK(std::all_of(shape.begin(), shape.end(), [](int64_t s) { return s > 0; }),
              "[{}] features: expected positive sizes, got [{}]", type, fmt::join(shape, ", "));
  const double bound = 1.0 / std::sqrt(static_cast<double>(shape[1]));
  weight = empty(shape);
  init::uniform_(weight, -bound, bound);
  if (with_bias) {
    bias = empty({shape[0]});
    init::uniform_(bias, -bound, bound);
  }
}

}  // namespace

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias) : UnaryModule("Linear") {
  init_affine("Linear", {out_features, in_features}, with_bias, weight, bias);
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor Linear::forward(const Tensor& input) { return functional::linear(input, weight, bias); }

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", weight.size(1), weight.size(0),
                     bias.defined() ? "True" : "False");
}

Bilinear::Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool with_bias) : Module("Bilinear") {
  init_affine("Bilinear", {out_features, in1_features, in2_features}, with_bias, weight, bias);
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor Bilinear::forward(const Tensor& input1, const Tensor& input2) {
  return functional::bilinear(input1, input2, weight, bias);
}

std::string Bilinear::extra_repr() const {
  return fmt::format("in1_features={}, in2_features={}, out_features={}, bias={}", weight.size(1), weight.size(2),
                     weight.size(0), bias.defined() ? "True" : "False");
}

}  // namespace ember::nn
