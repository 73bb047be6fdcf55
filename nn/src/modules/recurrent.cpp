#include "ember/nn/modules/recurrent.h"

#include <cmath>

#include "ember/nn/functional.h"
#include "ember/nn/init.h"

namespace ember::nn {
namespace {

int64_t gate_count(RecurrentKind kind) {
  switch (kind) {
    case RecurrentKind::LSTM: return 4;
    case RecurrentKind::GRU: return 3;
    default: return 1;
  }
}

RecurrentKind rnn_kind(const char* type_name, std::string_view nonlinearity) {
  EMBER_CHECK(nonlinearity == "tanh" || nonlinearity == "relu",
              "[{}] nonlinearity: expected \"tanh\" or \"relu\", got \"{}\"", type_name, nonlinearity);
  return nonlinearity == "tanh" ? RecurrentKind::RNNTanh : RecurrentKind::RNNReLU;
}

// One step from the input's share of the gates (x W_ih^T + b_ih, computed for every step at once).
RecurrentState step(RecurrentKind kind, const Tensor& input_gates, const RecurrentState& state, const RecurrentWeights& w) {
  const Tensor hidden_gates = functional::linear(state.h, w.weight_hh, w.bias_hh);
  switch (kind) {
    case RecurrentKind::RNNTanh: return {tanh(input_gates + hidden_gates), {}};
    case RecurrentKind::RNNReLU: return {relu(input_gates + hidden_gates), {}};
    case RecurrentKind::LSTM: {
      const std::vector<Tensor> g = chunk(input_gates + hidden_gates, 4, -1);  // i, f, g, o
      const Tensor c = sigmoid(g[1]) * state.c + sigmoid(g[0]) * tanh(g[2]);
      return {sigmoid(g[3]) * tanh(c), c};
    }
    case RecurrentKind::GRU: {
      const std::vector<Tensor> x = chunk(input_gates, 3, -1), h = chunk(hidden_gates, 3, -1);  // r, z, n
      const Tensor r = sigmoid(x[0] + h[0]), z = sigmoid(x[1] + h[1]);
      const Tensor n = tanh(x[2] + r * h[2]);
      return {n + z * (state.h - n), {}};  // (1 - z) n + z h
    }
  }
  return {};
}

// A given state checked against `shape`, or zeros of it.
Tensor state_or_zeros(const char* op, const char* name, const Tensor& given, IntArrayRef shape, const Tensor& like) {
  if (!given.defined()) return zeros(shape, like.dtype(), like.device());
  EMBER_CHECK(given.sizes().equals(shape), "[{}] {}: expected shape {}, got {}", op, name, shape_str(shape),
              shape_str(given.sizes()));
  return given;
}

}  // namespace

RecurrentBase::RecurrentBase(const char* type_name, RecurrentKind kind_value, int64_t input_size_value,
                             int64_t hidden_size_value, RecurrentOptions options_value, bool cell)
    : Module(type_name),
      kind(kind_value),
      input_size(input_size_value),
      hidden_size(hidden_size_value),
      options(options_value),
      cell_(cell) {
  EMBER_CHECK(input_size > 0 && hidden_size > 0, "[{}] sizes: expected positive input_size and hidden_size, got {} and {}",
              type_name, input_size, hidden_size);
  EMBER_CHECK(options.num_layers >= 1, "[{}] num_layers: expected at least 1, got {}", type_name, options.num_layers);
  EMBER_CHECK(options.dropout >= 0 && options.dropout <= 1, "[{}] dropout: expected a probability in [0, 1], got {}",
              type_name, options.dropout);
  const int64_t directions = options.bidirectional ? 2 : 1, gates = gate_count(kind);
  checked_numel({options.num_layers, directions, gates, hidden_size, std::max(input_size, hidden_size * directions)},
                type_name);
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  // Registered slots point into the vector: it is sized once, before any is registered.
  weights.resize(static_cast<size_t>(options.num_layers * directions));
  for (int64_t layer = 0; layer < options.num_layers; ++layer) {
    for (int64_t direction = 0; direction < directions; ++direction) {
      RecurrentWeights& w = weights[layer * directions + direction];
      const int64_t layer_input = layer == 0 ? input_size : hidden_size * directions;
      w.weight_ih = empty({gates * hidden_size, layer_input});
      w.weight_hh = empty({gates * hidden_size, hidden_size});
      if (options.bias) {
        w.bias_ih = empty({gates * hidden_size});
        w.bias_hh = empty({gates * hidden_size});
      }
      const std::string suffix = cell ? "" : fmt::format("_l{}{}", layer, direction == 1 ? "_reverse" : "");
      for (auto [name, slot] : {std::pair{"weight_ih", &w.weight_ih}, std::pair{"weight_hh", &w.weight_hh},
                                std::pair{"bias_ih", &w.bias_ih}, std::pair{"bias_hh", &w.bias_hh}}) {
        if (slot->defined()) init::uniform_(*slot, -bound, bound);
        register_parameter(std::string(name) + suffix, *slot);
      }
    }
  }
}

// Note [Steps as row ranges]
// Every layer runs on time-major rows: step t owns the next batch_sizes[t] rows of the layer's
// input, one per sequence that has a step t, longest sequences first. A padded batch [T, N, F]
// is the case batch_sizes[t] = N (its rows the tensor flattened); a PackedSequence brings its own.
// A step updates the state of its first batch_sizes[t] sequences only, so a sequence that has
// ended keeps its last state (the forward direction's final state), and one that has not begun
// keeps the initial state until its last step (the reverse direction's start).
std::pair<Tensor, RecurrentState> RecurrentBase::run_rows(const Tensor& rows, const std::vector<int64_t>& batch_sizes,
                                                          const Tensor& h0, const Tensor& c0) {
  const auto steps = static_cast<int64_t>(batch_sizes.size());
  const int64_t batch = batch_sizes[0], directions = options.bidirectional ? 2 : 1;
  std::vector<int64_t> offsets(batch_sizes.size(), 0);
  for (size_t t = 1; t < batch_sizes.size(); ++t) offsets[t] = offsets[t - 1] + batch_sizes[t - 1];
  std::vector<Tensor> last_h, last_c;
  Tensor layer_input = rows;
  for (int64_t layer = 0; layer < options.num_layers; ++layer) {
    std::vector<Tensor> outputs;
    for (int64_t direction = 0; direction < directions; ++direction) {
      const int64_t index = layer * directions + direction;
      const RecurrentWeights& w = weights[index];
      // The input's share of every step's gates in one product.
      const Tensor input_gates = functional::linear(layer_input, w.weight_ih, w.bias_ih);
      RecurrentState state{h0[index], c0.defined() ? c0[index] : Tensor()};
      std::vector<Tensor> hidden(static_cast<size_t>(steps));
      for (int64_t i = 0; i < steps; ++i) {
        const int64_t t = direction == 0 ? i : steps - 1 - i;
        const int64_t active = batch_sizes[t];
        const auto first = [&](const Tensor& s) { return !s.defined() || active == batch ? s : s.narrow(0, 0, active); };
        const auto with_rest = [&](const Tensor& updated, const Tensor& old) {
          return !old.defined() || active == batch ? updated : cat({updated, old.narrow(0, active, batch - active)}, 0);
        };
        const RecurrentState next =
            step(kind, input_gates.narrow(0, offsets[t], active), {first(state.h), first(state.c)}, w);
        hidden[t] = next.h;
        state = {with_rest(next.h, state.h), with_rest(next.c, state.c)};
      }
      outputs.push_back(cat(hidden, 0));
      last_h.push_back(state.h);
      if (state.c.defined()) last_c.push_back(state.c);
    }
    layer_input = directions == 1 ? outputs[0] : cat(outputs, 1);
    if (options.dropout > 0 && is_training() && layer + 1 < options.num_layers) {
      layer_input = functional::dropout(layer_input, options.dropout, true);
    }
  }
  return {layer_input, {stack(last_h, 0), last_c.empty() ? Tensor() : stack(last_c, 0)}};
}

std::pair<Tensor, RecurrentState> RecurrentBase::run_sequence(const Tensor& input, const RecurrentState& initial) {
  const char* op = type_name().c_str();
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, "[{}] input: expected [{}, {}] (or [T, {}] unbatched), got {}", op,
              options.batch_first ? "N, T" : "T, N", input_size, input_size, shape_str(input.sizes()));
  EMBER_CHECK(input.size(-1) == input_size, "[{}] input: expected {} features in the last dimension, got {}", op,
              input_size, shape_str(input.sizes()));
  const bool batched = input.dim() == 3;
  const Tensor x = !batched ? input.unsqueeze(1) : options.batch_first ? input.transpose(0, 1) : input;  // [T, N, F]
  const int64_t steps = x.size(0), batch = x.size(1);
  EMBER_CHECK(steps > 0, "[{}] input: expected a sequence of at least one step, got {}", op, shape_str(input.sizes()));
  const DimVector state_shape = batched ? DimVector{state_count(), batch, hidden_size} : DimVector{state_count(), hidden_size};
  auto initial_state = [&](const char* name, const Tensor& given) {
    const Tensor s = state_or_zeros(op, name, given, state_shape, x);
    return batched ? s : s.unsqueeze(1);
  };
  const Tensor h0 = initial_state("h_0", initial.h);
  const Tensor c0 = kind == RecurrentKind::LSTM ? initial_state("c_0", initial.c) : Tensor();
  auto [rows, last] =
      run_rows(x.reshape({steps * batch, input_size}), std::vector<int64_t>(static_cast<size_t>(steps), batch), h0, c0);
  const Tensor steps_out = rows.view({steps, batch, rows.size(1)});
  const Tensor output = !batched ? steps_out.squeeze(1) : options.batch_first ? steps_out.transpose(0, 1) : steps_out;
  auto final_state = [&](const Tensor& s) { return !s.defined() || batched ? s : s.squeeze(1); };
  return {output, {final_state(last.h), final_state(last.c)}};
}

std::pair<utils::rnn::PackedSequence, RecurrentState> RecurrentBase::run_packed(const utils::rnn::PackedSequence& input,
                                                                                const RecurrentState& initial) {
  const char* op = type_name().c_str();
  const std::vector<int64_t> batch_sizes = utils::rnn::batch_sizes_of(input, op);
  EMBER_CHECK(input.data.dim() == 2 && input.data.size(1) == input_size,
              "[{}] input: expected packed data of shape [steps, {}], got {}", op, input_size,
              shape_str(input.data.sizes()));
  const int64_t batch = batch_sizes[0];
  // The states come and go in the caller's batch order; the rows are sorted longest first.
  const auto sorted = [&](const Tensor& s) {
    return input.sorted_indices.defined() ? s.index_select(1, input.sorted_indices.to(s.device())) : s;
  };
  const auto unsorted = [&](const Tensor& s) {
    return s.defined() && input.unsorted_indices.defined() ? s.index_select(1, input.unsorted_indices.to(s.device())) : s;
  };
  const DimVector state_shape{state_count(), batch, hidden_size};
  const Tensor h0 = sorted(state_or_zeros(op, "h_0", initial.h, state_shape, input.data));
  const Tensor c0 =
      kind == RecurrentKind::LSTM ? sorted(state_or_zeros(op, "c_0", initial.c, state_shape, input.data)) : Tensor();
  auto [rows, last] = run_rows(input.data, batch_sizes, h0, c0);
  return {{rows, input.batch_sizes, input.sorted_indices, input.unsorted_indices}, {unsorted(last.h), unsorted(last.c)}};
}

RecurrentState RecurrentBase::run_cell(const Tensor& input, const RecurrentState& state) {
  const char* op = type_name().c_str();
  EMBER_CHECK((input.dim() == 1 || input.dim() == 2) && input.size(-1) == input_size,
              "[{}] input: expected [N, {}] (or [{}] unbatched), got {}", op, input_size, input_size,
              shape_str(input.sizes()));
  const bool batched = input.dim() == 2;
  const Tensor x = batched ? input : input.unsqueeze(0);
  const DimVector shape = batched ? DimVector{x.size(0), hidden_size} : DimVector{hidden_size};
  auto given = [&](const char* name, const Tensor& s) {
    const Tensor checked = state_or_zeros(op, name, s, shape, x);
    return batched ? checked : checked.unsqueeze(0);
  };
  const RecurrentWeights& w = weights[0];
  const RecurrentState next = step(kind, functional::linear(x, w.weight_ih, w.bias_ih),
                                   {given("hx", state.h), kind == RecurrentKind::LSTM ? given("cx", state.c) : Tensor()}, w);
  if (batched) return next;
  return {next.h.squeeze(0), next.c.defined() ? next.c.squeeze(0) : Tensor()};
}

std::string RecurrentBase::extra_repr() const {
  std::string repr = fmt::format("{}, {}", input_size, hidden_size);
  if (kind == RecurrentKind::RNNReLU) repr += ", nonlinearity='relu'";
  if (!options.bias) repr += ", bias=False";
  if (cell_) return repr;
  if (options.num_layers != 1) repr += fmt::format(", num_layers={}", options.num_layers);
  if (options.batch_first) repr += ", batch_first=True";
  if (options.dropout > 0) repr += fmt::format(", dropout={}", options.dropout);
  if (options.bidirectional) repr += ", bidirectional=True";
  return repr;
}

RNN::RNN(int64_t input_size, int64_t hidden_size, RecurrentOptions options, std::string_view nonlinearity)
    : RecurrentBase("RNN", rnn_kind("RNN", nonlinearity), input_size, hidden_size, options, false) {}

std::tuple<Tensor, Tensor> RNN::forward(const Tensor& input, const Tensor& h0) {
  auto [output, state] = run_sequence(input, {h0, {}});
  return {output, state.h};
}

std::tuple<utils::rnn::PackedSequence, Tensor> RNN::forward_with_packed_input(const utils::rnn::PackedSequence& input,
                                                                              const Tensor& h0) {
  auto [output, state] = run_packed(input, {h0, {}});
  return {output, state.h};
}

LSTM::LSTM(int64_t input_size, int64_t hidden_size, RecurrentOptions options)
    : RecurrentBase("LSTM", RecurrentKind::LSTM, input_size, hidden_size, options, false) {}

std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTM::forward(const Tensor& input, const std::tuple<Tensor, Tensor>& hx) {
  const auto& [h0, c0] = hx;
  EMBER_CHECK(h0.defined() == c0.defined(), "[LSTM] hx: expected both h_0 and c_0, or neither");
  auto [output, state] = run_sequence(input, {h0, c0});
  return {output, {state.h, state.c}};
}

std::tuple<utils::rnn::PackedSequence, std::tuple<Tensor, Tensor>> LSTM::forward_with_packed_input(
    const utils::rnn::PackedSequence& input, const std::tuple<Tensor, Tensor>& hx) {
  const auto& [h0, c0] = hx;
  EMBER_CHECK(h0.defined() == c0.defined(), "[LSTM] hx: expected both h_0 and c_0, or neither");
  auto [output, state] = run_packed(input, {h0, c0});
  return {output, {state.h, state.c}};
}

GRU::GRU(int64_t input_size, int64_t hidden_size, RecurrentOptions options)
    : RecurrentBase("GRU", RecurrentKind::GRU, input_size, hidden_size, options, false) {}

std::tuple<Tensor, Tensor> GRU::forward(const Tensor& input, const Tensor& h0) {
  auto [output, state] = run_sequence(input, {h0, {}});
  return {output, state.h};
}

std::tuple<utils::rnn::PackedSequence, Tensor> GRU::forward_with_packed_input(const utils::rnn::PackedSequence& input,
                                                                              const Tensor& h0) {
  auto [output, state] = run_packed(input, {h0, {}});
  return {output, state.h};
}

RNNCell::RNNCell(int64_t input_size, int64_t hidden_size, bool bias, std::string_view nonlinearity)
    : RecurrentBase("RNNCell", rnn_kind("RNNCell", nonlinearity), input_size, hidden_size, {.bias = bias}, true) {}

Tensor RNNCell::forward(const Tensor& input, const Tensor& hx) { return run_cell(input, {hx, {}}).h; }

LSTMCell::LSTMCell(int64_t input_size, int64_t hidden_size, bool bias)
    : RecurrentBase("LSTMCell", RecurrentKind::LSTM, input_size, hidden_size, {.bias = bias}, true) {}

std::tuple<Tensor, Tensor> LSTMCell::forward(const Tensor& input, const std::tuple<Tensor, Tensor>& hx) {
  const auto& [h, c] = hx;
  EMBER_CHECK(h.defined() == c.defined(), "[LSTMCell] hx: expected both h and c, or neither");
  const RecurrentState next = run_cell(input, {h, c});
  return {next.h, next.c};
}

GRUCell::GRUCell(int64_t input_size, int64_t hidden_size, bool bias)
    : RecurrentBase("GRUCell", RecurrentKind::GRU, input_size, hidden_size, {.bias = bias}, true) {}

Tensor GRUCell::forward(const Tensor& input, const Tensor& hx) { return run_cell(input, {hx, {}}).h; }

}  // namespace ember::nn
