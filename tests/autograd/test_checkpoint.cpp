// autograd::checkpoint: the same gradients as the plain computation, from a second forward.
#include <doctest/doctest.h>

#include "../backends/reference.h"
#include "ember/ember.h"
#include "ember/nn.h"

using namespace ember;
using autograd::TensorVector;
using reference::leaf;
using reference::values;

namespace {

// tanh(x w1) w2, with the weights read from outside: parameters, not inputs.
struct TwoLayers {
  Tensor w1 = leaf({0.5, -1, 0.25, 2, 1, -0.5}, {2, 3});
  Tensor w2 = leaf({1, -2, 0.5}, {3, 1});
  int calls = 0;

  TensorVector operator()(const TensorVector& in) {
    ++calls;
    return {matmul(tanh(matmul(in[0], w1)), w2)};
  }
};

}  // namespace

TEST_CASE("a checkpointed function gives the plain computation's gradients, running forward twice") {
  TwoLayers plain, checkpointed;
  const Tensor x = leaf({1, 2, -1, 0.5}, {2, 2});
  (plain({x})[0] * tensor<double>({1, 3}, {2, 1})).sum().backward();
  const std::vector<double> plain_x_grad = values(x.grad());
  x.set_grad(Tensor());

  const Tensor y = autograd::checkpoint([&](const TensorVector& in) { return checkpointed(in); }, {x})[0];
  CHECK(checkpointed.calls == 1);
  CHECK(values(y) == values(plain({x})[0]));
  CHECK(y.grad_fn()->name() == "CheckpointBackward");
  // Nothing between the output and x was recorded: the node leads straight to x's accumulator.
  CHECK(y.grad_fn()->next_edges()[1].node->name() == "AccumulateGrad");
  (y * tensor<double>({1, 3}, {2, 1})).sum().backward();
  CHECK(checkpointed.calls == 2);
  reference::check_close(values(x.grad()), plain_x_grad, 1e-12);
  reference::check_close(values(checkpointed.w1.grad()), values(plain.w1.grad()), 1e-12);
  reference::check_close(values(checkpointed.w2.grad()), values(plain.w2.grad()), 1e-12);
}

TEST_CASE("parameters get their gradients when no input requires grad") {
  TwoLayers plain, checkpointed;
  const Tensor x = tensor<double>({1, 2, -1, 0.5}, {2, 2});
  plain({x})[0].sum().backward();
  const Tensor y = autograd::checkpoint([&](const TensorVector& in) { return checkpointed(in); }, {x})[0];
  CHECK(y.requires_grad());
  y.sum().backward();
  reference::check_close(values(checkpointed.w1.grad()), values(plain.w1.grad()), 1e-12);
  CHECK_FALSE(x.grad().defined());

  autograd::NoGradGuard no_grad;
  CHECK_FALSE(autograd::checkpoint([&](const TensorVector& in) { return checkpointed(in); }, {x})[0].requires_grad());
}

TEST_CASE("the second forward draws the first one's dropout mask unless told otherwise") {
  const auto dropped = [](const TensorVector& in) { return TensorVector{nn::functional::dropout(in[0] * 2, 0.5)}; };
  const auto gradient_of = [&](bool preserve) {
    Tensor input = ones({256}, DType::Float64);
    input.requires_grad_();
    manual_seed(11);
    const Tensor y = autograd::checkpoint(dropped, {input}, preserve)[0];
    const std::vector<double> forward_mask = values(y.ne(0).to(DType::Float64));
    y.sum().backward();
    return std::pair(forward_mask, values(input.grad().ne(0).to(DType::Float64)));
  };
  const auto [mask, grad_mask] = gradient_of(true);
  CHECK(grad_mask == mask);
  const auto [mask_again, other_grad_mask] = gradient_of(false);
  CHECK(mask_again == mask);
  CHECK(other_grad_mask != mask);  // 256 fresh coin flips
}

TEST_CASE("outputs no gradient reaches are left out, and create_graph is refused") {
  const Tensor x = leaf({1, 2});
  const TensorVector pair =
      autograd::checkpoint([](const TensorVector& in) { return TensorVector{in[0] * 2, in[0] * in[0]}; }, {x});
  pair[1].sum().backward();
  CHECK(values(x.grad()) == std::vector<double>{2, 4});

  const Tensor z = autograd::checkpoint([](const TensorVector& in) { return TensorVector{in[0].pow(3)}; }, {x})[0];
  CHECK_THROWS_WITH(autograd::grad({z.sum()}, {x}, {}, false, true),
                    "[checkpoint] backward: create_graph cannot pass through a checkpoint, whose second forward is "
                    "differentiated once; leave the part that needs higher-order gradients unchecked");
}

TEST_CASE("checkpoint_sequential gives a Sequential's gradients with its groups run twice") {
  const auto make_model = [] {
    manual_seed(5);
    return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
        std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::Tanh>(), std::make_shared<nn::Linear>(8, 8),
        std::make_shared<nn::Tanh>(), std::make_shared<nn::Linear>(8, 1)});
  };
  const auto plain = make_model(), checkpointed = make_model();
  const Tensor x = reference::random_tensor({3, 4}, 9);
  (*plain)(x).sum().backward();
  const Tensor y = nn::utils::checkpoint_sequential(*checkpointed, 2, x);
  reference::check_close(values(y), values((*plain)(x)), 1e-6);
  y.sum().backward();
  const auto plain_parameters = plain->parameters(), parameters = checkpointed->parameters();
  REQUIRE(parameters.size() == 6);
  for (size_t i = 0; i < parameters.size(); ++i) {
    reference::check_close(values(parameters[i].grad()), values(plain_parameters[i].grad()), 1e-6);
  }
  CHECK_THROWS_WITH(nn::utils::checkpoint_sequential(*checkpointed, 6, x),
                    "[checkpoint_sequential] segments: expected 1 to 5 (the model's modules), got 6");
  CHECK_THROWS_WITH(nn::utils::checkpoint_sequential(*checkpointed, 0, x),
                    "[checkpoint_sequential] segments: expected 1 to 5 (the model's modules), got 0");
}
