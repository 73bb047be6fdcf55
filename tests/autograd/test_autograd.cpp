// Autograd as a dispatch layer: recording, the engine, grad mode, saved-tensor checks.
#include <doctest/doctest.h>

#include "../backends/reference.h"
#include "ember/autograd/engine.h"
#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"

using namespace ember;
using autograd::NoGradGuard;
using reference::doubles;
using reference::leaf;
using reference::values;

TEST_CASE("backward accumulates d(sum x*x)/dx = 2x into the leaf") {
  const Tensor x = leaf({1, -2, 3});
  const Tensor y = (x * x).sum();
  CHECK(y.requires_grad());
  CHECK_FALSE(y.is_leaf());
  CHECK(y.grad_fn()->name() == "SumBackward");
  CHECK(x.is_leaf());
  y.backward();
  CHECK(values(x.grad()) == std::vector<double>{2, -4, 6});
  CHECK_FALSE(x.grad().requires_grad());
  CHECK_THROWS_WITH(x.set_grad(zeros({3})),
                    "[set_grad] grad: expected a float64 tensor on cpu like the tensor, got float32 on cpu");
}

TEST_CASE("clamp's gradient takes bounds past the dtype's range, as its forward does") {
  const Tensor x = tensor<float>({-2.f, 0.5f, 3.f}).requires_grad_();
  clamp(x, -1e300, 1.0).sum().backward();
  CHECK(to_vector<float>(x.grad()) == std::vector<float>{1.f, 1.f, 0.f});
}

TEST_CASE("gradients of broadcast inputs are summed back to their shapes and dtypes") {
  const Tensor a = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = tensor({10.f, 20.f, 30.f});
  b.requires_grad_();
  (a * b).sum().backward();
  CHECK(b.grad().dtype() == DType::Float32);
  CHECK(b.grad().sizes().equals({3}));
  CHECK(to_vector<float>(b.grad()) == std::vector<float>{5, 7, 9});
  CHECK(values(a.grad()) == std::vector<double>{10, 20, 30, 10, 20, 30});
}

TEST_CASE("a second backward needs retain_graph; retained graphs accumulate") {
  const Tensor x = leaf({3});
  const Tensor y = (x * x * x).sum();
  y.backward(Tensor(), true);
  y.backward();
  CHECK(values(x.grad()) == std::vector<double>{54});  // 27 twice
  CHECK_THROWS_WITH(y.backward(), doctest::Contains("its saved tensors were freed by an earlier backward; pass retain_graph=true"));
}

TEST_CASE("autograd::grad returns gradients without touching grad(), and create_graph differentiates again") {
  const Tensor x = leaf({2});
  const Tensor y = (x * x * x).sum();
  const auto first = autograd::grad({y}, {x}, {}, true, true);
  CHECK(values(first[0]) == std::vector<double>{12});  // 3x^2
  CHECK_FALSE(x.grad().defined());
  CHECK(first[0].requires_grad());
  const auto second = autograd::grad({first[0].sum()}, {x});
  CHECK(values(second[0]) == std::vector<double>{12});  // 6x
  // An input the outputs do not depend on is an error unless allowed, as in PyTorch.
  const Tensor unused = leaf({1});
  CHECK_THROWS_WITH(autograd::grad({(x * 2).sum()}, {x, unused}),
                    "[grad] inputs[1]: the outputs do not depend on it; pass allow_unused=true to get an undefined "
                    "gradient for it");
  const auto allowed = autograd::grad({(x * 2).sum()}, {x, unused}, {}, false, false, true);
  CHECK(values(allowed[0]) == std::vector<double>{2});
  CHECK_FALSE(allowed[1].defined());
}

TEST_CASE("saved tensors modified in place are caught at backward") {
  const Tensor x = leaf({1, 2});
  Tensor w = tensor<double>({3, 4});
  const Tensor y = (x * w).sum();  // mul saves w for x's gradient
  w.add_(scalar_tensor(1.0));
  CHECK_THROWS_WITH(y.backward(), doctest::Contains("[backward] MulTensorBackward: a tensor it saved was modified in place"));
}

TEST_CASE("NoGradGuard stops recording; detach cuts the graph") {
  const Tensor x = leaf({1, 2});
  {
    NoGradGuard no_grad;
    const Tensor y = x * 2;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
  }
  CHECK((x * 2).requires_grad());
  const Tensor d = x.detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.impl()->storage() == x.impl()->storage());
  CHECK_THROWS_WITH(tensor<int64_t>({1}).requires_grad_(), "[requires_grad_] tensor: only floating-point tensors can require grad, got int64");
  CHECK_THROWS_WITH((x * 2).requires_grad_(false), doctest::Contains("only leaves can change requires_grad"));
  CHECK_THROWS_WITH(ones({1}).backward(), "[backward] tensors[0]: does not require grad and has no grad_fn");
  CHECK_THROWS_WITH((x * 2).backward(), doctest::Contains("a gradient can be created implicitly only for one-element outputs"));
}

TEST_CASE("operators without a formula run forward, and backward through them names the operator") {
  const Tensor x = leaf({1, 2, 3});
  const Tensor sorted_rows = x.unsqueeze(0);
  CHECK(sorted_rows.requires_grad());
  const auto [largest, where_largest] = x.max(0);
  CHECK(largest.requires_grad());
  CHECK_FALSE(where_largest.requires_grad());
  const Tensor filled = x * 1;
  CHECK_THROWS_WITH(filled.uniform_(), doctest::Contains("[uniform_] in-place and out= operators cannot take tensors that require grad"));
  CHECK(values(x.argmax()) == std::vector<double>{2});  // integer outputs are simply not differentiable
  CHECK_FALSE(x.argmax().requires_grad());
  CHECK_THROWS_WITH(x.add_(x), doctest::Contains("[add_.Tensor] self: a leaf tensor that requires grad cannot be modified in place"));
  CHECK_THROWS_WITH(add_out(zeros({3}, DType::Float64), x, x),
                    doctest::Contains("[add.Tensor_out] in-place and out= operators cannot take tensors that require grad yet"));
  NoGradGuard no_grad;
  x.mul_(scalar_tensor(2.0));  // an optimizer's update: allowed without grad
  CHECK(values(x) == std::vector<double>{2, 4, 6});
}

TEST_CASE("a two-layer MLP's gradients match finite differences") {
  manual_seed(7);
  const Tensor input = randn({4, 3}, DType::Float64);
  const Tensor target = randn({4, 2}, DType::Float64);
  autograd::TensorVector params = {randn({3, 5}, DType::Float64), randn({5}, DType::Float64),
                                   randn({5, 2}, DType::Float64), randn({2}, DType::Float64)};
  for (Tensor& p : params) p.requires_grad_();
  const auto loss = [&](const autograd::TensorVector& p) {
    const Tensor hidden = tanh(matmul(input, p[0]) + p[1]);
    const Tensor out = addmm(p[3], hidden, p[2]);
    const Tensor diff = out - target;
    return (diff * diff).mean();
  };
  autograd::gradcheck(loss, params);
  loss(params).backward();
  for (const Tensor& p : params) CHECK(p.grad().sizes().equals(p.sizes()));
}

TEST_CASE("a write through a view is caught in the tensor it views") {
  const Tensor x = leaf({1, 2, 3, 4});
  Tensor w = tensor<double>({1, 1, 1, 1});
  const Tensor y = (x * w).sum();
  w.slice(0, 1, 2).fill_(5);  // writes one element of w through a view
  CHECK_THROWS_WITH(y.backward(), doctest::Contains("MulTensorBackward: a tensor it saved was modified in place"));
}

TEST_CASE("hooks see and may replace gradients, on leaves and on intermediate tensors") {
  const Tensor x = leaf({1, 2});
  const Tensor h = x * 3;
  std::vector<double> seen;
  h.register_hook([&](const Tensor& g) {
    seen = values(g);
    return g * 10;  // scales what flows on to x
  });
  x.register_hook([](const Tensor& g) { return g + 1; });
  h.sum().backward();
  CHECK(seen == std::vector<double>{1, 1});
  CHECK(values(x.grad()) == std::vector<double>{31, 31});  // 1 * 10 * 3, then + 1 at the leaf
  CHECK_THROWS_WITH(ones({1}).register_hook([](const Tensor& g) { return g; }),
                    "[register_hook] tensor: expected a tensor that requires grad");
  // A hook may change values, not the gradient's shape, dtype or device.
  const Tensor y = x * 2;
  y.register_hook([](const Tensor&) { return ones({5}, DType::Float64); });
  CHECK_THROWS_WITH(y.sum().backward(), "[register_hook] hook: returned a [5] float64 tensor on cpu for a gradient of "
                                        "[2] float64 on cpu; a hook may change a gradient's values only");
  const Tensor z = leaf({1});
  z.register_hook([](const Tensor& g) { return g.to(DType::Float32); });
  CHECK_THROWS_WITH((z * 2).sum().backward(), doctest::Contains("returned a [1] float32 tensor on cpu for a gradient of [1] float64"));
}

TEST_CASE("an operator that hands back its input records nothing") {
  const Tensor x = leaf({1, 2});
  const Tensor same = x.to(DType::Float64).contiguous();
  CHECK(same.is_same(x));
  CHECK(x.is_leaf());
  CHECK(x.grad_fn() == nullptr);
  (same * 2).sum().backward();
  CHECK(values(x.grad()) == std::vector<double>{2, 2});
}

TEST_CASE("cat and stack are differentiable while recording") {
  const Tensor a = leaf({1, 2, 3, 4}, {2, 2});
  const Tensor b = leaf({5, 6}, {1, 2});
  const Tensor joined = cat({a, b * 2});
  CHECK(values(joined) == std::vector<double>{1, 2, 3, 4, 10, 12});
  (joined * tensor<double>({1, 2, 3, 4, 5, 6}, {3, 2})).sum().backward();
  CHECK(values(a.grad()) == std::vector<double>{1, 2, 3, 4});
  CHECK(values(b.grad()) == std::vector<double>{10, 12});
  const Tensor c = leaf({0.5, -1, 2, 3}, {2, 2});
  autograd::gradcheck([](const autograd::TensorVector& x) { return stack({x[0], x[1] * x[1]}, 1); }, {a, c});
}

TEST_CASE("in-place operators on non-leaf tensors move their history onto the new node") {
  const Tensor a = leaf({1, 2, 3});
  const Tensor b = leaf({4, 5, 6});
  Tensor y = a * 2;
  const auto before = y.grad_fn();
  y.mul_(b);  // d/da = 2b, d/db = 2a (the value of y before the change)
  CHECK(y.grad_fn() != before);
  CHECK(y.grad_fn()->name() == "MulTensorBackward");
  y.exp_();   // uses its own result
  y.sum().backward();
  const std::vector<double> av = {1, 2, 3}, bv = {4, 5, 6};
  const auto ga = values(a.grad()), gb = values(b.grad());
  for (size_t i = 0; i < 3; ++i) {
    const double e = std::exp(2 * av[i] * bv[i]);
    CHECK(ga[i] == doctest::Approx(e * 2 * bv[i]));
    CHECK(gb[i] == doctest::Approx(e * 2 * av[i]));
  }
  autograd::gradcheck([](const autograd::TensorVector& x) {
    Tensor t = x[0] * 1;
    t.mul_(x[1]);
    t.sub_(x[0], 0.5);
    return t.sigmoid_();
  }, {leaf({0.5, -1}), leaf({2, 0.25})});
}

TEST_CASE("a saved input keeps the history it had when saved, so x.mul_(x) frees its graph") {
  const Tensor w = leaf({1, 2});
  const Tensor y = w * 3;
  const Tensor z = y * y;  // saves y twice, with y's MulBackward
  z.sum().backward();
  CHECK(values(w.grad()) == std::vector<double>{18, 36});  // 2 * (3w) * 3
  std::weak_ptr<autograd::Node> node;
  {
    Tensor x = w * 3;
    x.mul_(x);  // the new node saves x, whose history it then becomes (Note [Saved history])
    node = x.grad_fn();
    CHECK_THROWS_WITH(x.sum().backward(), doctest::Contains("a tensor it saved was modified in place"));
  }
  CHECK(node.expired());  // it used to hold itself through the saved x, and leaked
}

TEST_CASE("in-place changes through views reach the viewed tensor's history") {
  const Tensor a = leaf({1, 2, 3, 4});
  const Tensor b = leaf({5, 6});
  Tensor y = a * 1;
  Tensor head = y.slice(0, 0, 2);
  head.mul_(b);  // y = [a0 b0, a1 b1, a2, a3]
  CHECK(y.grad_fn()->name() == "CopySlices(MulTensorBackward)");
  const Tensor w = tensor<double>({1, 10, 100, 1000});
  ((y * w).sum() + (head * 2).sum()).backward();  // head's own history leads through y's
  CHECK(values(a.grad()) == std::vector<double>{(1 + 2) * 5, (10 + 2) * 6, 100, 1000});
  CHECK(values(b.grad()) == std::vector<double>{(1 + 2) * 1, (10 + 2) * 2});
  autograd::gradcheck([](const autograd::TensorVector& x) {
    Tensor t = x[0] * 1;
    t.slice(0, 1, 3).mul_(x[1]);
    t.select(0, 0).exp_();
    return t * t;
  }, {leaf({0.5, -1, 2, 0.25}), leaf({1.5, -0.5})});
}

TEST_CASE("filling a buffer through views records the gradients of what was written") {
  const Tensor x = leaf({1, 2});
  Tensor buffer = zeros({4}, DType::Float64);
  buffer.slice(0, 1, 3).copy_(x * 3);
  CHECK(buffer.requires_grad());
  (buffer * tensor<double>({1, 2, 3, 4})).sum().backward();
  CHECK(values(x.grad()) == std::vector<double>{6, 9});
}

TEST_CASE("overwriting with a constant cuts the history of what was overwritten") {
  const Tensor x = leaf({1, 2, 3});
  Tensor y = x * 2;
  y.slice(0, 0, 2).copy_(zeros({2}, DType::Float64));  // only y[2] still depends on x
  (y * tensor<double>({1, 10, 100})).sum().backward();
  CHECK(values(x.grad()) == std::vector<double>{0, 0, 200});
  Tensor z = x * 2;
  z.copy_(ones({3}, DType::Float64));
  CHECK(z.grad_fn()->name() == "CopyBackward");
  CHECK_THROWS_WITH(x.copy_(zeros({3}, DType::Float64)),
                    doctest::Contains("[copy_] self: a leaf tensor that requires grad cannot be modified in place"));
  CHECK_THROWS_WITH(x.index_put_({0}, 5), doctest::Contains("[copy_] self: a view of a leaf tensor that requires grad"));
}

TEST_CASE("in-place changes autograd cannot follow are refused") {
  const Tensor a = leaf({1, 2, 3, 4});
  CHECK_THROWS_WITH(a.slice(0, 0, 2).add_(a.slice(0, 2, 4)),
                    doctest::Contains("[add_.Tensor] self: a view of a leaf tensor that requires grad cannot be modified in place"));
  Tensor y = a * 1;
  const Tensor view = y.slice(0, 1, 3);
  const Tensor view_of_view = view.slice(0, 0, 1);
  y.add_(scalar_tensor(1.0));
  CHECK_THROWS_WITH(view * 2, doctest::Contains("a view whose storage was modified in place after the view was taken"));
  CHECK_THROWS_WITH(view_of_view * 2, doctest::Contains("a view whose storage was modified in place"));
  // A buffer that does not require grad may take gradients from an in-place add.
  Tensor buffer = zeros({4}, DType::Float64);
  buffer.add_(a);
  CHECK(buffer.requires_grad());
  (buffer * buffer).sum().backward();
  CHECK(values(a.grad()) == std::vector<double>{2, 4, 6, 8});
}

TEST_CASE("autograd::grad runs only the part of the graph between the outputs and its inputs") {
  const Tensor x = leaf({1, 2});
  const Tensor h = x.exp();
  const Tensor g = autograd::grad({(h * h).sum()}, {h})[0];
  reference::check_close(values(g), {2 * std::exp(1.0), 2 * std::exp(2.0)}, 1e-12);
  // h's own node did not run, so its saved tensors are still there for a backward through it.
  (h * 3).sum().backward();
  reference::check_close(values(x.grad()), {3 * std::exp(1.0), 3 * std::exp(2.0)}, 1e-12);
}

TEST_CASE("retain_grad keeps a non-leaf's gradient, accumulating, and follows in-place changes") {
  const Tensor x = leaf({1, 2});
  const Tensor h = x * 2;
  CHECK_FALSE(h.retains_grad());
  h.retain_grad();
  h.retain_grad();  // once is enough
  CHECK(h.retains_grad());
  x.retain_grad();  // leaves keep their gradient anyway
  CHECK_FALSE(x.retains_grad());
  const Tensor y = (h * h).sum();
  y.backward(Tensor(), true);
  CHECK(values(h.grad()) == std::vector<double>{4, 8});  // 2h
  CHECK(values(x.grad()) == std::vector<double>{8, 16});
  y.backward();
  CHECK(values(h.grad()) == std::vector<double>{8, 16});
  h.set_grad(Tensor());
  CHECK_FALSE(h.grad().defined());

  // After an in-place change the gradient kept is the new value's, and only that.
  const Tensor g = x * 2;
  g.retain_grad();
  g.mul_(3);
  g.sum().backward();
  CHECK(values(g.grad()) == std::vector<double>{1, 1});

  // A tensor gone before backward leaves its hook writing nowhere.
  Tensor loss;
  {
    const Tensor gone = x * 5;
    gone.retain_grad();
    loss = (gone * gone).sum();
  }
  loss.backward();
  CHECK_THROWS_WITH(tensor<double>({1}).retain_grad(), "[retain_grad] tensor: expected a tensor that requires grad");
}

TEST_CASE("anomaly detection names the node that made the first NaN gradient") {
  const Tensor x = leaf({0, 4});
  // sqrt's derivative at 0 is infinite, and 0 times it is NaN.
  const auto loss = [&] { return (sqrt(x) * tensor<double>({0, 1})).sum(); };
  loss().backward();
  CHECK(std::isnan(values(x.grad())[0]));
  {
    autograd::DetectAnomalyGuard detect;
    CHECK(autograd::anomaly_mode_enabled());
    CHECK_THROWS_WITH(loss().backward(),
                      "[backward] SqrtBackward: returned NaN in the gradient for its input 0; anomaly detection "
                      "stopped at the first node that made one");
    (x * 2).sum().backward();  // finite gradients pass
  }
  CHECK_FALSE(autograd::anomaly_mode_enabled());
}

TEST_CASE("backward with inputs accumulates into those tensors only, leaves or not") {
  const Tensor x = leaf({1, 2});
  const Tensor w = leaf({3, 4});
  w.register_hook([](const Tensor& g) { return g * 10; });
  (x * w).sum().backward(Tensor(), false, false, {w});
  CHECK(values(w.grad()) == std::vector<double>{10, 20});  // x, through w's hook
  CHECK_FALSE(x.grad().defined());

  // A non-leaf input gets its gradient; the graph below it did not run and is still whole.
  const Tensor h = x.exp();
  (h * h).sum().backward(Tensor(), false, false, {h});
  reference::check_close(values(h.grad()), {2 * std::exp(1.0), 2 * std::exp(2.0)}, 1e-12);
  CHECK_FALSE(x.grad().defined());
  (h * 3).sum().backward();
  reference::check_close(values(x.grad()), {3 * std::exp(1.0), 3 * std::exp(2.0)}, 1e-12);

  // Several roots at once, each with its own seed.
  const Tensor a = leaf({2});
  autograd::backward({a * 3, a * a}, {doubles({1}), doubles({0.5})}, false, false, {a});
  CHECK(values(a.grad()) == std::vector<double>{3 + 2});
  CHECK_THROWS_WITH((a * 2).sum().backward(Tensor(), false, false, {doubles({1})}),
                    "[backward] inputs[0]: does not require grad");
}
