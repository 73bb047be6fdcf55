// ctc_loss by the forward (alpha) recursion of Graves et al., in log space over the targets with
// blanks interleaved (positions 0..2S), one step of tensor operators per time step for the whole
// batch: autograd differentiates it and every backend runs it. The label layout and the lengths
// are arranged on the host, where PyTorch checks them too.
#include <algorithm>
#include <limits>
#include <vector>

#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

// log(exp(a) + exp(b) + exp(c)).
Tensor log_add_exp3(const Tensor& a, const Tensor& b, const Tensor& c) { return logaddexp(logaddexp(a, b), c); }

// One length per sequence, read to the host and checked.
std::vector<int64_t> lengths(const char* op, const char* name, const Tensor& t, int64_t batch) {
  EMBER_CHECK(t.defined() && is_integral(t.dtype(), false) && t.numel() == batch && t.dim() <= 1,
              "[{}] {}: expected {} integer length(s), got {}", op, name, batch,
              t.defined() ? shape_str(t.sizes()) : std::string("none"));
  const std::vector<int64_t> values = to_vector<int64_t>(t.to(DType::Int64));
  for (int64_t v : values) EMBER_CHECK(v >= 0, "[{}] {}: expected non-negative lengths, got {}", op, name, v);
  return values;
}

// The targets with blanks interleaved, per sequence ([N, 2S + 1], padded with blanks), and where
// an alignment may skip a blank: between two different labels.
struct ExtendedTargets {
  std::vector<int64_t> labels;
  std::vector<uint8_t> may_skip;
  int64_t width = 1;
};

ExtendedTargets extend(const char* op, const Tensor& targets, const std::vector<int64_t>& target_lengths,
                       int64_t classes, int64_t blank, bool batched) {
  const int64_t n = static_cast<int64_t>(target_lengths.size());
  const int64_t longest = *std::max_element(target_lengths.begin(), target_lengths.end());
  EMBER_CHECK(is_integral(targets.dtype(), false), "[{}] targets: expected an integer tensor, got {}", op,
              dtype_name(targets.dtype()));
  const std::vector<int64_t> flat = to_vector<int64_t>(targets.to(DType::Int64));
  const bool padded = batched && targets.dim() == 2;
  int64_t total = 0;
  for (int64_t l : target_lengths) total += l;
  if (padded) {
    EMBER_CHECK(targets.size(0) == n && targets.size(1) >= longest, "[{}] targets: expected [{}, S] with S at least "
                "the longest target length {}, got {}", op, n, longest, shape_str(targets.sizes()));
  } else {
    EMBER_CHECK(targets.dim() == 1 && targets.numel() >= total, "[{}] targets: expected the {} labels of the "
                "targets one after another, got {}", op, total, shape_str(targets.sizes()));
  }
  ExtendedTargets e;
  e.width = 2 * longest + 1;
  e.labels.assign(static_cast<size_t>(n * e.width), blank);
  e.may_skip.assign(e.labels.size(), 0);
  int64_t next = 0;  // the concatenated layout's read position
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t k = 0; k < target_lengths[b]; ++k) {
      const int64_t label = flat[static_cast<size_t>(padded ? b * targets.size(1) + k : next++)];
      EMBER_CHECK(label >= 0 && label < classes && label != blank, "[{}] targets: expected labels in [0, {}) other "
                  "than the blank {}, got {}", op, classes, blank, label);
      const int64_t s = b * e.width + 2 * k + 1;
      e.labels[static_cast<size_t>(s)] = label;
      e.may_skip[static_cast<size_t>(s)] = k > 0 && e.labels[static_cast<size_t>(s - 2)] != label;
    }
  }
  return e;
}

// Positions 0..width-1 of each row shifted right by `by`, -inf shifted in.
Tensor shifted(const Tensor& alpha, int64_t by) {
  const int64_t width = alpha.size(1);
  if (by >= width) return full_like(alpha, kMinusInf);
  return cat({full({alpha.size(0), by}, kMinusInf, alpha.dtype(), alpha.device()), alpha.narrow(1, 0, width - by)}, 1);
}

}  // namespace

Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths, const Tensor& target_lengths,
                const CTCLossOptions& options) {
  const char* op = "ctc_loss";
  EMBER_CHECK(is_floating(log_probs.dtype()) && (log_probs.dim() == 3 || log_probs.dim() == 2),
              "[{}] log_probs: expected a floating [T, N, C] or [T, C] tensor, got {} {}", op,
              dtype_name(log_probs.dtype()), shape_str(log_probs.sizes()));
  const bool batched = log_probs.dim() == 3;
  const Tensor lp = batched ? log_probs : log_probs.unsqueeze(1);
  const int64_t steps = lp.size(0), n = lp.size(1), classes = lp.size(2);
  EMBER_CHECK(options.reduction != Reduction::BatchMean, "[{}] reduction: expected None, Mean or Sum", op);
  EMBER_CHECK(options.blank >= 0 && options.blank < classes, "[{}] blank: expected a class in [0, {}), got {}", op,
              classes, options.blank);
  const std::vector<int64_t> input_len = lengths(op, "input_lengths", input_lengths, n);
  const std::vector<int64_t> target_len = lengths(op, "target_lengths", target_lengths, n);
  for (int64_t l : input_len) {
    EMBER_CHECK(l <= steps, "[{}] input_lengths: expected lengths of at most T = {}, got {}", op, steps, l);
  }
  EMBER_CHECK(n > 0 && steps > 0, "[{}] log_probs: expected at least one step and one sequence, got {}", op,
              shape_str(log_probs.sizes()));
  const ExtendedTargets e = extend(op, targets, target_len, classes, options.blank, batched);
  const Device device = lp.device();
  const Tensor labels = tensor<int64_t>(e.labels, {n, e.width}, device);
  const Tensor may_skip = tensor<uint8_t>(e.may_skip, {n, e.width}, device).to(DType::Bool);
  const Tensor steps_of = tensor<int64_t>(input_len, {n, 1}, device);
  const Tensor position = arange(e.width, DType::Int64, device).unsqueeze(0);

  // Each step's log-probability of every extended position's class: [T, N, 2S + 1].
  const Tensor emit = lp.gather(2, labels.unsqueeze(0).expand({steps, n, e.width}));
  // Before any step, only the empty prefix (position 0, log 1) is reached; a sequence of length
  // 0 stays there.
  Tensor alpha = where(eq(position, 0), zeros({n, e.width}, lp.dtype(), device), full({n, e.width}, kMinusInf, lp.dtype(), device));
  const Tensor unreachable = full_like(alpha, kMinusInf);
  for (int64_t t = 0; t < steps; ++t) {
    Tensor next;
    if (t == 0) {
      next = where(lt(position, 2), emit[0], unreachable);  // a blank or the first label
    } else {
      next = log_add_exp3(alpha, shifted(alpha, 1), where(may_skip, shifted(alpha, 2), unreachable)) + emit[t];
    }
    alpha = where(gt(steps_of, t), next, alpha);
  }
  // Complete alignments end on the last label or the blank after it.
  const Tensor last = scalar_tensor(2, DType::Int64, device) * tensor<int64_t>(target_len, {n, 1}, device);
  const Tensor before_last = (last - 1).clamp_min(0);
  const Tensor second = where(gt(last, 0), alpha.gather(1, before_last), full({n, 1}, kMinusInf, lp.dtype(), device));
  Tensor loss = -log_add_exp3(alpha.gather(1, last), second, full({n, 1}, kMinusInf, lp.dtype(), device)).squeeze(1);
  if (options.zero_infinity) loss = where(eq(loss, std::numeric_limits<double>::infinity()), zeros_like(loss), loss);
  if (options.reduction == Reduction::Mean) {
    return (loss / tensor<int64_t>(target_len, {n}, device).clamp_min(1).to(loss.dtype())).mean();
  }
  if (options.reduction == Reduction::Sum) return loss.sum();
  return batched ? loss : loss.squeeze(0);
}

}  // namespace ember::nn::functional
