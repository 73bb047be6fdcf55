// Embedding: a learned row per index, initialised from N(0, 1) as in PyTorch; the padding_idx row
// (negative counts from the end) starts at zeros and gets no gradient. EmbeddingBag: the same
// table, its rows reduced per bag (functional::embedding_bag).
#pragma once

#include <optional>

#include "ember/nn/functional.h"
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

class EmbeddingBag final : public Module {
 public:
  EmbeddingBag(int64_t num_embeddings, int64_t embedding_dim, functional::EmbeddingBagOptions options = {});
  // input [bags, L], or 1-D with offsets -> [bags, embedding_dim]
  Tensor forward(const Tensor& input, const Tensor& offsets = Tensor(), const Tensor& per_sample_weights = Tensor());
  Tensor operator()(const Tensor& input, const Tensor& offsets = Tensor(), const Tensor& per_sample_weights = Tensor()) {
    return forward(input, offsets, per_sample_weights);
  }

  Tensor weight;  // [num_embeddings, embedding_dim]
  functional::EmbeddingBagOptions options;  // padding_idx wrapped into [0, num_embeddings)

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
