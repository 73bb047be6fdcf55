// Elementwise activations as modules, for Sequential.
#pragma once

#include <string>

#include "ember/ember.h"
#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

// A module applying one parameterless elementwise operator.
template <Tensor (*Fn)(const Tensor&)>
class Activation : public UnaryModule {
 public:
  using UnaryModule::UnaryModule;
  Tensor forward(const Tensor& input) override { return Fn(input); }
};

class ReLU final : public Activation<&ember::relu> {
 public:
  ReLU() : Activation("ReLU") {}
};

class SiLU final : public Activation<&ember::silu> {
 public:
  SiLU() : Activation("SiLU") {}
};

class Tanh final : public Activation<&ember::tanh> {
 public:
  Tanh() : Activation("Tanh") {}
};

class Sigmoid final : public Activation<&ember::sigmoid> {
 public:
  Sigmoid() : Activation("Sigmoid") {}
};

class ReLU6 final : public Activation<&functional::relu6> {
 public:
  ReLU6() : Activation("ReLU6") {}
};

class Hardsigmoid final : public Activation<&functional::hardsigmoid> {
 public:
  Hardsigmoid() : Activation("Hardsigmoid") {}
};

class Hardswish final : public Activation<&functional::hardswish> {
 public:
  Hardswish() : Activation("Hardswish") {}
};

class Mish final : public Activation<&functional::mish> {
 public:
  Mish() : Activation("Mish") {}
};

// Returns its input: a placeholder where an architecture has an optional layer.
class SELU final : public Activation<&functional::selu> {
 public:
  SELU() : Activation("SELU") {}
};

class LogSigmoid final : public Activation<&functional::logsigmoid> {
 public:
  LogSigmoid() : Activation("LogSigmoid") {}
};

class Softsign final : public Activation<&functional::softsign> {
 public:
  Softsign() : Activation("Softsign") {}
};

class Tanhshrink final : public Activation<&functional::tanhshrink> {
 public:
  Tanhshrink() : Activation("Tanhshrink") {}
};

// A module applying an elementwise function of one scalar option: CELU's alpha, the shrinks' lambd.
template <Tensor (*Fn)(const Tensor&, double)>
class ScalarActivation : public UnaryModule {
 public:
  ScalarActivation(std::string name, const char* option, double value)
      : UnaryModule(std::move(name)), value(value), option_(option) {}
  Tensor forward(const Tensor& input) override { return Fn(input, value); }
  const double value;

 private:
  std::string extra_repr() const override;  // "alpha=1.0", as PyTorch prints it
  const char* option_;
};

class CELU final : public ScalarActivation<&functional::celu> {
 public:
  explicit CELU(double alpha = 1.0) : ScalarActivation("CELU", "alpha", alpha) {}
};

class Softshrink final : public ScalarActivation<&functional::softshrink> {
 public:
  explicit Softshrink(double lambd = 0.5) : ScalarActivation("Softshrink", "lambd", lambd) {}
};

class Hardshrink final : public ScalarActivation<&functional::hardshrink> {
 public:
  explicit Hardshrink(double lambd = 0.5) : ScalarActivation("Hardshrink", "lambd", lambd) {}
};

class Threshold final : public UnaryModule {
 public:
  Threshold(double threshold, double value) : UnaryModule("Threshold"), threshold(threshold), value(value) {}
  Tensor forward(const Tensor& input) override { return functional::threshold(input, threshold, value); }
  const double threshold, value;

 private:
  std::string extra_repr() const override;
};

// A learned negative slope: one shared, or one per channel (dimension 1), initialised to `init`.
class PReLU final : public UnaryModule {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25);
  Tensor forward(const Tensor& input) override { return functional::prelu(input, weight); }
  Tensor weight;  // [num_parameters]

 private:
  std::string extra_repr() const override;
};

class Identity final : public UnaryModule {
 public:
  Identity() : UnaryModule("Identity") {}
  Tensor forward(const Tensor& input) override { return input; }
};

class Hardtanh final : public UnaryModule {
 public:
  explicit Hardtanh(double min_val = -1.0, double max_val = 1.0);
  Tensor forward(const Tensor& input) override;
  const double min_val, max_val;

 private:
  std::string extra_repr() const override;
};

// approximate: "none" (the exact erf form) or "tanh".
class GELU final : public UnaryModule {
 public:
  explicit GELU(std::string approximate = "none");
  Tensor forward(const Tensor& input) override { return gelu(input, approximate); }
  const std::string approximate;

 private:
  std::string extra_repr() const override { return "approximate='" + approximate + "'"; }
};

// A module applying an operator along one dimension: softmax, log_softmax, softmin, glu.
template <Tensor (*Fn)(const Tensor&, int64_t)>
class AlongDim : public UnaryModule {
 public:
  AlongDim(std::string name, int64_t dim) : UnaryModule(std::move(name)), dim(dim) {}
  Tensor forward(const Tensor& input) override { return Fn(input, dim); }
  const int64_t dim;

 private:
  std::string extra_repr() const override { return "dim=" + std::to_string(dim); }
};

class Softmax final : public AlongDim<&ember::softmax> {
 public:
  explicit Softmax(int64_t dim) : AlongDim("Softmax", dim) {}
};

// Softmax over the channels of each position: dimension -3 of a [N, C, H, W] or [C, H, W] input.
class Softmax2d final : public UnaryModule {
 public:
  Softmax2d() : UnaryModule("Softmax2d") {}
  Tensor forward(const Tensor& input) override;
};

class LogSoftmax final : public AlongDim<&ember::log_softmax> {
 public:
  explicit LogSoftmax(int64_t dim) : AlongDim("LogSoftmax", dim) {}
};

class Softmin final : public AlongDim<&functional::softmin> {
 public:
  explicit Softmin(int64_t dim) : AlongDim("Softmin", dim) {}
};

class GLU final : public AlongDim<&functional::glu> {
 public:
  explicit GLU(int64_t dim = -1) : AlongDim("GLU", dim) {}
};

class LeakyReLU final : public UnaryModule {
 public:
  explicit LeakyReLU(double negative_slope = 0.01);
  Tensor forward(const Tensor& input) override;
  const double negative_slope;

 private:
  std::string extra_repr() const override;
};

// leaky_relu with random slopes in training (drawn from U(lower, upper)), their mean in evaluation.
class RReLU final : public UnaryModule {
 public:
  explicit RReLU(double lower = 1.0 / 8, double upper = 1.0 / 3);
  Tensor forward(const Tensor& input) override { return functional::rrelu(input, lower, upper, is_training()); }
  const double lower, upper;

 private:
  std::string extra_repr() const override;
};

class ELU final : public UnaryModule {
 public:
  explicit ELU(double alpha = 1.0);
  Tensor forward(const Tensor& input) override;
  const double alpha;

 private:
  std::string extra_repr() const override;
};

class Softplus final : public UnaryModule {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0);
  Tensor forward(const Tensor& input) override;
  const double beta, threshold;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
