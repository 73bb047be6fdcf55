// autograd::Function: user-written forwards and backwards recorded as one node.
#include <doctest/doctest.h>

#include "../backends/reference.h"
#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"

using namespace ember;
using autograd::AutogradContext;
using autograd::TensorVector;
using reference::leaf;
using reference::values;

namespace {

struct MulConstant : autograd::Function<MulConstant> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x, double c) {
    ctx->saved_data["c"] = c;
    return x * c;
  }
  static TensorVector backward(AutogradContext* ctx, TensorVector grads) {
    return {grads[0] * std::any_cast<double>(ctx->saved_data["c"]), Tensor()};
  }
};

// y = x w^T + b, the example of PyTorch's extending guide; b may be undefined.
struct LinearFunction : autograd::Function<LinearFunction> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& w, const Tensor& b) {
    ctx->save_for_backward({x, w});
    ctx->saved_data["needs"] = std::vector<bool>{ctx->needs_input_grad(0), ctx->needs_input_grad(1),
                                                 ctx->needs_input_grad(2)};
    Tensor y = matmul(x, w.t());
    return b.defined() ? y + b : y;
  }
  static TensorVector backward(AutogradContext* ctx, TensorVector grads) {
    const TensorVector saved = ctx->get_saved_variables();
    const Tensor& g = grads[0];
    return {ctx->needs_input_grad(0) ? matmul(g, saved[1]) : Tensor(),
            ctx->needs_input_grad(1) ? matmul(g.t(), saved[0]) : Tensor(),
            ctx->needs_input_grad(2) ? g.sum({0}) : Tensor()};
  }
};

// Saves its own output: exp's derivative is exp.
struct Exp : autograd::Function<Exp> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x) {
    Tensor y = x.exp();
    ctx->save_for_backward({y});
    return y;
  }
  static TensorVector backward(AutogradContext* ctx, TensorVector grads) {
    return {grads[0] * ctx->get_saved_variables()[0]};
  }
};

// A backward written with differentiable operators, so it can be differentiated again.
struct Cube : autograd::Function<Cube> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x) {
    ctx->save_for_backward({x});
    return x * x * x;
  }
  static TensorVector backward(AutogradContext* ctx, TensorVector grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    return {grads[0] * 3 * x * x};
  }
};

struct ScaledSumOfAll : autograd::Function<ScaledSumOfAll> {
  static Tensor forward(AutogradContext* ctx, const TensorVector& parts, double scale) {
    ctx->save_for_backward(parts);
    ctx->saved_data["scale"] = scale;
    Tensor total = parts[0].sum();
    for (size_t i = 1; i < parts.size(); ++i) total = total + parts[i].sum();
    return total * scale;
  }
  static TensorVector backward(AutogradContext* ctx, TensorVector grads) {
    TensorVector out;
    const double scale = std::any_cast<double>(ctx->saved_data["scale"]);
    for (const Tensor& part : ctx->get_saved_variables()) out.push_back(ones_like(part) * grads[0] * scale);
    out.emplace_back();  // scale's
    return out;
  }
};

// Two outputs, the second an integer-valued float mask without a gradient.
struct PositivePart : autograd::Function<PositivePart> {
  static TensorVector forward(AutogradContext* ctx, const Tensor& x) {
    Tensor mask = (x > 0).to(x.dtype());
    ctx->mark_non_differentiable({mask});
    ctx->save_for_backward({mask});
    return {x * mask, mask};
  }
  static TensorVector backward(AutogradContext* ctx, TensorVector grads) {
    CHECK(grads[1].defined());  // materialized as zeros
    CHECK(values(grads[1]) == std::vector<double>(grads[1].numel(), 0.0));
    return {grads[0] * ctx->get_saved_variables()[0]};
  }
};

struct TwoOutputsUnmaterialized : autograd::Function<TwoOutputsUnmaterialized> {
  static TensorVector forward(AutogradContext* ctx, const Tensor& x) {
    ctx->set_materialize_grads(false);
    return {x * 2, x * 3};
  }
  static TensorVector backward(AutogradContext*, TensorVector grads) {
    CHECK_FALSE(grads[1].defined());
    return {grads[0] * 2};
  }
};

struct AddOneInPlace : autograd::Function<AddOneInPlace> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    x.add_(1);
    ctx->mark_dirty({x});
    return x;
  }
  static TensorVector backward(AutogradContext*, TensorVector grads) { return {grads[0]}; }
};

struct Identity : autograd::Function<Identity> {
  static Tensor forward(AutogradContext*, const Tensor& x) { return x; }
  static TensorVector backward(AutogradContext*, TensorVector grads) { return {grads[0] * 10}; }
};

template <int kCount>
struct WrongCount : autograd::Function<WrongCount<kCount>> {
  static Tensor forward(AutogradContext*, const Tensor& x, const Tensor& y) { return x * y; }
  static TensorVector backward(AutogradContext*, TensorVector grads) { return TensorVector(kCount, grads[0]); }
};

struct GradientForScalar : autograd::Function<GradientForScalar> {
  static Tensor forward(AutogradContext*, const Tensor& x, double) { return x * 2; }
  static TensorVector backward(AutogradContext*, TensorVector grads) { return {grads[0], grads[0]}; }
};

// Returns a gradient of shape `shape` whatever the input's.
struct ShapedGradient : autograd::Function<ShapedGradient> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x, std::vector<int64_t> shape) {
    ctx->saved_data["shape"] = shape;
    return x.clone();
  }
  static TensorVector backward(AutogradContext* ctx, TensorVector) {
    const auto shape = std::any_cast<std::vector<int64_t>>(ctx->saved_data["shape"]);
    return {ones(shape, DType::Float64), Tensor()};
  }
};

struct DirtyNonInput : autograd::Function<DirtyNonInput> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x) {
    Tensor y = x * 2;
    ctx->mark_dirty({y});
    return y;
  }
  static TensorVector backward(AutogradContext*, TensorVector grads) { return grads; }
};

}  // namespace

TEST_CASE("a Function's forward runs unrecorded and its backward gives the gradient") {
  const Tensor x = leaf({1, -2, 3});
  const Tensor y = MulConstant::apply(x, 5.0);
  CHECK(values(y) == std::vector<double>{5, -10, 15});
  REQUIRE(y.grad_fn());
  CHECK(y.grad_fn()->name() == "MulConstantBackward");
  CHECK(y.grad_fn()->next_edges().size() == 2);  // x, then the double
  y.sum().backward();
  CHECK(values(x.grad()) == std::vector<double>{5, 5, 5});

  autograd::gradcheck([](const TensorVector& in) { return MulConstant::apply(in[0], -1.5); }, {leaf({0.5, 2})});
}

TEST_CASE("without grad mode or a tensor that requires grad, nothing is recorded") {
  const Tensor plain = MulConstant::apply(tensor<double>({1, 2}), 2.0);
  CHECK_FALSE(plain.requires_grad());
  CHECK(plain.grad_fn() == nullptr);
  autograd::NoGradGuard no_grad;
  const Tensor unrecorded = MulConstant::apply(leaf({1, 2}), 2.0);
  CHECK_FALSE(unrecorded.requires_grad());
}

TEST_CASE("needs_input_grad follows which arguments require grad, in forward and in backward") {
  const Tensor x = tensor<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor w = leaf({1, 0, -1, 2, 1, 0}, {2, 3});
  const Tensor y = LinearFunction::apply(x, w, Tensor());
  const auto needs = std::any_cast<std::vector<bool>>(
      std::static_pointer_cast<autograd::FunctionNode>(y.grad_fn())->context()->saved_data["needs"]);
  CHECK(needs == std::vector<bool>{false, true, false});
  y.sum().backward();
  // d sum(x w^T) / dw = ones(2, 2)^T x: each row of w gets the column sums of x.
  CHECK(values(w.grad()) == std::vector<double>{5, 7, 9, 5, 7, 9});

  const Tensor b = leaf({0.5, -0.5});
  autograd::gradcheck([](const TensorVector& in) { return LinearFunction::apply(in[0], in[1], in[2]); },
                      {leaf({1, 2, 3, 4, 5, 6}, {2, 3}), leaf({0.1, 0.2, 0.3, -1, 0, 1}, {2, 3}), b});
}

TEST_CASE("a saved output comes back with its history, and the graph frees itself") {
  std::weak_ptr<autograd::Node> node;
  {
    const Tensor x = leaf({0, 1});
    const Tensor y = Exp::apply(x);
    node = y.grad_fn();
    y.sum().backward(Tensor(), true);
    CHECK(values(x.grad())[0] == doctest::Approx(1.0));
    CHECK(values(x.grad())[1] == doctest::Approx(std::exp(1.0)));
    autograd::gradcheck([](const TensorVector& in) { return Exp::apply(in[0]); }, {leaf({-0.5, 0.3})});
  }
  CHECK(node.expired());  // an output saved by its own node is no reference cycle
}

TEST_CASE("a backward of differentiable operators differentiates again") {
  const Tensor x = leaf({2, -1});
  const Tensor y = Cube::apply(x).sum();
  const Tensor dx = autograd::grad({y}, {x}, {}, false, true)[0];
  CHECK(values(dx) == std::vector<double>{12, 3});
  const Tensor ddx = autograd::grad({dx.sum()}, {x})[0];
  CHECK(values(ddx) == std::vector<double>{12, -6});
  autograd::gradgradcheck([](const TensorVector& in) { return Cube::apply(in[0]); }, {leaf({0.7, -1.3})});
}

TEST_CASE("saved tensors are freed by backward and checked against in-place changes") {
  const Tensor x = leaf({1, 2});
  const Tensor y = Cube::apply(x).sum();
  y.backward();
  CHECK_THROWS_WITH(y.backward(), doctest::Contains("[backward] CubeBackward: its saved tensors were freed"));

  const Tensor h = leaf({1, 2}) * 1;
  const Tensor z = Cube::apply(h).sum();
  {
    autograd::NoGradGuard no_grad;
    h.mul_(2);
  }
  CHECK_THROWS_WITH(z.backward(), doctest::Contains("[backward] CubeBackward: a tensor it saved was modified in place"));
}

TEST_CASE("a tensor list argument takes one gradient per element") {
  const Tensor a = leaf({1, 2, 3});
  const Tensor b = leaf({4});
  const Tensor total = ScaledSumOfAll::apply(TensorVector{a, b}, 0.5);
  CHECK(values(total) == std::vector<double>{5});
  total.backward();
  CHECK(values(a.grad()) == std::vector<double>{0.5, 0.5, 0.5});
  CHECK(values(b.grad()) == std::vector<double>{0.5});
  autograd::gradcheck([](const TensorVector& in) { return ScaledSumOfAll::apply(in, 3.0); },
                      {leaf({1, 2}), leaf({3, 4, 5})});
}

TEST_CASE("non-differentiable outputs do not require grad and get zeros, or nothing when not materialized") {
  const Tensor x = leaf({-1, 2, 3});
  const TensorVector out = PositivePart::apply(x);
  CHECK(out[0].requires_grad());
  CHECK_FALSE(out[1].requires_grad());
  (out[0] * tensor<double>({1, 2, 3})).sum().backward();
  CHECK(values(x.grad()) == std::vector<double>{0, 2, 3});

  const Tensor u = leaf({1, 1});
  const TensorVector pair = TwoOutputsUnmaterialized::apply(u);
  pair[0].sum().backward();
  CHECK(values(u.grad()) == std::vector<double>{2, 2});
}

TEST_CASE("an input modified in place and marked dirty takes the node as its history") {
  const Tensor x = leaf({1, 2});
  Tensor h = x * 3;
  const Tensor squared = h * h;  // saves h before the change
  const Tensor out = AddOneInPlace::apply(h);
  CHECK(out.is_same(h));
  CHECK(values(h) == std::vector<double>{4, 7});
  CHECK(h.grad_fn()->name() == "AddOneInPlaceBackward");
  (h * tensor<double>({1, 10})).sum().backward(Tensor(), true);
  CHECK(values(x.grad()) == std::vector<double>{3, 30});
  CHECK_THROWS_WITH(squared.sum().backward(),
                    doctest::Contains("[backward] MulTensorBackward: a tensor it saved was modified in place"));

  CHECK_THROWS_WITH(AddOneInPlace::apply(leaf({1})),
                    doctest::Contains("[AddOneInPlaceBackward] self: a leaf tensor that requires grad cannot be "
                                      "modified in place"));
  CHECK_THROWS_WITH(DirtyNonInput::apply(leaf({1})),
                    "[DirtyNonInputBackward] mark_dirty: got a tensor that is not an argument of forward; only "
                    "inputs modified in place can be marked dirty");
}

TEST_CASE("a view modified in place passes the change to the tensor it views") {
  const Tensor x = leaf({1, 2, 3, 4});
  const Tensor base = x * 1;
  AddOneInPlace::apply(base.narrow(0, 1, 2));
  CHECK(values(base) == std::vector<double>{1, 3, 4, 4});
  (base * tensor<double>({1, 2, 3, 4})).sum().backward();
  CHECK(values(x.grad()) == std::vector<double>{1, 2, 3, 4});
}

TEST_CASE("an input returned unchanged comes back as a view with the node's history") {
  const Tensor x = leaf({1, 2});
  const Tensor y = Identity::apply(x);
  CHECK_FALSE(y.is_same(x));
  CHECK(x.is_leaf());
  CHECK(y.grad_fn()->name() == "IdentityBackward");
  y.sum().backward();
  CHECK(values(x.grad()) == std::vector<double>{10, 10});
  CHECK_THROWS_WITH(y.add_(1), doctest::Contains("a view of a leaf tensor that requires grad cannot be modified"));
}

TEST_CASE("backward's gradients are checked: count, positions, shape, dtype") {
  const Tensor x = leaf({1, 2});
  const Tensor y = leaf({3, 4});
  CHECK_THROWS_WITH(WrongCount<1>::apply(x, y).sum().backward(),
                    "[WrongCount<1>Backward] backward: returned 1 gradients, expected 2: one per argument of "
                    "forward, an undefined Tensor for an argument that is not a tensor");
  CHECK_THROWS_WITH(WrongCount<3>::apply(x, y).sum().backward(),
                    doctest::Contains("returned 3 gradients, expected 2"));
  CHECK_THROWS_WITH(GradientForScalar::apply(x, 1.0).sum().backward(),
                    "[GradientForScalarBackward] backward: gradient 1 is defined, but forward's argument 1 is not "
                    "a tensor; return an undefined Tensor there");
  CHECK_THROWS_WITH(ShapedGradient::apply(leaf({1, 2, 3, 4, 5, 6}, {2, 3}), std::vector<int64_t>{4})
                        .sum()
                        .backward(),
                    "[ShapedGradientBackward] backward: gradient 0 has shape [4], expected its input's shape [2, 3] "
                    "(or one that shape broadcasts to, summed back)");

  const Tensor wide = leaf({1, 2, 3}, {1, 3});
  ShapedGradient::apply(wide, std::vector<int64_t>{5, 2, 3}).sum().backward();
  CHECK(wide.grad().sizes().equals({1, 3}));
  CHECK(values(wide.grad()) == std::vector<double>{10, 10, 10});

  Tensor single = tensor({1.f, 2.f});
  single.requires_grad_();
  ShapedGradient::apply(single, std::vector<int64_t>{2}).sum().backward();  // a float64 gradient
  CHECK(single.grad().dtype() == DType::Float32);
  CHECK(to_vector<float>(single.grad()) == std::vector<float>{1, 1});
}
