// Unfold and Fold: functional::unfold and fold as layers (sliding blocks as columns and back).
#pragma once

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

class Unfold final : public UnaryModule {
 public:
  explicit Unfold(functional::Pair kernel_size, functional::FoldOptions options = {});
  Tensor forward(const Tensor& input) override { return functional::unfold(input, kernel_size, options); }
  const functional::Pair kernel_size;
  const functional::FoldOptions options;

 private:
  std::string extra_repr() const override;
};

class Fold final : public UnaryModule {
 public:
  Fold(functional::Pair output_size, functional::Pair kernel_size, functional::FoldOptions options = {});
  Tensor forward(const Tensor& input) override { return functional::fold(input, output_size, kernel_size, options); }
  const functional::Pair output_size, kernel_size;
  const functional::FoldOptions options;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
