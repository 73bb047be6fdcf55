// ember::nn::functional: the layers and losses as functions of tensors, composed of operators,
// so autograd differentiates them and every backend runs them.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ember/ember.h"

namespace ember::nn::functional {

using ember::gelu;
using ember::log_softmax;
using ember::relu;
using ember::sigmoid;
using ember::silu;
using ember::softmax;
using ember::tanh;

// Height and width of a kernel, stride, padding or dilation.
using Pair = std::array<int64_t, 2>;

// x @ weight^T + bias, for x [..., in_features], weight [out_features, in_features].
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());
// x1^T W x2 + b for each row: input1 [*, in1], input2 [*, in2] (the same leading shape), weight
// [out, in1, in2], bias [out] or undefined; [*, out].
Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias = Tensor());

struct Conv2dOptions {
  Pair stride = {1, 1};
  Pair padding = {0, 0};
  Pair dilation = {1, 1};
  int64_t groups = 1;
};
// input [N, C, H, W] (or [C, H, W]), weight [out, C / groups, kH, kW], bias [out] or undefined.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), Conv2dOptions options = {});

struct Conv1dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
};
// input [N, C, L] (or [C, L]), weight [out, C / groups, k], bias [out] or undefined: conv2d over
// a height of 1.
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), Conv1dOptions options = {});

// Depth, height and width of a 3-D kernel, stride, padding or dilation.
using Triple = std::array<int64_t, 3>;

struct Conv3dOptions {
  Triple stride = {1, 1, 1};
  Triple padding = {0, 0, 0};
  Triple dilation = {1, 1, 1};
  int64_t groups = 1;
};
// input [N, C, D, H, W] (or [C, D, H, W]), weight [out, C / groups, kD, kH, kW], bias [out] or
// undefined: one conv2d per kernel depth over every output depth at once (the depths folded into
// the batch), summed, so it runs wherever conv2d does.
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), Conv3dOptions options = {});

struct ConvTranspose2dOptions {
  Pair stride = {1, 1};
  Pair padding = {0, 0};
  Pair output_padding = {0, 0};  // added to one side of the output; below the stride
  int64_t groups = 1;
  Pair dilation = {1, 1};
};
// The gradient of conv2d with respect to its input, as a layer (a "deconvolution"): input
// [N, C_in, H, W] (or [C_in, H, W]), weight [C_in, C_out / groups, kH, kW], bias [C_out]; the
// output's height is (H - 1) stride - 2 padding + dilation (kH - 1) + output_padding + 1.
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        ConvTranspose2dOptions options = {});

struct ConvTranspose1dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t output_padding = 0;
  int64_t groups = 1;
  int64_t dilation = 1;
};
// conv_transpose2d over a height of 1: input [N, C_in, L] (or [C_in, L]), weight
// [C_in, C_out / groups, k].
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        ConvTranspose1dOptions options = {});

struct ConvTranspose3dOptions {
  Triple stride = {1, 1, 1};
  Triple padding = {0, 0, 0};
  Triple output_padding = {0, 0, 0};
  int64_t groups = 1;
  Triple dilation = {1, 1, 1};
};
// The gradient of conv3d with respect to its input: input [N, C_in, D, H, W] (or unbatched),
// weight [C_in, C_out / groups, kD, kH, kW]; one conv_transpose2d per kernel depth over every
// input depth at once, each added at the output depths it reaches (Note [Depth taps]).
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        ConvTranspose3dOptions options = {});

struct MaxPool2dOptions {
  std::optional<Pair> stride;  // the kernel size when not given
  Pair padding = {0, 0};
  Pair dilation = {1, 1};
  bool ceil_mode = false;
};
Tensor max_pool2d(const Tensor& input, Pair kernel_size, MaxPool2dOptions options = {});
// max_pool2d with the flat position (h * W + w) of each maximum in its input plane, as PyTorch's
// return_indices=True gives them: what max_unpool2d takes.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, Pair kernel_size, MaxPool2dOptions options = {});

struct MaxUnpool2dOptions {
  std::optional<Pair> stride;       // the kernel size when not given
  Pair padding = {0, 0};
  std::optional<Pair> output_size;  // (H - 1) stride - 2 padding + kernel_size when not given
};
// max_pool2d's partial inverse: each value of input [N, C, H, W] (or [C, H, W]) put at its
// position `indices` in a plane of zeros; where windows overlapped, one of the values written
// to a place wins.
Tensor max_unpool2d(const Tensor& input, const Tensor& indices, Pair kernel_size, MaxUnpool2dOptions options = {});

struct AvgPool2dOptions {
  std::optional<Pair> stride;  // the kernel size when not given
  Pair padding = {0, 0};
  bool ceil_mode = false;                   // a last, partial window where one starts inside the input
  bool count_include_pad = true;            // padded positions count in each window's mean
  std::optional<int64_t> divisor_override;  // every window's sum divided by this instead
};
// The mean of each window, as PyTorch's (Note [Average pooling]).
Tensor avg_pool2d(const Tensor& input, Pair kernel_size, AvgPool2dOptions options = {});

// Over [N, C, L] (or [C, L]): the 2-D pooling over a height of 1.
struct MaxPool1dOptions {
  std::optional<int64_t> stride;  // the kernel size when not given
  int64_t padding = 0;
  int64_t dilation = 1;
  bool ceil_mode = false;
};
Tensor max_pool1d(const Tensor& input, int64_t kernel_size, MaxPool1dOptions options = {});
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, int64_t kernel_size, MaxPool1dOptions options = {});
struct MaxUnpool1dOptions {
  std::optional<int64_t> stride;
  int64_t padding = 0;
  std::optional<int64_t> output_size;
};
Tensor max_unpool1d(const Tensor& input, const Tensor& indices, int64_t kernel_size, MaxUnpool1dOptions options = {});
// The p-norm of each window, (sum of x^p)^(1 / p), as PyTorch's LPPool: [N, C, L] or [N, C, H, W]
// (or unbatched); the stride is the kernel size unless given. ceil_mode's partial last window is
// scaled as PyTorch's: its mean (over the part inside the input) times the whole kernel's size.
Tensor lp_pool1d(const Tensor& input, double norm_type, int64_t kernel_size, std::optional<int64_t> stride = std::nullopt,
                 bool ceil_mode = false);
Tensor lp_pool2d(const Tensor& input, double norm_type, Pair kernel_size, std::optional<Pair> stride = std::nullopt,
                 bool ceil_mode = false);
struct AvgPool1dOptions {
  std::optional<int64_t> stride;  // the kernel size when not given
  int64_t padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
};
Tensor avg_pool1d(const Tensor& input, int64_t kernel_size, AvgPool1dOptions options = {});

// Over [N, C, D, H, W] (or [C, D, H, W]): the 2-D pooling of each kernel depth's planes, combined
// across the depth window (PyTorch's semantics).
struct MaxPool3dOptions {
  std::optional<Triple> stride;  // the kernel size when not given
  Triple padding = {0, 0, 0};
  Triple dilation = {1, 1, 1};
  bool ceil_mode = false;
};
Tensor max_pool3d(const Tensor& input, Triple kernel_size, MaxPool3dOptions options = {});
// max_pool3d with the flat position (d * H * W + h * W + w) of each maximum in its input volume,
// as PyTorch's return_indices=True gives them: what max_unpool3d takes.
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, Triple kernel_size, MaxPool3dOptions options = {});
struct MaxUnpool3dOptions {
  std::optional<Triple> stride;       // the kernel size when not given
  Triple padding = {0, 0, 0};
  std::optional<Triple> output_size;  // (D - 1) stride - 2 padding + kernel_size when not given
};
// max_pool3d's partial inverse, as max_unpool2d's, over [N, C, D, H, W] (or [C, D, H, W]).
Tensor max_unpool3d(const Tensor& input, const Tensor& indices, Triple kernel_size, MaxUnpool3dOptions options = {});
struct AvgPool3dOptions {
  std::optional<Triple> stride;  // the kernel size when not given
  Triple padding = {0, 0, 0};
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override;
};
Tensor avg_pool3d(const Tensor& input, Triple kernel_size, AvgPool3dOptions options = {});

// The mean (avg) or the largest element (max; NaN wins, and ties share the gradient) over
// output_size windows of the trailing length, height and width, or depth, height and width:
// window i of n positions spans [floor(i n / out), ceil((i + 1) n / out)), as PyTorch's ({1, 1}
// is the global pooling). Batched [N, C, ...] or unbatched [C, ...] input.
Tensor adaptive_avg_pool1d(const Tensor& input, int64_t output_size);
Tensor adaptive_avg_pool2d(const Tensor& input, Pair output_size);
Tensor adaptive_avg_pool3d(const Tensor& input, Triple output_size);
Tensor adaptive_max_pool1d(const Tensor& input, int64_t output_size);
Tensor adaptive_max_pool2d(const Tensor& input, Pair output_size);
Tensor adaptive_max_pool3d(const Tensor& input, Triple output_size);

// Normalises over every dimension but the channels (dim 1). In training, uses the batch's
// statistics and updates the running ones (unbiased variance) with `momentum`; in evaluation,
// uses the running ones. weight/bias/running statistics may be undefined.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum = 0.1,
                  double eps = 1e-5);

// Normalises over the last normalized_shape.size() dimensions.
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

// Normalises each channel of each sample of [N, C, *] over its positions, then scales and shifts
// per channel when weight/bias [C] are given (instance normalisation without running statistics).
Tensor instance_norm(const Tensor& input, const Tensor& weight = Tensor(), const Tensor& bias = Tensor(),
                     double eps = 1e-5);

// Normalises each of num_groups groups of channels of input [N, C, *] over the group's channels
// and positions; weight/bias [C] may be undefined.
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

// x / sqrt(mean(x^2) + eps) over the last normalized_shape.size() dimensions, times weight; eps
// defaults to the machine epsilon of the input's dtype, as PyTorch's.
Tensor rms_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight = Tensor(),
                std::optional<double> eps = std::nullopt);

// Zeroes each element with probability p and scales the rest by 1 / (1 - p), in training only.
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true);
// The same for whole channels of [N, C, L], [N, C, H, W] or [N, C, D, H, W] input (or unbatched
// [C, ...]): each channel zeroed entirely or kept and scaled.
Tensor dropout1d(const Tensor& input, double p = 0.5, bool training = true);
Tensor dropout2d(const Tensor& input, double p = 0.5, bool training = true);
Tensor dropout3d(const Tensor& input, double p = 0.5, bool training = true);
// For SELU networks: dropped elements (or, feature_alpha_dropout, whole channels of [N, C, ...])
// take SELU's negative saturation, and the result is scaled and shifted so that a zero-mean,
// unit-variance input keeps both.
Tensor alpha_dropout(const Tensor& input, double p = 0.5, bool training = true);
Tensor feature_alpha_dropout(const Tensor& input, double p = 0.5, bool training = true);

// Rows of weight [num_embeddings, dim] picked by integer indices of any shape. The row at
// padding_idx (negative counts from the end) is read as it is but gets no gradient, as PyTorch's.
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx = std::nullopt);

struct EmbeddingBagOptions {
  std::string mode = "mean";  // "sum", "mean" or "max" of each bag's rows
  // offsets holds one more entry, the end of the last bag (its value the input's length).
  bool include_last_offset = false;
  std::optional<int64_t> padding_idx;  // entries of this index are left out of their bag
};
// Reduces bags of embedding rows without materialising [..., dim] per entry: a 2-D input
// [bags, L] holds one bag per row (no offsets); a 1-D input holds them back to back, bag b
// starting at offsets[b] (offsets[0] is 0, non-decreasing, at most the input's length).
// per_sample_weights (input's shape, mode "sum" only) scale each row. An empty bag gives zeros.
Tensor embedding_bag(const Tensor& input, const Tensor& weight, const Tensor& offsets = Tensor(),
                     const EmbeddingBagOptions& options = {}, const Tensor& per_sample_weights = Tensor());

// int64 indicators [..., num_classes] of integer class indices; num_classes -1 takes the largest
// index plus one.
Tensor one_hot(const Tensor& indices, int64_t num_classes = -1);

// Pads (positive counts) or crops (negative ones) with `value`: pad = {left, right} for the last
// dimension, then {top, bottom} for the one before, and so on, as torch.nn.functional.pad's
// constant mode.
Tensor pad(const Tensor& input, IntArrayRef pad, double value = 0);
// The same counts with a mode: "constant" (as above), "reflect" (mirrored about the edge element,
// counts below the size), "replicate" (the edge element repeated) or "circular" (wrapped around,
// counts up to the size); the last three take non-negative counts.
Tensor pad(const Tensor& input, IntArrayRef pad, std::string_view mode, double value = 0);

// The geometry of sliding blocks, as a convolution's.
struct FoldOptions {
  Pair dilation = {1, 1};
  Pair padding = {0, 0};
  Pair stride = {1, 1};
};
// im2col: every kernel_size block of the zero-padded [N, C, H, W] (or [C, H, W]) input as a
// column, [N, C kH kW, L] with L blocks in row-major order; a convolution is then a matmul.
Tensor unfold(const Tensor& input, Pair kernel_size, FoldOptions options = {});
// unfold's adjoint: the columns of [N, C kH kW, L] (or [C kH kW, L]) placed back into an
// [N, C, output_size] image, overlapping elements summed.
Tensor fold(const Tensor& input, Pair output_size, Pair kernel_size, FoldOptions options = {});

// [*, C r^2, H, W] <-> [*, C, H r, W r]: each channel's r x r block of sub-pixels spread over the
// plane, and gathered back (sub-pixel convolution's upsampling, as PyTorch's).
Tensor pixel_shuffle(const Tensor& input, int64_t upscale_factor);
Tensor pixel_unshuffle(const Tensor& input, int64_t downscale_factor);
// [N, C, *] with its channels in `groups` groups interleaved: channel g (C / groups) + i moves to
// i groups + g (ShuffleNet's channel shuffle).
Tensor channel_shuffle(const Tensor& input, int64_t groups);

struct InterpolateOptions {
  std::vector<int64_t> size;         // the output's spatial sizes: one for every dimension, or one each
  std::vector<double> scale_factor;  // or factors, one or one each: out = floor(in * factor)
  std::string mode = "nearest";      // "nearest", "nearest-exact", "area" (adaptive average pooling), or
                                     // "linear" / "bilinear" / "trilinear" for one / two / three spatial
                                     // dimensions, or "bicubic" for two
  std::optional<bool> align_corners;  // linear and cubic modes only: the corner samples' centres align
                                      // (false by default)
  bool antialias = false;  // linear and cubic modes only: shrinking widens the kernel over every source
                           // sample under an output's footprint, as PIL and PyTorch's antialias=True
};
// Resamples the spatial dimensions of input [N, C, *spatial] (one to three of them) as
// torch.nn.functional.interpolate: a factor given maps coordinates by 1 / factor, as PyTorch does
// unless recompute_scale_factor; made of index_select and arithmetic, so autograd differentiates it.
Tensor interpolate(const Tensor& input, const InterpolateOptions& options);

struct GridSampleOptions {
  std::string mode = "bilinear";        // or "nearest"
  std::string padding_mode = "zeros";   // or "border": samples outside read the nearest edge
  bool align_corners = false;           // -1 and 1 are the corner pixels' centres, not their outer edges
};
// Samples input [N, C, H, W] at grid [N, Ho, Wo, 2] (x then y, in [-1, 1] across the input) into
// [N, C, Ho, Wo], as torch.nn.functional.grid_sample; differentiable in the input and the grid.
Tensor grid_sample(const Tensor& input, const Tensor& grid, const GridSampleOptions& options = {});
// The sampling grid [N, H, W, 2] of the affine maps theta [N, 2, 3] over an output of `size`
// [N, C, H, W], for grid_sample (a spatial transformer's two halves).
Tensor affine_grid(const Tensor& theta, IntArrayRef size, bool align_corners = false);

// Merges dimensions start_dim..end_dim into one.
Tensor flatten(const Tensor& input, int64_t start_dim = 1, int64_t end_dim = -1);

// ---- activations and normalisation of vectors ------------------------------------------------

// x where x > 0, else negative_slope * x.
Tensor leaky_relu(const Tensor& input, double negative_slope = 0.01);
// leaky_relu with a random slope: each negative element's drawn from U(lower, upper) in training,
// their mean (lower + upper) / 2 in evaluation.
Tensor rrelu(const Tensor& input, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false);
// x where x > 0, else alpha * (exp(x) - 1).
Tensor elu(const Tensor& input, double alpha = 1.0);
// log(1 + exp(beta * x)) / beta, computed without overflow; x itself where beta * x > threshold.
Tensor softplus(const Tensor& input, double beta = 1.0, double threshold = 20.0);
// x clamped to [min_val, max_val]; relu6 clamps to [0, 6].
Tensor hardtanh(const Tensor& input, double min_val = -1.0, double max_val = 1.0);
Tensor relu6(const Tensor& input);
// clamp(x / 6 + 1/2, 0, 1), and x times it: the piecewise-linear sigmoid and swish of MobileNetV3.
Tensor hardsigmoid(const Tensor& input);
Tensor hardswish(const Tensor& input);
// x * tanh(softplus(x)).
Tensor mish(const Tensor& input);
// scale * elu(x, alpha) with SELU's self-normalising constants (Klambauer et al.).
Tensor selu(const Tensor& input);
// max(0, x) + min(0, alpha * (exp(x / alpha) - 1)), for a non-zero alpha.
Tensor celu(const Tensor& input, double alpha = 1.0);
// log(sigmoid(x)) = -softplus(-x), without overflow.
Tensor logsigmoid(const Tensor& input);
// x / (1 + |x|).
Tensor softsign(const Tensor& input);
// x - tanh(x).
Tensor tanhshrink(const Tensor& input);
// x - lambd above lambd, x + lambd below -lambd, 0 between (lambd >= 0).
Tensor softshrink(const Tensor& input, double lambd = 0.5);
// x where |x| > lambd, else 0.
Tensor hardshrink(const Tensor& input, double lambd = 0.5);
// x where x > threshold, else value.
Tensor threshold(const Tensor& input, double threshold, double value);
// The gated linear unit: a * sigmoid(b), a and b the halves of `dim` (of even size).
Tensor glu(const Tensor& input, int64_t dim = -1);
// softmax(-x) along `dim`.
Tensor softmin(const Tensor& input, int64_t dim);
// softmax((logits + g) / tau) along dim with g drawn from Gumbel(0, 1): a differentiable sample of
// a categorical distribution. With hard, the one-hot of its largest entry, whose gradient is the
// soft sample's (the straight-through estimator).
Tensor gumbel_softmax(const Tensor& logits, double tau = 1.0, bool hard = false, int64_t dim = -1);
// x where x > 0, else weight * x; weight holds one slope, or one per channel (dimension 1).
Tensor prelu(const Tensor& input, const Tensor& weight);
// x / max(||x||_p, eps) along `dim`, for a positive finite p.
Tensor normalize(const Tensor& input, double p = 2.0, int64_t dim = 1, double eps = 1e-12);
// x1 . x2 / max(||x1|| ||x2||, eps) along `dim`, x1 and x2 broadcast together.
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim = 1, double eps = 1e-8);
// The p-norm distance of every pair of rows i < j of input [N, M], in row-major order of the
// pairs: [N (N - 1) / 2].
Tensor pdist(const Tensor& input, double p = 2);
// Each element divided by (k + alpha / size * the sum of squares over `size` neighbouring
// channels, centred on its own)^beta, for input [N, C, *] (AlexNet's normalisation).
Tensor local_response_norm(const Tensor& input, int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0);

// ---- attention -------------------------------------------------------------------------------

struct ScaledDotProductAttentionOptions {
  // Bool: true where a query may attend to a key; floating: added to the scores. Broadcasts to
  // [..., L, S].
  Tensor attn_mask;
  double dropout_p = 0.0;  // applied to the attention weights
  bool is_causal = false;  // query i attends to keys 0..i (no attn_mask with it)
  std::optional<double> scale;  // 1 / sqrt(E) when not given
};
// softmax(query key^T * scale + mask) value, for query [..., L, E], key [..., S, E], value [..., S, Ev].
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const ScaledDotProductAttentionOptions& options = {});

// ---- losses ----------------------------------------------------------------------------------

// BatchMean divides the sum by the batch size (the first dimension): the mathematically right
// mean for kl_div, as PyTorch's 'batchmean'.
enum class Reduction { None, Mean, Sum, BatchMean };

struct NLLLossOptions {
  Tensor weight;               // per-class weights [C], or undefined for all ones
  int64_t ignore_index = -100;  // targets equal to it contribute nothing
  Reduction reduction = Reduction::Mean;  // Mean divides by the summed weights of the targets
};
// log_probs [N, C] (or [N, C, d1, ...], or [C] unbatched), target [N] class indices (or
// [N, d1, ...], or 0-dim); an unreduced loss has the target's shape.
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const NLLLossOptions& options = {});

struct CrossEntropyOptions {
  Tensor weight;
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
  // Mixes the one-hot target with the uniform distribution: (1 - s) * nll + s * mean over classes.
  double label_smoothing = 0.0;
};
// logits [N, C] (or [N, C, d1, ...], or [C]): log_softmax over C then the (smoothed) nll loss of
// class-index targets shaped as for nll_loss; or, given floating targets of the logits' shape,
// the cross entropy with those class probabilities (Mean then divides by the sample count).
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options = {});

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
struct SmoothL1LossOptions {
  Reduction reduction = Reduction::Mean;
  double beta = 1.0;  // quadratic below it, linear above; 0 is the L1 loss
};
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossOptions& options = {});

struct HuberLossOptions {
  Reduction reduction = Reduction::Mean;
  double delta = 1.0;  // quadratic below it, linear with slope delta above
};
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossOptions& options = {});

struct BCELossOptions {
  Tensor weight;  // per element, broadcast to the input
  Reduction reduction = Reduction::Mean;
};
// Binary cross entropy of probabilities in [0, 1], logs clamped at -100 as PyTorch's.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BCELossOptions& options = {});

struct KLDivOptions {
  Reduction reduction = Reduction::Mean;  // BatchMean gives the divergence per sample
  bool log_target = false;                // target holds log-probabilities
};
// Kullback-Leibler divergence of `target` (probabilities) from the distribution whose
// log-probabilities are `input`.
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivOptions& options = {});

struct BCEWithLogitsOptions {
  Tensor weight;      // per element, broadcast to the input
  Tensor pos_weight;  // per class, scales the positive term
  Reduction reduction = Reduction::Mean;
};
// sigmoid + binary cross entropy in one numerically stable expression.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsOptions& options = {});

// log(1 + exp(-y x)) for labels y of +-1: the two-class logistic loss.
Tensor soft_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

struct MultilabelSoftMarginOptions {
  Tensor weight;  // per class [C]
  Reduction reduction = Reduction::Mean;
};
// For input [N, C] (or [C]) and 0/1 targets of its shape: the binary cross entropy of each class's
// logit, averaged over the classes, per sample.
Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target, const MultilabelSoftMarginOptions& options = {});

struct MarginOptions {
  double margin = 1.0;
  Reduction reduction = Reduction::Mean;
};
// x where y = 1, max(0, margin - x) where y = -1 (input: distances).
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, const MarginOptions& options = {});
// max(0, -y (x1 - x2) + margin): y = 1 asks x1 to rank above x2 (the margin defaults to 0 in PyTorch: pass it).
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, const MarginOptions& options);
// For rows x1, x2 [N, D] (or [D]) and y of +-1 per row: 1 - cos where y = 1, max(0, cos - margin) where y = -1.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, const MarginOptions& options);

struct TripletMarginOptions {
  double margin = 1.0;
  double p = 2.0;       // the distance's norm
  double eps = 1e-6;    // added to the differences, as PyTorch's pairwise_distance
  bool swap = false;    // take the nearer of the anchor's and the positive's distance to the negative
  Reduction reduction = Reduction::Mean;
};
// max(0, d(anchor, positive) - d(anchor, negative) + margin) over rows [N, D] (or [D]).
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           const TripletMarginOptions& options = {});

struct TripletMarginWithDistanceOptions {
  // The distance between rows; pairwise_distance (the 2-norm) when empty.
  std::function<Tensor(const Tensor&, const Tensor&)> distance_function;
  double margin = 1.0;
  bool swap = false;
  Reduction reduction = Reduction::Mean;
};
// triplet_margin_loss with any distance: max(0, d(anchor, positive) - d(anchor, negative) + margin).
Tensor triplet_margin_with_distance_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                                         const TripletMarginWithDistanceOptions& options = {});

struct MultiMarginOptions {
  int64_t p = 1;   // 1 or 2: the hinge or its square
  double margin = 1.0;
  Tensor weight;   // per class [C], weighting each sample by its target's, or undefined
  Reduction reduction = Reduction::Mean;
};
// For scores [N, C] (or [C]) and class indices [N] (or []): the multi-class hinge
// sum over i != y of max(0, margin - x[y] + x[i])^p / C, per sample.
Tensor multi_margin_loss(const Tensor& input, const Tensor& target, const MultiMarginOptions& options = {});
// For scores [N, C] (or [C]) and targets of their shape listing each sample's classes, ended by
// the first -1: sum over listed j and unlisted i of max(0, 1 - (x[j] - x[i])) / C, per sample.
Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

struct PoissonNLLOptions {
  bool log_input = true;  // input is log(rate): exp(input) - target input; else rate - target log(rate + eps)
  bool full = false;      // add Stirling's approximation of log(target!) where target > 1
  double eps = 1e-8;
  Reduction reduction = Reduction::Mean;
};
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, const PoissonNLLOptions& options = {});

struct GaussianNLLOptions {
  bool full = false;  // add log(2 pi) / 2
  double eps = 1e-6;  // the variance is clamped at it (its gradient still flows, as PyTorch's)
  Reduction reduction = Reduction::Mean;
};
// (log(var) + (input - target)^2 / var) / 2, var broadcast to the input (one per sample allowed).
Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var, const GaussianNLLOptions& options = {});

struct CTCLossOptions {
  int64_t blank = 0;  // the class that emits nothing
  // Mean divides each sequence's loss by its target length (at least 1), then averages the batch.
  Reduction reduction = Reduction::Mean;
  bool zero_infinity = false;  // an impossible alignment's infinite loss (and its gradient) becomes 0
};
// Connectionist temporal classification: -log of the probability, summed over every alignment,
// that log_probs [T, N, C] (log-softmax over C; [T, C] unbatched) emit the targets, [N, S] padded
// or 1-D concatenated ([S] unbatched), within each sequence's first input_lengths[n] steps. An
// alignment repeats labels and puts blanks between them; the forward recursion runs over the
// targets with blanks interleaved, in log space, all sequences at once.
Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths, const Tensor& target_lengths,
                const CTCLossOptions& options = {});

}  // namespace ember::nn::functional
