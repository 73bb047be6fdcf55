// CosineSimilarity and PairwiseDistance: modules of two inputs; they print without arguments, as
// PyTorch's do.
#pragma once

#include "ember/nn/module.h"

namespace ember::nn {

// cos(x1, x2) along `dim`, each norm held at least eps.
class CosineSimilarity final : public Module {
 public:
  explicit CosineSimilarity(int64_t dim = 1, double eps = 1e-8);
  Tensor forward(const Tensor& x1, const Tensor& x2);
  Tensor operator()(const Tensor& x1, const Tensor& x2) { return forward(x1, x2); }
  const int64_t dim;
  const double eps;
};

// ||x1 - x2 + eps||_p over the last dimension, the operands broadcast together.
class PairwiseDistance final : public Module {
 public:
  explicit PairwiseDistance(double p = 2, double eps = 1e-6, bool keepdim = false);
  Tensor forward(const Tensor& x1, const Tensor& x2);
  Tensor operator()(const Tensor& x1, const Tensor& x2) { return forward(x1, x2); }
  const double norm;
  const double eps;
  const bool keepdim;
};

}  // namespace ember::nn
