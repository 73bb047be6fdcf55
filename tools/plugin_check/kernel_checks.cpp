#include "kernel_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "op_samples.h"
#include "tolerance.h"

namespace ember::plugin_check {
namespace {

const DType kDTypes[] = {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16, DType::Int64, DType::Int32};

// Strided: tensors of two or more dims with their first and last dims' memory order swapped.
enum class Layout { Contiguous, Strided };
const char* layout_name(Layout layout) { return layout == Layout::Contiguous ? "contiguous" : "strided"; }

// The operator under test runs with the CPU fallback off, so that a kernel's decline shows;
// everything around it (moving data, backward formulas) may use the fallback quietly.
class FallbackOff {
 public:
  FallbackOff() { set_cpu_fallback_mode(CpuFallbackMode::Error); }
  ~FallbackOff() { set_cpu_fallback_mode(CpuFallbackMode::Silent); }
};

// The fallback's error for a kernel that declined (Note [CPU fallback]).
bool is_decline(const Error& e) { return std::string_view(e.what()).find(" kernel declined: ") != std::string_view::npos; }

// A fresh copy of `t` on `device` (in-place operators must not touch the sample) in `layout`.
Tensor place(const Tensor& t, Device device, Layout layout) {
  Tensor placed = t.device() == device ? t.clone() : t.to(device);
  if (layout == Layout::Strided && placed.dim() >= 2) {
    const int64_t last = placed.dim() - 1;
    placed = placed.transpose(0, last).contiguous().transpose(0, last);
  }
  return placed;
}

IValue place(const IValue& value, Device device, Layout layout) {
  return value.is_tensor() ? IValue(place(value.tensor_ref(), device, layout)) : value;
}

struct Arguments {
  std::vector<IValue> positional;
  std::vector<ops::NamedArgument> named;
};

// The results of `op`'s functional form on the CPU, for an out= operator's `out` arguments.
std::vector<IValue> functional_results(const OperatorHandle& op, const Sample& sample) {
  if (!op.schema().is_out()) return {};
  return ops::call_boxed(functional_name(op.schema()), sample.args(), sample.named());
}

// The sample's arguments on `device`, with an empty `out` shaped like each functional result.
Arguments place_arguments(const OperatorHandle& op, const Sample& sample, const std::vector<IValue>& outs,
                          Device device, Layout layout) {
  Arguments a;
  for (const IValue& v : sample.args()) a.positional.push_back(place(v, device, layout));
  for (const auto& [name, v] : sample.named()) a.named.emplace_back(name, place(v, device, layout));
  size_t next = 0;
  for (const schema::Argument& arg : op.schema().arguments) {
    if (!arg.kwarg_only || !arg.type.alias || !arg.type.alias->is_write || next >= outs.size()) continue;
    const Tensor& like = outs[next++].tensor_ref();
    a.named.emplace_back(arg.name, empty(like.sizes(), like.dtype(), device));
  }
  return a;
}

std::vector<IValue> call(const OperatorHandle& op, const Arguments& a) {
  return ops::call_boxed(op.name(), a.positional, a.named);
}

std::string compare_elements(const Tensor& expected, const Tensor& got) {
  const auto e = to_vector<double>(expected), g = to_vector<double>(got);
  const double tol = tolerance(expected.dtype());
  for (size_t i = 0; i < e.size(); ++i) {
    const bool both_nan = std::isnan(e[i]) && std::isnan(g[i]);
    if (e[i] == g[i] || both_nan || std::abs(e[i] - g[i]) <= tol * (1 + std::abs(e[i]))) continue;
    return fmt::format("element {}: cpu {}, plugin {}", i, e[i], g[i]);
  }
  return "";
}

// Mean, spread, and the range of all but the 0.1% lowest and highest draws (a normal
// distribution's extremes wander too far between two sets of draws to compare).
struct Moments {
  double mean = 0, spread = 0, low = 0, high = 0;
};

Moments moments(const Tensor& t) {
  auto v = to_vector<double>(t);
  std::sort(v.begin(), v.end());
  const double n = static_cast<double>(v.size());
  Moments m;
  for (double x : v) m.mean += x / n;
  for (double x : v) m.spread += (x - m.mean) * (x - m.mean) / n;
  m.spread = std::sqrt(m.spread);
  m.low = v[static_cast<size_t>(0.001 * (n - 1))];
  m.high = v[static_cast<size_t>(0.999 * (n - 1))];
  return m;
}

// Random draws: the same mean and spread within 5% of the spread, and a range no wider.
std::string compare_statistics(const Tensor& expected, const Tensor& got) {
  const Moments e = moments(expected), g = moments(got);
  const double slack = 0.05 * e.spread, range_slack = 0.05 * (e.high - e.low);
  if (std::abs(e.mean - g.mean) <= slack && std::abs(e.spread - g.spread) <= slack &&
      g.low >= e.low - range_slack && g.high <= e.high + range_slack) {
    return "";
  }
  return fmt::format("draws with mean {:.4g}, spread {:.4g}, range [{:.4g}, {:.4g}]; the CPU's: {:.4g}, {:.4g}, "
                     "[{:.4g}, {:.4g}]", g.mean, g.spread, g.low, g.high, e.mean, e.spread, e.low, e.high);
}

std::string compare(const Tensor& expected, const Tensor& got, Device device, Compare mode) {
  if (got.device() != device) return fmt::format("the result is on {}, not {}", got.device().str(), device.str());
  if (got.dtype() != expected.dtype()) {
    return fmt::format("dtype {}, the CPU's is {}", dtype_name(got.dtype()), dtype_name(expected.dtype()));
  }
  if (!got.sizes().equals(expected.sizes())) {
    return fmt::format("shape {}, the CPU's is {}", shape_str(got.sizes()), shape_str(expected.sizes()));
  }
  return mode == Compare::Statistics ? compare_statistics(expected, got) : compare_elements(expected, got);
}

// Returns only: an operator that writes an argument (in place, out=) also returns it.
std::string compare_results(const std::vector<IValue>& expected, const std::vector<IValue>& got, Device device,
                            Compare mode) {
  if (got.size() != expected.size()) return fmt::format("{} results, the CPU's {}", got.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    if (!expected[i].is_tensor()) continue;
    if (!got[i].is_tensor()) return fmt::format("result {} is not a tensor", i);
    if (std::string diff = compare(expected[i].tensor_ref(), got[i].tensor_ref(), device, mode); !diff.empty()) {
      return fmt::format("result {}: {}", i, diff);
    }
  }
  return "";
}

// What one operator's checks found.
struct Tally {
  int calls = 0;
  int gradients = 0;
  std::set<std::string> declined;  // dtype names
  std::string failure;             // the first, with its dtype, layout and sample
};

// One call on the CPU and on `device`: "" when the plugin's answer is the CPU's, what differs
// when it is not, nothing when the plugin's kernel did not run (declined, or a call the CPU refuses).
std::optional<std::string> check_call(const OperatorHandle& op, const Sample& sample, Device device, Layout layout, DType dtype,
                       Tally& tally) {
  // An invalid call has no functional result to shape an `out` like.
  if (sample.compare() == Compare::Error && op.schema().is_out()) return std::nullopt;
  std::optional<std::vector<IValue>> expected;
  std::vector<IValue> outs;
  try {
    outs = functional_results(op, sample);
    expected = call(op, place_arguments(op, sample, outs, default_device(), layout));
  } catch (const Error&) {
    if (sample.compare() != Compare::Error) return std::nullopt;  // nor does the CPU take this dtype or layout
  }
  if (sample.compare() == Compare::Error && expected) return std::nullopt;  // proves nothing
  const Arguments arguments = place_arguments(op, sample, outs, device, layout);
  std::vector<IValue> got;
  try {
    FallbackOff off;
    got = call(op, arguments);
  } catch (const Error& e) {
    if (is_decline(e)) {
      tally.declined.emplace(dtype_name(dtype));
      return std::nullopt;
    }
    if (sample.compare() == Compare::Error) {
      ++tally.calls;
      return "";
    }
    return std::string(e.what());
  }
  if (sample.compare() == Compare::Error) return "accepted invalid input that the CPU refuses";
  ++tally.calls;
  return compare_results(*expected, got, device, sample.compare());
}

// d(sum of result_i * weight_i)/d(floating inputs) on `device`, as on the CPU; "" when equal
// or when the CPU cannot differentiate the call. Backward formulas run other operators too, so a
// difference may come from any kernel they reach.
std::string check_gradient(const OperatorHandle& op, const Sample& sample, Device device, Tally& tally) {
  if (sample.compare() != Compare::Elements || op.schema().is_inplace() || op.schema().is_out()) return "";
  struct Side {
    std::vector<Tensor> leaves;
    std::string error;
  };
  auto backward = [&](Device on) {
    Side side;
    Arguments a = place_arguments(op, sample, {}, on, Layout::Contiguous);
    auto track = [&](IValue& v) {
      if (v.is_tensor() && is_floating(v.tensor_ref().dtype())) side.leaves.push_back(v.tensor_ref().requires_grad_());
    };
    for (IValue& v : a.positional) track(v);
    for (auto& named : a.named) track(named.second);
    try {
      const std::vector<IValue> results = call(op, a);
      Tensor loss;
      unsigned seed = 100;
      for (const IValue& r : results) {
        if (!r.is_tensor() || !is_floating(r.tensor_ref().dtype())) continue;
        const Tensor& t = r.tensor_ref();
        const Tensor term = (t * sample_data(t.sizes(), t.dtype(), seed++).to(on)).sum();
        loss = loss.defined() ? loss + term : term;
      }
      if (!loss.defined() || side.leaves.empty()) return Side{};
      loss.backward();
    } catch (const Error& e) {
      side.error = e.what();
    }
    return side;
  };
  const Side cpu = backward(default_device());
  if (!cpu.error.empty() || cpu.leaves.empty()) return "";
  const Side got = backward(device);
  if (!got.error.empty()) return "backward: " + got.error;
  ++tally.gradients;
  for (size_t i = 0; i < cpu.leaves.size(); ++i) {
    const Tensor e = cpu.leaves[i].grad(), g = got.leaves[i].grad();
    if (e.defined() != g.defined()) return fmt::format("gradient of input {}: defined on one device only", i);
    if (!e.defined()) continue;
    if (std::string diff = compare(e, g, device, Compare::Elements); !diff.empty()) {
      return fmt::format("gradient of input {}: {}", i, diff);
    }
  }
  return "";
}

void check_operator(const OperatorHandle& op, Device device, Report& report) {
  Tally tally;
  bool has_samples = false;
  for (DType dtype : kDTypes) {
    const std::vector<Sample> samples = samples_for(op, dtype);
    has_samples = has_samples || !samples.empty();
    for (size_t k = 0; k < samples.size() && tally.failure.empty(); ++k) {
      for (Layout layout : {Layout::Contiguous, Layout::Strided}) {
        std::string failure;
        try {
          const std::optional<std::string> forward = check_call(op, samples[k], device, layout, dtype, tally);
          failure = forward.value_or("");
          if (forward && forward->empty() && layout == Layout::Contiguous && is_floating(dtype)) {
            failure = check_gradient(op, samples[k], device, tally);
          }
        } catch (const Error& e) {
          failure = fmt::format("preparing the call: {}", e.what());
        }
        if (!failure.empty()) {
          tally.failure = fmt::format("{}, {}, sample {}: {}", dtype_name(dtype), layout_name(layout), k, failure);
          break;
        }
      }
    }
  }
  const std::string declined =
      tally.declined.empty() ? "" : fmt::format("; declined {} (the CPU fallback runs those)", fmt::join(tally.declined, ", "));
  if (!tally.failure.empty()) {
    report.fail(op.name(), tally.failure);
  } else if (!has_samples) {
    report.note(op.name(), "not checked: no sample arguments (its schema needs lists)");
  } else if (tally.calls == 0) {
    report.note(op.name(), tally.declined.empty() ? "not checked: the CPU runs none of its samples" : "every call" + declined);
  } else {
    const std::string gradients = tally.gradients ? fmt::format(", {} gradients", tally.gradients) : "";
    report.ok(op.name(), fmt::format("{} calls{}{}", tally.calls, gradients, declined));
  }
}

}  // namespace

void check_kernels(Device device, const std::vector<std::string>& only, Report& report) {
  report.section("kernels (against the CPU backend)");
  set_cpu_fallback_mode(CpuFallbackMode::Silent);
  const Dispatcher& dispatcher = Dispatcher::singleton();
  int kernels = 0;
  for (size_t id = 0; id < dispatcher.num_operators(); ++id) {
    const OperatorHandle& op = dispatcher.op(static_cast<int>(id));
    if (op.kernel_source(device.slot()) != OperatorHandle::KernelSource::Own) continue;
    ++kernels;
    if (!only.empty() && std::find(only.begin(), only.end(), op.name()) == only.end()) continue;
    check_operator(op, device, report);
  }
  if (kernels == 0) report.note("kernels", "none registered: the CPU fallback runs every operator");
}

}  // namespace ember::plugin_check
