// The losses of ember::nn::functional, composed of operators.
#include <limits>

#include "ember/core/broadcast.h"
#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

Tensor reduce(const Tensor& terms, Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return terms;
    case Reduction::Sum: return terms.sum();
    case Reduction::Mean: return terms.mean();
  }
  return terms;
}

// Per sample: the weight of its target class (0 where the target is ignored) and
// -weight * log_probs[target].
struct PickedTerms {
  Tensor weights, terms, valid;
};

PickedTerms pick_targets(const char* op, const Tensor& log_probs, const Tensor& target, const Tensor& weight,
                         int64_t ignore_index) {
  EMBER_CHECK(log_probs.dim() == 2, "[{}] input: expected [N, C] scores, got {}", op, shape_str(log_probs.sizes()));
  const int64_t n = log_probs.size(0), classes = log_probs.size(1);
  EMBER_CHECK(is_integral(target.dtype(), false) && target.dim() == 1 && target.size(0) == n,
              "[{}] target: expected {} class indices (an integer tensor of shape [{}]), got {} {}", op, n, n,
              dtype_name(target.dtype()), shape_str(target.sizes()));
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

void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  EMBER_CHECK(input.sizes().equals(target.sizes()), "[{}] target: expected shape {} like input, got {}", op,
              shape_str(input.sizes()), shape_str(target.sizes()));
}

// An optional per-element factor must broadcast to the input's shape without widening it.
void check_broadcasts_to(const char* op, const char* name, const Tensor& factor, const Tensor& input) {
  if (!factor.defined()) return;
  const DimVector shape = broadcast_shapes(factor.sizes(), input.sizes(), op, name);
  EMBER_CHECK(input.sizes().equals(shape), "[{}] {}: expected a shape that broadcasts to the input's {}, got {}", op,
              name, shape_str(input.sizes()), shape_str(factor.sizes()));
}

}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const NLLLossOptions& options) {
  const PickedTerms p = pick_targets("nll_loss", log_probs, target, options.weight, options.ignore_index);
  if (options.reduction == Reduction::Mean) return p.terms.sum() / p.weights.sum();
  return reduce(p.terms, options.reduction);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options) {
  const double s = options.label_smoothing;
  EMBER_CHECK(s >= 0 && s <= 1, "[cross_entropy] label_smoothing: expected a value in [0, 1], got {}", s);
  EMBER_CHECK(logits.dim() == 2, "[cross_entropy] input: expected [N, C] scores, got {}", shape_str(logits.sizes()));
  const Tensor log_probs = log_softmax(logits, 1);
  const PickedTerms p = pick_targets("cross_entropy", log_probs, target, options.weight, options.ignore_index);
  if (s == 0) {
    if (options.reduction == Reduction::Mean) return p.terms.sum() / p.weights.sum();
    return reduce(p.terms, options.reduction);
  }
  // The uniform part: -sum over classes of weight * log_prob, per sample, as in PyTorch.
  const Tensor weighted = options.weight.defined() ? log_probs * options.weight.view({1, -1}) : log_probs;
  const Tensor smooth = -(weighted.sum(1) * p.valid.to(log_probs.dtype()));
  const double uniform = s / static_cast<double>(logits.size(1));
  if (options.reduction == Reduction::Mean) {
    return (p.terms.sum() * (1 - s) + smooth.sum() * uniform) / p.weights.sum();
  }
  return reduce(p.terms * (1 - s) + smooth * uniform, options.reduction);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("mse_loss", input, target);
  const Tensor diff = input - target;
  return reduce(diff * diff, reduction);
}

// (1 - y) x + (1 + (pos_weight - 1) y) (log(1 + exp(-|x|)) + max(-x, 0)): log(1 + exp(-x))
// without overflow for either sign of x.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsOptions& options) {
  const char* op = "binary_cross_entropy_with_logits";
  EMBER_CHECK(is_floating(input.dtype()), "[{}] input: expected floating-point logits, got {}", op,
              dtype_name(input.dtype()));
  check_same_shape(op, input, target);
  check_broadcasts_to(op, "weight", options.weight, input);
  check_broadcasts_to(op, "pos_weight", options.pos_weight, input);
  // -log(sigmoid(x)), without softplus's linear cut-off: exact for every input.
  const Tensor softplus_neg = softplus(-input, 1.0, std::numeric_limits<double>::infinity());
  const Tensor positive = options.pos_weight.defined() ? (options.pos_weight - 1.0) * target + 1.0 : Tensor();
  Tensor loss = (1.0 - target) * input + (positive.defined() ? positive * softplus_neg : softplus_neg);
  if (options.weight.defined()) loss = loss * options.weight;
  return reduce(loss, options.reduction);
}

}  // namespace ember::nn::functional
