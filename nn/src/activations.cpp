// The activations with parameters and the vector normalisations of nn::functional, written with
// operators so that autograd differentiates them on every device. Each branch that is not taken
// is computed on values where it stays finite: a masked-off infinity would still turn the
// gradient into NaN (0 * inf).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ember/core/broadcast.h"
#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

void check_floating(const char* op, const Tensor& input) {
  EMBER_CHECK(is_floating(input.dtype()), "[{}] input: expected a floating-point tensor, got {}", op,
              dtype_name(input.dtype()));
}

// sum(|x|^p) along dim (kept), for a positive finite p; x * x when p is 2.
Tensor sum_of_powers(const Tensor& x, double p, int64_t dim) {
  const Tensor powers = p == 2 ? x * x : pow(abs(x), wrapped_number(p, x.device()));
  return powers.sum(dim, true);
}

}  // namespace

Tensor leaky_relu(const Tensor& input, double negative_slope) {
  check_floating("leaky_relu", input);
  return where(gt(input, wrapped_number(0, input.device())), input, input * negative_slope);
}

Tensor rrelu(const Tensor& input, double lower, double upper, bool training) {
  check_floating("rrelu", input);
  EMBER_CHECK(0 <= lower && lower <= upper, "[rrelu] upper: expected 0 <= lower <= upper, got lower {} and upper {}",
              lower, upper);
  if (!training) return leaky_relu(input, (lower + upper) / 2);
  const Tensor slopes = rand(input.sizes(), input.dtype(), input.device()) * (upper - lower) + lower;
  return where(ge(input, 0), input, input * slopes);
}

Tensor elu(const Tensor& input, double alpha) {
  check_floating("elu", input);
  // relu(x) + alpha * expm1(min(x, 0)): one form for both sides, exp never of a large x.
  return relu(input) + expm1(clamp(input, std::nullopt, 0)) * alpha;
}

Tensor softplus(const Tensor& input, double beta, double threshold) {
  check_floating("softplus", input);
  EMBER_CHECK(beta != 0 && std::isfinite(beta), "[softplus] beta: expected a finite non-zero value, got {}", beta);
  const Tensor z = input * beta;
  // log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow for any z, no precision lost for small ones.
  const Tensor smooth = (relu(z) + log1p(exp(-abs(z)))) / beta;
  return where(gt(z, wrapped_number(threshold, z.device())), input, smooth);
}

Tensor hardtanh(const Tensor& input, double min_val, double max_val) {
  check_floating("hardtanh", input);
  EMBER_CHECK(min_val <= max_val, "[hardtanh] max_val: expected at least min_val {}, got {}", min_val, max_val);
  return clamp(input, min_val, max_val);
}

Tensor relu6(const Tensor& input) { return hardtanh(input, 0, 6); }

Tensor hardsigmoid(const Tensor& input) {
  check_floating("hardsigmoid", input);
  return clamp(input / 6 + 0.5, 0, 1);
}

Tensor hardswish(const Tensor& input) { return input * hardsigmoid(input); }

Tensor mish(const Tensor& input) {
  check_floating("mish", input);
  return input * tanh(softplus(input));
}

Tensor selu(const Tensor& input) {
  constexpr double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
  return elu(input, alpha) * scale;
}

Tensor celu(const Tensor& input, double alpha) {
  check_floating("celu", input);
  EMBER_CHECK(alpha != 0 && std::isfinite(alpha), "[celu] alpha: expected a finite non-zero value, got {}", alpha);
  return relu(input) + expm1(clamp(input, std::nullopt, 0) / alpha) * alpha;
}

Tensor logsigmoid(const Tensor& input) {
  check_floating("logsigmoid", input);
  // min(x, 0) - log1p(exp(-|x|)): the exponent is never positive.
  return clamp(input, std::nullopt, 0) - log1p(exp(-abs(input)));
}

Tensor softsign(const Tensor& input) {
  check_floating("softsign", input);
  return input / (abs(input) + 1);
}

Tensor tanhshrink(const Tensor& input) {
  check_floating("tanhshrink", input);
  return input - tanh(input);
}

Tensor softshrink(const Tensor& input, double lambd) {
  check_floating("softshrink", input);
  EMBER_CHECK(lambd >= 0, "[softshrink] lambd: expected a non-negative value, got {}", lambd);
  // x - clamp(x, -lambd, lambd): the excess beyond the band, 0 inside it.
  return input - clamp(input, -lambd, lambd);
}

Tensor hardshrink(const Tensor& input, double lambd) {
  check_floating("hardshrink", input);
  return where(gt(abs(input), wrapped_number(lambd, input.device())), input, zeros_like(input));
}

Tensor threshold(const Tensor& input, double threshold, double value) {
  return where(gt(input, wrapped_number(threshold, input.device())), input, full_like(input, value));
}

Tensor glu(const Tensor& input, int64_t dim) {
  const int64_t d = wrap_dim(dim, input.dim(), "glu");
  EMBER_CHECK(input.size(d) % 2 == 0, "[glu] input: expected an even size along dimension {}, got {}", d, input.size(d));
  const int64_t half = input.size(d) / 2;
  return input.narrow(d, 0, half) * sigmoid(input.narrow(d, half, half));
}

Tensor softmin(const Tensor& input, int64_t dim) { return softmax(-input, dim); }

Tensor gumbel_softmax(const Tensor& logits, double tau, bool hard, int64_t dim) {
  check_floating("gumbel_softmax", logits);
  EMBER_CHECK(tau > 0, "[gumbel_softmax] tau: expected a positive temperature, got {}", tau);
  const int64_t d = wrap_dim(dim, logits.dim(), "gumbel_softmax");
  // -log(E) with E ~ Exp(1) is Gumbel(0, 1); E is kept above 0, where the draw of 0 would put it.
  const Tensor exponential = (-log1p(-rand_like(logits))).clamp_min(std::numeric_limits<float>::min());
  const Tensor soft = softmax((logits - log(exponential)) / tau, d);
  if (!hard) return soft;
  const Tensor index = soft.argmax(d, true);
  const Tensor one_hot = zeros_like(soft).scatter(d, index, ones(index.sizes(), soft.dtype(), soft.device()));
  return one_hot - soft.detach() + soft;
}

Tensor prelu(const Tensor& input, const Tensor& weight) {
  check_floating("prelu", input);
  const int64_t channels = input.dim() >= 2 ? input.size(1) : 1;
  EMBER_CHECK(weight.dim() <= 1 && (weight.numel() == 1 || weight.numel() == channels),
              "[prelu] weight: expected 1 slope or one per channel ({}), got shape {}", channels,
              shape_str(weight.sizes()));
  std::vector<int64_t> shape(static_cast<size_t>(std::max<int64_t>(input.dim() - 1, 0)), 1);
  if (!shape.empty()) shape[0] = weight.numel();
  const Tensor slopes = weight.numel() == 1 ? weight.reshape({}) : weight.reshape(shape);
  return where(gt(input, wrapped_number(0, input.device())), input, input * slopes);
}

Tensor normalize(const Tensor& input, double p, int64_t dim, double eps) {
  check_floating("normalize", input);
  EMBER_CHECK(p > 0 && std::isfinite(p), "[normalize] p: expected a positive finite norm order, got {}", p);
  EMBER_CHECK(eps >= 0, "[normalize] eps: expected a non-negative value, got {}", eps);
  const int64_t d = wrap_dim(dim, input.dim(), "normalize");
  // max(||x||, eps) = max(sum |x|^p, eps^p)^(1/p): the clamp comes before the root, whose
  // derivative at a zero vector would be infinite.
  const Tensor clamped = clamp(sum_of_powers(input, p, d), std::pow(eps, p));
  return input / (p == 2 ? sqrt(clamped) : pow(clamped, wrapped_number(1 / p, input.device())));
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim, double eps) {
  check_floating("cosine_similarity", x1);
  check_floating("cosine_similarity", x2);
  EMBER_CHECK(eps >= 0, "[cosine_similarity] eps: expected a non-negative value, got {}", eps);
  const DimVector shape = broadcast_shapes(x1.sizes(), x2.sizes(), "cosine_similarity", "x2");
  const Tensor a = x1.expand(shape), b = x2.expand(shape);
  const int64_t d = wrap_dim(dim, a.dim(), "cosine_similarity");
  // max(||a|| ||b||, eps) as the root of max(||a||^2 ||b||^2, eps^2), for the reason normalize has.
  const Tensor squared_norms = clamp(sum_of_powers(a, 2, d) * sum_of_powers(b, 2, d), eps * eps);
  return ((a * b).sum(d, true) / sqrt(squared_norms)).squeeze(d);
}

Tensor pdist(const Tensor& input, double p) {
  check_floating("pdist", input);
  EMBER_CHECK(input.dim() == 2, "[pdist] input: expected rows [N, M], got {}", shape_str(input.sizes()));
  EMBER_CHECK(p >= 0, "[pdist] p: expected a non-negative norm order, got {}", p);
  const int64_t n = input.size(0);
  // Pair (i, j), i < j, is entry i n + j of the [N, N] distances: host-built positions, one gather.
  const Tensor pairs = empty({n > 1 ? n * (n - 1) / 2 : 0}, DType::Int64);
  int64_t* position = pairs.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = i + 1; j < n; ++j) *position++ = i * n + j;
  }
  return cdist(input, input, p).reshape({-1}).index_select(0, pairs.to(input.device()));
}

Tensor local_response_norm(const Tensor& input, int64_t size, double alpha, double beta, double k) {
  check_floating("local_response_norm", input);
  EMBER_CHECK(input.dim() >= 3, "[local_response_norm] input: expected [N, C, *] with at least 3 dimensions, got {}",
              shape_str(input.sizes()));
  EMBER_CHECK(size >= 1, "[local_response_norm] size: expected at least 1 channel, got {}", size);
  const int64_t channels = input.size(1);
  // The squares zero-padded by size / 2 channels before and (size - 1) / 2 after, then summed over
  // `size` shifted views: each channel's window, centred on it.
  const auto zero_channels = [&](int64_t count) {
    DimVector shape(input.sizes());
    shape[1] = count;
    return zeros(shape, input.dtype(), input.device());
  };
  const Tensor squares = cat({zero_channels(size / 2), input * input, zero_channels((size - 1) / 2)}, 1);
  Tensor window = squares.narrow(1, 0, channels);
  for (int64_t t = 1; t < size; ++t) window = window + squares.narrow(1, t, channels);
  return input / pow(window * (alpha / static_cast<double>(size)) + k, beta);
}

}  // namespace ember::nn::functional
