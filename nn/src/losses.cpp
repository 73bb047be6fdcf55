// The losses of ember::nn::functional, composed of operators.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/core/broadcast.h"
#include "ember/nn/functional.h"
#include "window_checks.h"

namespace ember::nn::functional {
namespace {

Tensor reduce(const Tensor& terms, Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return terms;
    case Reduction::Sum: return terms.sum();
    case Reduction::Mean: return terms.mean();
    case Reduction::BatchMean: return terms.dim() == 0 ? terms : terms.sum() / std::max<int64_t>(terms.size(0), 1);
  }
  return terms;
}

// Scores [N, C, d1, ...] ([C] unbatched) with class-index targets [N, d1, ...] ([] unbatched),
// as PyTorch takes them, flattened to [M, C] scores and [M] targets; `shape` is the target's,
// which an unreduced loss takes.
struct FlatClasses {
  Tensor scores, target;
  DimVector shape;
};

FlatClasses flatten_classes(const char* op, const Tensor& scores, const Tensor& target) {
  EMBER_CHECK(scores.dim() >= 1, "[{}] input: expected [N, C, d1, ...] scores, got a 0-dim tensor", op);
  const int64_t class_dim = scores.dim() == 1 ? 0 : 1, classes = scores.size(class_dim);
  DimVector shape(scores.sizes());
  shape.erase(static_cast<size_t>(class_dim));
  EMBER_CHECK(is_integral(target.dtype(), false) && target.sizes().equals(shape),
              "[{}] target: expected class indices, an integer tensor of shape {} (the input's without its "
              "class dimension), got {} {}", op, shape_str(shape), dtype_name(target.dtype()), shape_str(target.sizes()));
  DimVector order;
  for (int64_t d = 0; d < scores.dim(); ++d) {
    if (d != class_dim) order.push_back(d);
  }
  order.push_back(class_dim);
  return {scores.permute(order).reshape({-1, classes}), target.reshape({-1}), shape};
}

// Per sample: the weight of its target class (0 where the target is ignored) and
// -weight * log_probs[target], for flattened log_probs [M, C] and targets [M].
struct PickedTerms {
  Tensor weights, terms, valid;
};

PickedTerms pick_targets(const char* op, const Tensor& log_probs, const Tensor& target, const Tensor& weight,
                         int64_t ignore_index) {
  const int64_t n = log_probs.size(0), classes = log_probs.size(1);
  EMBER_CHECK(!weight.defined() || (weight.dim() == 1 && weight.size(0) == classes),
              "[{}] weight: expected one weight per class, shape [{}], got {}", op, classes, shape_str(weight.sizes()));
  const Tensor valid = ne(target, wrapped_number(ignore_index, target.device()));  // -100 need not fit uint8
  const Tensor safe = (target * valid).to(DType::Int64);  // ignored targets read class 0, weighted 0
  // On the CPU the range is checked here, naming the loss; a device checks it in its gather
  // kernel instead, which spares a synchronising read on every step.
  const bool host = target.impl()->storage()->device_interface().host_accessible();
  if (n > 0 && host) {
    const int64_t lowest = safe.amin().item<int64_t>(), highest = safe.amax().item<int64_t>();
    EMBER_CHECK(lowest >= 0 && highest < classes, "[{}] target: expected class indices in [0, {}), got {}", op,
                classes, lowest < 0 ? lowest : highest);
  }
  Tensor weights = valid.to(log_probs.dtype());
  if (weight.defined()) weights = weights * weight.index_select(0, safe);
  const Tensor picked = log_probs.gather(1, safe.unsqueeze(1)).squeeze(1);
  return {weights, -(picked * weights), valid};
}

// The reduction of per-sample terms: Mean divides by the summed weights of the targets (the
// samples' count without class weights or ignored targets), None restores the target's shape.
Tensor reduce_picked(const Tensor& terms, const Tensor& weights, const DimVector& shape, Reduction reduction) {
  if (reduction == Reduction::Mean) return terms.sum() / weights.sum();
  if (reduction == Reduction::None) return terms.reshape(shape);
  return reduce(terms, reduction);
}

void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  EMBER_CHECK(input.sizes().equals(target.sizes()), "[{}] target: expected shape {} like input, got {}", op,
              shape_str(input.sizes()), shape_str(target.sizes()));
}

// An optional per-element factor must broadcast to the input's shape without widening it.
void check_factor(const char* op, const char* name, const Tensor& factor, const Tensor& input) {
  if (factor.defined()) check_broadcasts_to(factor.sizes(), input.sizes(), op, name);
}

}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const NLLLossOptions& options) {
  const FlatClasses flat = flatten_classes("nll_loss", log_probs, target);
  const PickedTerms p = pick_targets("nll_loss", flat.scores, flat.target, options.weight, options.ignore_index);
  return reduce_picked(p.terms, p.weights, flat.shape, options.reduction);
}

// Targets as class probabilities (the input's shape): -sum over classes of weight * target *
// log_prob per sample; Mean divides by the number of samples, as PyTorch's.
Tensor cross_entropy_with_probabilities(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options) {
  const char* op = "cross_entropy";
  const int64_t class_dim = logits.dim() == 1 ? 0 : 1, classes = logits.size(class_dim);
  EMBER_CHECK(!options.weight.defined() || (options.weight.dim() == 1 && options.weight.size(0) == classes),
              "[{}] weight: expected one weight per class, shape [{}], got {}", op, classes,
              shape_str(options.weight.sizes()));
  const double s = options.label_smoothing;
  const Tensor probabilities = s == 0 ? target : target * (1 - s) + s / static_cast<double>(classes);
  Tensor terms = log_softmax(logits, class_dim) * probabilities;
  if (options.weight.defined()) {
    DimVector weight_shape(logits.dim(), 1);
    weight_shape[class_dim] = classes;
    terms = terms * options.weight.view(weight_shape);
  }
  const Tensor loss = -terms.sum(class_dim);
  return reduce(loss, options.reduction);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options) {
  const double s = options.label_smoothing;
  EMBER_CHECK(s >= 0 && s <= 1, "[cross_entropy] label_smoothing: expected a value in [0, 1], got {}", s);
  if (is_floating(target.dtype()) && logits.dim() >= 1 && target.sizes().equals(logits.sizes())) {
    return cross_entropy_with_probabilities(logits, target, options);
  }
  const FlatClasses flat = flatten_classes("cross_entropy", logits, target);
  const Tensor log_probs = log_softmax(flat.scores, 1);
  const PickedTerms p = pick_targets("cross_entropy", log_probs, flat.target, options.weight, options.ignore_index);
  if (s == 0) return reduce_picked(p.terms, p.weights, flat.shape, options.reduction);
  // The uniform part: -sum over classes of weight * log_prob, per sample, as in PyTorch.
  const Tensor weighted = options.weight.defined() ? log_probs * options.weight.view({1, -1}) : log_probs;
  const Tensor smooth = -(weighted.sum(1) * p.valid.to(log_probs.dtype()));
  const double uniform = s / static_cast<double>(flat.scores.size(1));
  return reduce_picked(p.terms * (1 - s) + smooth * uniform, p.weights, flat.shape, options.reduction);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("mse_loss", input, target);
  const Tensor diff = input - target;
  return reduce(diff * diff, reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("l1_loss", input, target);
  return reduce(abs(input - target), reduction);
}

// 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta beyond; beta = 0 is the L1 loss.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossOptions& options) {
  check_same_shape("smooth_l1_loss", input, target);
  const double beta = options.beta;
  const Reduction reduction = options.reduction;
  EMBER_CHECK(beta >= 0, "[smooth_l1_loss] beta: expected a value >= 0, got {}", beta);
  const Tensor d = abs(input - target);
  if (beta == 0) return reduce(d, reduction);
  return reduce(where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta), reduction);
}

// 0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) beyond: smooth_l1_loss times delta.
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossOptions& options) {
  check_same_shape("huber_loss", input, target);
  const double delta = options.delta;
  EMBER_CHECK(delta > 0, "[huber_loss] delta: expected a value > 0, got {}", delta);
  const Tensor d = abs(input - target);
  return reduce(where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta), options.reduction);
}

// -(y log p + (1 - y) log(1 - p)), each log clamped at -100 as PyTorch's, so that p = 0 or 1
// gives a finite loss and gradient.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BCELossOptions& options) {
  const char* op = "binary_cross_entropy";
  EMBER_CHECK(is_floating(input.dtype()), "[{}] input: expected floating-point probabilities, got {}", op,
              dtype_name(input.dtype()));
  check_same_shape(op, input, target);
  check_factor(op, "weight", options.weight, input);
  // On the CPU the range is checked, naming the loss; on a device that would cost a synchronising read.
  if (input.numel() > 0 && input.impl()->storage()->device_interface().host_accessible()) {
    const bool in_range = logical_and(input >= 0, input <= 1).all().item<bool>();
    EMBER_CHECK(in_range, "[{}] input: expected probabilities in [0, 1]", op);
  }
  const Tensor log_p = clamp(log(input), -100), log_not_p = clamp(log(1 - input), -100);
  Tensor loss = -(target * log_p + (1 - target) * log_not_p);
  if (options.weight.defined()) loss = loss * options.weight;
  return reduce(loss, options.reduction);
}

// target (log target - input) pointwise, input being log-probabilities; 0 where the target is 0
// (or -inf as a log target), where the formula would give 0 * inf.
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivOptions& options) {
  const char* op = "kl_div";
  EMBER_CHECK(is_floating(input.dtype()), "[{}] input: expected floating-point log-probabilities, got {}", op,
              dtype_name(input.dtype()));
  check_factor(op, "target", target, input);
  const Tensor terms = options.log_target
                           ? where(target > -INFINITY, exp(target) * (target - input), zeros_like(input))
                                          : where(target > 0, target * (log(target) - input), zeros_like(input));
  return reduce(terms, options.reduction);
}

// (1 - y) x + (1 + (pos_weight - 1) y) (log(1 + exp(-|x|)) + max(-x, 0)): log(1 + exp(-x))
// without overflow for either sign of x.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsOptions& options) {
  const char* op = "binary_cross_entropy_with_logits";
  EMBER_CHECK(is_floating(input.dtype()), "[{}] input: expected floating-point logits, got {}", op,
              dtype_name(input.dtype()));
  check_same_shape(op, input, target);
  check_factor(op, "weight", options.weight, input);
  check_factor(op, "pos_weight", options.pos_weight, input);
  // -log(sigmoid(x)), without softplus's linear cut-off: exact for every input.
  const Tensor softplus_neg = softplus(-input, 1.0, std::numeric_limits<double>::infinity());
  const Tensor positive = options.pos_weight.defined() ? (options.pos_weight - 1.0) * target + 1.0 : Tensor();
  Tensor loss = (1.0 - target) * input + (positive.defined() ? positive * softplus_neg : softplus_neg);
  if (options.weight.defined()) loss = loss * options.weight;
  return reduce(loss, options.reduction);
}

Tensor soft_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("soft_margin_loss", input, target);
  return reduce(softplus(-target * input, 1.0, std::numeric_limits<double>::infinity()), reduction);
}

// -(y log sigmoid(x) + (1 - y) log sigmoid(-x)) = (1 - y) x + softplus(-x), exact for either sign.
Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target, const MultilabelSoftMarginOptions& options) {
  const char* op = "multilabel_soft_margin_loss";
  EMBER_CHECK((input.dim() == 1 || input.dim() == 2) && is_floating(input.dtype()),
              "[{}] input: expected floating-point logits [N, C] or [C], got {} {}", op, dtype_name(input.dtype()),
              shape_str(input.sizes()));
  check_same_shape(op, input, target);
  check_factor(op, "weight", options.weight, input);
  Tensor terms = (1.0 - target) * input + softplus(-input, 1.0, std::numeric_limits<double>::infinity());
  if (options.weight.defined()) terms = terms * options.weight;
  return reduce(terms.mean({-1}), options.reduction);
}

Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, const MarginOptions& options) {
  check_same_shape("hinge_embedding_loss", input, target);
  const Tensor zero = zeros_like(input);
  const Tensor below_margin = where(ne(target, 1), (options.margin - input).clamp_min(0), zero);
  return reduce(below_margin + where(ne(target, -1), input, zero), options.reduction);
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, const MarginOptions& options) {
  check_same_shape("margin_ranking_loss", input1, input2);
  check_same_shape("margin_ranking_loss", input1, target);
  return reduce((-target * (input1 - input2) + options.margin).clamp_min(0), options.reduction);
}

// As PyTorch's: squared norms each raised by 1e-12 before the root, so that a zero row gives cos 0.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, const MarginOptions& options) {
  const char* op = "cosine_embedding_loss";
  EMBER_CHECK((input1.dim() == 1 || input1.dim() == 2) && input1.sizes().equals(input2.sizes()),
              "[{}] input2: expected rows [N, D] or [D] like input1 {}, got {}", op, shape_str(input1.sizes()),
              shape_str(input2.sizes()));
  EMBER_CHECK(target.dim() == input1.dim() - 1 && (target.dim() == 0 || target.size(0) == input1.size(0)),
              "[{}] target: expected one label per row of {}, got {}", op, shape_str(input1.sizes()), shape_str(target.sizes()));
  const Tensor dot = (input1 * input2).sum({-1});
  const Tensor squares1 = (input1 * input1).sum({-1}) + 1e-12, squares2 = (input2 * input2).sum({-1}) + 1e-12;
  const Tensor cos = dot / sqrt(squares1 * squares2);
  const Tensor zero = zeros_like(cos);
  const Tensor loss = where(eq(target, 1), 1.0 - cos, zero) + where(eq(target, -1), (cos - options.margin).clamp_min(0), zero);
  return reduce(loss, options.reduction);
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           const TripletMarginOptions& options) {
  const char* op = "triplet_margin_loss";
  EMBER_CHECK(anchor.dim() == 1 || anchor.dim() == 2, "[{}] anchor: expected rows [N, D] or [D], got {}", op,
              shape_str(anchor.sizes()));
  check_same_shape(op, anchor, positive);
  check_same_shape(op, anchor, negative);
  EMBER_CHECK(options.p > 0, "[{}] p: expected a positive norm, got {}", op, options.p);
  auto distance = [&](const Tensor& a, const Tensor& b) { return (a - b + options.eps).norm(options.p, IntArrayRef{-1}); };
  const Tensor to_positive = distance(anchor, positive);
  Tensor to_negative = distance(anchor, negative);
  if (options.swap) to_negative = minimum(to_negative, distance(positive, negative));
  return reduce((to_positive - to_negative + options.margin).clamp_min(0), options.reduction);
}

Tensor triplet_margin_with_distance_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                                         const TripletMarginWithDistanceOptions& options) {
  const char* op = "triplet_margin_with_distance_loss";
  check_same_shape(op, anchor, positive);
  check_same_shape(op, anchor, negative);
  const auto distance = [&](const Tensor& a, const Tensor& b) {
    return options.distance_function ? options.distance_function(a, b) : pairwise_distance(a, b);
  };
  const Tensor to_positive = distance(anchor, positive);
  Tensor to_negative = distance(anchor, negative);
  if (options.swap) to_negative = minimum(to_negative, distance(positive, negative));
  return reduce((to_positive - to_negative + options.margin).clamp_min(0), options.reduction);
}

namespace {

// Scores [N, C] (or [C]) as [N, C], checking that `target` holds class indices in [lowest, C).
Tensor scores_with_indices(const char* op, const Tensor& input, const Tensor& target, int64_t lowest) {
  EMBER_CHECK(input.dim() == 1 || input.dim() == 2, "[{}] input: expected scores [N, C] or [C], got {}", op,
              shape_str(input.sizes()));
  EMBER_CHECK(is_integral(target.dtype(), false), "[{}] target: expected class indices (an integer tensor), got {}",
              op, dtype_name(target.dtype()));
  const int64_t classes = input.size(-1);
  if (target.numel() > 0) {
    const int64_t low = target.amin().item<int64_t>(), high = target.amax().item<int64_t>();
    EMBER_CHECK(low >= lowest && high < classes, "[{}] target: expected class indices from {} to {}, got values from "
                "{} to {}", op, lowest, classes - 1, low, high);
  }
  return input.dim() == 2 ? input : input.unsqueeze(0);
}

}  // namespace

Tensor multi_margin_loss(const Tensor& input, const Tensor& target, const MultiMarginOptions& options) {
  const char* op = "multi_margin_loss";
  EMBER_CHECK(options.p == 1 || options.p == 2, "[{}] p: expected 1 or 2, got {}", op, options.p);
  const Tensor scores = scores_with_indices(op, input, target, 0);
  EMBER_CHECK(target.numel() == scores.size(0) && target.dim() == input.dim() - 1,
              "[{}] target: expected one class index per row of input {}, got shape {}", op, shape_str(input.sizes()),
              shape_str(target.sizes()));
  const int64_t classes = scores.size(1);
  check_per_channel(op, "weight", options.weight, classes);
  const Tensor y = target.reshape({-1, 1}).to(DType::Int64);
  Tensor hinge = (scores - scores.gather(1, y) + options.margin).clamp_min(0);
  if (options.p == 2) hinge = hinge * hinge;
  // The target's own class takes no part.
  hinge = hinge.masked_fill(one_hot(y.squeeze(1), classes).to(DType::Bool), 0);
  if (options.weight.defined()) hinge = hinge * options.weight.index_select(0, y.squeeze(1)).unsqueeze(1);
  const Tensor per_sample = hinge.sum({1}) / static_cast<double>(classes);
  return reduce(input.dim() == 2 ? per_sample : per_sample.squeeze(0), options.reduction);
}

Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const char* op = "multilabel_margin_loss";
  const Tensor scores = scores_with_indices(op, input, target, -1);
  check_same_shape(op, input, target);
  const int64_t classes = scores.size(1);
  const Tensor listed = target.reshape(scores.sizes()).to(DType::Int64);
  // A sample's classes are its entries before the first -1; each counts as often as listed.
  const Tensor before_end = ge(listed, 0).to(DType::Int64).cumprod(1);
  const Tensor counts = (one_hot(listed.clamp_min(0), classes) * before_end.unsqueeze(2)).sum({1});  // [N, C]
  const Tensor unlisted = eq(counts, 0).to(scores.dtype());
  // hinge[n, j, i] = max(0, 1 - (x[j] - x[i])) for listed j and unlisted i.
  const Tensor hinge = (scores.unsqueeze(1) - scores.unsqueeze(2) + 1).clamp_min(0);
  const Tensor per_sample =
      (hinge * counts.to(scores.dtype()).unsqueeze(2) * unlisted.unsqueeze(1)).sum({1, 2}) / static_cast<double>(classes);
  return reduce(input.dim() == 2 ? per_sample : per_sample.squeeze(0), reduction);
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, const PoissonNLLOptions& options) {
  check_same_shape("poisson_nll_loss", input, target);
  Tensor loss = options.log_input ? exp(input) - target * input : input - target * log(input + options.eps);
  if (options.full) {
    // log(target!) ~ target log(target) - target + log(2 pi target) / 2, counted where target > 1.
    const Tensor safe = where(gt(target, 1), target, ones_like(target));
    const Tensor stirling = safe * log(safe) - safe + 0.5 * log(2 * M_PI * safe);
    loss = loss + where(gt(target, 1), stirling, zeros_like(stirling));
  }
  return reduce(loss, options.reduction);
}

Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var, const GaussianNLLOptions& options) {
  const char* op = "gaussian_nll_loss";
  check_same_shape(op, input, target);
  // One variance per sample may drop the last dimension, as PyTorch allows.
  const Tensor variance = var.dim() + 1 == input.dim() ? var.unsqueeze(-1) : var;
  check_factor(op, "var", variance, input);
  EMBER_CHECK(options.eps >= 0, "[{}] eps: expected a non-negative value, got {}", op, options.eps);
  EMBER_CHECK(!lt(variance, 0).any().item<bool>(), "[{}] var: expected non-negative variances", op);
  // Clamped in value only: the gradient reaches var as if unclamped, as PyTorch's no_grad clamp_.
  const Tensor clamped = variance + (variance.clamp_min(options.eps) - variance).detach();
  const Tensor diff = input - target;
  Tensor loss = 0.5 * (log(clamped) + diff * diff / clamped);
  if (options.full) loss = loss + 0.5 * std::log(2 * M_PI);
  return reduce(loss, options.reduction);
}

}  // namespace ember::nn::functional
