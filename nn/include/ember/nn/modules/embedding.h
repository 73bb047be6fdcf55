// Embedding: a learned row per index, initialised from N(0, 1) as in PyTorch.
#pragma once

#include "ember/nn/module.h"

namespace ember::nn {

class Embedding final : public UnaryModule {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim);
  // indices of any shape -> [..., embedding_dim]
  Tensor forward(const Tensor& indices) override;

  Tensor weight;  // [num_embeddings, embedding_dim]

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
