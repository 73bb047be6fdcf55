// DataLoader: batches of a dataset, in order or shuffled by a seeded generator (each epoch a new
// permutation; the same seed gives the same sequence of epochs).
#pragma once

#include <memory>
#include <random>

#include "ember/data/dataset.h"

namespace ember::data {

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  bool drop_last = false;  // skip a final batch smaller than batch_size
  uint64_t seed = 0;       // of the shuffling generator
};

class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options);

  int64_t num_batches() const;
  const Dataset& dataset() const { return *dataset_; }

  class Iterator {
   public:
    const Example& operator*() const { return batch_; }
    const Example* operator->() const { return &batch_; }
    Iterator& operator++();
    bool operator!=(const Iterator& other) const { return position_ != other.position_; }

   private:
    friend class DataLoader;
    Iterator(const DataLoader* loader, int64_t position);
    void load();
    const DataLoader* loader_;
    int64_t position_;
    Example batch_;
  };

  // Starts an epoch: draws the next permutation when shuffling.
  Iterator begin();
  Iterator end() const;

 private:
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  std::mt19937_64 generator_;
  std::vector<int64_t> order_;
};

}  // namespace ember::data
