// Datasets: indexed examples (an input and a target) and whole batches of them.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::data {

struct Example {
  Tensor data;
  Tensor target;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  virtual Example get(int64_t index) const = 0;
  // The examples at `indices`, stacked along a new first dimension. Override when the dataset
  // can gather a batch at once (TensorDataset does).
  virtual Example get_batch(const std::vector<int64_t>& indices) const;
};

// Examples are the rows (along dimension 0) of a data tensor and a target tensor.
class TensorDataset final : public Dataset {
 public:
  TensorDataset(Tensor data, Tensor targets);
  int64_t size() const override { return data_.size(0); }
  Example get(int64_t index) const override;
  Example get_batch(const std::vector<int64_t>& indices) const override;

 private:
  Tensor data_, targets_;
};

// The examples of `base` at `indices`, in that order.
class Subset final : public Dataset {
 public:
  Subset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  Example get(int64_t index) const override;
  Example get_batch(const std::vector<int64_t>& indices) const override;

 private:
  std::shared_ptr<const Dataset> base_;
  std::vector<int64_t> indices_;
};

// Splits `dataset` into disjoint subsets of the given sizes (summing to its size), its examples
// shuffled by a generator seeded with `seed`.
std::vector<std::shared_ptr<Subset>> random_split(const std::shared_ptr<const Dataset>& dataset,
                                                  const std::vector<int64_t>& sizes, uint64_t seed);

}  // namespace ember::data
