// Reductions and softmax against reference loops.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "reference.h"

using namespace ember;
using reference::check_close;

namespace {

// Reduces a [2, 3, 4] row-major vector over the dims in `reduced` with `f` over each group.
template <typename F>
std::vector<double> reduce_234(const std::vector<double>& v, std::vector<bool> reduced, F f) {
  const int64_t shape[3] = {2, 3, 4};
  std::vector<std::vector<double>> groups;
  std::vector<int64_t> keys;
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 3; ++j) {
      for (int64_t k = 0; k < 4; ++k) {
        const int64_t idx[3] = {i, j, k};
        int64_t key = 0;
        for (int d = 0; d < 3; ++d) key = key * shape[d] + (reduced[d] ? 0 : idx[d]);
        auto it = std::find(keys.begin(), keys.end(), key);
        if (it == keys.end()) {
          keys.push_back(key);
          groups.emplace_back();
          it = keys.end() - 1;
        }
        groups[it - keys.begin()].push_back(v[(i * 3 + j) * 4 + k]);
      }
    }
  }
  std::vector<double> out;
  for (const auto& g : groups) out.push_back(f(g));
  return out;
}

double sum_of(const std::vector<double>& g) { return std::accumulate(g.begin(), g.end(), 0.0); }

}  // namespace

TEST_CASE("sum, mean, amax, amin and var over any dims, with keepdim") {
  const Tensor x = reference::random_tensor({2, 3, 4}, 11);
  const auto v = to_vector<double>(x);
  check_close(to_vector<double>(x.sum()), {sum_of(v)}, 1e-6);
  CHECK(x.sum().dim() == 0);
  const Tensor s02 = x.sum({0, 2});
  CHECK(s02.sizes().equals({3}));
  check_close(to_vector<double>(s02), reduce_234(v, {true, false, true}, sum_of), 1e-6);
  const Tensor kept = x.sum(-1, true);
  CHECK(kept.sizes().equals({2, 3, 1}));
  check_close(to_vector<double>(kept), reduce_234(v, {false, false, true}, sum_of), 1e-6);
  check_close(to_vector<double>(x.mean(1)),
              reduce_234(v, {false, true, false}, [](const auto& g) { return sum_of(g) / g.size(); }), 1e-6);
  check_close(to_vector<double>(x.amax(0)),
              reduce_234(v, {true, false, false}, [](const auto& g) { return *std::max_element(g.begin(), g.end()); }), 0);
  check_close(to_vector<double>(x.amin(2)),
              reduce_234(v, {false, false, true}, [](const auto& g) { return *std::min_element(g.begin(), g.end()); }), 0);
  auto variance = [](const std::vector<double>& g, int correction) {
    const double m = sum_of(g) / g.size();
    double s = 0;
    for (double e : g) s += (e - m) * (e - m);
    return s / (g.size() - correction);
  };
  check_close(to_vector<double>(x.var({1, 2})),
              reduce_234(v, {false, true, true}, [&](const auto& g) { return variance(g, 1); }), 1e-5);
  check_close(to_vector<double>(x.var(std::nullopt, 0)),
              reduce_234(v, {true, true, true}, [&](const auto& g) { return variance(g, 0); }), 1e-5);
  // Leading dimensions of a contiguous input take the row-streaming path: the same sums.
  check_close(to_vector<double>(x.sum({0, 1})), reduce_234(v, {true, true, false}, sum_of), 1e-6);
  check_close(to_vector<double>(x.mean(0)),
              reduce_234(v, {true, false, false}, [](const auto& g) { return sum_of(g) / g.size(); }), 1e-6);
  const Tensor wide = reference::random_tensor({50, 9000}, 17);  // columns split across threads
  const auto wv = to_vector<double>(wide);
  std::vector<double> column_sums(9000, 0.0);
  for (int r = 0; r < 50; ++r) {
    for (int c = 0; c < 9000; ++c) column_sums[c] += static_cast<double>(static_cast<float>(wv[r * 9000 + c]));
  }
  check_close(to_vector<double>(wide.sum(0)), column_sums, 1e-6);
  check_close(to_vector<double>(wide.sum(0, true).squeeze(0)), to_vector<double>(wide.transpose(0, 1).sum(1)), 0);
  CHECK(to_vector<int64_t>(arange(6).reshape({3, 2}).sum(0)) == std::vector<int64_t>{6, 9});
  // An empty reduced dimension before a non-empty one: nothing is read (the walk used to read the
  // innermost row once, here the neighbouring row of ones).
  const Tensor none = ones({2, 3}).narrow(0, 1, 0);
  CHECK(none.sum().item<float>() == 0.f);
  CHECK(none.sum(0).sizes().equals({3}));
  CHECK(to_vector<float>(none.sum(0)) == std::vector<float>{0, 0, 0});
  CHECK(std::isnan(none.mean().item<float>()));
  // A transposed input reduces the same.
  check_close(to_vector<double>(x.transpose(0, 2).sum(0)),
              to_vector<double>(x.sum(2).transpose(0, 1)), 1e-6);
}

TEST_CASE("prod over any dims; integers and bool multiply in int64") {
  const Tensor x = reference::random_tensor({2, 3, 4}, 12) + 1;
  const auto v = to_vector<double>(x);
  auto product = [](const std::vector<double>& g) {
    return std::accumulate(g.begin(), g.end(), 1.0, std::multiplies<double>());
  };
  check_close(to_vector<double>(x.prod()), {product(v)}, 1e-5);
  check_close(to_vector<double>(x.prod({0, 2})), reduce_234(v, {true, false, true}, product), 1e-5);
  const Tensor kept = x.prod(1, true);
  CHECK(kept.sizes().equals({2, 1, 4}));
  check_close(to_vector<double>(kept), reduce_234(v, {false, true, false}, product), 1e-5);
  check_close(to_vector<double>(x.transpose(0, 2).prod(0)), to_vector<double>(x.prod(2).transpose(0, 1)), 1e-6);
  const Tensor ints = tensor<int32_t>({3, -2, 5, 7});
  CHECK(ints.prod().dtype() == DType::Int64);
  CHECK(ints.prod().item<int64_t>() == -210);
  CHECK(to_vector<int64_t>(ints.reshape({2, 2}).prod(1)) == std::vector<int64_t>{-6, 35});
  CHECK(tensor<bool>({true, false}).prod().item<int64_t>() == 0);
  // Integers wrap as integer arithmetic does: 2^64 is 0 in int64.
  CHECK(full({64}, 2, DType::Int64).prod().item<int64_t>() == 0);
  CHECK(ints.prod(std::nullopt, false, DType::Float64).item<double>() == -210.0);
  // An empty product is 1.
  CHECK(to_vector<float>(ones({0, 3}).prod(0)) == std::vector<float>{1, 1, 1});
  CHECK_THROWS_WITH(x.prod(3), "[prod] dim: expected a value in [-3, 2], got 3");
}

TEST_CASE("var_mean, std_mean, median, kthvalue, bincount and bucketize") {
  const Tensor x = tensor<double>({4, 1, 3, 9, 2, 7}, {2, 3});
  const auto [var, mean] = var_mean(x, IntArrayRef{1});
  CHECK(to_vector<double>(var) == to_vector<double>(x.var(IntArrayRef{1})));
  CHECK(to_vector<double>(mean) == std::vector<double>{8.0 / 3, 6});
  const auto [std_all, mean_all] = std_mean(x, std::nullopt, 0, true);
  CHECK(std_all.sizes().equals({1, 1}));
  CHECK(std_all.item<double>() == doctest::Approx(std::sqrt(x.var(std::nullopt, 0).item<double>())));
  CHECK(mean_all.item<double>() == doctest::Approx(13.0 / 3));
  // The lower median; its index along the dim; NaN wins a row that holds one.
  CHECK(x.median().item<double>() == 3);
  const auto [values, indices] = x.median(1);
  CHECK(to_vector<double>(values) == std::vector<double>{3, 7});
  CHECK(to_vector<int64_t>(indices) == std::vector<int64_t>{2, 2});
  const Tensor with_nan = tensor<double>({1, NAN, 0, 5, 6, 7}, {2, 3});
  CHECK(std::isnan(to_vector<double>(std::get<0>(with_nan.median(1, true)))[0]));
  CHECK(to_vector<int64_t>(std::get<1>(with_nan.median(1))) == std::vector<int64_t>{1, 1});
  CHECK(std::isnan(with_nan.median().item<double>()));
  CHECK(arange(4, DType::Int32).median().item<int64_t>() == 1);
  const auto [third, third_at] = x.kthvalue(3, 1, true);
  CHECK(to_vector<double>(third) == std::vector<double>{4, 9});
  CHECK(to_vector<int64_t>(third_at) == std::vector<int64_t>{0, 0});
  CHECK(third.sizes().equals({2, 1}));
  CHECK(std::get<0>(x.kthvalue(1, 0)).sizes().equals({3}));
  CHECK_THROWS_WITH(x.kthvalue(4, 1), "[kthvalue] k: expected a value in [1, 3], got 4");
  CHECK_THROWS_WITH(zeros({0}).median(), "[median] self: cannot take the median of an empty tensor");
  // bincount: counts (or summed weights) per value, at least minlength bins.
  const Tensor counts = tensor<int64_t>({1, 3, 1, 0, 3, 3});
  CHECK(to_vector<int64_t>(counts.bincount()) == std::vector<int64_t>{1, 2, 0, 3});
  CHECK(to_vector<int64_t>(bincount(counts, std::nullopt, 6)) == std::vector<int64_t>{1, 2, 0, 3, 0, 0});
  CHECK(to_vector<double>(counts.bincount(tensor<double>({0.5, 1, 1, 2, 0.25, 0.25}))) == std::vector<double>{2, 1.5, 0, 1.5});
  CHECK(tensor<int64_t>(std::vector<int64_t>{}, {0}).bincount().sizes().equals({0}));
  CHECK_THROWS_WITH(tensor<int64_t>({1, -2}).bincount(), "[bincount] self: expected non-negative values, got -2");
  CHECK_THROWS_WITH(tensor<int64_t>({std::numeric_limits<int64_t>::max()}).bincount(),
                    "[bincount] self: the value 9223372036854775807 needs more bins than int64 counts");
  CHECK_THROWS_WITH(x.bincount(), "[bincount] self: expected a 1-D tensor of integers, got float64 [2, 3]");
  CHECK(to_vector<int64_t>(bucketize(tensor<double>({3, 6, 9, 0, 10, NAN}, {2, 3}), tensor<double>({1, 3, 5, 7, 9}), false, true)) ==
        std::vector<int64_t>{2, 3, 5, 0, 5, 5});
  CHECK_THROWS_WITH(bucketize(x, x), "[bucketize] boundaries: expected a 1-D tensor, got [2, 3]");
}

TEST_CASE("searchsorted: before equal entries or after them, NaN after every number, rows, sorter and side") {
  const Tensor sorted = tensor<double>({1, 3, 5, 7, 9});
  const Tensor probes = tensor<double>({3, 6, 9, 0, 10, NAN});
  CHECK(to_vector<int64_t>(searchsorted(sorted, probes)) == std::vector<int64_t>{1, 3, 4, 0, 5, 5});
  CHECK(to_vector<int64_t>(searchsorted(sorted, probes, false, true)) == std::vector<int64_t>{2, 3, 5, 0, 5, 5});
  CHECK(to_vector<int64_t>(searchsorted(sorted, probes, false, false, "right")) == std::vector<int64_t>{2, 3, 5, 0, 5, 5});
  CHECK(to_vector<int64_t>(searchsorted(sorted, probes, false, true, "right")) == std::vector<int64_t>{2, 3, 5, 0, 5, 5});
  const Tensor narrow = searchsorted(sorted, probes, true);
  CHECK(narrow.dtype() == DType::Int32);
  CHECK(to_vector<int32_t>(narrow) == std::vector<int32_t>{1, 3, 4, 0, 5, 5});
  CHECK(searchsorted(sorted, tensor<double>({4.0}).reshape({})).item<int64_t>() == 2);
  CHECK(searchsorted(empty({0}, DType::Float64), probes).sum().item<int64_t>() == 0);
  // NaNs end a sorted row: numbers stop before them, NaN goes before them only without right.
  const Tensor with_nans = tensor<float>({1, 2, NAN, NAN});
  CHECK(to_vector<int64_t>(searchsorted(with_nans, tensor<float>({3, NAN, 0}))) == std::vector<int64_t>{2, 2, 0});
  CHECK(to_vector<int64_t>(searchsorted(with_nans, tensor<float>({3, NAN, 0}), false, true)) == std::vector<int64_t>{2, 4, 0});
  // Mixed dtypes compare in the promoted one: 2.5 falls between the integers 1 and 3.
  CHECK(to_vector<int64_t>(searchsorted(tensor<int64_t>({1, 3, 5}), tensor<double>({2.5, 3}))) == std::vector<int64_t>{1, 1});
  // A row of entries per row of values, whatever their layout.
  const Tensor rows = tensor<double>({1, 3, 5, 2, 4, 6}, {2, 3});
  const Tensor row_probes = tensor<double>({3, 6, 3, 6}, {2, 2});
  CHECK(to_vector<int64_t>(searchsorted(rows, row_probes)) == std::vector<int64_t>{1, 3, 1, 2});
  const Tensor transposed = tensor<double>({1, 2, 3, 4, 5, 6}, {3, 2}).t();
  CHECK(to_vector<int64_t>(searchsorted(transposed, row_probes.t().contiguous().t())) == std::vector<int64_t>{1, 3, 1, 2});
  // A sorter orders rows left as they are: the positions are those of the sorted rows.
  const Tensor shuffled = tensor<double>({5, 1, 9, 3, 7});
  const Tensor order = tensor<int64_t>({1, 3, 0, 4, 2});
  CHECK(to_vector<int64_t>(searchsorted(shuffled, probes, false, false, std::nullopt, order)) ==
        std::vector<int64_t>{1, 3, 4, 0, 5, 5});
  const Tensor row_order = tensor<int64_t>({2, 0, 1, 0, 2, 1}, {2, 3});
  CHECK(to_vector<int64_t>(searchsorted(tensor<double>({3, 5, 1, 2, 6, 4}, {2, 3}), row_probes, false, true, std::nullopt,
                                        row_order)) == std::vector<int64_t>{2, 3, 1, 3});
  Tensor out = full({2, 2}, 7, DType::Int64);
  searchsorted_out(out, rows, row_probes, false, true);
  CHECK(to_vector<int64_t>(out) == std::vector<int64_t>{2, 3, 1, 3});
  CHECK_THROWS_WITH(searchsorted(rows, tensor<double>({3, 6, 3}, {3, 1})),
                    "[searchsorted] self: expected the leading dimensions of sorted_sequence [2, 3], got [3, 1]");
  CHECK_THROWS_WITH(searchsorted(scalar_tensor(5.0), probes),
                    "[searchsorted] sorted_sequence: expected at least one dimension, got a 0-dim tensor");
  CHECK_THROWS_WITH(searchsorted(sorted, probes, false, true, "left"), "[searchsorted] side: 'left' contradicts right=True");
  CHECK_THROWS_WITH(searchsorted(sorted, probes, false, false, "up"), "[searchsorted] side: expected 'left' or 'right', got 'up'");
  CHECK_THROWS_WITH(searchsorted(shuffled, probes, false, false, std::nullopt, order.to(DType::Int32)),
                    "[searchsorted] sorter: expected int64 indices, got int32");
  CHECK_THROWS_WITH(searchsorted(shuffled, probes, false, false, std::nullopt, order.narrow(0, 0, 4)),
                    "[searchsorted] sorter: expected the shape [5] of sorted_sequence, got [4]");
  CHECK_THROWS_WITH(searchsorted(shuffled, probes, false, false, std::nullopt, tensor<int64_t>({1, 3, 0, 5, 2})),
                    "[searchsorted] cpu plugin kernel failed (status 1): sorter: index 5 is out of range for rows of 5 entries");
}

TEST_CASE("searchsorted agrees with std::lower_bound and upper_bound on long rows, on all threads") {
  // 3 rows of 1000 sorted entries with repeats, 20000 values a row (some between, some equal, NaN),
  // enough values to split the search across threads.
  std::mt19937 generator(7);
  std::uniform_int_distribution<int> draw(0, 400);
  std::vector<double> entries(3 * 1000), probes(3 * 20000);
  for (double& e : entries) e = draw(generator) * 0.5;
  for (size_t r = 0; r < 3; ++r) std::sort(entries.begin() + r * 1000, entries.begin() + (r + 1) * 1000);
  for (double& p : probes) p = draw(generator) * 0.25 - 1;
  probes[17] = NAN;
  for (bool right : {false, true}) {
    CAPTURE(right);
    const Tensor batched = searchsorted(tensor<double>(entries, {3, 1000}), tensor<double>(probes, {3, 20000}), false, right);
    const Tensor shared = searchsorted(tensor<double>(entries, {3, 1000}).select(0, 0), tensor<double>(probes, {60000}), false, right);
    std::vector<int64_t> batched_expected, shared_expected;
    for (size_t i = 0; i < probes.size(); ++i) {
      const auto position = [&](size_t row) -> int64_t {
        const auto first = entries.begin() + row * 1000, last = first + 1000;
        if (std::isnan(probes[i])) return 1000;
        return (right ? std::upper_bound(first, last, probes[i]) : std::lower_bound(first, last, probes[i])) - first;
      };
      batched_expected.push_back(position(i / 20000));
      shared_expected.push_back(position(0));
    }
    CHECK(to_vector<int64_t>(batched) == batched_expected);
    CHECK(to_vector<int64_t>(shared) == shared_expected);
  }
}

TEST_CASE("aminmax, nanmedian and msort") {
  const Tensor x = tensor<double>({4, 1, 3, 9, 2, 7}, {2, 3});
  const auto [low, high] = aminmax(x);
  CHECK(low.item<double>() == 1);
  CHECK(high.item<double>() == 9);
  const auto [row_low, row_high] = x.aminmax(1, true);
  CHECK(row_low.sizes().equals({2, 1}));
  CHECK(to_vector<double>(row_low) == std::vector<double>{1, 2});
  CHECK(to_vector<double>(row_high) == std::vector<double>{4, 9});
  CHECK(std::get<0>(aminmax(x, std::nullopt, true)).sizes().equals({1, 1}));
  // NaN rows: nanmedian takes the lower median of the numbers, and NaN only from a row of NaNs.
  const Tensor with_nan = tensor<double>({NAN, 5, 1, 3, NAN, NAN, NAN, NAN, 8, 6, 4, 7}, {3, 4});
  const auto [medians, at] = with_nan.nanmedian(1);
  const std::vector<double> m = to_vector<double>(medians);
  CHECK(m[0] == 3);  // 1 3 5
  CHECK(std::isnan(m[1]));
  CHECK(m[2] == 6);  // 4 6 7 8: the lower of the middle two
  CHECK(to_vector<int64_t>(at)[0] == 3);
  CHECK(to_vector<int64_t>(at)[2] == 1);
  CHECK(with_nan.nanmedian().item<double>() == 5);  // 1 3 4 5 6 7 8
  CHECK(std::isnan(with_nan.median().item<double>()));
  CHECK(std::get<0>(with_nan.nanmedian(0, true)).sizes().equals({1, 4}));
  CHECK(tensor<int64_t>({5, 1, 3}).nanmedian().item<int64_t>() == 3);
  CHECK_THROWS_WITH(zeros({0}).nanmedian(), "[nanmedian] self: cannot take the median of an empty tensor");
  CHECK_THROWS_WITH(zeros({2, 0}).nanmedian(1), "[nanmedian] self: cannot take the median of dimension 1 of size 0");
  CHECK(to_vector<double>(msort(x)) == std::vector<double>{4, 1, 3, 9, 2, 7});
  CHECK(to_vector<double>(x.t().msort()) == std::vector<double>{1, 2, 3, 7, 4, 9});
}

TEST_CASE("unique and unique_consecutive: values, inverse and counts as PyTorch's") {
  const Tensor x = tensor<double>({3, 1, 2, 1, 3, NAN, NAN}, {7});
  const auto [values, inverse, counts] = x.unique(true, true, true);
  const std::vector<double> v = to_vector<double>(values);
  REQUIRE(v.size() == 5);
  CHECK(std::vector<double>(v.begin(), v.begin() + 3) == std::vector<double>{1, 2, 3});
  CHECK((std::isnan(v[3]) && std::isnan(v[4])));  // each NaN is distinct
  CHECK(to_vector<int64_t>(inverse) == std::vector<int64_t>{2, 0, 1, 0, 2, 3, 4});
  CHECK(to_vector<int64_t>(counts) == std::vector<int64_t>{2, 1, 2, 1, 1});
  const Tensor grid = tensor<int64_t>({5, 5, 2, 9, 2, 5}, {2, 3});
  const auto [grid_values, grid_inverse, no_counts] = unique(grid, true, true);
  CHECK(to_vector<int64_t>(grid_values) == std::vector<int64_t>{2, 5, 9});
  CHECK(grid_inverse.sizes().equals({2, 3}));
  CHECK(to_vector<int64_t>(grid_inverse) == std::vector<int64_t>{1, 1, 0, 2, 0, 1});
  CHECK(no_counts.numel() == 0);
  const auto [runs, run_of, lengths] = tensor<int64_t>({1, 1, 2, 2, 3, 1, 1, 2}).unique_consecutive(true, true);
  CHECK(to_vector<int64_t>(runs) == std::vector<int64_t>{1, 2, 3, 1, 2});
  CHECK(to_vector<int64_t>(run_of) == std::vector<int64_t>{0, 0, 1, 1, 2, 3, 3, 4});
  CHECK(to_vector<int64_t>(lengths) == std::vector<int64_t>{2, 2, 1, 2, 1});
  const auto [empty_values, empty_inverse, empty_counts] = zeros({0, 3}).unique(true, true, true);
  CHECK(empty_values.numel() == 0);
  CHECK(empty_inverse.sizes().equals({0, 3}));
  CHECK(empty_counts.numel() == 0);
}

TEST_CASE("unique_dim: distinct slices in lexicographic order, each slice's position and the counts") {
  const Tensor rows = tensor<int64_t>({1, 2, 3, 4, 1, 2, 0, 5, 1, 1}, {5, 2});
  const auto [values, inverse, counts] = unique_dim(rows, 0, true, true, true);
  CHECK(values.sizes().equals({4, 2}));
  CHECK(to_vector<int64_t>(values) == std::vector<int64_t>{0, 5, 1, 1, 1, 2, 3, 4});
  CHECK(to_vector<int64_t>(inverse) == std::vector<int64_t>{2, 3, 2, 0, 1});
  CHECK(to_vector<int64_t>(counts) == std::vector<int64_t>{1, 1, 2, 1});
  // The same columns of the transpose, and slices of a 3-D tensor along its middle dimension.
  const auto [columns, column_of, column_counts] = rows.t().unique_dim(1, true, true, true);
  CHECK(to_vector<int64_t>(columns.t().contiguous()) == to_vector<int64_t>(values));
  CHECK(to_vector<int64_t>(column_of) == to_vector<int64_t>(inverse));
  const Tensor cube = tensor<double>({1, 2, 9, 9, 1, 2, 3, 4, 3, 4, 3, 4}, {2, 3, 2});
  const Tensor distinct = std::get<0>(unique_dim(cube, 1));
  CHECK(distinct.sizes().equals({2, 2, 2}));
  CHECK(to_vector<double>(distinct) == std::vector<double>{1, 2, 9, 9, 3, 4, 3, 4});
  CHECK(std::get<0>(unique_dim(zeros({0, 3}), 0)).sizes().equals({0, 3}));
  CHECK_THROWS_WITH(unique_dim(rows, 2), doctest::Contains("[unique_dim]"));
  CHECK_THROWS_WITH(unique_dim(scalar_tensor(1.0), 0), "[unique_dim] self: expected at least one dimension, got a 0-dim tensor");
}

TEST_CASE("count_nonzero counts in int64 over any dims") {
  const Tensor x = tensor({0.f, 1.f, -2.f, 0.f, NAN, 0.f}, {2, 3});
  CHECK(x.count_nonzero().dtype() == DType::Int64);
  CHECK(x.count_nonzero().item<int64_t>() == 3);  // NaN is not zero
  CHECK(to_vector<int64_t>(x.count_nonzero(0)) == std::vector<int64_t>{0, 2, 1});
  CHECK(to_vector<int64_t>(count_nonzero(x, IntArrayRef{-1})) == std::vector<int64_t>{2, 1});
  CHECK(tensor<bool>({true, false, true}).count_nonzero().item<int64_t>() == 2);
  CHECK(zeros({0, 3}).count_nonzero().item<int64_t>() == 0);
  CHECK_THROWS_WITH(x.count_nonzero(2), "[count_nonzero] dim: expected a value in [-2, 1], got 2");
}

TEST_CASE("std and logsumexp over any dims, logsumexp stable for large and infinite inputs") {
  const Tensor x = reference::random_tensor({2, 3, 4}, 13) * 4;
  const auto v = to_vector<double>(x);
  auto std_of = [](const std::vector<double>& g) {
    const double m = sum_of(g) / g.size();
    double s = 0;
    for (double e : g) s += (e - m) * (e - m);
    return std::sqrt(s / (g.size() - 1));
  };
  auto logsumexp_of = [](const std::vector<double>& g) {
    double s = 0;
    for (double e : g) s += std::exp(e);
    return std::log(s);
  };
  check_close(to_vector<double>(x.std({0, 2})), reduce_234(v, {true, false, true}, std_of), 1e-5);
  CHECK(x.std(1, 1, true).sizes().equals({2, 1, 4}));
  check_close(to_vector<double>(x.logsumexp({1})), reduce_234(v, {false, true, false}, logsumexp_of), 1e-6);
  check_close(to_vector<double>(x.logsumexp({0, -1}, true)), reduce_234(v, {true, false, true}, logsumexp_of), 1e-6);
  CHECK(x.logsumexp({0, -1}, true).sizes().equals({1, 3, 1}));
  const float inf = std::numeric_limits<float>::infinity();
  // exp(1000) overflows float32; past the largest element nothing does.
  check_close(to_vector<double>(tensor<float>({1000.f, 1000.f}).logsumexp({0})), {1000 + std::log(2.0)}, 1e-6);
  check_close(to_vector<double>(tensor<float>({-inf, -inf, 1.f, -inf, inf, 0.f}, {3, 2}).logsumexp({1})),
              {-inf, 1, inf}, 0);
  check_close(to_vector<double>(empty({0, 2}).logsumexp({0})), {-inf, -inf}, 0);  // log of an empty sum
  CHECK(tensor<int64_t>({1, 2}).logsumexp({0}).dtype() == DType::Float32);
  CHECK_THROWS_WITH(x.logsumexp({1, -2}), "[logsumexp] dim: dimension -2 appears more than once");
  CHECK_THROWS_WITH(x.logsumexp({3}), "[logsumexp] dim: expected a value in [-3, 2], got 3");
  CHECK_THROWS_WITH(tensor<int64_t>({1, 2}).std(), "[std] self: expected a floating-point tensor, got int64");
  CHECK_THROWS_WITH(x.std(IntArrayRef{-4}), "[std] dim: expected a value in [-3, 2], got -4");
}

TEST_CASE("norm: any order over any dims, as torch.linalg.vector_norm") {
  const Tensor x = reference::random_tensor({2, 3, 4}, 15);
  const auto v = to_vector<double>(x);
  auto p_norm = [](double p) {
    return [p](const std::vector<double>& g) {
      double s = 0;
      for (double e : g) s += std::pow(std::fabs(e), p);
      return std::pow(s, 1 / p);
    };
  };
  auto max_magnitude = [](const std::vector<double>& g) {
    double m = 0;
    for (double e : g) m = std::max(m, std::fabs(e));
    return m;
  };
  check_close(to_vector<double>(x.norm()), reduce_234(v, {true, true, true}, p_norm(2)), 1e-6);
  check_close(to_vector<double>(x.norm(1, IntArrayRef{1})), reduce_234(v, {false, true, false}, p_norm(1)), 1e-6);
  check_close(to_vector<double>(x.norm(3, IntArrayRef{0, 2}, true)), reduce_234(v, {true, false, true}, p_norm(3)), 1e-5);
  check_close(to_vector<double>(x.norm(0.5, IntArrayRef{-1})), reduce_234(v, {false, false, true}, p_norm(0.5)), 1e-5);
  check_close(to_vector<double>(x.norm(INFINITY, IntArrayRef{2})), reduce_234(v, {false, false, true}, max_magnitude), 0);
  CHECK(x.norm(3, IntArrayRef{0, 2}, true).sizes().equals({1, 3, 1}));
  const Tensor t = tensor<double>({3, -4, 0, 0.5});
  CHECK(t.norm().item<double>() == doctest::Approx(std::sqrt(25.25)));
  CHECK(t.norm(0).item<double>() == 3);  // nonzero elements
  CHECK(t.norm(-INFINITY).item<double>() == 0);
  CHECK(t.norm(INFINITY).item<double>() == 4);
  CHECK(empty({0}).norm().item<float>() == 0);
  CHECK(tensor<float>({3.f, 4.f}).norm().dtype() == DType::Float32);
  // At a zero norm the gradient is 0, not 0/0.
  Tensor z = zeros({3}, DType::Float64).requires_grad_();
  z.norm().backward();
  CHECK(to_vector<double>(z.grad()) == std::vector<double>{0, 0, 0});
  CHECK_THROWS_WITH(tensor<int64_t>({1}).norm(), "[norm] self: expected a floating-point tensor, got int64");
  CHECK_THROWS_WITH(x.norm(NAN), "[norm] p: expected a number, got nan");
  CHECK_THROWS_WITH(x.norm(2, IntArrayRef{0, -3}), "[norm] dim: dimension -3 appears more than once");
  CHECK_THROWS_WITH(empty({2, 0}).norm(INFINITY, IntArrayRef{1}),
                    "[norm] self: an infinity norm over dimension 1 of size 0 has no value");
  CHECK(empty({2, 0}).norm(INFINITY, IntArrayRef{0}).sizes().equals({0}));
}

TEST_CASE("cumsum runs along any dim in any layout; any and all count non-zero elements") {
  const Tensor m = arange(1, 7).reshape({2, 3});
  CHECK(to_vector<int64_t>(m.cumsum(1)) == std::vector<int64_t>{1, 3, 6, 4, 9, 15});
  CHECK(to_vector<int64_t>(m.cumsum(0)) == std::vector<int64_t>{1, 2, 3, 5, 7, 9});
  CHECK(to_vector<int64_t>(m.transpose(0, 1).cumsum(-1)) == std::vector<int64_t>{1, 5, 2, 7, 3, 9});
  CHECK(tensor<int32_t>({1, 2}).cumsum(0).dtype() == DType::Int64);  // as PyTorch's
  CHECK(to_vector<int64_t>(tensor<bool>({true, false, true}).cumsum(0)) == std::vector<int64_t>{1, 1, 2});
  const Tensor halves = tensor<float>({0.5f, 0.25f, -1.f}).cumsum(0, DType::Float64);
  CHECK(halves.dtype() == DType::Float64);
  CHECK(to_vector<double>(halves) == std::vector<double>{0.5, 0.75, -0.25});
  CHECK(scalar_tensor(3.0).cumsum(0).item<double>() == 3.0);
  CHECK(empty({0, 2}).cumsum(0).sizes().equals({0, 2}));
  const Tensor x = reference::random_tensor({3, 40}, 15);
  const auto v = to_vector<double>(x);
  std::vector<double> expected(v.size());
  for (int r = 0; r < 3; ++r) {
    double running = 0;
    for (int c = 0; c < 40; ++c) expected[r * 40 + c] = running += v[r * 40 + c];
  }
  check_close(to_vector<double>(x.cumsum(1)), expected, 1e-6);
  // cumprod: the same dims and dtypes; integer products wrap as two's complement.
  CHECK(to_vector<int64_t>(m.cumprod(1)) == std::vector<int64_t>{1, 2, 6, 4, 20, 120});
  CHECK(to_vector<int64_t>(m.transpose(0, 1).cumprod(0)) == std::vector<int64_t>{1, 4, 2, 20, 6, 120});
  CHECK(tensor<int8_t>({100, 3}).cumprod(0).dtype() == DType::Int64);
  CHECK(to_vector<double>(tensor<double>({2, 0, 5, NAN}).cumprod(0))[2] == 0);
  CHECK(std::isnan(to_vector<double>(tensor<double>({2, 0, 5, NAN}).cumprod(0))[3]));
  CHECK(to_vector<int64_t>(tensor<int64_t>({int64_t{1} << 62, 4}).cumprod(0))[1] == 0);  // 2^64 wraps to 0
  std::vector<double> products(v.size());
  for (int r = 0; r < 3; ++r) {
    double running = 1;
    for (int c = 0; c < 40; ++c) products[r * 40 + c] = running *= 1 + v[r * 40 + c] / 8;
  }
  check_close(to_vector<double>((x / 8 + 1).cumprod(1)), products, 1e-5);
  CHECK(scalar_tensor(3.0).cumprod(0).item<double>() == 3.0);
  CHECK_THROWS_WITH(m.cumprod(0, DType::Bool), "[cumprod] dtype: expected a numeric dtype, got bool");
  CHECK_THROWS_WITH(m.cumsum(2), "[cumsum] dim: expected a value in [-2, 1], got 2");
  CHECK_THROWS_WITH(m.cumsum(0, DType::Bool), "[cumsum] dtype: expected a numeric dtype, got bool");

  const Tensor flags = tensor<float>({0, 2, 0, 0, 0, 0}, {2, 3});
  CHECK(flags.any().item<bool>());
  CHECK_FALSE(flags.all().item<bool>());
  CHECK(to_vector<bool>(flags.any(1)) == std::vector<bool>{true, false});
  CHECK(to_vector<bool>(ones({2, 3}).all(0, true)) == std::vector<bool>{true, true, true});
  CHECK(ones({2, 3}).all(0, true).sizes().equals({1, 3}));
  CHECK_FALSE(empty({0}).any().item<bool>());  // nothing is non-zero
  CHECK(empty({0}).all().item<bool>());        // and nothing is zero
  CHECK(to_vector<bool>(tensor<float>({std::nanf("")}).all()) == std::vector<bool>{true});  // NaN is non-zero
  CHECK_THROWS_WITH(flags.any(IntArrayRef{2}), "[any] dim: expected a value in [-2, 1], got 2");
}

TEST_CASE("topk, sort and argsort: in order, NaN largest, ties by index") {
  const float nan = std::nanf("");
  const Tensor x = tensor<float>({3, 1, nan, 2, 3, -1}, {2, 3});
  const auto [top, at] = x.topk(2);
  CHECK(to_vector<int64_t>(at) == std::vector<int64_t>{2, 0, 1, 0});  // row 0: NaN then 3; row 1: 3 then 2
  CHECK(std::isnan(to_vector<float>(top)[0]));
  CHECK(to_vector<float>(top.narrow(1, 1, 1)) == std::vector<float>{3, 2});
  const auto [low, low_at] = x.topk(1, 0, false);
  CHECK(to_vector<float>(low) == std::vector<float>{2, 1, -1});
  CHECK(to_vector<int64_t>(low_at) == std::vector<int64_t>{1, 0, 1});
  const Tensor ties = tensor<int64_t>({5, 7, 5, 7, 5});
  CHECK(to_vector<int64_t>(std::get<1>(ties.sort())) == std::vector<int64_t>{0, 2, 4, 1, 3});  // stable
  CHECK(to_vector<int64_t>(std::get<1>(ties.sort(0, true))) == std::vector<int64_t>{1, 3, 0, 2, 4});
  // Columns [3, 1, NaN] and [2, 3, -1] of the transposed view, each in ascending order.
  CHECK(to_vector<int64_t>(x.transpose(0, 1).argsort(0)) == std::vector<int64_t>{1, 2, 0, 0, 2, 1});
  const auto [sorted_values, order] = sort(tensor<float>({2, nan, -5, 0}));
  CHECK(to_vector<int64_t>(order) == std::vector<int64_t>{2, 3, 0, 1});  // NaN last when ascending
  CHECK(to_vector<bool>(std::get<0>(tensor<bool>({true, false}).sort())) == std::vector<bool>{false, true});
  CHECK(std::get<0>(scalar_tensor(4.0).topk(1)).item<double>() == 4.0);
  CHECK(std::get<0>(empty({3, 0}).sort()).sizes().equals({3, 0}));
  CHECK(std::get<0>(x.topk(0)).sizes().equals({2, 0}));
  // Against a full sort of random rows.
  const Tensor r = reference::random_tensor({5, 40}, 16);
  const auto rv = to_vector<double>(r);
  const auto [best, best_at] = r.topk(7, 1);
  const auto bv = to_vector<double>(best);
  const auto bi = to_vector<int64_t>(best_at);
  for (int row = 0; row < 5; ++row) {
    std::vector<double> v(rv.begin() + row * 40, rv.begin() + row * 40 + 40);
    std::sort(v.begin(), v.end(), std::greater<>());
    for (int j = 0; j < 7; ++j) {
      CHECK(bv[row * 7 + j] == v[j]);
      CHECK(rv[row * 40 + bi[row * 7 + j]] == v[j]);
    }
  }
  CHECK_THROWS_WITH(x.topk(4), "[topk] k: expected a value in [0, 3] (the size of dimension 1), got 4");
  CHECK_THROWS_WITH(x.topk(-1), "[topk] k: expected a value in [0, 3] (the size of dimension 1), got -1");
  CHECK_THROWS_WITH(x.sort(2), "[sort] dim: expected a value in [-2, 1], got 2");
}

TEST_CASE("reductions pick their dtype the way PyTorch does") {
  const Tensor ints = tensor<int32_t>({1, 2, 3});
  CHECK(ints.sum().dtype() == DType::Int64);
  CHECK(ints.sum().item<int64_t>() == 6);
  CHECK(tensor<bool>({true, true, false}).sum().item<int64_t>() == 2);
  CHECK(ints.sum(std::nullopt, false, DType::Float64).dtype() == DType::Float64);
  CHECK(ints.amax().dtype() == DType::Int32);
  CHECK_THROWS_WITH(ints.mean(), "[mean] self: expected a floating-point tensor or an explicit floating dtype, got int32");
  CHECK(ints.mean(std::nullopt, false, DType::Float32).item<float>() == 2.f);
  CHECK_THROWS_WITH(ones({2}).sum(2), "[sum] dim: expected a value in [-1, 0], got 2");
  CHECK_THROWS_WITH(ones({2, 2}).sum({0, -2}), "[sum] dim: dimension -2 appears more than once");
  CHECK(zeros({0, 3}).sum(0).sizes().equals({3}));
  CHECK_THROWS_WITH(zeros({0, 3}).amax(0), "[amax] self: cannot reduce over dimension 0 of size 0");
}

TEST_CASE("NaN propagates through max and min, and wins argmax") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = tensor({1.f, nan, 3.f});
  CHECK(std::isnan(x.amax().item<float>()));
  CHECK(std::isnan(x.amin().item<float>()));
  CHECK(x.argmax().item<int64_t>() == 1);
  CHECK(std::isnan(x.max().item<float>()));
  CHECK(std::isnan(min(x).item<float>()));
  CHECK(to_vector<float>(maximum(x, tensor({2.f, 2.f, 2.f})))[0] == 2.f);
  CHECK(std::isnan(to_vector<float>(maximum(x, tensor({2.f, 2.f, 2.f})))[1]));
}

TEST_CASE("argmax, argmin and max.dim give indices along a dim or over all") {
  const Tensor x = tensor({3.f, 9.f, 1.f, 7.f, 2.f, 8.f}, {2, 3});
  // max() and min() with no dim give the extreme element as a 0-dim tensor, as PyTorch's.
  CHECK(x.max().dim() == 0);
  CHECK(x.max().item<float>() == 9.f);
  CHECK(x.transpose(0, 1).min().item<float>() == 1.f);
  CHECK(arange(5, DType::Int32).max().dtype() == DType::Int32);
  CHECK_THROWS_WITH(zeros({0}).max(), "[amax] self: cannot reduce over dimension 0 of size 0");
  CHECK(x.argmax().item<int64_t>() == 1);
  CHECK(x.argmin().item<int64_t>() == 2);
  CHECK(to_vector<int64_t>(x.argmax(1)) == std::vector<int64_t>{1, 2});
  CHECK(to_vector<int64_t>(x.argmin(0, true)) == std::vector<int64_t>{0, 1, 0});
  CHECK(x.argmin(0, true).sizes().equals({1, 3}));
  CHECK(x.sum(std::vector<int64_t>{0, 1}).item<float>() == 30.f);
  const auto [values, indices] = x.max(1);
  CHECK(to_vector<float>(values) == std::vector<float>{9.f, 8.f});
  CHECK(to_vector<int64_t>(indices) == std::vector<int64_t>{1, 2});
  const auto [low, where_low] = x.min(0, true);
  CHECK(low.sizes().equals({1, 3}));
  CHECK(to_vector<float>(low) == std::vector<float>{3.f, 2.f, 1.f});
  CHECK(to_vector<int64_t>(where_low) == std::vector<int64_t>{0, 1, 0});
  CHECK_THROWS_WITH(zeros({0}).argmax(), "[argmax] self: expected a non-empty tensor");
}

TEST_CASE("softmax and log_softmax along any dim, stable for large inputs") {
  const Tensor x = reference::random_tensor({3, 5}, 12) * 10;
  for (int64_t dim : {0, 1, -1}) {
    CAPTURE(dim);
    const Tensor s = x.softmax(dim);
    const auto sums = to_vector<double>(s.sum(IntArrayRef{dim}));
    for (double total : sums) CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
    check_close(to_vector<double>(x.log_softmax(dim)), to_vector<double>(log(s)), 1e-4);
  }
  const auto v = to_vector<double>(x);
  std::vector<double> expected(15);
  for (int i = 0; i < 3; ++i) {
    double total = 0;
    for (int j = 0; j < 5; ++j) total += std::exp(v[i * 5 + j]);
    for (int j = 0; j < 5; ++j) expected[i * 5 + j] = std::exp(v[i * 5 + j]) / total;
  }
  check_close(to_vector<double>(x.softmax(1)), expected, 1e-5);
  check_close(to_vector<double>(x.transpose(0, 1).softmax(0).transpose(0, 1)), expected, 1e-5);
  const Tensor big = tensor({1000.f, 1001.f});
  check_close(to_vector<double>(big.softmax(0)), {1 / (1 + std::exp(1.0)), 1 / (1 + std::exp(-1.0))}, 1e-5);
  // Large enough for oneDNN's primitive: the same values as the formula, along either axis.
  const Tensor wide = reference::random_tensor({64, 300}, 13) * 8;
  const auto wv = to_vector<double>(wide);
  std::vector<double> rows(wv.size()), log_rows(wv.size());
  for (int r = 0; r < 64; ++r) {
    double top = -INFINITY, total = 0;
    for (int c = 0; c < 300; ++c) top = std::max(top, wv[r * 300 + c]);
    for (int c = 0; c < 300; ++c) total += std::exp(wv[r * 300 + c] - top);
    for (int c = 0; c < 300; ++c) {
      rows[r * 300 + c] = std::exp(wv[r * 300 + c] - top) / total;
      log_rows[r * 300 + c] = wv[r * 300 + c] - top - std::log(total);
    }
  }
  check_close(to_vector<double>(wide.softmax(1)), rows, 1e-5);
  check_close(to_vector<double>(wide.log_softmax(-1)), log_rows, 1e-5);
  check_close(to_vector<double>(wide.transpose(0, 1).contiguous().softmax(0).transpose(0, 1)), rows, 1e-5);
  check_close(to_vector<double>(wide.to(DType::BFloat16).softmax(1)), rows, 1e-2);
  CHECK_THROWS_WITH(tensor<int64_t>({1, 2}).softmax(0), "[softmax.int] self: expected a floating-point tensor, got int64");
  // A 0-dim tensor is a row of one: softmax 1, log_softmax 0 (it used to read past its sizes).
  CHECK(full({}, 3.5).softmax(0).item<float>() == 1.0f);
  CHECK(full({}, 3.5).log_softmax(-1).item<float>() == 0.0f);
  CHECK_THROWS_WITH(full({}, 3.5).softmax(1), "[softmax.int] dim: expected a value in [-1, 0], got 1");
}

TEST_CASE("cummax, cummin and logcumsumexp against running loops, NaN and ties as PyTorch's") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  // Ties go to the latest index; a NaN wins from where it appears, a later NaN over it.
  const Tensor x = tensor<double>({1, 3, 2, 3, nan, 5, nan, 0});
  const auto [max_values, max_indices] = cummax(x, 0);
  check_close(to_vector<double>(max_values), {1, 3, 3, 3, nan, nan, nan, nan}, 0);
  CHECK(to_vector<int64_t>(max_indices) == std::vector<int64_t>{0, 1, 1, 3, 4, 4, 6, 6});
  const auto [min_values, min_indices] = cummin(tensor<int64_t>({4, 2, 2, 7, 1, 1}), 0);
  CHECK(to_vector<int64_t>(min_values) == std::vector<int64_t>{4, 2, 2, 2, 1, 1});
  CHECK(to_vector<int64_t>(min_indices) == std::vector<int64_t>{0, 1, 2, 2, 4, 5});

  // Along a middle dimension of a random tensor, against a loop.
  const Tensor r = reference::random_tensor({3, 37, 2}, 41).to(DType::Float64);
  const auto rv = to_vector<double>(r);
  const auto [values, indices] = r.cummax(1);
  const Tensor lcse = r.logcumsumexp(1);
  const auto v = to_vector<double>(values), l = to_vector<double>(lcse);
  const auto idx = to_vector<int64_t>(indices);
  for (int64_t a = 0; a < 3; ++a) {
    for (int64_t c = 0; c < 2; ++c) {
      double best = -inf, sum = 0;
      int64_t at = 0;
      for (int64_t b = 0; b < 37; ++b) {
        const size_t k = static_cast<size_t>((a * 37 + b) * 2 + c);
        if (rv[k] >= best) {
          best = rv[k];
          at = b;
        }
        sum += std::exp(rv[k]);
        CHECK(v[k] == best);
        CHECK(idx[k] == at);
        CHECK(l[k] == doctest::Approx(std::log(sum)).epsilon(1e-12));
      }
    }
  }
  // Large and infinite entries: no overflow, -inf adds nothing.
  check_close(to_vector<double>(logcumsumexp(tensor<double>({1000, 1000, -inf, 0}), 0)),
              {1000, 1000 + std::log(2.0), 1000 + std::log(2.0), 1000 + std::log(2.0)}, 1e-12);
  CHECK(to_vector<double>(logcumsumexp(tensor<double>({-inf, -inf}), 0)) == std::vector<double>{-inf, -inf});
  CHECK(logaddexp(tensor<double>({inf}), tensor<double>({1})).item<double>() == inf);
  CHECK(std::get<0>(cummax(scalar_tensor(2.5), 0)).item<float>() == 2.5f);
  CHECK_THROWS_WITH(cummax(x, 1), doctest::Contains("[cummax]"));
}
