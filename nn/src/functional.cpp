#include "ember/nn/functional.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "pool_windows.h"
#include "unpooling.h"
#include "window_checks.h"

namespace ember::nn::functional {
namespace {

// The shape a per-channel [C] tensor takes to broadcast against input [N, C, ...].
std::vector<int64_t> channel_shape(const Tensor& input) {
  std::vector<int64_t> shape(static_cast<size_t>(input.dim()), 1);
  shape[1] = input.size(1);
  return shape;
}

// Runs `f` on a 4-D batch: an unbatched [C, H, W] image gets a batch dimension around the call.
template <typename F>
Tensor on_batch(const char* op, const Tensor& input, F f) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, "[{}] input: expected a [N, C, H, W] or [C, H, W] tensor, got {}",
              op, shape_str(input.sizes()));
  return input.dim() == 4 ? f(input) : f(input.unsqueeze(0)).squeeze(0);
}

// Runs `f` on the [N, C, 1, L] (or [C, 1, L]) view of a [N, C, L] (or [C, L]) input: the 1-D
// operators as the 2-D ones over a height of 1, whose other checks (and errors) they keep.
template <typename F>
Tensor on_unit_height(const char* op, const Tensor& input, F f) {
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, "[{}] input: expected a [N, C, L] or [C, L] tensor, got {}", op,
              shape_str(input.sizes()));
  const int64_t length_dim = input.dim() - 1;
  return f(input.unsqueeze(length_dim)).squeeze(length_dim);
}

// The last normalized_shape.size() dimensions of input, checked to be normalized_shape, as
// weight and bias (where defined) must be too.
std::vector<int64_t> normalized_dims(const char* op, const Tensor& input, IntArrayRef normalized_shape,
                                     const Tensor& weight, const Tensor& bias) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  const IntArrayRef trailing(input.sizes().data() + std::max<int64_t>(input.dim() - k, 0), std::min(input.dim(), k));
  EMBER_CHECK(k >= 1 && input.dim() >= k && trailing.equals(normalized_shape),
              "[{}] input: expected trailing dimensions {}, got shape {}", op, shape_str(normalized_shape),
              shape_str(input.sizes()));
  for (const auto& [name, t] : {std::pair{"weight", &weight}, std::pair{"bias", &bias}}) {
    EMBER_CHECK(!t->defined() || t->sizes().equals(normalized_shape), "[{}] {}: expected shape {}, got {}", op,
                name, shape_str(normalized_shape), shape_str(t->sizes()));
  }
  std::vector<int64_t> dims;
  for (int64_t d = input.dim() - k; d < input.dim(); ++d) dims.push_back(d);
  return dims;
}

// torch.finfo(dtype).eps: the gap between 1 and the next representable value.
double machine_epsilon(DType dtype) {
  switch (dtype) {
    case DType::Float64: return std::numeric_limits<double>::epsilon();
    case DType::Float16: return 0x1p-10;
    case DType::BFloat16: return 0x1p-7;
    default: return std::numeric_limits<float>::epsilon();
  }
}

}  // namespace

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(weight.dim() == 2, "[linear] weight: expected [out_features, in_features], got {}",
              shape_str(weight.sizes()));
  EMBER_CHECK(input.dim() >= 1 && input.size(-1) == weight.size(1),
              "[linear] input: expected a last dimension of {} (in_features), got shape {}", weight.size(1),
              shape_str(input.sizes()));
  check_per_channel("linear", "bias", bias, weight.size(0));
  if (input.dim() == 2 && bias.defined()) return addmm(bias, input, weight.transpose(0, 1));
  const Tensor product = matmul(input, weight.transpose(0, 1));
  return bias.defined() ? product + bias : product;
}

Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias) {
  const char* op = "bilinear";
  EMBER_CHECK(weight.dim() == 3, "[{}] weight: expected [out_features, in1_features, in2_features], got {}", op,
              shape_str(weight.sizes()));
  EMBER_CHECK(input1.dim() >= 1 && input1.size(-1) == weight.size(1),
              "[{}] input1: expected a last dimension of {} (in1_features), got shape {}", op, weight.size(1),
              shape_str(input1.sizes()));
  EMBER_CHECK(input2.dim() == input1.dim() && input2.size(-1) == weight.size(2) &&
                  IntArrayRef(input2.sizes().data(), input2.dim() - 1).equals(IntArrayRef(input1.sizes().data(), input1.dim() - 1)),
              "[{}] input2: expected shape {} with a last dimension of {} (in2_features), got {}", op,
              shape_str(IntArrayRef(input1.sizes().data(), input1.dim() - 1)), weight.size(2), shape_str(input2.sizes()));
  check_per_channel(op, "bias", bias, weight.size(0));
  const Tensor product = einsum("...i,oij,...j->...o", {input1, weight, input2});
  return bias.defined() ? product + bias : product;
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Conv2dOptions options) {
  return on_batch("conv2d", input, [&](const Tensor& batch) {
    const Tensor out = ember::conv2d(batch, weight, options.stride, options.padding, options.dilation, options.groups);
    if (!bias.defined()) return out;
    check_per_channel("conv2d", "bias", bias, weight.size(0));
    return out + bias.view(channel_shape(out));
  });
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, Conv1dOptions options) {
  const char* op = "conv1d";
  EMBER_CHECK(weight.dim() == 3, "[{}] weight: expected [out_channels, in_channels / groups, kernel_size], got {}", op,
              shape_str(weight.sizes()));
  const Conv2dOptions view_options = {.stride = {1, options.stride}, .padding = {0, options.padding},
                                      .dilation = {1, options.dilation}, .groups = options.groups};
  return on_unit_height(op, input, [&](const Tensor& x) { return conv2d(x, weight.unsqueeze(2), bias, view_options); });
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, ConvTranspose2dOptions options) {
  const char* op = "conv_transpose2d";
  EMBER_CHECK(weight.dim() == 4, "[{}] weight: expected [in_channels, out_channels / groups, kH, kW], got {}", op,
              shape_str(weight.sizes()));
  check_transposed_geometry(op, weight, options);
  return on_batch(op, input, [&](const Tensor& batch) {
    check_transposed_input(op, batch, weight);
    __int128 extent[2];
    for (int i = 0; i < 2; ++i) {
      extent[i] = transposed_extent(batch.size(2 + i), weight.size(2 + i), options.stride[i], options.padding[i],
                                    options.dilation[i], options.output_padding[i]);
    }
    EMBER_CHECK(extent[0] > 0 && extent[1] > 0 && extent[0] <= INT64_MAX && extent[1] <= INT64_MAX,
                "[{}] input: the output would be {}x{}; expected a positive size that int64 holds", op,
                static_cast<double>(extent[0]), static_cast<double>(extent[1]));
    const DimVector out_size = {batch.size(0), weight.size(1) * options.groups, static_cast<int64_t>(extent[0]),
                                static_cast<int64_t>(extent[1])};
    const Tensor out = conv2d_backward_input(batch, weight, out_size, options.stride, options.padding,
                                             options.dilation, options.groups);
    if (!bias.defined()) return out;
    check_per_channel(op, "bias", bias, out.size(1));
    return out + bias.view(channel_shape(out));
  });
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias, ConvTranspose1dOptions options) {
  const char* op = "conv_transpose1d";
  EMBER_CHECK(weight.dim() == 3, "[{}] weight: expected [in_channels, out_channels / groups, kernel_size], got {}", op,
              shape_str(weight.sizes()));
  const ConvTranspose2dOptions view_options = {.stride = {1, options.stride}, .padding = {0, options.padding},
                                               .output_padding = {0, options.output_padding}, .groups = options.groups,
                                               .dilation = {1, options.dilation}};
  return on_unit_height(op, input, [&](const Tensor& x) {
    return conv_transpose2d(x, weight.unsqueeze(2), bias, view_options);
  });
}

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, Pair kernel_size, MaxPool2dOptions options) {
  Tensor indices;
  const Tensor values = on_batch("max_pool2d", input, [&](const Tensor& batch) {
    const Pair stride = options.stride.value_or(kernel_size);
    auto [maxima, positions] =
        ember::max_pool2d_with_indices(batch, kernel_size, stride, options.padding, options.dilation, options.ceil_mode);
    indices = input.dim() == 4 ? positions : positions.squeeze(0);
    return maxima;
  });
  return {values, indices};
}

Tensor max_pool2d(const Tensor& input, Pair kernel_size, MaxPool2dOptions options) {
  return std::get<0>(max_pool2d_with_indices(input, kernel_size, options));
}

// Note [Max unpooling]
Tensor max_unpool2d(const Tensor& input, const Tensor& indices, Pair kernel_size, MaxUnpool2dOptions options) {
  return max_unpool("max_unpool2d", input, indices, kernel_size, options);
}

namespace {

// The window sums of a depthwise convolution, divided by each window's count (Note [Average
// pooling]), or by divisor_override.
Tensor window_means(const Tensor& batch, Pair kernel_size, Pair stride, Pair padding, const AverageWindows& rows,
                    const AverageWindows& cols, std::optional<int64_t> divisor_override) {
  const int64_t channels = batch.size(1);
  const DType dtype = is_floating(batch.dtype()) ? batch.dtype() : DType::Float32;
  const bool uniform = rows.uniform() && cols.uniform();
  const double scale = divisor_override ? 1.0 / static_cast<double>(*divisor_override)
                       : uniform        ? 1.0 / (rows.divisors[0] * cols.divisors[0])
                                        : 1.0;
  const Tensor window_kernel = full({channels, 1, kernel_size[0], kernel_size[1]}, scale, dtype, batch.device());
  const Tensor padded = rows.overhang || cols.overhang ? pad(batch, {0, cols.overhang, 0, rows.overhang}) : batch;
  const Tensor sums = ember::conv2d(padded, window_kernel, stride, padding, {1, 1}, channels);
  if (divisor_override || uniform) return sums;
  const Tensor divisors = tensor<double>(rows.divisors, {rows.count, 1}, batch.device()) *
                          tensor<double>(cols.divisors, {cols.count}, batch.device());
  return sums / divisors.to(sums.dtype());
}

}  // namespace

Tensor avg_pool2d(const Tensor& input, Pair kernel_size, AvgPool2dOptions options) {
  const char* op = "avg_pool2d";
  const Pair stride = options.stride.value_or(kernel_size);
  const Pair padding = options.padding;
  check_pool_window(op, kernel_size, stride, padding);
  check_divisor_override(op, options.divisor_override);
  return on_batch(op, input, [&](const Tensor& batch) {
    // Checked here rather than left to the convolution, whose errors would name its own
    // arguments; written so that no sum can overflow (the padding is at most half the kernel).
    EMBER_CHECK(kernel_size[0] - 2 * padding[0] <= batch.size(2) && kernel_size[1] - 2 * padding[1] <= batch.size(3),
                "[avg_pool2d] kernel_size: expected at most the input's {}x{} plus twice the padding [{}, {}], "
                "got [{}, {}]", batch.size(2), batch.size(3), padding[0], padding[1], kernel_size[0], kernel_size[1]);
    const auto along = [&](int dim, const char* name) {
      return average_windows(op, name, batch.size(2 + dim), kernel_size[dim], stride[dim], padding[dim],
                             options.ceil_mode, options.count_include_pad);
    };
    return window_means(batch, kernel_size, stride, padding, along(0, "height"), along(1, "width"),
                        options.divisor_override);
  });
}

namespace {

// The 1-D pooling as the 2-D one over a height of 1, its kernel size checked here.
template <typename Pool>
Tensor over_unit_height(const char* op, const Tensor& input, int64_t kernel_size, Pool pool) {
  EMBER_CHECK(kernel_size >= 1, "[{}] kernel_size: expected a positive size, got {}", op, kernel_size);
  return on_unit_height(op, input, [&](const Tensor& x) { return pool(x, Pair{1, kernel_size}); });
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, int64_t kernel_size, MaxPool1dOptions options) {
  Tensor indices;
  const Tensor values = over_unit_height("max_pool1d", input, kernel_size, [&](const Tensor& x, Pair kernel) {
    auto [maxima, positions] =
        max_pool2d_with_indices(x, kernel, {.stride = Pair{1, options.stride.value_or(kernel_size)},
                                            .padding = {0, options.padding}, .dilation = {1, options.dilation},
                                            .ceil_mode = options.ceil_mode});
    indices = positions.squeeze(positions.dim() - 2);  // positions in a plane of height 1: along the length
    return maxima;
  });
  return {values, indices};
}

Tensor max_pool1d(const Tensor& input, int64_t kernel_size, MaxPool1dOptions options) {
  return std::get<0>(max_pool1d_with_indices(input, kernel_size, options));
}

Tensor max_unpool1d(const Tensor& input, const Tensor& indices, int64_t kernel_size, MaxUnpool1dOptions options) {
  EMBER_CHECK(indices.dim() == input.dim(), "[max_unpool1d] indices: expected the input's shape {}, got {}",
              shape_str(input.sizes()), shape_str(indices.sizes()));
  return over_unit_height("max_unpool1d", input, kernel_size, [&](const Tensor& x, Pair kernel) {
    std::optional<Pair> output_size;
    if (options.output_size) output_size = Pair{1, *options.output_size};
    return max_unpool2d(x, indices.unsqueeze(indices.dim() - 1), kernel,
                        {.stride = Pair{1, options.stride.value_or(kernel_size)}, .padding = {0, options.padding},
                         .output_size = output_size});
  });
}

Tensor avg_pool1d(const Tensor& input, int64_t kernel_size, AvgPool1dOptions options) {
  return over_unit_height("avg_pool1d", input, kernel_size, [&](const Tensor& x, Pair kernel) {
    return avg_pool2d(x, kernel, {.stride = Pair{1, options.stride.value_or(kernel_size)}, .padding = {0, options.padding},
                                  .ceil_mode = options.ceil_mode, .count_include_pad = options.count_include_pad});
  });
}

namespace {

// PyTorch's formula: the mean of x^p times the window's size, rooted; sign(m) relu(|m|) keeps the
// gradient at a zero window 0.
Tensor window_p_norm(const Tensor& means, double norm_type, int64_t window_elements) {
  return pow(sign(means) * relu(abs(means)) * static_cast<double>(window_elements), 1.0 / norm_type);
}

}  // namespace

Tensor lp_pool1d(const Tensor& input, double norm_type, int64_t kernel_size, std::optional<int64_t> stride,
                 bool ceil_mode) {
  EMBER_CHECK(norm_type > 0, "[lp_pool1d] norm_type: expected a positive order, got {}", norm_type);
  return window_p_norm(avg_pool1d(pow(input, norm_type), kernel_size, {.stride = stride, .ceil_mode = ceil_mode}),
                       norm_type, kernel_size);
}

Tensor lp_pool2d(const Tensor& input, double norm_type, Pair kernel_size, std::optional<Pair> stride, bool ceil_mode) {
  EMBER_CHECK(norm_type > 0, "[lp_pool2d] norm_type: expected a positive order, got {}", norm_type);
  return window_p_norm(avg_pool2d(pow(input, norm_type), kernel_size, {.stride = stride, .ceil_mode = ceil_mode}),
                       norm_type, kernel_size[0] * kernel_size[1]);
}

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  EMBER_CHECK(input.dim() >= 2, "[batch_norm] input: expected [N, C, ...], got {}", shape_str(input.sizes()));
  const int64_t channels = input.size(1);
  for (const auto& [name, t] : {std::pair{"running_mean", &running_mean}, std::pair{"running_var", &running_var},
                                std::pair{"weight", &weight}, std::pair{"bias", &bias}}) {
    check_per_channel("batch_norm", name, *t, channels);
  }
  std::vector<int64_t> reduced = {0};
  for (int64_t d = 2; d < input.dim(); ++d) reduced.push_back(d);
  const std::vector<int64_t> shape = channel_shape(input);
  Tensor mean, var;
  if (training || !running_mean.defined()) {
    const int64_t count = input.numel() / channels;
    EMBER_CHECK(count > 1, "[batch_norm] input: expected more than 1 value per channel in training, got shape {}",
                shape_str(input.sizes()));
    mean = input.mean(reduced);
    var = input.var(reduced, 0);
    if (training && running_mean.defined()) {
      autograd::NoGradGuard no_grad;
      const double unbiased = static_cast<double>(count) / static_cast<double>(count - 1);
      const Tensor keep = wrapped_number(1 - momentum, running_mean.device());
      running_mean.mul_(keep).add_(mean * momentum);
      running_var.mul_(keep).add_(var * (momentum * unbiased));
    }
  } else {
    mean = running_mean;
    var = running_var;
  }
  Tensor out = (input - mean.view(shape)) * rsqrt(var.view(shape) + eps);
  if (weight.defined()) out = out * weight.view(shape);
  if (bias.defined()) out = out + bias.view(shape);
  return out;
}

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  const std::vector<int64_t> dims = normalized_dims("layer_norm", input, normalized_shape, weight, bias);
  const Tensor mean = input.mean(dims, true);
  Tensor out = (input - mean) * rsqrt(input.var(dims, 0, true) + eps);
  if (weight.defined()) out = out * weight;
  if (bias.defined()) out = out + bias;
  return out;
}

namespace {

// (x - mean) / sqrt(var + eps) over each group of channels of each sample, then the per-channel
// weight and bias: group and instance normalisation, their arguments checked by each.
Tensor normalized_in_groups(const char* op, const Tensor& input, int64_t num_groups, const Tensor& weight,
                            const Tensor& bias, double eps) {
  const int64_t n = input.size(0), channels = input.size(1);
  check_per_channel(op, "weight", weight, channels);
  check_per_channel(op, "bias", bias, channels);
  int64_t group_size = channels / num_groups;
  for (int64_t d = 2; d < input.dim(); ++d) group_size *= input.size(d);
  const Tensor groups = input.reshape({n, num_groups, group_size});
  const Tensor normalized = (groups - groups.mean(2, true)) * rsqrt(groups.var(2, 0, true) + eps);
  Tensor out = normalized.reshape(input.sizes());
  if (weight.defined()) out = out * weight.view(channel_shape(input));
  if (bias.defined()) out = out + bias.view(channel_shape(input));
  return out;
}

}  // namespace

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  EMBER_CHECK(input.dim() >= 2 && is_floating(input.dtype()),
              "[group_norm] input: expected a floating-point [N, C, *] tensor, got {} {}", dtype_name(input.dtype()),
              shape_str(input.sizes()));
  const int64_t channels = input.size(1);
  EMBER_CHECK(num_groups > 0 && channels % num_groups == 0,
              "[group_norm] num_groups: expected a positive divisor of the {} channels, got {}", channels, num_groups);
  return normalized_in_groups("group_norm", input, num_groups, weight, bias, eps);
}

Tensor instance_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, double eps) {
  EMBER_CHECK(input.dim() >= 3 && is_floating(input.dtype()) && input.size(1) > 0,
              "[instance_norm] input: expected a floating-point [N, C, *spatial] tensor with channels, got {} {}",
              dtype_name(input.dtype()), shape_str(input.sizes()));
  return normalized_in_groups("instance_norm", input, input.size(1), weight, bias, eps);
}

Tensor rms_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight, std::optional<double> eps) {
  EMBER_CHECK(is_floating(input.dtype()), "[rms_norm] input: expected a floating-point tensor, got {}",
              dtype_name(input.dtype()));
  const std::vector<int64_t> dims = normalized_dims("rms_norm", input, normalized_shape, weight, Tensor());
  const double epsilon = eps.value_or(machine_epsilon(input.dtype()));
  const Tensor out = input * rsqrt((input * input).mean(dims, true) + epsilon);
  return weight.defined() ? out * weight : out;
}

Tensor one_hot(const Tensor& indices, int64_t num_classes) {
  EMBER_CHECK(is_integral(indices.dtype(), false), "[one_hot] indices: expected an integer tensor, got {}",
              dtype_name(indices.dtype()));
  EMBER_CHECK(num_classes >= -1, "[one_hot] num_classes: expected a count or -1, got {}", num_classes);
  if (indices.numel() > 0) {
    const int64_t lowest = indices.amin().item<int64_t>(), highest = indices.amax().item<int64_t>();
    EMBER_CHECK(highest < std::numeric_limits<int64_t>::max(), "[one_hot] indices: {} classes do not fit int64",
                highest);
    if (num_classes == -1) num_classes = highest + 1;
    EMBER_CHECK(lowest >= 0 && highest < num_classes, "[one_hot] indices: expected class indices in [0, {}), got {}",
                num_classes, lowest < 0 ? lowest : highest);
  }
  EMBER_CHECK(num_classes >= 0,
              "[one_hot] num_classes: cannot infer the number of classes from an empty tensor; pass num_classes");
  const Tensor classes = arange(num_classes, DType::Int64, indices.device());
  return eq(indices.unsqueeze(-1), classes).to(DType::Int64);
}

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx) {
  EMBER_CHECK(is_integral(indices.dtype(), false), "[embedding] indices: expected an integer tensor, got {}",
              dtype_name(indices.dtype()));
  EMBER_CHECK(weight.dim() == 2, "[embedding] weight: expected [num_embeddings, embedding_dim], got {}",
              shape_str(weight.sizes()));
  std::vector<int64_t> shape = indices.sizes().vec();
  shape.push_back(weight.size(1));
  const Tensor flat = indices.reshape({-1});
  const Tensor rows = weight.index_select(0, flat);
  if (!padding_idx) return rows.reshape(shape);
  const int64_t n = weight.size(0), padding = *padding_idx < 0 ? *padding_idx + n : *padding_idx;
  EMBER_CHECK(padding >= 0 && padding < n, "[embedding] padding_idx: expected a row in [{}, {}), got {}", -n, n,
              *padding_idx);
  // The padding row's reads are taken off the graph: the same values, no gradient into that row.
  const Tensor is_padding = eq(flat, padding).unsqueeze(1);
  return where(is_padding, rows.detach(), rows).reshape(shape);
}

Tensor flatten(const Tensor& input, int64_t start_dim, int64_t end_dim) {
  return ember::flatten(input, start_dim, end_dim);
}

}  // namespace ember::nn::functional
