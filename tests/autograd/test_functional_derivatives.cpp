// autograd::functional: Jacobians, Hessians and their products, against closed forms.
#include <doctest/doctest.h>

#include "../backends/reference.h"
#include "ember/ember.h"

using namespace ember;
using autograd::TensorVector;
using reference::doubles;
using reference::leaf;
using reference::values;
namespace functional = autograd::functional;

namespace {

// f(x) = A x, whose Jacobian is A.
const Tensor kA = doubles({1, 2, 3, -1, 0.5, 4}, {2, 3});
Tensor linear_map(const TensorVector& in) { return matmul(kA, in[0]); }

// f(x, y) = sum(x^2 y): gradient (2 x y, x^2); Hessian blocks [[diag(2y), diag(2x)], [diag(2x), 0]].
Tensor weighted_squares(const TensorVector& in) { return (in[0] * in[0] * in[1]).sum(); }

}  // namespace

TEST_CASE("jacobian: a linear map's is its matrix, an elementwise function's is diagonal") {
  const TensorVector j = functional::jacobian(linear_map, {doubles({1, 2, 3})});
  REQUIRE(j.size() == 1);
  CHECK(j[0].sizes().equals({2, 3}));
  CHECK(values(j[0]) == values(kA));
  CHECK_FALSE(j[0].requires_grad());

  const Tensor x = doubles({0.5, -1}, {2, 1});
  const Tensor sine = functional::jacobian([](const TensorVector& in) { return sin(in[0]); }, {x})[0];
  CHECK(sine.sizes().equals({2, 1, 2, 1}));
  reference::check_close(values(sine), {std::cos(0.5), 0, 0, std::cos(-1.0)}, 1e-12);

  // An input the output does not read gets zeros.
  const TensorVector two = functional::jacobian([](const TensorVector& in) { return in[0] * 2; },
                                                {doubles({1, 2}), doubles({3})});
  CHECK(values(two[0]) == std::vector<double>{2, 0, 0, 2});
  CHECK(two[1].sizes().equals({2, 1}));
  CHECK(values(two[1]) == std::vector<double>{0, 0});
}

TEST_CASE("hessian: second derivatives across inputs") {
  const Tensor x = doubles({1, 2}), y = doubles({3, -1});
  const std::vector<TensorVector> h = functional::hessian(weighted_squares, {x, y});
  REQUIRE(h.size() == 2);
  CHECK(values(h[0][0]) == std::vector<double>{6, 0, 0, -2});  // diag(2y)
  CHECK(values(h[0][1]) == std::vector<double>{2, 0, 0, 4});   // diag(2x)
  CHECK(values(h[1][0]) == std::vector<double>{2, 0, 0, 4});
  CHECK(values(h[1][1]) == std::vector<double>{0, 0, 0, 0});
  // x^T M x has Hessian M + M^T.
  const Tensor m = doubles({1, 2, 0, 3}, {2, 2});
  const Tensor quadratic =
      functional::hessian([&](const TensorVector& in) { return matmul(in[0], matmul(m, in[0])); }, {x})[0][0];
  CHECK(values(quadratic) == std::vector<double>{2, 2, 2, 6});
  CHECK_THROWS_WITH(functional::hessian(linear_map, {doubles({1, 2, 3})}),
                    "[hessian] f: expected a one-element output, got shape [2]");
}

TEST_CASE("vjp and jvp agree with the Jacobian") {
  const Tensor x = doubles({1, 2, 3});
  const auto [out, vj] = functional::vjp(linear_map, {x}, doubles({1, -1}));
  CHECK(values(out) == std::vector<double>{14, 12});
  CHECK(values(vj[0]) == std::vector<double>{2, 1.5, -1});  // rows of A: first minus second
  const auto [out2, jv] = functional::jvp(linear_map, {x}, {doubles({0, 1, 0})});
  CHECK(values(out2) == values(out));
  CHECK(values(jv) == std::vector<double>{2, 0.5});  // A's second column

  const auto [product, directional] = functional::jvp(weighted_squares, {x.narrow(0, 0, 2), doubles({3, -1})},
                                                      {doubles({1, 0}), doubles({0, 1})});
  CHECK(values(product) == std::vector<double>{-1});
  CHECK(values(directional) == std::vector<double>{6 + 4});  // 2 x0 y0 + x1^2

  CHECK_THROWS_WITH(functional::vjp(linear_map, {x}), "[vjp] f: expected a one-element output, got shape [2]");
  CHECK_THROWS_WITH(functional::vjp(linear_map, {x}, doubles({1})), "[vjp] v: expected shape [2] like f's output, got [1]");
  CHECK_THROWS_WITH(functional::jvp(linear_map, {x}),
                    "[jvp] v: required unless every input has one element; inputs[0] has shape [3]");
  CHECK_THROWS_WITH(functional::jvp(linear_map, {x}, {doubles({1})}),
                    "[jvp] v[0]: expected shape [3] like inputs[0], got [1]");
  CHECK_THROWS_WITH(functional::jvp(linear_map, {x}, {x, x}), "[jvp] v: expected 1 tensors, one per input, got 2");
  CHECK_THROWS_WITH(functional::jacobian(linear_map, {tensor<int64_t>({1, 2, 3})}),
                    "[jacobian] inputs[0]: expected a defined floating tensor");
}

TEST_CASE("hvp is the Hessian times the vector") {
  const Tensor x = doubles({1, 2}), y = doubles({3, -1});
  const auto [value, hv] = functional::hvp(weighted_squares, {x, y}, {doubles({1, 1}), doubles({0, 1})});
  CHECK(values(value) == std::vector<double>{3 - 4});
  CHECK(values(hv[0]) == std::vector<double>{6, -2 + 4});  // diag(2y) [1, 1] + diag(2x) [0, 1]
  CHECK(values(hv[1]) == std::vector<double>{2, 4});       // diag(2x) [1, 1]
}

TEST_CASE("with create_graph the results differentiate with respect to the inputs") {
  // d/dx of the Jacobian of sin: -sin on the diagonal.
  const Tensor x = leaf({0.5, 1});
  const Tensor j = functional::jacobian([](const TensorVector& in) { return sin(in[0]); }, {x}, true)[0];
  CHECK(j.requires_grad());
  j.sum().backward();
  reference::check_close(values(x.grad()), {-std::sin(0.5), -std::sin(1.0)}, 1e-12);

  // The Hessian of sum(x^3) is diag(6x); its trace's gradient is 6 per element.
  const Tensor z = leaf({1, -2});
  const Tensor h = functional::hessian([](const TensorVector& in) { return in[0].pow(3).sum(); }, {z}, true)[0][0];
  reference::check_close(values(h), {6, 0, 0, -12}, 1e-12);
  h.diagonal().sum().backward();
  CHECK(values(z.grad()) == std::vector<double>{6, 6});

  // Without create_graph the inputs' grad() is left alone and nothing requires grad.
  const Tensor w = leaf({1, 2});
  const auto [value, hv] = functional::hvp([](const TensorVector& in) { return in[0].pow(3).sum(); }, {w}, {w});
  CHECK_FALSE(value.requires_grad());
  CHECK_FALSE(hv[0].requires_grad());
  CHECK(values(hv[0]) == std::vector<double>{6, 24});
  CHECK_FALSE(w.grad().defined());
}
