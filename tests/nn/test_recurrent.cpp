// RNN, LSTM, GRU and their cells: PyTorch's parameter layout, values against the equations worked
// in scalars, the directions and layouts against each other, gradients by finite differences, and
// a sequence task learnt.
#include <doctest/doctest.h>

#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/optim/adam.h"

using namespace ember;

namespace {

double sigmoid_of(double x) { return 1 / (1 + std::exp(-x)); }

std::vector<std::string> names(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [name, t] : named) out.push_back(name);
  return out;
}

// One input feature and one hidden unit, gates' weights set one by one.
void set_scalar_weights(nn::RecurrentBase& m, std::vector<double> w_ih, std::vector<double> w_hh, std::vector<double> b_ih) {
  autograd::NoGradGuard no_grad;
  nn::RecurrentWeights& w = m.weights[0];
  const int64_t gates = static_cast<int64_t>(w_ih.size());
  w.weight_ih.copy_(tensor<double>(w_ih, {gates, 1}));
  w.weight_hh.copy_(tensor<double>(w_hh, {gates, 1}));
  w.bias_ih.copy_(tensor<double>(b_ih, {gates}));
  w.bias_hh.fill_(0);
}

void check_close(const Tensor& got, const std::vector<double>& expected, double tol = 1e-6) {
  const std::vector<double> v = to_vector<double>(got.to(DType::Float64));
  REQUIRE(v.size() == expected.size());
  for (size_t i = 0; i < v.size(); ++i) CHECK(v[i] == doctest::Approx(expected[i]).epsilon(tol));
}

void check_same(const Tensor& a, const Tensor& b) {
  REQUIRE(a.sizes().equals(b.sizes()));
  check_close(a, to_vector<double>(b.to(DType::Float64)), 1e-5);
}

// The unidirectional module running `source`'s reverse direction of layer 0.
void copy_reverse_direction(nn::RecurrentBase& into, const nn::RecurrentBase& source) {
  autograd::NoGradGuard no_grad;
  const nn::RecurrentWeights &from = source.weights[1], &to = into.weights[0];
  to.weight_ih.copy_(from.weight_ih);
  to.weight_hh.copy_(from.weight_hh);
  to.bias_ih.copy_(from.bias_ih);
  to.bias_hh.copy_(from.bias_hh);
}

}  // namespace

TEST_CASE("recurrent parameters are named and shaped as PyTorch's") {
  nn::LSTM lstm(3, 4, {.num_layers = 2, .bidirectional = true});
  CHECK(names(lstm.named_parameters()) ==
        std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse",
                                 "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_ih_l1",
                                 "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_ih_l1_reverse",
                                 "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"});
  CHECK(shape_str(lstm.weights[0].weight_ih.sizes()) == "[16, 3]");
  CHECK(shape_str(lstm.weights[2].weight_ih.sizes()) == "[16, 8]");  // the layer below's two directions
  CHECK(shape_str(lstm.weights[3].weight_hh.sizes()) == "[16, 4]");
  nn::GRU gru(3, 5, {.bias = false});
  CHECK(names(gru.named_parameters()) == std::vector<std::string>{"weight_ih_l0", "weight_hh_l0"});
  CHECK(shape_str(gru.weights[0].weight_hh.sizes()) == "[15, 5]");
  nn::GRUCell cell(3, 2);
  CHECK(names(cell.named_parameters()) == std::vector<std::string>{"weight_ih", "weight_hh", "bias_ih", "bias_hh"});
  // Uniform in +-1/sqrt(hidden_size).
  const double bound = 1 / std::sqrt(5.0);
  CHECK(gru.weights[0].weight_ih.abs().amax().item<float>() <= bound);
  CHECK(gru.weights[0].weight_ih.abs().amax().item<float>() > bound * 0.8);
  CHECK(lstm.str() == "LSTM(3, 4, num_layers=2, bidirectional=True)");
}

TEST_CASE("LSTM, GRU and RNN follow their equations, worked here in scalars") {
  const std::vector<double> xs = {0.5, -1.0, 2.0};
  const Tensor input = tensor<double>(xs, {3, 1, 1});
  SUBCASE("LSTM: gates i, f, g, o") {
    nn::LSTM lstm(1, 1);
    lstm.to(DType::Float64);
    const std::vector<double> wi = {0.1, 0.2, 0.3, 0.4}, wh = {0.5, -0.5, 0.25, -0.25}, b = {0.1, 0, -0.1, 0.2};
    set_scalar_weights(lstm, wi, wh, b);
    double h = 0.3, c = -0.2;
    std::vector<double> expected;
    for (double x : xs) {
      auto gate = [&](int k) { return wi[k] * x + wh[k] * h + b[k]; };
      c = sigmoid_of(gate(1)) * c + sigmoid_of(gate(0)) * std::tanh(gate(2));
      h = sigmoid_of(gate(3)) * std::tanh(c);
      expected.push_back(h);
    }
    const auto [output, state] = lstm.forward(input, {full({1, 1, 1}, 0.3, DType::Float64), full({1, 1, 1}, -0.2, DType::Float64)});
    check_close(output, expected);
    check_close(std::get<0>(state), {h});
    check_close(std::get<1>(state), {c});
  }
  SUBCASE("GRU: gates r, z, n; the reset gate scales the hidden share of n") {
    nn::GRU gru(1, 1);
    gru.to(DType::Float64);
    const std::vector<double> wi = {0.3, -0.6, 0.9}, wh = {0.2, 0.4, -0.7}, b = {0.05, -0.1, 0.15};
    set_scalar_weights(gru, wi, wh, b);
    double h = 0;
    std::vector<double> expected;
    for (double x : xs) {
      const double r = sigmoid_of(wi[0] * x + b[0] + wh[0] * h), z = sigmoid_of(wi[1] * x + b[1] + wh[1] * h);
      const double n = std::tanh(wi[2] * x + b[2] + r * (wh[2] * h));
      h = (1 - z) * n + z * h;
      expected.push_back(h);
    }
    const auto [output, h_n] = gru.forward(input);
    check_close(output, expected);
    check_close(h_n, {h});
  }
  SUBCASE("RNN with relu") {
    nn::RNN rnn(1, 1, {}, "relu");
    rnn.to(DType::Float64);
    set_scalar_weights(rnn, {0.8}, {0.5}, {0.1});
    double h = 1.0;
    std::vector<double> expected;
    for (double x : xs) {
      h = std::max(0.0, 0.8 * x + 0.1 + 0.5 * h);
      expected.push_back(h);
    }
    const auto [output, h_n] = rnn.forward(input, ones({1, 1, 1}, DType::Float64));
    check_close(output, expected);
  }
}

TEST_CASE("directions, layouts and cells agree with one another") {
  manual_seed(3);
  const Tensor x = randn({5, 2, 3});  // [T, N, F]
  nn::LSTM both(3, 4, {.bidirectional = true});
  const auto [output, state] = both.forward(x);
  CHECK(shape_str(output.sizes()) == "[5, 2, 8]");
  CHECK(shape_str(std::get<0>(state).sizes()) == "[2, 2, 4]");
  // The reverse half is a forward pass over the flipped sequence, flipped back.
  nn::LSTM reverse(3, 4);
  copy_reverse_direction(reverse, both);
  const Tensor reversed = std::get<0>(reverse.forward(x.flip({0}))).flip({0});
  check_same(output.narrow(2, 4, 4), reversed);
  check_same(std::get<0>(state)[1], reversed[0]);  // its last state is at t = 0
  // Batch first and unbatched give the same numbers.
  nn::GRU gru(3, 4, {.num_layers = 2});
  nn::GRU gru_batch_first(3, 4, {.num_layers = 2, .batch_first = true});
  {
    autograd::NoGradGuard no_grad;
    const auto source = gru.parameters(), target = gru_batch_first.parameters();
    for (size_t i = 0; i < source.size(); ++i) target[i].copy_(source[i]);
  }
  const auto [time_first, h_time_first] = gru.forward(x);
  const auto [batch_first, h_batch_first] = gru_batch_first.forward(x.transpose(0, 1));
  check_same(batch_first.transpose(0, 1), time_first);
  check_same(h_batch_first, h_time_first);
  const auto [one, h_one] = gru.forward(x.select(1, 1));
  check_same(one, time_first.select(1, 1));
  check_same(h_one, h_time_first.select(1, 1));
  // A cell with the first layer's weights takes the first step.
  nn::LSTMCell cell(3, 4);
  {
    autograd::NoGradGuard no_grad;
    const auto source = both.parameters(), target = cell.parameters();
    for (size_t i = 0; i < target.size(); ++i) target[i].copy_(source[i]);
  }
  const auto [h1, c1] = cell.forward(x[0]);
  check_same(h1, output[0].narrow(1, 0, 4));
  const auto [h1_unbatched, c1_unbatched] = cell.forward(x[0][1]);
  check_same(h1_unbatched, h1[1]);
  nn::RNNCell rnn_cell(3, 2, false, "relu");
  CHECK(rnn_cell.forward(x[0]).amin().item<float>() >= 0);
}

TEST_CASE("gradients through every recurrent module match finite differences") {
  manual_seed(5);
  nn::LSTM lstm(2, 3, {.num_layers = 2, .bidirectional = true});
  nn::GRU gru(2, 3, {.batch_first = true});
  nn::RNN rnn(2, 3);
  nn::GRUCell cell(2, 3);
  for (nn::Module* m : std::vector<nn::Module*>{&lstm, &gru, &rnn, &cell}) m->to(DType::Float64);
  const autograd::TensorVector inputs = {randn({4, 2, 2}, DType::Float64).requires_grad_(),
                                         randn({4, 2, 3}, DType::Float64).requires_grad_()};
  autograd::gradcheck([&](const autograd::TensorVector& v) {
    const auto [out, state] = lstm.forward(v[0], {v[1], v[1] * 0.5});
    return out.sum(2) + std::get<1>(state).sum();
  }, inputs);
  autograd::gradcheck([&](const autograd::TensorVector& v) {
    return std::get<0>(gru.forward(v[0].transpose(0, 1), v[1].narrow(0, 0, 1))).transpose(0, 1) + std::get<0>(rnn.forward(v[0]));
  }, inputs);
  autograd::gradcheck([&](const autograd::TensorVector& v) { return cell.forward(v[0][0], v[1][0]); }, inputs);
  // The parameters get gradients too.
  std::get<0>(lstm.forward(inputs[0])).sum().backward();
  for (const Tensor& p : lstm.parameters()) CHECK(p.grad().defined());
}

TEST_CASE("an LSTM learns to add up a sequence") {
  manual_seed(11);
  nn::LSTM lstm(1, 16, {.batch_first = true});
  nn::Linear head(16, 1);
  std::vector<Tensor> params = lstm.parameters();
  for (const Tensor& p : head.parameters()) params.push_back(p);
  optim::Adam adam(params, {.lr = 0.02});
  auto loss_on = [&](const Tensor& x) {
    const Tensor last = std::get<0>(lstm.forward(x)).select(1, -1);
    return nn::functional::mse_loss(head.forward(last).squeeze(1), x.sum({1, 2}));
  };
  const Tensor test = rand({64, 6, 1}) - 0.5;
  const double before = loss_on(test).item<float>();
  for (int i = 0; i < 300; ++i) {
    adam.zero_grad();
    loss_on(rand({32, 6, 1}) - 0.5).backward();
    adam.step();
  }
  const double after = loss_on(test).item<float>();
  CAPTURE(before);
  CAPTURE(after);
  CHECK(after < before * 0.05);
}

TEST_CASE("recurrent modules refuse what they cannot run, saying what they expected") {
  nn::LSTM lstm(3, 4, {.num_layers = 2});
  CHECK_THROWS_WITH(lstm.forward(ones({2, 3, 5})), "[LSTM] input: expected 3 features in the last dimension, got [2, 3, 5]");
  CHECK_THROWS_WITH(lstm.forward(ones({3})), "[LSTM] input: expected [T, N, 3] (or [T, 3] unbatched), got [3]");
  CHECK_THROWS_WITH(lstm.forward(ones({0, 2, 3})), "[LSTM] input: expected a sequence of at least one step, got [0, 2, 3]");
  CHECK_THROWS_WITH(lstm.forward(ones({5, 2, 3}), {zeros({2, 2, 4}), Tensor()}),
                    "[LSTM] hx: expected both h_0 and c_0, or neither");
  CHECK_THROWS_WITH(lstm.forward(ones({5, 2, 3}), {zeros({1, 2, 4}), zeros({1, 2, 4})}),
                    "[LSTM] h_0: expected shape [2, 2, 4], got [1, 2, 4]");
  nn::GRU gru(3, 4);
  CHECK_THROWS_WITH(gru.forward(ones({5, 3}), zeros({1, 2, 4})), "[GRU] h_0: expected shape [1, 4], got [1, 2, 4]");
  CHECK_THROWS_WITH(nn::RNN(3, 4, {}, "sigmoid"), "[RNN] nonlinearity: expected \"tanh\" or \"relu\", got \"sigmoid\"");
  CHECK_THROWS_WITH(nn::LSTM(3, 4, {.num_layers = 0}), "[LSTM] num_layers: expected at least 1, got 0");
  CHECK_THROWS_WITH(nn::GRU(0, 4), "[GRU] sizes: expected positive input_size and hidden_size, got 0 and 4");
  CHECK_THROWS_WITH(nn::GRU(3, 4, {.dropout = 1.5}), "[GRU] dropout: expected a probability in [0, 1], got 1.5");
  nn::GRUCell cell(3, 4);
  CHECK_THROWS_WITH(cell.forward(ones({2, 4})), "[GRUCell] input: expected [N, 3] (or [3] unbatched), got [2, 4]");
  CHECK_THROWS_WITH(cell.forward(ones({2, 3}), zeros({3, 4})), "[GRUCell] hx: expected shape [2, 4], got [3, 4]");
}
