// The toy device (plugins_sdk/examples/toy_device), built out of tree by clang++/libc++ and
// loaded twice over as `toy` and `toy2`: its own kernels and the CPU fallback against the CPU
// backend, its own operator, transfers between the two devices, memory the host never
// addresses, and training. Reports a skip (exit 77) when the toy device was not built.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

#include "../backends/reference.h"
#include "ember/autograd/formulas.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/optim/sgd.h"

using namespace ember;

namespace {

const Device cpu("cpu");

Device toy() {
  static const Device device(require_backend("toy"), 0);
  return device;
}

std::vector<double> values(const Tensor& t) { return to_vector<double>(t); }

void check_same(const Tensor& on_toy, const Tensor& on_cpu, double tol = 0) {
  CHECK(on_toy.device() == toy());
  CHECK(on_toy.dtype() == on_cpu.dtype());
  CHECK(on_toy.sizes().equals(on_cpu.sizes()));
  if (tol == 0) {
    CHECK(values(on_toy) == values(on_cpu));
  } else {
    reference::check_close(values(on_toy), values(on_cpu), tol);
  }
}

}  // namespace

TEST_CASE("the toy's own kernels agree with the CPU backend") {
  const Tensor a = reference::random_tensor({3, 4}, 1), b = reference::random_tensor({4}, 2);
  const Tensor ta = a.to(toy()), tb = b.to(toy());
  check_same(add(ta, tb, 2.5), add(a, b, 2.5), 1e-6);
  check_same(mul(ta.transpose(0, 1), ta.transpose(0, 1)), mul(a.transpose(0, 1), a.transpose(0, 1)), 1e-6);
  check_same(relu(ta), relu(a));
  const Tensor with_nan = tensor({-1.f, 0.f, 2.f, NAN}).to(toy());
  const std::vector<float> relu_nan = to_vector<float>(relu(with_nan));
  CHECK(relu_nan[0] == 0.f);
  CHECK(relu_nan[2] == 2.f);
  CHECK(std::isnan(relu_nan[3]));

  // Casts and strided copies run in the toy's copy_.
  check_same(mul(ta, wrapped_number(7, toy())).to(DType::Int32), mul(a, wrapped_number(7, cpu)).to(DType::Int32));
  check_same(ta.to(DType::BFloat16), a.to(DType::BFloat16));
  Tensor m = zeros({4, 3}, DType::Float32, toy());
  m.transpose(0, 1).copy_(ta);
  check_same(m, a.transpose(0, 1).contiguous());
  check_same(full({2}, int64_t{1} << 40, DType::Int64, toy()), full({2}, int64_t{1} << 40, DType::Int64, cpu));

  // float32 matmul is the toy's; float64 is declined and runs on the CPU instead.
  const Tensor c = reference::random_tensor({4, 5}, 3);
  check_same(mm(ta, c.to(toy())), mm(a, c), 1e-5);
  check_same(mm(ta.transpose(0, 1), ta), mm(a.transpose(0, 1), a), 1e-5);
  check_same(mm(ta.to(DType::Float64), c.to(toy()).to(DType::Float64)), mm(a.to(DType::Float64), c.to(DType::Float64)));
}

TEST_CASE("operators the toy lacks run on the CPU, with the CPU's results") {
  const Tensor x = reference::random_tensor({2, 3, 5, 5}, 4), w = reference::random_tensor({4, 3, 3, 3}, 5);
  const Tensor tx = x.to(toy());
  check_same(exp(tx), exp(x));
  check_same(softmax(tx, 1), softmax(x, 1));
  check_same(sum(tx, {1, 3}), sum(x, {1, 3}));
  check_same(conv2d(tx, w.to(toy()), {1, 1}, {1, 1}), conv2d(x, w, {1, 1}, {1, 1}));
  const Tensor index = tensor<int64_t>({2, 0});
  check_same(index_select(tx, 2, index.to(toy())), index_select(x, 2, index));
  check_same(std::get<1>(max_pool2d_with_indices(tx, {2, 2})), std::get<1>(max_pool2d_with_indices(x, {2, 2})));
}

TEST_CASE("the toy's own operator is callable by name, on its device only") {
  const Tensor x = reference::random_tensor({64}, 6);
  check_same(ops::call("toy::fused_gelu", x.to(toy())), gelu(x, "tanh"), 1e-6);
  const Tensor x64 = x.to(DType::Float64);
  check_same(ops::call("toy::fused_gelu", x64.to(toy())), gelu(x64, "tanh"), 1e-12);
  // The shape rule casts integers to float, as for Ember's own unary float operators.
  check_same(ops::call("toy::fused_gelu", tensor<int64_t>({1, 2}).to(toy())), gelu(tensor({1.f, 2.f}), "tanh"), 1e-6);
  CHECK_THROWS_WITH(ops::call("toy::fused_gelu", x), doctest::Contains("[toy::fused_gelu] no kernel for dispatch key cpu"));
  CHECK(Dispatcher::singleton().find("toy2::fused_gelu") != nullptr);
  CHECK_THROWS_WITH(ops::call("toy2::fused_gelu", x.to(toy())),
                    "[toy2::fused_gelu] the toy backend has no kernel for it, and neither has the CPU to fall back "
                    "to; kernels exist for: toy2");
}

// The toy's operator has no derivative in ops.yaml; a Function gives it one.
struct ToyGelu : autograd::Function<ToyGelu> {
  static Tensor forward(autograd::AutogradContext* ctx, const Tensor& x) {
    ctx->save_for_backward({x});
    return ops::call("toy::fused_gelu", x);
  }
  static autograd::TensorVector backward(autograd::AutogradContext* ctx, autograd::TensorVector grads) {
    return {grads[0] * autograd::gelu_derivative(ctx->get_saved_variables()[0], "tanh")};
  }
};

TEST_CASE("the toy's operator differentiates once an autograd::Function gives it a backward") {
  Tensor x = reference::random_tensor({16}, 8).to(toy());
  x.requires_grad_();
  CHECK_THROWS_WITH(ops::call("toy::fused_gelu", x).sum().backward(),
                    "[toy::fused_gelu] the derivative is not implemented: ops.yaml has no derivatives entry for this "
                    "operator, so backward cannot pass through it; call it inside an autograd::Function that gives "
                    "its backward");
  const Tensor y = ToyGelu::apply(x);
  CHECK(y.device() == toy());
  y.sum().backward();
  CHECK(x.grad().device() == toy());

  Tensor on_cpu = x.detach().to(cpu);
  on_cpu.requires_grad_();
  gelu(on_cpu, "tanh").sum().backward();
  reference::check_close(values(x.grad()), values(on_cpu.grad()), 1e-6);
}

TEST_CASE("two toy devices at once: tensors move between them through the host") {
  const Device toy2(require_backend("toy2"), 0);
  const Tensor x = reference::random_tensor({3, 3}, 7);
  const Tensor on_toy = x.to(toy());
  const Tensor on_toy2 = on_toy.to(toy2);
  CHECK(on_toy2.device() == toy2);
  CHECK(values(on_toy2) == values(x));
  CHECK(values(add(on_toy2, on_toy2)) == values(add(x, x)));
  CHECK(values(on_toy.transpose(0, 1).to(toy2)) == values(x.transpose(0, 1)));
  CHECK_THROWS_WITH(add(on_toy, on_toy2), "[add.Tensor] other: expected a tensor on toy, got one on toy2");
}

TEST_CASE("the host reaches toy memory through the plugin's copies only") {
  const Tensor x = tensor({1.f, 2.f, 3.f}).to(toy());
  // Note [Toy addresses]: a non-canonical address, which the host would fault on if it read it.
  CHECK(reinterpret_cast<uintptr_t>(x.raw_data()) >= (uintptr_t{0x4000} << 48));
  CHECK_THROWS_WITH(x.data_ptr<float>(), doctest::Contains("host"));
  CHECK(x.sum().item<float>() == 6.f);
  CHECK(x.str() == "tensor([1., 2., 3.], device='toy')");

  CHECK_THROWS_WITH(empty({int64_t{1} << 40}, DType::Float32, toy()),
                    "[allocate] toy:0: could not allocate 4398046511104 bytes (status 2)");
  // Freed blocks are reused: far more than the device holds passes through it.
  for (int i = 0; i < 8; ++i) CHECK(empty({int64_t{1} << 28}, DType::Float32, toy()).numel() == int64_t{1} << 28);
}

TEST_CASE("a small CNN trains on the toy device as it does on the CPU") {
  auto train = [](Device device) {
    manual_seed(11);
    nn::Sequential model({std::make_shared<nn::Conv2d>(1, 4, nn::functional::Pair{3, 3}, nn::functional::Conv2dOptions{.padding = {1, 1}}),
                          std::make_shared<nn::BatchNorm2d>(4), std::make_shared<nn::ReLU>(),
                          std::make_shared<nn::MaxPool2d>(nn::functional::Pair{2, 2}), std::make_shared<nn::Flatten>(),
                          std::make_shared<nn::Linear>(16, 3)});
    model.to(device);
    optim::SGD sgd(model.parameters(), {.lr = 0.1, .momentum = 0.9});
    const Tensor x = reference::random_tensor({6, 1, 4, 4}, 8).to(device);
    const Tensor y = tensor<int64_t>({0, 2, 1, 1, 0, 2}).to(device);
    std::vector<double> losses;
    for (int step = 0; step < 4; ++step) {
      sgd.zero_grad();
      const Tensor loss = nn::functional::cross_entropy(model(x), y);
      loss.backward();
      sgd.step();
      losses.push_back(loss.item<double>());
    }
    std::vector<double> parameters;
    for (const Tensor& p : model.parameters()) {
      for (const double v : values(p)) parameters.push_back(v);
    }
    return std::make_pair(losses, parameters);
  };
  const auto on_cpu = train(cpu), on_toy = train(toy());
  reference::check_close(on_toy.first, on_cpu.first, 1e-5);
  reference::check_close(on_toy.second, on_cpu.second, 1e-4);
  CHECK(on_cpu.first.back() < on_cpu.first.front());
}

int main(int argc, char** argv) {
  try {
    toy();
  } catch (const Error& e) {
    std::printf("skipped: the toy device is not built here: %s\n", e.what());
    return 77;  // CTest reports the test as skipped (SKIP_RETURN_CODE)
  }
  doctest::Context context(argc, argv);
  return context.run();
}
