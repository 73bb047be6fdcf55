// embedding_bag: each entry's row gathered once, then summed into its bag with index_add (sum,
// mean) or laid into a [bags, longest bag, dim] grid for a max; made of operators, so autograd
// differentiates it and every backend runs it.
#include <algorithm>
#include <limits>

#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

// Which bag each entry of the flattened input belongs to, and where it sits in its bag.
struct Bags {
  Tensor bag, position;
  int64_t count = 0, longest = 0;
};

Bags bags_of_rows(const Tensor& input) {
  const int64_t rows = input.size(0), length = input.size(1);
  const Tensor entry = arange(input.numel(), DType::Int64, input.device());
  if (length == 0) return {entry, entry, rows, 0};
  return {floor_divide(entry, scalar_tensor(length, DType::Int64, input.device())),
          remainder(entry, scalar_tensor(length, DType::Int64, input.device())), rows, length};
}

// Bags back to back: offsets are checked on the host (PyTorch checks the same), then each
// entry's bag is the count of bag starts at or before it, a cumulative sum of start marks.
Bags bags_of_offsets(const char* op, const Tensor& input, const Tensor& offsets, bool include_last_offset) {
  EMBER_CHECK(offsets.defined() && offsets.dim() == 1 && is_integral(offsets.dtype(), false),
              "[{}] offsets: expected a 1-D integer tensor of bag starts for a 1-D input, got {}", op,
              offsets.defined() ? shape_str(offsets.sizes()) : std::string("none"));
  const int64_t n = input.numel();
  const std::vector<int64_t> starts = to_vector<int64_t>(offsets.to(DType::Int64));
  EMBER_CHECK(!starts.empty() && starts[0] == 0, "[{}] offsets: expected the first bag to start at 0", op);
  for (size_t b = 1; b < starts.size(); ++b) {
    EMBER_CHECK(starts[b] >= starts[b - 1] && starts[b] <= n,
                "[{}] offsets: expected non-decreasing starts of at most the input's length {}, got {} after {}", op,
                n, starts[b], starts[b - 1]);
  }
  EMBER_CHECK(!include_last_offset || starts.back() == n,
              "[{}] offsets: with include_last_offset the last entry must be the input's length {}, got {}", op, n,
              starts.back());
  Bags bags;
  bags.count = static_cast<int64_t>(starts.size()) - (include_last_offset ? 1 : 0);
  for (size_t b = 0; b < starts.size(); ++b) {
    const int64_t end = b + 1 < starts.size() ? starts[b + 1] : n;
    bags.longest = std::max(bags.longest, end - starts[b]);
  }
  const Tensor device_starts = offsets.to(DType::Int64).to(input.device());
  const Tensor marks = zeros({n + 1}, DType::Int64, input.device())
                           .index_add(0, device_starts, ones({offsets.size(0)}, DType::Int64, input.device()));
  bags.bag = marks.narrow(0, 0, n).cumsum(0) - 1;
  bags.position = arange(n, DType::Int64, input.device()) - device_starts.index_select(0, bags.bag);
  return bags;
}

}  // namespace

Tensor embedding_bag(const Tensor& input, const Tensor& weight, const Tensor& offsets,
                     const EmbeddingBagOptions& options, const Tensor& per_sample_weights) {
  const char* op = "embedding_bag";
  const std::string& mode = options.mode;
  EMBER_CHECK(mode == "sum" || mode == "mean" || mode == "max", "[{}] mode: expected 'sum', 'mean' or 'max', got '{}'",
              op, mode);
  EMBER_CHECK(is_integral(input.dtype(), false), "[{}] input: expected an integer tensor, got {}", op,
              dtype_name(input.dtype()));
  EMBER_CHECK(weight.dim() == 2, "[{}] weight: expected [num_embeddings, embedding_dim], got {}", op,
              shape_str(weight.sizes()));
  EMBER_CHECK(input.dim() == 1 || input.dim() == 2, "[{}] input: expected a 1-D (with offsets) or 2-D tensor, got {}",
              op, shape_str(input.sizes()));
  EMBER_CHECK(input.dim() == 1 || !offsets.defined(), "[{}] offsets: a 2-D input holds one bag per row; expected "
              "no offsets", op);
  EMBER_CHECK(!per_sample_weights.defined() || mode == "sum",
              "[{}] per_sample_weights: expected only with mode 'sum', got mode '{}'", op, mode);
  EMBER_CHECK(!per_sample_weights.defined() || per_sample_weights.sizes().equals(input.sizes()),
              "[{}] per_sample_weights: expected the input's shape {}, got {}", op, shape_str(input.sizes()),
              shape_str(per_sample_weights.sizes()));
  const Bags bags = input.dim() == 2 ? bags_of_rows(input) : bags_of_offsets(op, input, offsets, options.include_last_offset);
  const Tensor flat = input.reshape({-1});
  Tensor rows = weight.index_select(0, flat);
  if (per_sample_weights.defined()) rows = rows * per_sample_weights.reshape({-1, 1});
  Tensor kept = ones({flat.numel()}, weight.dtype(), weight.device());
  if (options.padding_idx) {
    const int64_t n = weight.size(0), padding = *options.padding_idx < 0 ? *options.padding_idx + n : *options.padding_idx;
    EMBER_CHECK(padding >= 0 && padding < n, "[{}] padding_idx: expected a row in [{}, {}), got {}", op, -n, n,
                *options.padding_idx);
    kept = ne(flat, padding).to(weight.dtype());
  }
  const int64_t dim = weight.size(1);
  const Tensor counts = zeros({bags.count}, weight.dtype(), weight.device()).index_add(0, bags.bag, kept);
  if (mode == "max") {
    // Left-out entries and the grid's unused cells hold -inf; an empty bag is 0, as PyTorch's.
    if (bags.longest == 0) return zeros({bags.count, dim}, weight.dtype(), weight.device());
    const double lowest = -std::numeric_limits<double>::infinity();
    const Tensor entries = where(kept.unsqueeze(1).to(DType::Bool), rows, full_like(rows, lowest));
    const Tensor grid = full({bags.count * bags.longest, dim}, lowest, weight.dtype(), weight.device())
                            .index_copy(0, bags.bag * bags.longest + bags.position, entries)
                            .reshape({bags.count, bags.longest, dim});
    const Tensor largest = std::get<0>(grid.max(1));
    return where(gt(counts, 0).unsqueeze(1), largest, zeros_like(largest));
  }
  const Tensor sums = zeros({bags.count, dim}, weight.dtype(), weight.device()).index_add(0, bags.bag, rows * kept.unsqueeze(1));
  if (mode == "sum") return sums;
  return sums / counts.clamp_min(1).unsqueeze(1);
}

}  // namespace ember::nn::functional
