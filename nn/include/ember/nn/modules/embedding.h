// Embedding: a learned row per index, initialised from N(0, 1) as in PyTorch; the padding_idx row
// (negative counts from the end) starts at zeros and gets no gradient.
#pragma once

#include <optional>

#include "ember/nn/module.h"

namespace ember::nn {

class Embedding final : public UnaryModule {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx = std::nullopt);
  // indices of any shape -> [..., embedding_dim]
  Tensor forward(const Tensor& indices) override;

  Tensor weight;  // [num_embeddings, embedding_dim]
  const std::optional<int64_t> padding_idx;  // wrapped into [0, num_embeddings)

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
