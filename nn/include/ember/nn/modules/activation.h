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

// A module applying an operator along one dimension: softmax, log_softmax.
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

class LogSoftmax final : public AlongDim<&ember::log_softmax> {
 public:
  explicit LogSoftmax(int64_t dim) : AlongDim("LogSoftmax", dim) {}
};

class LeakyReLU final : public UnaryModule {
 public:
  explicit LeakyReLU(double negative_slope = 0.01);
  Tensor forward(const Tensor& input) override;
  const double negative_slope;

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
