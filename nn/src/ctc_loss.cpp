// ctc_loss by the forward (alpha) and backward (beta) recursions of Graves et al., in log space
// over the targets with blanks interleaved (positions 0..2S), one step of tensor operators per time
// step for the whole batch, so every backend runs it. The recursions run unrecorded inside an
// autograd::Function whose backward gives the gradient from the alphas and betas (Graves' eq. 16),
// a tenth of the nodes autograd would record through the alpha recursion. The label layout and the
// lengths are arranged on the host, where PyTorch checks them too.
#include <algorithm>
#include <limits>
#include <vector>

#include "ember/autograd/function.h"
#include "ember/autograd/grad_mode.h"
#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

// log(exp(a) + exp(b) + exp(c)) past the largest term, in half the operators two logaddexp calls
// take; three -inf terms (NaN past their shift) give -inf.
Tensor log_add_exp3(const Tensor& a, const Tensor& b, const Tensor& c) {
  const Tensor largest = maximum(maximum(a, b), c);
  const Tensor sum = log(exp(a - largest) + exp(b - largest) + exp(c - largest)) + largest;
  return where(eq(largest, kMinusInf), largest, sum);
}

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

// What both recursions read, on the log-probabilities' device ([N, W] unless said).
struct Alignment {
  Tensor labels;        // each extended position's class
  Tensor skip_into;     // 0 where an alignment may jump from s - 2 to s (between different labels), -inf elsewhere
  Tensor skip_from;     // skip_into moved left by two: 0 where one may jump from s to s + 2
  Tensor ends;          // 0 on the positions a complete alignment ends on (the last label, the blank after it)
  Tensor active;        // [T, N, 1]: step t within the sequence
  Tensor last_step;     // [T, N, 1]: step t is the sequence's last
};

// `rows` ([N, W]) moved right (`by` > 0) or left by |by| positions, -inf moved in.
Tensor moved(const Tensor& rows, int64_t by) {
  const int64_t width = rows.size(1), gap = std::min(std::abs(by), width);
  const Tensor fill = full({rows.size(0), gap}, kMinusInf, rows.dtype(), rows.device());
  return by > 0 ? cat({fill, rows.narrow(1, 0, width - gap)}, 1) : cat({rows.narrow(1, gap, width - gap), fill}, 1);
}

// -log p(target | log_probs) per sequence, [N], from log_probs [T, N, C].
struct NegativeLogLikelihood : autograd::Function<NegativeLogLikelihood> {
  static Tensor forward(autograd::AutogradContext* ctx, const Tensor& log_probs, const Alignment& a) {
    const int64_t steps = log_probs.size(0), n = a.labels.size(0), width = a.labels.size(1);
    const Tensor emit = log_probs.gather(2, a.labels.unsqueeze(0).expand({steps, n, width}));  // [T, N, W]
    // Before any step only the empty prefix (position 0, log 1) is reached; a sequence of length 0
    // stays there.
    const Tensor position = arange(width, DType::Int64, log_probs.device()).unsqueeze(0);
    const Tensor unreachable = full({n, width}, kMinusInf, log_probs.dtype(), log_probs.device());
    Tensor alpha = where(eq(position, 0), zeros_like(unreachable), unreachable);
    std::vector<Tensor> alphas;
    for (int64_t t = 0; t < steps; ++t) {
      const Tensor next = t == 0 ? where(lt(position, 2), emit[0], unreachable)  // a blank or the first label
                                 : log_add_exp3(alpha, moved(alpha, 1), moved(alpha, 2) + a.skip_into) + emit[t];
      alpha = where(a.active[t], next, alpha);
      alphas.push_back(alpha);
    }
    const Tensor nll = -logsumexp(alpha + a.ends, {1});
    ctx->save_for_backward({log_probs, stack(alphas, 0), nll});
    ctx->saved_data["alignment"] = a;
    return nll;
  }

  static autograd::TensorVector backward(autograd::AutogradContext* ctx, autograd::TensorVector grads) {
    EMBER_CHECK(!autograd::grad_mode_enabled(), "[ctc_loss] backward: create_graph is not supported: the gradient "
                "comes from the alpha and beta recursions, which are not differentiated again");
    const autograd::TensorVector saved = ctx->get_saved_variables();
    const Tensor &log_probs = saved[0], &alphas = saved[1], &nll = saved[2];
    const auto& a = std::any_cast<const Alignment&>(ctx->saved_data["alignment"]);
    const int64_t steps = log_probs.size(0), n = a.labels.size(0), width = a.labels.size(1);
    const Tensor index = a.labels.unsqueeze(0).expand({steps, n, width}).contiguous();  // read twice: laid out once
    const Tensor emit = log_probs.gather(2, index);
    // beta_t(s): the log-probability of completing the target from position s at step t, emission
    // at t included; -inf past the sequence's end.
    const Tensor unreachable = full({n, width}, kMinusInf, log_probs.dtype(), log_probs.device());
    std::vector<Tensor> betas(static_cast<size_t>(steps));
    Tensor beta = unreachable;
    for (int64_t t = steps - 1; t >= 0; --t) {
      const Tensor onward = log_add_exp3(beta, moved(beta, -1), moved(beta, -2) + a.skip_from) + emit[t];
      beta = where(a.last_step[t], a.ends + emit[t], where(a.active[t], onward, unreachable));
      betas[static_cast<size_t>(t)] = beta;
    }
    // Each class's share of the alignments through step t: alpha * beta summed over the positions
    // holding it, in log space past each (t, n)'s largest term.
    const Tensor through = alphas + stack(betas, 0);  // [T, N, W]
    Tensor largest = through.amax({2}, true);
    largest = where(isinf(largest), zeros_like(largest), largest);
    const Tensor shares = log(zeros_like(log_probs).scatter_add(2, index, exp(through - largest))) + largest;
    // d nll / d log_probs = -exp(shares + nll - log_probs); zero where no alignment passes.
    const Tensor g = grads[0].view({1, n, 1});
    const Tensor gradient = -exp(shares + nll.view({1, n, 1}) - log_probs) * g;
    return {where(isinf(shares), zeros_like(gradient), gradient), Tensor()};
  }
};

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
  Alignment a;
  a.labels = tensor<int64_t>(e.labels, {n, e.width}, device);
  const Tensor minus_inf = full({n, e.width}, kMinusInf, lp.dtype(), device);
  a.skip_into = where(tensor<uint8_t>(e.may_skip, {n, e.width}, device).to(DType::Bool), zeros_like(minus_inf), minus_inf);
  a.skip_from = moved(a.skip_into, -2);
  const Tensor position = arange(e.width, DType::Int64, device).unsqueeze(0);
  const Tensor last = tensor<int64_t>(target_len, {n, 1}, device) * 2;
  a.ends = where(logical_or(eq(position, last), logical_and(eq(position, last - 1), gt(last, 0))), zeros_like(minus_inf),
                 minus_inf);
  const Tensor step = arange(steps, DType::Int64, device).view({steps, 1, 1});
  const Tensor length = tensor<int64_t>(input_len, {1, n, 1}, device);
  a.active = lt(step, length);
  a.last_step = eq(step, length - 1);
  Tensor loss = NegativeLogLikelihood::apply(lp, a);
  if (options.zero_infinity) loss = where(eq(loss, std::numeric_limits<double>::infinity()), zeros_like(loss), loss);
  if (options.reduction == Reduction::Mean) {
    return (loss / tensor<int64_t>(target_len, {n}, device).clamp_min(1).to(loss.dtype())).mean();
  }
  if (options.reduction == Reduction::Sum) return loss.sum();
  return batched ? loss : loss.squeeze(0);
}

}  // namespace ember::nn::functional
