// ModuleDict, ParameterList and ParameterDict (names, replacement, optimisation, printing), the
// small modules Unflatten, Softmax2d, CosineSimilarity and PairwiseDistance, max pooling with
// indices undone by max_unpool1d/2d (values, gradients, errors), the module tree's
// load_state_dict, named_modules, apply and requires_grad_, and forward hooks.
#include <doctest/doctest.h>

#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/optim/sgd.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {

std::vector<std::string> names(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [name, t] : named) out.push_back(name);
  return out;
}

}  // namespace

TEST_CASE("ModuleDict keeps insertion order, replaces in place and names children by key") {
  nn::ModuleDict layers{{"encoder", std::make_shared<nn::Linear>(4, 3)}, {"act", std::make_shared<nn::ReLU>()}};
  layers.insert("decoder", std::make_shared<nn::Linear>(3, 4));
  CHECK(layers.keys() == std::vector<std::string>{"encoder", "act", "decoder"});
  CHECK(names(layers.named_parameters()) ==
        std::vector<std::string>{"encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias"});
  layers.insert("act", std::make_shared<nn::Tanh>());  // where it stood
  CHECK(layers.keys() == std::vector<std::string>{"encoder", "act", "decoder"});
  CHECK(layers["act"]->type_name() == "Tanh");
  CHECK(layers.contains("decoder"));
  CHECK_FALSE(layers.contains("head"));
  CHECK(layers.str() ==
        "ModuleDict(\n"
        "  (encoder): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (act): Tanh()\n"
        "  (decoder): Linear(in_features=3, out_features=4, bias=True)\n"
        ")");
  CHECK_THROWS_WITH(layers["head"], "[ModuleDict] key: no module named 'head'");
  CHECK_THROWS_WITH(layers.insert("a.b", std::make_shared<nn::ReLU>()),
                    "[ModuleDict] key: expected a non-empty name without dots, got 'a.b'");
  CHECK_THROWS_WITH(layers.insert("x", nullptr), "[ModuleDict] module: expected a module, got null");
}

TEST_CASE("ParameterList and ParameterDict register trainable parameters an optimizer moves") {
  nn::ParameterList list{ones({2, 3}), zeros({3})};
  list.push_back(full({1}, 2.0));
  CHECK(names(list.named_parameters()) == std::vector<std::string>{"0", "1", "2"});
  CHECK(list[1].requires_grad());
  CHECK(list.str() ==
        "ParameterList(\n"
        "  (0): Parameter containing: [float32 of size 2x3]\n"
        "  (1): Parameter containing: [float32 of size 3]\n"
        "  (2): Parameter containing: [float32 of size 1]\n"
        ")");
  CHECK(nn::ParameterList().str() == "ParameterList()");
  CHECK_THROWS_WITH(list[3], "[ParameterList] index: expected a position below 3, got 3");
  CHECK_THROWS_WITH(list.push_back(ones({2}, DType::Int64)),
                    "[ParameterList] parameter: expected a floating-point tensor, got int64");

  // A leaf stays itself: a weight shared with a layer stays tied.
  auto linear = std::make_shared<nn::Linear>(2, 2);
  nn::ParameterDict dict{{"scale", full({2}, 3.0)}, {"shared", linear->weight}};
  CHECK(dict["shared"].is_same(linear->weight));
  CHECK(dict.keys() == std::vector<std::string>{"scale", "shared"});
  optim::SGD sgd(dict.parameters(), {.lr = 0.5});
  (dict["scale"] * 2).sum().backward();
  sgd.step();
  CHECK(to_vector<float>(dict["scale"]) == std::vector<float>{2, 2});  // 3 - 0.5 * 2
  dict.insert("scale", ones({4}));  // replaced under its name; the registry follows
  CHECK(dict.parameters().front().sizes().equals({4}));
  CHECK(dict.parameters().front().requires_grad());
  CHECK_THROWS_WITH(dict["bias"], "[ParameterDict] key: no parameter named 'bias'");
  CHECK_THROWS_WITH(dict.insert("", ones({1})), "[ParameterDict] key: expected a non-empty name without dots, got ''");
  // A tensor with history becomes a leaf of its own data.
  const Tensor source = ones({2}).requires_grad_();
  nn::ParameterList derived{source * 2};
  CHECK(derived[0].is_leaf());
  CHECK(to_vector<float>(derived[0]) == std::vector<float>{2, 2});
}

TEST_CASE("Unflatten, Softmax2d, CosineSimilarity and PairwiseDistance") {
  const Tensor x = arange(24, DType::Float32).reshape({2, 12});
  nn::Unflatten unflatten(1, {3, -1});
  CHECK(unflatten(x).sizes().equals({2, 3, 4}));
  CHECK(unflatten.str() == "Unflatten(dim=1, unflattened_size=(3, -1))");
  CHECK(nn::Unflatten(0, {2}).str() == "Unflatten(dim=0, unflattened_size=(2,))");
  CHECK(equal(nn::Flatten()(unflatten(x)), x));

  const Tensor image = randn({2, 3, 4, 5});
  nn::Softmax2d softmax2d;
  CHECK(allclose(softmax2d(image), image.softmax(1)));
  CHECK(allclose(softmax2d(image[0]), image[0].softmax(0)));
  CHECK_THROWS_WITH(softmax2d(ones({3, 4})), "[Softmax2d] input: expected a [N, C, H, W] or [C, H, W] tensor, got [3, 4]");

  const Tensor a = tensor({3.f, 4.f, 1.f, 0.f}, {2, 2}), b = tensor({4.f, 3.f, 0.f, 2.f}, {2, 2});
  CHECK(allclose(nn::CosineSimilarity()(a, b), tensor({24.f / 25, 0.f})));
  CHECK(allclose(nn::CosineSimilarity(0)(a, b), F::cosine_similarity(a, b, 0)));
  CHECK(allclose(nn::PairwiseDistance(1, 0)(a, b), tensor({2.f, 3.f})));
  CHECK(nn::PairwiseDistance(2, 1e-6, true)(a, b).sizes().equals({2, 1}));
  CHECK(nn::PairwiseDistance().str() == "PairwiseDistance()");
}

TEST_CASE("max pooling with indices, undone by max_unpool2d and max_unpool1d") {
  // 4x4 plane; 2x2 windows: the maxima 5, 7, 13, 15 at flat positions 5, 7, 13, 15.
  const Tensor plane = arange(16, DType::Float32).reshape({1, 1, 4, 4});
  const auto [pooled, indices] = F::max_pool2d_with_indices(plane, {2, 2});
  CHECK(to_vector<int64_t>(indices) == std::vector<int64_t>{5, 7, 13, 15});
  const Tensor restored = F::max_unpool2d(pooled, indices, {2, 2});
  CHECK(restored.sizes().equals({1, 1, 4, 4}));
  CHECK(equal(restored, plane * (plane.remainder(2) == 1) * (plane.floor_divide(4).remainder(2) == 1)));
  // Unbatched, and with a larger output (an odd input size pooled away): within a stride of 4.
  const auto [odd_pooled, odd_indices] = F::max_pool2d_with_indices(arange(25, DType::Float32).reshape({1, 5, 5}), {2, 2});
  const Tensor odd_restored = F::max_unpool2d(odd_pooled, odd_indices, {2, 2}, {.output_size = F::Pair{5, 5}});
  CHECK(odd_restored.sizes().equals({1, 5, 5}));
  CHECK(odd_restored.sum().item<float>() == 6 + 8 + 16 + 18);
  CHECK_THROWS_WITH(F::max_unpool2d(odd_pooled, odd_indices, {2, 2}, {.output_size = F::Pair{6, 4}}),
                    "[max_unpool2d] output_size: expected sizes from 3 to 5 at dimension 0, got 6");
  CHECK_THROWS_WITH(F::max_unpool2d(pooled, indices + 1, {2, 2}),
                    "[max_unpool2d] indices: expected positions in [0, 16) (the 4x4 output planes), got 16");
  CHECK_THROWS_WITH(F::max_unpool2d(pooled, indices.to(DType::Int32), {2, 2}),
                    "[max_unpool2d] indices: expected int64 positions, got int32");
  CHECK_THROWS_WITH(F::max_unpool2d(pooled, indices.flatten(), {2, 2}),
                    "[max_unpool2d] indices: expected the input's shape [1, 1, 2, 2], got [4]");

  const Tensor line = tensor({1.f, 3.f, 2.f, 5.f, 4.f, 0.f}, {1, 1, 6});
  const auto [line_pooled, line_indices] = F::max_pool1d_with_indices(line, 2);
  CHECK(to_vector<int64_t>(line_indices) == std::vector<int64_t>{1, 3, 4});
  nn::MaxUnpool1d unpool1d(2);
  CHECK(to_vector<float>(unpool1d(line_pooled, line_indices)) == std::vector<float>{0, 3, 0, 5, 4, 0});
  CHECK(unpool1d.str() == "MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))");
  CHECK(nn::MaxUnpool2d({2, 2}).str() == "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))");
  CHECK(equal(nn::MaxUnpool2d({2, 2})(pooled, indices), restored));

  // Gradients: the unpooled gradient gathered back at the indices, by finite differences (the
  // windows apart, so that no two values share a place).
  manual_seed(5);
  const Tensor input = randn({2, 3, 4, 6}, DType::Float64);
  const auto [values, positions] = F::max_pool2d_with_indices(input, {2, 3}, {.padding = {1, 1}});
  const autograd::TensorVector inputs = {values.detach().requires_grad_()};
  CHECK_NOTHROW(autograd::gradcheck([&](const autograd::TensorVector& t) {
    return F::max_unpool2d(t[0], positions, {2, 3}, {.padding = {1, 1}, .output_size = F::Pair{4, 6}});
  }, inputs));
}

TEST_CASE("load_state_dict, named_modules, apply and requires_grad_ across a module tree") {
  auto make = [] {
    return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
        std::make_shared<nn::Linear>(3, 4), std::make_shared<nn::BatchNorm1d>(4), std::make_shared<nn::Linear>(4, 2)});
  };
  auto source = make(), target = make();
  source->apply([](nn::Module& m) {
    for (const Tensor& p : m.parameters(false)) {
      autograd::NoGradGuard no_grad;
      p.fill_(0.25);
    }
  });
  const auto keys = target->load_state_dict(source->state_dict());
  CHECK(keys.missing_keys.empty());
  CHECK(keys.unexpected_keys.empty());
  for (const Tensor& p : target->parameters()) CHECK(p.sum().item<float>() == doctest::Approx(0.25 * p.numel()));

  // Not strict: the names either side lacks come back; the rest is loaded.
  nn::NamedTensors partial = {{"0.weight", full({4, 3}, 2.0)}, {"head.weight", ones({1})}};
  const auto loose = target->load_state_dict(partial, false);
  CHECK(loose.unexpected_keys == std::vector<std::string>{"head.weight"});
  CHECK(loose.missing_keys.size() == target->state_dict().size() - 1);
  CHECK((*target)[0]->parameters()[0].sum().item<float>() == 24);
  CHECK_THROWS_WITH(target->load_state_dict(partial),
                    doctest::Contains("[load_state_dict] state_dict: does not match the module; missing: 0.bias"));
  CHECK_THROWS_WITH(target->load_state_dict({{"0.weight", ones({3, 3})}}, false),
                    "[load_state_dict] state_dict: does not match the module; mis-shaped: 0.weight (state [3, 3], module [4, 3])");

  std::vector<std::string> names;
  for (const auto& [name, m] : target->named_modules()) names.push_back(name + ":" + m->type_name());
  CHECK(names == std::vector<std::string>{":Sequential", "0:Linear", "1:BatchNorm1d", "2:Linear"});
  std::vector<std::string> order;
  target->apply([&](nn::Module& m) { order.push_back(m.type_name()); });
  CHECK(order == std::vector<std::string>{"Linear", "BatchNorm1d", "Linear", "Sequential"});
  target->requires_grad_(false);
  for (const Tensor& p : target->parameters()) CHECK_FALSE(p.requires_grad());
}

TEST_CASE("forward hooks run when a module is called, in order, and can replace input and output") {
  auto first = std::make_shared<nn::Linear>(2, 3), second = std::make_shared<nn::Linear>(3, 1);
  nn::Sequential model{first, std::make_shared<nn::ReLU>(), second};
  std::vector<std::string> calls;
  Tensor captured;
  nn::RemovableHandle capture = first->register_forward_hook([&](nn::Module& m, const Tensor&, const Tensor& out) {
    calls.push_back("hook " + m.type_name());
    captured = out;
    return std::optional<Tensor>();
  });
  first->register_forward_pre_hook([&](nn::Module&, const Tensor& in) {
    calls.push_back("pre");
    return std::optional<Tensor>(in * 2);  // the layer sees twice its input
  });
  const Tensor x = ones({4, 2});
  const Tensor y = model(x);
  CHECK(calls == std::vector<std::string>{"pre", "hook Linear"});
  CHECK(allclose(captured, first->forward(x * 2)));
  CHECK(allclose(y, second->forward(relu(first->forward(x * 2)))));
  // forward() itself runs no hooks, as PyTorch's.
  first->forward(x);
  CHECK(calls.size() == 2);
  // A hook replacing the output; removal stops the capture, twice is harmless.
  second->register_forward_hook([](nn::Module&, const Tensor&, const Tensor& out) { return std::optional<Tensor>(out * 0); });
  capture.remove();
  capture.remove();
  CHECK(model(x).abs().sum().item<float>() == 0);
  CHECK(calls.size() == 3);  // the pre-hook ran, the removed hook did not
  // A handle outliving its module does nothing.
  nn::RemovableHandle orphan;
  {
    auto temporary = std::make_shared<nn::ReLU>();
    orphan = temporary->register_forward_hook([](nn::Module&, const Tensor&, const Tensor&) { return std::optional<Tensor>(); });
  }
  orphan.remove();
  CHECK_THROWS_WITH(first->register_forward_hook(nullptr), "[Linear] hook: expected a function, got an empty one");
}
