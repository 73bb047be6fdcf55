// weight_norm and spectral_norm: the parameters and buffers they put in the weight's place, the
// weight they compute (against norms and singular values worked out here), gradients by finite
// differences, state_dict round trips, removal, and the errors on misuse.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/optim/sgd.h"

using namespace ember;

namespace {

std::vector<double> values(const Tensor& t) { return to_vector<double>(t.to(DType::Float64)); }

std::vector<std::string> names(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [name, t] : named) out.push_back(name);
  return out;
}

void check_close(const std::vector<double>& got, const std::vector<double>& want, double tolerance = 1e-12) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(want[i]).epsilon(tolerance));
  }
}

// The gradient of loss() with respect to `parameter` by central differences, each element nudged
// in place.
std::vector<double> numeric_gradient(const Tensor& parameter, const std::function<double()>& loss) {
  autograd::NoGradGuard no_grad;
  const double step = 1e-6;
  std::vector<double> gradient;
  double* data = parameter.data_ptr<double>();
  for (int64_t i = 0; i < parameter.numel(); ++i) {
    const double kept = data[i];
    data[i] = kept + step;
    const double above = loss();
    data[i] = kept - step;
    const double below = loss();
    data[i] = kept;
    gradient.push_back((above - below) / (2 * step));
  }
  return gradient;
}

// A [2, 3] float64 Linear layer with a weight whose row norms are 3 and 13.
std::shared_ptr<nn::Linear> small_linear() {
  auto layer = std::make_shared<nn::Linear>(3, 2);
  layer->to(DType::Float64);
  autograd::NoGradGuard no_grad;
  layer->weight.copy_(tensor<double>({1, 2, 2, 3, 4, 12}, {2, 3}));
  layer->bias.copy_(tensor<double>({0.5, -1}, {2}));
  return layer;
}

}  // namespace

TEST_CASE("weight_norm splits the weight into norms g and direction v and recomputes it every forward") {
  auto layer = small_linear();
  const Tensor x = tensor<double>({1, -1, 2, 0.5, 0, 1}, {2, 3});
  const std::vector<double> before = values((*layer)(x));
  nn::utils::weight_norm(*layer);
  CHECK(names(layer->named_parameters()) == std::vector<std::string>{"bias", "weight_g", "weight_v"});
  CHECK(names(layer->state_dict()) == std::vector<std::string>{"bias", "weight_g", "weight_v"});
  const Tensor g = layer->named_parameters()[1].second, v = layer->named_parameters()[2].second;
  CHECK(g.sizes().equals({2, 1}));
  check_close(values(g), {3, 13});
  check_close(values(v), {1, 2, 2, 3, 4, 12});
  check_close(values((*layer)(x)), before);
  // Doubling g doubles every row of the weight the next forward computes.
  {
    autograd::NoGradGuard no_grad;
    g.mul_(2);
  }
  (*layer)(x);
  check_close(values(layer->weight), {2, 4, 4, 6, 8, 24});

  // Gradients reach g and v through weight = g v / ||v||, as finite differences say.
  const auto loss = [&] { return (*layer)(x).pow(2).sum(); };
  const std::vector<Tensor> grads = autograd::grad({loss()}, {g, v});
  check_close(values(grads[0]), numeric_gradient(g, [&] { return loss().item<double>(); }), 1e-6);
  check_close(values(grads[1]), numeric_gradient(v, [&] { return loss().item<double>(); }), 1e-6);

  // An optimizer steps g and v; the weight follows.
  optim::SGD sgd(layer->parameters(), {.lr = 0.01});
  layer->zero_grad();
  loss().backward();
  sgd.step();
  (*layer)(x);
  const Tensor norms = linalg_vector_norm(v, 2, IntArrayRef{1}, true, std::nullopt);
  check_close(values(layer->weight), values(v * g / norms));
}

TEST_CASE("weight_norm over all dimensions or another one; removal restores a plain parameter") {
  auto whole = small_linear();
  nn::utils::weight_norm(*whole, "weight", std::nullopt);
  const Tensor g = whole->named_parameters()[1].second;
  CHECK(g.dim() == 0);
  CHECK(g.item<double>() == doctest::Approx(std::sqrt(9.0 + 169.0)));

  // dim -1 is the last dimension: the norms of the columns [1, 3], [2, 4] and [2, 12].
  auto columns = small_linear();
  nn::utils::weight_norm(*columns, "weight", -1);
  const Tensor column_norms = columns->named_parameters()[1].second;
  CHECK(column_norms.sizes().equals({1, 3}));
  check_close(values(column_norms), {std::sqrt(10.0), std::sqrt(20.0), std::sqrt(148.0)});

  {
    autograd::NoGradGuard no_grad;
    column_norms.fill_(1);
  }
  nn::utils::remove_weight_norm(*columns);
  CHECK(names(columns->named_parameters()) == std::vector<std::string>{"bias", "weight"});
  CHECK(columns->weight.requires_grad());
  CHECK(columns->weight.is_leaf());
  check_close(values(columns->weight.pow(2).sum(0)), {1, 1, 1});
  // The layer runs on without the hook, and can be normalised again.
  const Tensor x = ones({1, 3}, DType::Float64);
  check_close(values((*columns)(x)), values(columns->weight.sum(1) + columns->bias));
  nn::utils::weight_norm(*columns);
  CHECK(names(columns->named_parameters()) == std::vector<std::string>{"bias", "weight_g", "weight_v"});
}

TEST_CASE("weight_norm follows the module to another dtype and loads its own state_dict") {
  auto layer = small_linear();
  nn::utils::weight_norm(*layer);
  layer->to(DType::Float32);
  const Tensor x = ones({1, 3});
  CHECK((*layer)(x).dtype() == DType::Float32);
  check_close(values((*layer)(x)), {5.5, 18}, 1e-6);
  auto other = std::make_shared<nn::Linear>(3, 2);
  nn::utils::weight_norm(*other);
  other->load_state_dict(layer->state_dict());
  check_close(values((*other)(x)), {5.5, 18}, 1e-6);
}

TEST_CASE("weight_norm and spectral_norm refuse what they cannot re-parametrise") {
  auto layer = small_linear();
  CHECK_THROWS_WITH(nn::utils::weight_norm(*layer, "kernel"), "[weight_norm] name: Linear has no parameter \"kernel\"");
  CHECK_THROWS_WITH(nn::utils::weight_norm(*layer, "weight", 2), "[weight_norm] dim: expected a value in [-2, 1], got 2");
  CHECK_THROWS_WITH(nn::utils::remove_weight_norm(*layer),
                    "[remove_weight_norm] name: weight_norm of \"weight\" not found in Linear");
  CHECK_THROWS_WITH(nn::utils::spectral_norm(*layer, "weight", 0),
                    "[spectral_norm] n_power_iterations: expected 1 or more, got 0");
  // Nothing changed by the refusals.
  CHECK(names(layer->named_parameters()) == std::vector<std::string>{"weight", "bias"});
  nn::utils::weight_norm(*layer);
  CHECK_THROWS_WITH(nn::utils::weight_norm(*layer), "[weight_norm] name: \"weight\" of Linear is already re-parametrised");
  CHECK_THROWS_WITH(nn::utils::spectral_norm(*layer), "[spectral_norm] name: \"weight\" of Linear is already re-parametrised");
  CHECK_THROWS_WITH(nn::utils::remove_spectral_norm(*layer),
                    "[remove_spectral_norm] name: spectral_norm of \"weight\" not found in Linear");
}

TEST_CASE("spectral_norm divides the weight by its largest singular value, estimated by power iteration") {
  auto layer = std::make_shared<nn::Linear>(5, 4);
  layer->to(DType::Float64);
  {
    // Singular values 3, 1, 0.5 and 0.2 (a diagonal in rotated rows): sigma is 3.
    autograd::NoGradGuard no_grad;
    const Tensor diagonal = tensor<double>({3, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0.2, 0}, {4, 5});
    const double c = std::cos(0.3), s = std::sin(0.3);
    const Tensor rotation = tensor<double>({c, -s, 0, 0, s, c, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, {4, 4});
    layer->weight.copy_(matmul(rotation, diagonal));
  }
  const Tensor original = layer->weight;
  nn::utils::spectral_norm(*layer);
  CHECK(names(layer->named_parameters()) == std::vector<std::string>{"bias", "weight_orig"});
  CHECK(names(layer->named_buffers()) == std::vector<std::string>{"weight_u", "weight_v"});
  CHECK(layer->named_parameters()[1].second.is_same(original));  // an optimizer given it keeps it
  // Fifteen iterations at the start already converge at this gap of 3 between sigma_1 and sigma_2.
  check_close(values(layer->weight), values(original / 3), 1e-10);
  check_close(values(linalg_svdvals(layer->weight)), {1, 1.0 / 3, 0.5 / 3, 0.2 / 3}, 1e-10);

  // Training forwards iterate (new vectors); evaluation ones reuse them.
  const Tensor x = tensor<double>({1, -2, 0.5, 3, 1}, {1, 5});
  const Tensor u = layer->named_buffers()[0].second;
  (*layer)(x);
  CHECK_FALSE(layer->named_buffers()[0].second.is_same(u));
  layer->eval();
  const Tensor kept = layer->named_buffers()[0].second;
  (*layer)(x);
  CHECK(layer->named_buffers()[0].second.is_same(kept));

  // With the vectors fixed (evaluation), the gradient is that of W / (u^T W v), as finite
  // differences say.
  const Tensor weight_orig = layer->named_parameters()[1].second;
  const auto loss = [&] { return (*layer)(x).pow(2).sum(); };
  check_close(values(autograd::grad({loss()}, {weight_orig})[0]),
              numeric_gradient(weight_orig, [&] { return loss().item<double>(); }), 1e-6);

  // A spectral-normed layer loads another's state and computes what it does.
  auto copy = std::make_shared<nn::Linear>(5, 4);
  copy->to(DType::Float64);
  nn::utils::spectral_norm(*copy);
  copy->load_state_dict(layer->state_dict());
  copy->eval();
  check_close(values((*copy)(x)), values((*layer)(x)));

  nn::utils::remove_spectral_norm(*layer);
  CHECK(names(layer->named_parameters()) == std::vector<std::string>{"bias", "weight"});
  CHECK(layer->named_buffers().empty());
  check_close(values(layer->weight), values(original / 3), 1e-10);
}

TEST_CASE("spectral_norm takes a transposed convolution's output channels, dimension 1, as the rows") {
  manual_seed(0);
  nn::ConvTranspose2d up(2, 3, {2, 2});
  nn::utils::spectral_norm(up);
  CHECK(up.named_buffers()[0].second.sizes().equals({3}));          // u: one per output channel
  CHECK(up.named_buffers()[1].second.sizes().equals({2 * 2 * 2}));  // v: input channels x kernel
  // A random weight: after some training forwards, the computed weight's largest singular value
  // is 1.
  for (int i = 0; i < 30; ++i) up(zeros({1, 2, 4, 4}));
  const Tensor rows = up.weight.detach().movedim(IntArrayRef{1}, IntArrayRef{0}).reshape({3, -1});
  CHECK(linalg_svdvals(rows)[0].item<double>() == doctest::Approx(1).epsilon(1e-4));
}
