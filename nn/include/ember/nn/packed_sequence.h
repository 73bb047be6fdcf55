// Batches of sequences of different lengths for the recurrent modules (torch::nn::utils::rnn):
// a PackedSequence holds only the steps each sequence has, so an LSTM neither computes past a
// sequence's end nor lets padding into its final state.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::nn::utils::rnn {

// Time-major steps, longest sequence first: step 0 of every sequence, then step 1 of those that
// have one, and so on.
struct PackedSequence {
  Tensor data;              // [total steps, *]
  Tensor batch_sizes;       // int64 [T] on the CPU: how many sequences have step t
  Tensor sorted_indices;    // int64 [N]: the batch index of the k-th longest sequence
  Tensor unsorted_indices;  // its inverse: where batch index b went
};

// Packs `input` ([T, N, *], or [N, T, *] batch first), whose sequence b has lengths[b] steps
// (int64 on the CPU, each in [1, T]). With `enforce_sorted` the lengths must already decrease.
PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first = false,
                                    bool enforce_sorted = true);

// The padded batch again ([T, N, *] or batch first; T is total_length when given, at least the
// longest sequence), with `padding_value` past each sequence's end, and the lengths (int64, CPU).
std::pair<Tensor, Tensor> pad_packed_sequence(const PackedSequence& sequence, bool batch_first = false,
                                              double padding_value = 0.0,
                                              std::optional<int64_t> total_length = std::nullopt);

// Sequences of shape [L_i, *] stacked into [max L, N, *] (or batch first), padded with `padding_value`.
Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first = false, double padding_value = 0.0);

// pack_padded_sequence of pad_sequence(sequences).
PackedSequence pack_sequence(const std::vector<Tensor>& sequences, bool enforce_sorted = true);

// `sequence`'s batch_sizes on the host, checked: positive and not increasing.
std::vector<int64_t> batch_sizes_of(const PackedSequence& sequence, const char* op);

}  // namespace ember::nn::utils::rnn
