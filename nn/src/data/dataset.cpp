#include "ember/data/dataset.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "ember/ember.h"

namespace ember::data {
namespace {

Tensor index_tensor(const std::vector<int64_t>& indices) {
  return tensor<int64_t>(ArrayRef<int64_t>(indices), {static_cast<int64_t>(indices.size())});
}

void check_index(const char* what, int64_t index, int64_t size) {
  EMBER_CHECK(index >= 0 && index < size, "[{}] index: expected a value in [0, {}), got {}", what, size, index);
}

}  // namespace

Example Dataset::get_batch(const std::vector<int64_t>& indices) const {
  std::vector<Tensor> data, targets;
  for (int64_t i : indices) {
    Example e = get(i);
    data.push_back(e.data);
    targets.push_back(e.target);
  }
  return {stack(data), stack(targets)};
}

TensorDataset::TensorDataset(Tensor data, Tensor targets) : data_(std::move(data)), targets_(std::move(targets)) {
  EMBER_CHECK(data_.defined() && data_.dim() >= 1,
              "[TensorDataset] data: expected a tensor with one row per example, got {}",
              data_.defined() ? "a 0-dim one" : "an undefined one");
  EMBER_CHECK(targets_.defined() && targets_.dim() >= 1 && data_.size(0) == targets_.size(0),
              "[TensorDataset] targets: expected as many rows as data ({}), got {}", data_.size(0),
              targets_.defined() ? "shape " + shape_str(targets_.sizes()) : "an undefined tensor");
}

Example TensorDataset::get(int64_t index) const {
  check_index("TensorDataset", index, size());
  return {data_.select(0, index), targets_.select(0, index)};
}

Example TensorDataset::get_batch(const std::vector<int64_t>& indices) const {
  for (int64_t i : indices) check_index("TensorDataset", i, size());
  const Tensor rows = index_tensor(indices).to(data_.device());
  return {data_.index_select(0, rows), targets_.index_select(0, rows.to(targets_.device()))};
}

Subset::Subset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices)
    : base_(std::move(base)), indices_(std::move(indices)) {
  EMBER_CHECK(base_ != nullptr, "[Subset] base: expected a dataset, got null");
  for (int64_t i : indices_) check_index("Subset", i, base_->size());
}

Example Subset::get(int64_t index) const {
  check_index("Subset", index, size());
  return base_->get(indices_[index]);
}

Example Subset::get_batch(const std::vector<int64_t>& indices) const {
  std::vector<int64_t> mapped;
  for (int64_t i : indices) {
    check_index("Subset", i, size());
    mapped.push_back(indices_[i]);
  }
  return base_->get_batch(mapped);
}

std::vector<std::shared_ptr<Subset>> random_split(const std::shared_ptr<const Dataset>& dataset,
                                                  const std::vector<int64_t>& sizes, uint64_t seed) {
  EMBER_CHECK(dataset != nullptr, "[random_split] dataset: expected a dataset, got null");
  // Every size is checked before any is used: a negative one could balance a too-large one.
  int64_t total = 0;
  bool valid = true;
  for (int64_t n : sizes) valid = valid && n >= 0 && !__builtin_add_overflow(total, n, &total);
  EMBER_CHECK(valid && total == dataset->size(),
              "[random_split] sizes: expected non-negative sizes summing to the dataset's {}, got [{}]",
              dataset->size(), fmt::join(sizes, ", "));
  std::vector<int64_t> order(static_cast<size_t>(total));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 generator(seed);
  std::shuffle(order.begin(), order.end(), generator);
  std::vector<std::shared_ptr<Subset>> parts;
  auto next = order.begin();
  for (int64_t n : sizes) {
    parts.push_back(std::make_shared<Subset>(dataset, std::vector<int64_t>(next, next + n)));
    next += n;
  }
  return parts;
}

}  // namespace ember::data
