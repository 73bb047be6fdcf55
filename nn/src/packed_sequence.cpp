#include "ember/nn/packed_sequence.h"

#include <algorithm>
#include <numeric>

#include "ember/ember.h"

namespace ember::nn::utils::rnn {
namespace {

// A 1-D int64 tensor of `values`, on the CPU.
Tensor int64_tensor(const std::vector<int64_t>& values) {
  return tensor<int64_t>(values, {static_cast<int64_t>(values.size())});
}

// The rows of a time-major [T * N, *] flattening that a PackedSequence keeps, in its order:
// t * N + b for the first batch_sizes[t] sequences b of each step t.
Tensor packed_rows(const std::vector<int64_t>& batch_sizes, int64_t batch) {
  std::vector<int64_t> rows;
  for (size_t t = 0; t < batch_sizes.size(); ++t) {
    for (int64_t b = 0; b < batch_sizes[t]; ++b) rows.push_back(static_cast<int64_t>(t) * batch + b);
  }
  return int64_tensor(rows);
}

// [T, N, *] from `input` in either layout.
Tensor time_major(const Tensor& input, bool batch_first) { return batch_first ? input.transpose(0, 1) : input; }

// The sizes after the first.
IntArrayRef trailing(IntArrayRef sizes) { return {sizes.data() + 1, sizes.size() - 1}; }

// `leading` followed by `rest`.
DimVector joined(std::initializer_list<int64_t> leading, IntArrayRef rest) {
  DimVector shape(leading);
  for (int64_t size : rest) shape.push_back(size);
  return shape;
}

// [T * N, *]: the time-major steps as rows.
Tensor as_rows(const Tensor& steps) {
  return steps.reshape(joined({steps.size(0) * steps.size(1)}, trailing(trailing(steps.sizes()))));
}

}  // namespace

std::vector<int64_t> batch_sizes_of(const PackedSequence& sequence, const char* op) {
  const Tensor& sizes = sequence.batch_sizes;
  EMBER_CHECK(sizes.defined() && sizes.dim() == 1 && sizes.dtype() == DType::Int64 && sizes.numel() > 0,
              "[{}] batch_sizes: expected a non-empty 1-D int64 tensor", op);
  std::vector<int64_t> host = to_vector<int64_t>(sizes);
  for (size_t t = 0; t < host.size(); ++t) {
    EMBER_CHECK(host[t] > 0 && (t == 0 || host[t] <= host[t - 1]),
                "[{}] batch_sizes: expected positive sizes that do not increase, got {} after {}", op, host[t],
                t == 0 ? 0 : host[t - 1]);
  }
  const int64_t total = std::accumulate(host.begin(), host.end(), int64_t{0});
  EMBER_CHECK(sequence.data.defined() && sequence.data.dim() >= 1 && sequence.data.size(0) == total,
              "[{}] data: expected {} rows, the sum of batch_sizes, got {}", op, total,
              sequence.data.defined() ? shape_str(sequence.data.sizes()) : "an undefined tensor");
  return host;
}

PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first, bool enforce_sorted) {
  EMBER_CHECK(input.dim() >= 2, "[pack_padded_sequence] input: expected [{}, ...], got {}",
              batch_first ? "N, T" : "T, N", shape_str(input.sizes()));
  const Tensor steps = time_major(input, batch_first);
  const int64_t max_steps = steps.size(0), batch = steps.size(1);
  EMBER_CHECK(lengths.defined() && lengths.dim() == 1 && lengths.dtype() == DType::Int64 && lengths.numel() == batch,
              "[pack_padded_sequence] lengths: expected a 1-D int64 tensor of {} lengths, one per sequence", batch);
  const std::vector<int64_t> given = to_vector<int64_t>(lengths);
  for (int64_t length : given) {
    EMBER_CHECK(length >= 1 && length <= max_steps,
                "[pack_padded_sequence] lengths: expected lengths in [1, {}] (the input's steps), got {}", max_steps,
                length);
  }
  std::vector<int64_t> order(static_cast<size_t>(batch));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (enforce_sorted) {
    EMBER_CHECK(std::is_sorted(given.rbegin(), given.rend()),
                "[pack_padded_sequence] lengths: expected decreasing lengths with enforce_sorted, got [{}]; pass "
                "enforce_sorted=false to have them sorted", fmt::join(given, ", "));
  } else {
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return given[a] > given[b]; });
  }
  std::vector<int64_t> inverse(order.size());
  for (size_t k = 0; k < order.size(); ++k) inverse[static_cast<size_t>(order[k])] = static_cast<int64_t>(k);
  const int64_t longest = given[static_cast<size_t>(order[0])];
  std::vector<int64_t> batch_sizes(static_cast<size_t>(longest), 0);
  for (int64_t length : given) {
    for (int64_t t = 0; t < length; ++t) ++batch_sizes[static_cast<size_t>(t)];
  }
  const Tensor sorted_indices = int64_tensor(order);
  const Tensor sorted = enforce_sorted ? steps : steps.index_select(1, sorted_indices.to(input.device()));
  const Tensor rows = packed_rows(batch_sizes, batch).to(input.device());
  return {as_rows(sorted.narrow(0, 0, longest)).index_select(0, rows), int64_tensor(batch_sizes), sorted_indices,
          int64_tensor(inverse)};
}

std::pair<Tensor, Tensor> pad_packed_sequence(const PackedSequence& sequence, bool batch_first, double padding_value,
                                              std::optional<int64_t> total_length) {
  const std::vector<int64_t> batch_sizes = batch_sizes_of(sequence, "pad_packed_sequence");
  const auto longest = static_cast<int64_t>(batch_sizes.size());
  const int64_t batch = batch_sizes[0];
  const int64_t steps = total_length.value_or(longest);
  EMBER_CHECK(steps >= longest,
              "[pad_packed_sequence] total_length: expected at least {} (the longest sequence), got {}", longest, steps);
  const Tensor& data = sequence.data;
  const Tensor rows = packed_rows(batch_sizes, batch).to(data.device());
  Tensor padded = full(joined({steps * batch}, trailing(data.sizes())), padding_value, data.dtype(), data.device())
                      .index_copy(0, rows, data)
                      .view(joined({steps, batch}, trailing(data.sizes())));  // [T, N, *], longest first
  std::vector<int64_t> lengths(static_cast<size_t>(batch), 0);
  for (int64_t size : batch_sizes) {
    for (int64_t b = 0; b < size; ++b) ++lengths[static_cast<size_t>(b)];
  }
  Tensor sorted_lengths = int64_tensor(lengths);
  if (sequence.unsorted_indices.defined()) {
    padded = padded.index_select(1, sequence.unsorted_indices.to(data.device()));
    sorted_lengths = sorted_lengths.index_select(0, sequence.unsorted_indices);
  }
  return {batch_first ? padded.transpose(0, 1) : padded, sorted_lengths};
}

Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first, double padding_value) {
  EMBER_CHECK(!sequences.empty(), "[pad_sequence] sequences: expected at least one sequence");
  int64_t longest = 0;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const Tensor& s = sequences[i];
    EMBER_CHECK(s.defined() && s.dim() >= 1 && s.dim() == sequences[0].dim() &&
                    trailing(s.sizes()).equals(trailing(sequences[0].sizes())) && s.dtype() == sequences[0].dtype(),
                "[pad_sequence] sequences[{}]: expected a {} sequence of steps shaped {} like sequences[0], got {}",
                i, dtype_name(sequences[0].dtype()), shape_str(trailing(sequences[0].sizes())),
                s.defined() ? fmt::format("a {} tensor of shape {}", dtype_name(s.dtype()), shape_str(s.sizes()))
                            : std::string("an undefined tensor"));
    longest = std::max(longest, s.size(0));
  }
  std::vector<Tensor> padded;
  for (const Tensor& s : sequences) {
    const int64_t missing = longest - s.size(0);
    padded.push_back(missing == 0 ? s
                                  : cat({s, full(joined({missing}, trailing(s.sizes())), padding_value, s.dtype(),
                                                 s.device())}, 0));
  }
  return stack(padded, batch_first ? 0 : 1);
}

PackedSequence pack_sequence(const std::vector<Tensor>& sequences, bool enforce_sorted) {
  std::vector<int64_t> lengths;
  for (const Tensor& s : sequences) lengths.push_back(s.defined() && s.dim() >= 1 ? s.size(0) : 0);
  return pack_padded_sequence(pad_sequence(sequences), int64_tensor(lengths), false, enforce_sorted);
}

}  // namespace ember::nn::utils::rnn
