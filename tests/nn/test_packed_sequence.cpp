// PackedSequence: packing and padding by hand-computed layouts, and recurrent modules over
// packed batches against each sequence run on its own.
#include <doctest/doctest.h>

#include "../backends/reference.h"
#include "ember/ember.h"
#include "ember/nn.h"

using namespace ember;
using namespace ember::nn::utils::rnn;
using reference::doubles;
using reference::values;

namespace {

std::vector<int64_t> ints(const Tensor& t) { return to_vector<int64_t>(t); }

// Three sequences of 2 features and lengths 2, 4 and 1, padded with -1: [4, 3, 2].
struct Batch {
  std::vector<Tensor> sequences = {reference::random_tensor({2, 2}, 1), reference::random_tensor({4, 2}, 2),
                                   reference::random_tensor({1, 2}, 3)};
  Tensor lengths = tensor<int64_t>({2, 4, 1});
  Tensor padded = pad_sequence(sequences, false, -1.0);
};

}  // namespace

TEST_CASE("packing keeps each step of each sequence, time-major and longest first") {
  // Sorted lengths 3 and 1: step 0 of both, then steps 1 and 2 of the first.
  const Tensor input = doubles({1, 10, 2, 20, 3, 30}, {3, 2, 1});
  const PackedSequence packed = pack_padded_sequence(input, tensor<int64_t>({3, 1}));
  CHECK(values(packed.data) == std::vector<double>{1, 10, 2, 3});
  CHECK(ints(packed.batch_sizes) == std::vector<int64_t>{2, 1, 1});
  CHECK(ints(packed.sorted_indices) == std::vector<int64_t>{0, 1});

  // Unsorted lengths are sorted, and the layout records where each sequence went.
  const PackedSequence resorted = pack_padded_sequence(input, tensor<int64_t>({1, 3}), false, false);
  CHECK(values(resorted.data) == std::vector<double>{10, 1, 20, 30});
  CHECK(ints(resorted.sorted_indices) == std::vector<int64_t>{1, 0});
  CHECK(ints(resorted.unsorted_indices) == std::vector<int64_t>{1, 0});

  const auto [padded, lengths] = pad_packed_sequence(resorted, false, -7.0);
  CHECK(values(padded) == std::vector<double>{1, 10, -7, 20, -7, 30});
  CHECK(ints(lengths) == std::vector<int64_t>{1, 3});
  const auto [wide, _] = pad_packed_sequence(resorted, true, 0.0, 4);
  CHECK(wide.sizes().equals({2, 4, 1}));
  CHECK(values(wide) == std::vector<double>{1, 0, 0, 0, 10, 20, 30, 0});
}

TEST_CASE("pad_sequence, pack_sequence and the round trip") {
  Batch batch;
  CHECK(batch.padded.sizes().equals({4, 3, 2}));
  CHECK(values(batch.padded.select(1, 2).select(0, 1)) == std::vector<double>{-1, -1});
  CHECK(pad_sequence(batch.sequences, true).sizes().equals({3, 4, 2}));
  const PackedSequence packed = pack_padded_sequence(batch.padded, batch.lengths, false, false);
  CHECK(ints(packed.batch_sizes) == std::vector<int64_t>{3, 2, 1, 1});
  CHECK(packed.data.sizes().equals({7, 2}));
  const auto [padded, lengths] = pad_packed_sequence(packed, false, -1.0);
  CHECK(values(padded) == values(batch.padded));
  CHECK(ints(lengths) == std::vector<int64_t>{2, 4, 1});
  CHECK(values(pack_sequence(batch.sequences, false).data) == values(packed.data));

  // Gradients pass through packing.
  Tensor input = batch.padded.clone();
  input.requires_grad_();
  pack_padded_sequence(input, batch.lengths, false, false).data.sum().backward();
  CHECK(values(input.grad().select(1, 1)) == std::vector<double>(8, 1.0));
  CHECK(values(input.grad().select(1, 2)) == std::vector<double>{1, 1, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("packing refuses lengths it cannot hold") {
  const Tensor input = zeros({3, 2, 1});
  CHECK_THROWS_WITH(pack_padded_sequence(input, tensor<int64_t>({1, 3})),
                    "[pack_padded_sequence] lengths: expected decreasing lengths with enforce_sorted, got [1, 3]; pass "
                    "enforce_sorted=false to have them sorted");
  CHECK_THROWS_WITH(pack_padded_sequence(input, tensor<int64_t>({4, 1})),
                    "[pack_padded_sequence] lengths: expected lengths in [1, 3] (the input's steps), got 4");
  CHECK_THROWS_WITH(pack_padded_sequence(input, tensor<int64_t>({3})),
                    "[pack_padded_sequence] lengths: expected a 1-D int64 tensor of 2 lengths, one per sequence");
  CHECK_THROWS_WITH(pad_packed_sequence(pack_padded_sequence(input, tensor<int64_t>({3, 2})), false, 0.0, 2),
                    "[pad_packed_sequence] total_length: expected at least 3 (the longest sequence), got 2");
  CHECK_THROWS_WITH(pad_sequence({zeros({2, 3}), zeros({2, 4})}),
                    "[pad_sequence] sequences[1]: expected a float32 sequence of steps shaped [3] like sequences[0], "
                    "got a float32 tensor of shape [2, 4]");
}

TEST_CASE("recurrent modules over a packed batch match each sequence run alone") {
  Batch batch;
  const nn::RecurrentOptions options{.num_layers = 2, .bidirectional = true};
  manual_seed(4);
  nn::LSTM lstm(2, 3, options);
  nn::GRU gru(2, 3, options);
  nn::RNN rnn(2, 3, options);
  const PackedSequence packed = pack_padded_sequence(batch.padded, batch.lengths, false, false);
  const Tensor h0 = reference::random_tensor({4, 3, 3}, 5), c0 = reference::random_tensor({4, 3, 3}, 6);

  const auto [out, state] = lstm.forward_with_packed_input(packed, {h0, c0});
  const auto [gru_out, gru_h] = gru.forward_with_packed_input(packed, h0);
  const auto [rnn_out, rnn_h] = rnn.forward_with_packed_input(packed);
  const Tensor padded_out = pad_packed_sequence(out).first;
  const Tensor padded_gru = pad_packed_sequence(gru_out).first;
  const Tensor padded_rnn = pad_packed_sequence(rnn_out).first;
  CHECK(padded_out.sizes().equals({4, 3, 6}));
  for (int64_t b = 0; b < 3; ++b) {
    const Tensor& sequence = batch.sequences[static_cast<size_t>(b)];
    const int64_t length = sequence.size(0);
    const auto [alone, alone_state] = lstm.forward(sequence, {h0.select(1, b), c0.select(1, b)});
    reference::check_close(values(padded_out.select(1, b).narrow(0, 0, length)), values(alone), 1e-5);
    reference::check_close(values(std::get<0>(state).select(1, b)), values(std::get<0>(alone_state)), 1e-5);
    reference::check_close(values(std::get<1>(state).select(1, b)), values(std::get<1>(alone_state)), 1e-5);
    const auto [gru_alone, gru_alone_h] = gru.forward(sequence, h0.select(1, b));
    reference::check_close(values(padded_gru.select(1, b).narrow(0, 0, length)), values(gru_alone), 1e-5);
    reference::check_close(values(gru_h.select(1, b)), values(gru_alone_h), 1e-5);
    const auto [rnn_alone, rnn_alone_h] = rnn.forward(sequence);
    reference::check_close(values(padded_rnn.select(1, b).narrow(0, 0, length)), values(rnn_alone), 1e-5);
    reference::check_close(values(rnn_h.select(1, b)), values(rnn_alone_h), 1e-5);
  }

  // The gradients are those of the sequences' own losses, summed.
  out.data.sum().backward();
  const Tensor packed_grad = lstm.weights[0].weight_hh.grad().clone();
  lstm.zero_grad();
  for (int64_t b = 0; b < 3; ++b) {
    std::get<0>(lstm.forward(batch.sequences[static_cast<size_t>(b)], {h0.select(1, b), c0.select(1, b)}))
        .sum()
        .backward();
  }
  reference::check_close(values(packed_grad), values(lstm.weights[0].weight_hh.grad()), 1e-5);

  CHECK_THROWS_WITH(lstm.forward_with_packed_input(pack_sequence({zeros({2, 5})})),
                    "[LSTM] input: expected packed data of shape [steps, 2], got [2, 5]");
}
