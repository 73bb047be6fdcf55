// Transformer layers, stacks and the encoder-decoder model: PyTorch's parameter names, values
// against the equations written out with PyTorch's own head layout, masks, copies, gradients by
// finite differences, and a small task learnt.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/nn/functional.h"
#include "ember/optim/adam.h"

using namespace ember;
namespace F = nn::functional;

namespace {

std::vector<std::string> names(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [name, t] : named) out.push_back(name);
  return out;
}

void check_same(const Tensor& got, const Tensor& expected, double tol = 1e-9) {
  REQUIRE(got.sizes().equals(expected.sizes()));
  const std::vector<double> a = to_vector<double>(got), b = to_vector<double>(expected);
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(tol));
}

// PyTorch's multi-head attention written out for [T, N, E] inputs: heads folded into the batch as
// [N * heads, T, E / heads], scores scaled by 1/sqrt(E / heads), an additive mask.
Tensor attention_by_hand(const nn::MultiheadAttention& a, const Tensor& query, const Tensor& source, const Tensor& mask) {
  const int64_t e = a.embed_dim, heads = a.num_heads, d = e / heads;
  const int64_t l = query.size(0), s = source.size(0), n = query.size(1);
  auto project = [&](const Tensor& x, int64_t part, int64_t length) {
    const Tensor y = F::linear(x, a.in_proj_weight.narrow(0, part * e, e), a.in_proj_bias.narrow(0, part * e, e));
    return y.reshape({length, n * heads, d}).transpose(0, 1);
  };
  const Tensor q = project(query, 0, l), k = project(source, 1, s), v = project(source, 2, s);
  Tensor scores = bmm(q, k.transpose(1, 2)) / std::sqrt(static_cast<double>(d));
  if (mask.defined()) scores = scores + mask;
  const Tensor out = bmm(softmax(scores, -1), v).transpose(0, 1).reshape({l, n, e});
  return F::linear(out, a.out_proj->weight, a.out_proj->bias);
}

Tensor norm_by_hand(const nn::LayerNorm& norm, const Tensor& x) {
  const Tensor mean = x.mean({-1}, true);
  const Tensor centred = x - mean;
  const Tensor variance = (centred * centred).mean({-1}, true);
  return centred / sqrt(variance + norm.eps) * norm.weight + norm.bias;
}

Tensor feed_forward_by_hand(const nn::Linear& linear1, const nn::Linear& linear2, const Tensor& x) {
  return F::linear(relu(F::linear(x, linear1.weight, linear1.bias)), linear2.weight, linear2.bias);
}

const double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("transformer modules name their parameters as PyTorch's") {
  nn::TransformerEncoderLayer encoder_layer(8, 2, {.dim_feedforward = 16});
  CHECK(names(encoder_layer.named_parameters()) ==
        std::vector<std::string>{"self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
                                 "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight",
                                 "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"});
  CHECK(encoder_layer.linear1->weight.sizes().equals({16, 8}));
  nn::TransformerDecoderLayer decoder_layer(8, 2, {.dim_feedforward = 16, .bias = false});
  CHECK(names(decoder_layer.named_parameters()) ==
        std::vector<std::string>{"self_attn.in_proj_weight", "self_attn.out_proj.weight", "multihead_attn.in_proj_weight",
                                 "multihead_attn.out_proj.weight", "linear1.weight", "linear2.weight", "norm1.weight",
                                 "norm2.weight", "norm3.weight"});
  nn::Transformer model({.d_model = 8, .nhead = 2, .num_encoder_layers = 2, .num_decoder_layers = 1,
                         .layer = {.dim_feedforward = 16}});
  const std::vector<std::string> all = names(model.named_parameters());
  CHECK(all.size() == 2 * 12 + 2 + 1 * 18 + 2);
  CHECK(all.front() == "encoder.layers.0.self_attn.in_proj_weight");
  CHECK(std::find(all.begin(), all.end(), "encoder.layers.1.norm2.bias") != all.end());
  CHECK(std::find(all.begin(), all.end(), "encoder.norm.weight") != all.end());
  CHECK(std::find(all.begin(), all.end(), "decoder.layers.0.multihead_attn.out_proj.bias") != all.end());
  CHECK(all.back() == "decoder.norm.bias");
  CHECK(model.str().find("(dropout1): Dropout(p=0.1)") != std::string::npos);
}

TEST_CASE("an encoder layer follows its equations, post-norm and pre-norm, under masks") {
  manual_seed(11);
  const Tensor src = randn({5, 2, 8}, DType::Float64);  // [T, N, E]
  const Tensor causal = nn::Transformer::generate_square_subsequent_mask(5).to(DType::Float64);
  for (const bool norm_first : {false, true}) {
    CAPTURE(norm_first);
    nn::TransformerEncoderLayer layer(8, 2, {.dim_feedforward = 12, .dropout = 0, .norm_first = norm_first});
    layer.to(DType::Float64);
    auto sa = [&](const Tensor& x) { return attention_by_hand(*layer.self_attn, x, x, causal); };
    auto ff = [&](const Tensor& x) { return feed_forward_by_hand(*layer.linear1, *layer.linear2, x); };
    Tensor expected;
    if (norm_first) {
      const Tensor x = src + sa(norm_by_hand(*layer.norm1, src));
      expected = x + ff(norm_by_hand(*layer.norm2, x));
    } else {
      const Tensor x = norm_by_hand(*layer.norm1, src + sa(src));
      expected = norm_by_hand(*layer.norm2, x + ff(x));
    }
    check_same(layer.forward(src, {.is_causal = true}), expected);
    check_same(layer.forward(src, {.attn_mask = causal}), expected);
    check_same(layer.forward(src, {.attn_mask = causal, .is_causal = true}), expected);  // the hint beside its mask
  }
  // A padded key changes nothing for the other positions; batch first gives the same values.
  nn::TransformerEncoderLayer layer(8, 2, {.dim_feedforward = 12, .dropout = 0});
  layer.to(DType::Float64);
  const Tensor padding = tensor<bool>({false, false, false, false, true, false, false, false, false, false}, {2, 5});
  const Tensor out = layer.forward(src, {.key_padding_mask = padding});
  Tensor changed = src.clone();
  changed[4][0].fill_(100);
  const Tensor out_changed = layer.forward(changed, {.key_padding_mask = padding});
  check_same(out_changed.narrow(0, 0, 4), out.narrow(0, 0, 4));
  check_same(out_changed.select(1, 1), out.select(1, 1));
  nn::TransformerEncoderLayer batch_first(8, 2, {.dim_feedforward = 12, .dropout = 0, .batch_first = true});
  batch_first.to(DType::Float64);
  {
    autograd::NoGradGuard no_grad;
    const auto from = layer.named_parameters(), to = batch_first.named_parameters();
    for (size_t i = 0; i < from.size(); ++i) to[i].second.copy_(from[i].second);
  }
  check_same(batch_first.forward(src.transpose(0, 1)).transpose(0, 1), layer.forward(src));
  // An unbatched sequence [T, E] runs as a batch of one.
  check_same(layer.forward(src[0].unsqueeze(1)).squeeze(1), layer.forward(src[0]));
}

TEST_CASE("a decoder layer attends to itself, then to the memory, then feeds forward") {
  manual_seed(12);
  const Tensor tgt = randn({3, 2, 8}, DType::Float64), memory = randn({4, 2, 8}, DType::Float64);
  nn::TransformerDecoderLayer layer(8, 4, {.dim_feedforward = 6, .dropout = 0});
  layer.to(DType::Float64);
  const Tensor causal = nn::Transformer::generate_square_subsequent_mask(3).to(DType::Float64);
  const Tensor memory_mask = tensor<double>({0, -kInf, 0, 0, 0, 0, -kInf, 0, 0, 0, 0, 0}, {3, 4});
  const Tensor x = norm_by_hand(*layer.norm1, tgt + attention_by_hand(*layer.self_attn, tgt, tgt, causal));
  const Tensor y = norm_by_hand(*layer.norm2, x + attention_by_hand(*layer.multihead_attn, x, memory, memory_mask));
  const Tensor expected = norm_by_hand(*layer.norm3, y + feed_forward_by_hand(*layer.linear1, *layer.linear2, y));
  check_same(layer.forward(tgt, memory, {.is_causal = true}, {.attn_mask = memory_mask}), expected);
}

TEST_CASE("stacks start as independent copies of their layer and end in their norm") {
  manual_seed(13);
  nn::TransformerEncoderLayer prototype(8, 2, {.dim_feedforward = 12, .dropout = 0});
  nn::TransformerEncoder encoder(prototype, 3, std::make_shared<nn::LayerNorm>(std::vector<int64_t>{8}));
  const auto& first = static_cast<nn::TransformerEncoderLayer&>(*(*encoder.layers)[0]);
  const auto& last = static_cast<nn::TransformerEncoderLayer&>(*(*encoder.layers)[2]);
  CHECK(to_vector<float>(first.linear1->weight) == to_vector<float>(prototype.linear1->weight));
  CHECK(to_vector<float>(last.self_attn->in_proj_weight) == to_vector<float>(prototype.self_attn->in_proj_weight));
  {
    autograd::NoGradGuard no_grad;
    first.linear1->weight.fill_(0);
  }
  CHECK(to_vector<float>(last.linear1->weight) == to_vector<float>(prototype.linear1->weight));
  const Tensor src = randn({4, 1, 8});
  Tensor expected = src;
  for (const auto& layer : *encoder.layers) expected = static_cast<nn::TransformerEncoderLayer&>(*layer).forward(expected);
  check_same(encoder.forward(src), (*encoder.norm)(expected), 1e-6);
  CHECK_THROWS_WITH(nn::TransformerEncoder(prototype, 0), "[TransformerEncoder] num_layers: expected at least 1, got 0");
}

TEST_CASE("gradients through the encoder-decoder model match finite differences") {
  manual_seed(14);
  nn::Transformer model({.d_model = 4, .nhead = 2, .num_encoder_layers = 1, .num_decoder_layers = 1,
                         .layer = {.dim_feedforward = 6, .dropout = 0, .activation = "gelu", .norm_first = true}});
  model.to(DType::Float64);
  const autograd::TensorVector inputs = {randn({3, 2, 4}, DType::Float64).requires_grad_(),
                                         randn({2, 2, 4}, DType::Float64).requires_grad_()};
  autograd::gradcheck([&](const autograd::TensorVector& v) {
    return model.forward(v[0], v[1], {.tgt = {.is_causal = true}});
  }, inputs);
  model.forward(inputs[0], inputs[1]).sum().backward();
  for (const auto& [name, p] : model.named_parameters()) {
    CAPTURE(name);
    CHECK(p.grad().defined());
  }
}

TEST_CASE("a small transformer learns to reverse a sequence") {
  manual_seed(15);
  const int64_t vocab = 6, length = 4, d = 16;
  nn::Transformer model({.d_model = d, .nhead = 2, .num_encoder_layers = 1, .num_decoder_layers = 1,
                         .layer = {.dim_feedforward = 32, .dropout = 0, .batch_first = true}});
  nn::Embedding embed(vocab, d);
  nn::Linear head(d, vocab);
  const Tensor positions = randn({length, d}) * 0.5;  // fixed position codes
  std::vector<Tensor> params = model.parameters();
  for (const Tensor& p : embed.parameters()) params.push_back(p);
  for (const Tensor& p : head.parameters()) params.push_back(p);
  optim::Adam adam(params, {.lr = 3e-3});
  const Tensor causal = nn::Transformer::generate_square_subsequent_mask(length);
  double first_loss = 0, last_loss = 0;
  for (int step = 0; step < 150; ++step) {
    const Tensor tokens = randint(1, vocab, {32, length});
    const Tensor reversed = tokens.flip({1});
    // The decoder reads the target shifted right behind a start token 0.
    const Tensor shifted = cat({zeros({32, 1}, DType::Int64), reversed.narrow(1, 0, length - 1)}, 1);
    const Tensor out = model.forward(embed(tokens) + positions, embed(shifted) + positions, {.tgt = {.attn_mask = causal}});
    const Tensor loss = F::cross_entropy(head(out).reshape({-1, vocab}), reversed.reshape({-1}));
    adam.zero_grad();
    loss.backward();
    adam.step();
    (step == 0 ? first_loss : last_loss) = loss.item<double>();
  }
  CHECK(first_loss > 1.5);
  CHECK(last_loss < 0.3);
}

TEST_CASE("transformer modules refuse what they cannot run, saying what they expected") {
  CHECK_THROWS_WITH(nn::TransformerEncoderLayer(8, 3), "[TransformerEncoderLayer] nhead: expected a positive divisor of d_model 8, got 3");
  CHECK_THROWS_WITH(nn::TransformerDecoderLayer(8, 2, {.activation = "tanh"}),
                    "[TransformerDecoderLayer] activation: expected \"relu\" or \"gelu\", got \"tanh\"");
  CHECK_THROWS_WITH(nn::TransformerEncoderLayer(8, 2, {.dim_feedforward = 0}),
                    "[TransformerEncoderLayer] dim_feedforward: expected a positive size, got 0");
  CHECK_THROWS_WITH(nn::TransformerEncoderLayer(8, 2, {.dropout = 1.5}),
                    "[TransformerEncoderLayer] dropout: expected a probability in [0, 1], got 1.5");
  nn::Transformer model({.d_model = 8, .nhead = 2, .num_encoder_layers = 1, .num_decoder_layers = 1,
                         .layer = {.dim_feedforward = 8}});
  CHECK_THROWS_WITH(model.forward(zeros({3, 2, 8}), zeros({3, 5, 8})),
                    "[Transformer] tgt: expected the batch of src [3, 2, 8], got [3, 5, 8]");
  CHECK_THROWS_WITH(model.forward(zeros({3, 2, 6}), zeros({3, 2, 6})),
                    "[Transformer] src, tgt: expected 8 features (d_model), got [3, 2, 6] and [3, 2, 6]");
  const Tensor mask = nn::Transformer::generate_square_subsequent_mask(3);
  CHECK(to_vector<float>(mask) == std::vector<float>{0, -INFINITY, -INFINITY, 0, 0, -INFINITY, 0, 0, 0});
  CHECK_THROWS_WITH(nn::Transformer::generate_square_subsequent_mask(-1),
                    "[generate_square_subsequent_mask] size: expected a non-negative size, got -1");
}
