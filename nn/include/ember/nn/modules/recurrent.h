// RNN, LSTM and GRU over whole sequences, and their one-step cells, as PyTorch's: the same
// equations and gate order (LSTM i, f, g, o; GRU r, z, n), and the same parameter names and shapes
// (weight_ih_l0 [gates * hidden, input], weight_hh_l0 [gates * hidden, hidden], bias_ih_l0,
// bias_hh_l0, "_reverse" for the backward direction; the cells' without the suffix), so a PyTorch
// state_dict loads as it is. Sequences are [T, N, F] ([N, T, F] batch first, [T, F] unbatched);
// states are [layers * directions, N, H] ([layers * directions, H] unbatched). The sequence
// modules also take a PackedSequence (forward_with_packed_input, as libtorch's), for batches of
// sequences of different lengths.
#pragma once

#include <string_view>
#include <tuple>
#include <vector>

#include "ember/nn/module.h"
#include "ember/nn/packed_sequence.h"

namespace ember::nn {

enum class RecurrentKind { RNNTanh, RNNReLU, LSTM, GRU };

struct RecurrentOptions {
  int64_t num_layers = 1;
  bool bias = true;
  bool batch_first = false;
  double dropout = 0.0;  // on every layer's output but the last, in training
  bool bidirectional = false;
};

// One layer and direction's parameters; biases undefined without bias.
struct RecurrentWeights {
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;
};

// The hidden state and, for LSTM, the cell state (undefined for the others).
struct RecurrentState {
  Tensor h, c;
};

// What the sequence modules and the cells share: the parameters and the step.
class RecurrentBase : public Module {
 public:
  std::vector<RecurrentWeights> weights;  // [layer * directions + direction]; one for a cell
  const RecurrentKind kind;
  const int64_t input_size, hidden_size;
  const RecurrentOptions options;

 protected:
  // A cell when `cell`: one layer, one direction, parameter names without a suffix.
  RecurrentBase(const char* type_name, RecurrentKind kind, int64_t input_size, int64_t hidden_size,
                RecurrentOptions options, bool cell);
  // The whole sequence through every layer and direction: the last layer's outputs (in the input's
  // layout) and every layer and direction's last state.
  std::pair<Tensor, RecurrentState> run_sequence(const Tensor& input, const RecurrentState& initial);
  // The same for a PackedSequence: the last layer's outputs packed alike, and each sequence's
  // last state, in the caller's batch order.
  std::pair<utils::rnn::PackedSequence, RecurrentState> run_packed(const utils::rnn::PackedSequence& input,
                                                                   const RecurrentState& initial);
  // One step of the cell: input [N, input_size] or [input_size].
  RecurrentState run_cell(const Tensor& input, const RecurrentState& state);

 private:
  std::string extra_repr() const override;
  // Every layer over time-major rows, batch_sizes[t] of them per step (Note [Steps as row ranges]),
  // from the states h0 and c0 ([layers * directions, N, H]).
  std::pair<Tensor, RecurrentState> run_rows(const Tensor& rows, const std::vector<int64_t>& batch_sizes,
                                             const Tensor& h0, const Tensor& c0);
  int64_t state_count() const { return static_cast<int64_t>(weights.size()); }
  const bool cell_;
};

class RNN final : public RecurrentBase {
 public:
  RNN(int64_t input_size, int64_t hidden_size, RecurrentOptions options = {}, std::string_view nonlinearity = "tanh");
  // (output, h_n).
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& h0 = {});
  std::tuple<utils::rnn::PackedSequence, Tensor> forward_with_packed_input(const utils::rnn::PackedSequence& input,
                                                                           const Tensor& h0 = {});
};

class LSTM final : public RecurrentBase {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, RecurrentOptions options = {});
  // (output, (h_n, c_n)); the initial (h_0, c_0) are given both or neither (zeros).
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(const Tensor& input, const std::tuple<Tensor, Tensor>& hx = {});
  std::tuple<utils::rnn::PackedSequence, std::tuple<Tensor, Tensor>> forward_with_packed_input(
      const utils::rnn::PackedSequence& input, const std::tuple<Tensor, Tensor>& hx = {});
};

class GRU final : public RecurrentBase {
 public:
  GRU(int64_t input_size, int64_t hidden_size, RecurrentOptions options = {});
  // (output, h_n).
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& h0 = {});
  std::tuple<utils::rnn::PackedSequence, Tensor> forward_with_packed_input(const utils::rnn::PackedSequence& input,
                                                                           const Tensor& h0 = {});
};

class RNNCell final : public RecurrentBase {
 public:
  RNNCell(int64_t input_size, int64_t hidden_size, bool bias = true, std::string_view nonlinearity = "tanh");
  Tensor forward(const Tensor& input, const Tensor& hx = {});
};

class LSTMCell final : public RecurrentBase {
 public:
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  // (h', c').
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const std::tuple<Tensor, Tensor>& hx = {});
};

class GRUCell final : public RecurrentBase {
 public:
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  Tensor forward(const Tensor& input, const Tensor& hx = {});
};

}  // namespace ember::nn
