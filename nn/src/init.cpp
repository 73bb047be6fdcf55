#include "ember/nn/init.h"

#include <algorithm>
#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"

namespace ember::nn::init {
namespace {

int64_t receptive_field(const Tensor& w) {
  EMBER_CHECK(w.dim() >= 2, "[init] tensor: expected at least 2 dimensions to have fans, got {}", shape_str(w.sizes()));
  int64_t field = 1;
  for (int64_t d = 2; d < w.dim(); ++d) field *= w.size(d);
  return field;
}

double leaky_relu_gain(double a) { return std::sqrt(2.0 / (1.0 + a * a)); }

}  // namespace

// The receptive field first: it checks the dimensions that size() then reads.
int64_t fan_in(const Tensor& weight) {
  const int64_t field = receptive_field(weight);
  return weight.size(1) * field;
}
int64_t fan_out(const Tensor& weight) {
  const int64_t field = receptive_field(weight);
  return weight.size(0) * field;
}

void uniform_(const Tensor& t, double low, double high) {
  autograd::NoGradGuard no_grad;
  ember::uniform_(t, low, high);
}

void normal_(const Tensor& t, double mean, double std) {
  autograd::NoGradGuard no_grad;
  ember::normal_(t, mean, std);
}

void constant_(const Tensor& t, double value) {
  autograd::NoGradGuard no_grad;
  fill_(t, value);
}
void zeros_(const Tensor& t) { constant_(t, 0); }
void ones_(const Tensor& t) { constant_(t, 1); }

void xavier_uniform_(const Tensor& t, double gain) {
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in(t) + fan_out(t)));
  init::uniform_(t, -bound, bound);
}

void xavier_normal_(const Tensor& t, double gain) {
  init::normal_(t, 0, gain * std::sqrt(2.0 / static_cast<double>(fan_in(t) + fan_out(t))));
}

void kaiming_uniform_(const Tensor& t, double a) {
  const double bound = leaky_relu_gain(a) * std::sqrt(3.0 / static_cast<double>(fan_in(t)));
  init::uniform_(t, -bound, bound);
}

void kaiming_normal_(const Tensor& t, double a) {
  init::normal_(t, 0, leaky_relu_gain(a) / std::sqrt(static_cast<double>(fan_in(t))));
}

void trunc_normal_(const Tensor& t, double mean, double std, double a, double b) {
  EMBER_CHECK(std::isfinite(mean) && std::isfinite(std) && std > 0, "[trunc_normal_] std: expected a finite mean and a "
              "positive finite std, got {} and {}", mean, std);
  EMBER_CHECK(a < b, "[trunc_normal_] b: expected a bound above a = {}, got {}", a, b);
  const auto cdf = [](double x) { return (1 + std::erf(x / std::sqrt(2.0))) / 2; };
  const double low = cdf((a - mean) / std), high = cdf((b - mean) / std);
  autograd::NoGradGuard no_grad;
  ember::uniform_(t, 2 * low - 1, 2 * high - 1);
  t.erfinv_().mul_(std * std::sqrt(2.0)).add_(mean).clamp_(a, b);
}

void eye_(const Tensor& t) {
  EMBER_CHECK(t.dim() == 2, "[eye_] tensor: expected a 2-D tensor, got {}", shape_str(t.sizes()));
  autograd::NoGradGuard no_grad;
  t.copy_(eye(t.size(0), t.size(1), t.dtype(), t.device()));
}

void dirac_(const Tensor& t) {
  EMBER_CHECK(t.dim() >= 3 && t.dim() <= 5, "[dirac_] tensor: expected a 3-D to 5-D convolution weight, got {}",
              shape_str(t.sizes()));
  autograd::NoGradGuard no_grad;
  t.fill_(0);
  for (int64_t c = 0; c < std::min(t.size(0), t.size(1)); ++c) {
    Tensor centre = t[c][c];
    while (centre.dim() > 0) centre = centre[centre.size(0) / 2];
    centre.fill_(1);
  }
}

void orthogonal_(const Tensor& t, double gain) {
  EMBER_CHECK(t.dim() >= 2, "[orthogonal_] tensor: expected 2 or more dimensions, got {}", shape_str(t.sizes()));
  if (t.numel() == 0) return;
  autograd::NoGradGuard no_grad;
  const int64_t rows = t.size(0), columns = t.numel() / rows;
  // Factored in float64 on the CPU, where the QR runs for every device.
  const auto [q, r] = linalg_qr(randn({std::max(rows, columns), std::min(rows, columns)}, DType::Float64));
  const Tensor uniform = q * sign(r.diagonal());  // without it, Q's signs follow the factorisation, not chance
  const Tensor oriented = rows < columns ? uniform.t() : uniform;
  t.copy_((oriented * gain).reshape(t.sizes()).to(t.dtype()).to(t.device()));
}

double calculate_gain(std::string_view nonlinearity, std::optional<double> param) {
  for (std::string_view unit : {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                                "conv_transpose3d", "sigmoid"}) {
    if (nonlinearity == unit) return 1;
  }
  if (nonlinearity == "tanh") return 5.0 / 3;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "selu") return 3.0 / 4;
  EMBER_CHECK(nonlinearity == "leaky_relu", "[calculate_gain] nonlinearity: expected linear, a convolution, sigmoid, "
              "tanh, relu, leaky_relu or selu, got \"{}\"", nonlinearity);
  const double slope = param.value_or(0.01);
  EMBER_CHECK(std::isfinite(slope), "[calculate_gain] param: expected a finite negative slope, got {}", slope);
  return leaky_relu_gain(slope);
}

}  // namespace ember::nn::init
