// Dropout and its kin as layers: zero elements (or channels) with probability p in training; the
// identity in evaluation.
#pragma once

#include <string>

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

// "p=0.5", as PyTorch prints a dropout layer.
std::string dropout_repr(double p);
// Refuses a probability outside [0, 1] as the layer is built: "[Dropout] p: ...".
void check_dropout_probability(const char* type_name, double p);

// A dropout layer: the probability of its functional form `Drop`, applied in training only.
template <Tensor (*Drop)(const Tensor&, double, bool)>
class DropoutLayer : public UnaryModule {
 public:
  DropoutLayer(const char* type_name, double p) : UnaryModule(type_name), p(p) { check_dropout_probability(type_name, p); }
  Tensor forward(const Tensor& input) override { return Drop(input, p, is_training()); }
  const double p;

 private:
  std::string extra_repr() const override { return dropout_repr(p); }
};

class Dropout final : public DropoutLayer<&functional::dropout> {
 public:
  explicit Dropout(double p = 0.5) : DropoutLayer("Dropout", p) {}
};
class Dropout1d final : public DropoutLayer<&functional::dropout1d> {
 public:
  explicit Dropout1d(double p = 0.5) : DropoutLayer("Dropout1d", p) {}
};
class Dropout2d final : public DropoutLayer<&functional::dropout2d> {
 public:
  explicit Dropout2d(double p = 0.5) : DropoutLayer("Dropout2d", p) {}
};
class Dropout3d final : public DropoutLayer<&functional::dropout3d> {
 public:
  explicit Dropout3d(double p = 0.5) : DropoutLayer("Dropout3d", p) {}
};
class AlphaDropout final : public DropoutLayer<&functional::alpha_dropout> {
 public:
  explicit AlphaDropout(double p = 0.5) : DropoutLayer("AlphaDropout", p) {}
};
class FeatureAlphaDropout final : public DropoutLayer<&functional::feature_alpha_dropout> {
 public:
  explicit FeatureAlphaDropout(double p = 0.5) : DropoutLayer("FeatureAlphaDropout", p) {}
};

}  // namespace ember::nn
