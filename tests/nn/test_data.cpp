// CSV reading (plain and gzip), datasets, splits and the DataLoader's batching and shuffling.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "ember/data/csv.h"
#include "ember/data/dataloader.h"
#include "ember/ember.h"

using namespace ember;

namespace {

std::string write_temp(const char* name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<int64_t> targets_of(const data::Example& batch) { return to_vector<int64_t>(batch.target); }

std::shared_ptr<data::TensorDataset> numbered(int64_t n) {
  return std::make_shared<data::TensorDataset>(arange(n, DType::Float32).reshape({n, 1}) * 10, arange(n, DType::Int64));
}

}  // namespace

TEST_CASE("read_csv parses the gzip-compressed digits file") {
  const Tensor digits = data::read_csv(EMBER_DIGITS_CSV);
  REQUIRE(digits.sizes().vec() == std::vector<int64_t>{1797, 65});
  const auto first = to_vector<float>(digits.select(0, 0));
  CHECK(std::vector<float>(first.begin(), first.begin() + 6) == std::vector<float>{0, 0, 5, 13, 9, 1});
  CHECK(first.back() == 0);                                   // the first image is a 0
  CHECK(digits.select(1, 64).select(0, 1).item<float>() == 1);  // the second a 1
  CHECK(digits.slice(1, 0, 64).amax().item<float>() == 16);   // pixels count 0..16
}

TEST_CASE("read_csv handles headers, CRLF and other delimiters, and names the bad field") {
  const std::string path = write_temp("ember_test.csv", "a;b\r\n1;2.5\r\n\r\n-3;4e2\r\n");
  const Tensor t = data::read_csv(path, {.delimiter = ';', .header = true, .dtype = DType::Float64});
  CHECK(t.sizes().vec() == std::vector<int64_t>{2, 2});
  CHECK(to_vector<double>(t) == std::vector<double>{1, 2.5, -3, 400});
  CHECK_THROWS_WITH(data::read_csv(write_temp("ember_bad.csv", "1,2\n3,x\n")),
                    doctest::Contains("ember_bad.csv:2: field 2 is 'x', expected a number"));
  CHECK_THROWS_WITH(data::read_csv(write_temp("ember_ragged.csv", "1,2\n3\n")),
                    doctest::Contains("ember_ragged.csv:2: expected 2 fields like the first row, got 1"));
  CHECK_THROWS_WITH(data::read_csv("/nonexistent.csv"), "[read_csv] /nonexistent.csv: cannot open the file");
}

TEST_CASE("TensorDataset gives rows and batches; Subset and random_split re-index it") {
  const auto ds = numbered(10);
  CHECK(ds->size() == 10);
  CHECK(ds->get(3).target.item<int64_t>() == 3);
  const data::Example batch = ds->get_batch({7, 2});
  CHECK(to_vector<float>(batch.data) == std::vector<float>{70, 20});
  CHECK_THROWS_WITH(ds->get(10), "[TensorDataset] index: expected a value in [0, 10), got 10");
  CHECK_THROWS_WITH(data::TensorDataset(ones({3, 2}), ones({4})),
                    "[TensorDataset] targets: expected as many rows as data (3), got shape [4]");

  const auto parts = data::random_split(ds, {7, 3}, 5);
  std::set<int64_t> seen;
  for (const auto& part : parts) {
    for (int64_t i = 0; i < part->size(); ++i) seen.insert(part->get(i).target.item<int64_t>());
  }
  CHECK(seen.size() == 10);
  CHECK(parts[1]->size() == 3);
  CHECK(targets_of(parts[1]->get_batch({0, 1, 2})) == targets_of(data::random_split(ds, {7, 3}, 5)[1]->get_batch({0, 1, 2})));
  CHECK_THROWS_WITH(data::random_split(ds, {7, 4}, 5),
                    "[random_split] sizes: expected non-negative sizes summing to the dataset's 10, got [7, 4]");
  // A negative size balancing a too-large one used to take indices from past the permutation.
  CHECK_THROWS_WITH(data::random_split(ds, {12, -2}, 5),
                    "[random_split] sizes: expected non-negative sizes summing to the dataset's 10, got [12, -2]");
  CHECK_THROWS_WITH(data::TensorDataset(scalar_tensor(1.0), ones({1})),
                    "[TensorDataset] data: expected a tensor with one row per example, got a 0-dim one");
  CHECK_THROWS_WITH(data::TensorDataset(ones({1}), Tensor()),
                    "[TensorDataset] targets: expected as many rows as data (1), got an undefined tensor");
  CHECK_THROWS_WITH(data::Subset(nullptr, {0}), "[Subset] base: expected a dataset, got null");
}

TEST_CASE("DataLoader batches in order, drops a short last batch on request, and shuffles reproducibly") {
  data::DataLoader in_order(numbered(10), {.batch_size = 4});
  CHECK(in_order.num_batches() == 3);
  std::vector<std::vector<int64_t>> batches;
  for (const data::Example& b : in_order) batches.push_back(targets_of(b));
  CHECK(batches == std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}});

  data::DataLoader dropping(numbered(10), {.batch_size = 4, .drop_last = true});
  int64_t count = 0;
  for (const data::Example& b : dropping) count += b.target.numel();
  CHECK(count == 8);
  // A batch larger than the dataset is one short batch (counting batches used to overflow).
  data::DataLoader whole(numbered(10), {.batch_size = std::numeric_limits<int64_t>::max()});
  CHECK(whole.num_batches() == 1);
  for (const data::Example& b : whole) CHECK(b.target.numel() == 10);

  auto epoch = [](data::DataLoader& loader) {
    std::vector<int64_t> order;
    for (const data::Example& b : loader) {
      for (int64_t t : targets_of(b)) order.push_back(t);
    }
    return order;
  };
  data::DataLoader shuffled(numbered(50), {.batch_size = 8, .shuffle = true, .seed = 3});
  const auto first = epoch(shuffled), second = epoch(shuffled);
  CHECK(first != second);
  auto sorted = first;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == to_vector<int64_t>(arange(50, DType::Int64)));
  data::DataLoader again(numbered(50), {.batch_size = 8, .shuffle = true, .seed = 3});
  CHECK(epoch(again) == first);
  CHECK_THROWS_WITH(data::DataLoader(numbered(3), {.batch_size = 0}), "[DataLoader] batch_size: expected at least 1, got 0");
}
