// Elementwise activations as modules, for Sequential.
#pragma once

#include <string>

#include "ember/ember.h"
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

// approximate: "none" (the exact erf form) or "tanh".
class GELU final : public UnaryModule {
 public:
  explicit GELU(std::string approximate = "none");
  Tensor forward(const Tensor& input) override { return gelu(input, approximate); }
  const std::string approximate;

 private:
  std::string extra_repr() const override { return "approximate='" + approximate + "'"; }
};

}  // namespace ember::nn
