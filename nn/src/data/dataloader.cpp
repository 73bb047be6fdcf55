#include "ember/data/dataloader.h"

#include <algorithm>
#include <numeric>

#include "ember/core/error.h"

namespace ember::data {

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options), generator_(options.seed) {
  EMBER_CHECK(dataset_ != nullptr, "[DataLoader] dataset: expected a dataset, got null");
  EMBER_CHECK(options_.batch_size >= 1, "[DataLoader] batch_size: expected at least 1, got {}", options_.batch_size);
  order_.resize(static_cast<size_t>(dataset_->size()));
  std::iota(order_.begin(), order_.end(), 0);
}

int64_t DataLoader::num_batches() const {
  const int64_t n = dataset_->size(), b = options_.batch_size;
  return n / b + (!options_.drop_last && n % b != 0 ? 1 : 0);  // n + b - 1 could overflow
}

DataLoader::Iterator DataLoader::begin() {
  if (options_.shuffle) {
    std::iota(order_.begin(), order_.end(), 0);  // each epoch's permutation depends on the seed alone
    std::shuffle(order_.begin(), order_.end(), generator_);
  }
  return Iterator(this, 0);
}

DataLoader::Iterator DataLoader::end() const { return Iterator(this, num_batches()); }

DataLoader::Iterator::Iterator(const DataLoader* loader, int64_t position) : loader_(loader), position_(position) {
  load();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ++position_;
  load();
  return *this;
}

void DataLoader::Iterator::load() {
  if (position_ >= loader_->num_batches()) {
    batch_ = {};
    return;
  }
  const int64_t b = loader_->options_.batch_size;
  const int64_t first = position_ * b, last = first + std::min(b, loader_->dataset_->size() - first);
  const std::vector<int64_t> indices(loader_->order_.begin() + first, loader_->order_.begin() + last);
  batch_ = loader_->dataset_->get_batch(indices);
}

}  // namespace ember::data
