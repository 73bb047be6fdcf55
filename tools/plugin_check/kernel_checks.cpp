#include "kernel_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "sample_calls.h"

namespace ember::plugin_check {
namespace {

const DType kDTypes[] = {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16, DType::Int64, DType::Int32};

// The operator under test runs with the CPU fallback off, so that a kernel's decline shows;
// everything around it (moving data, backward formulas) may use the fallback quietly.
class FallbackOff {
 public:
  FallbackOff() { set_cpu_fallback_mode(CpuFallbackMode::Error); }
  ~FallbackOff() { set_cpu_fallback_mode(CpuFallbackMode::Silent); }
};

// The fallback's error for a kernel that declined (Note [CPU fallback]).
bool is_decline(const Error& e) {
  return std::string_view(e.what()).find(" kernel declined: ") != std::string_view::npos;
}

// What one operator's checks found.
struct Tally {
  int calls = 0;
  int gradients = 0;
  std::set<std::string> declined;  // dtype names
  std::string failure;             // the first, with its dtype, layout and sample
  std::optional<size_t> passed_float32;  // a float32 sample the kernel ran and passed with
  bool self_referenced = false;          // compared with repeats of its calls: the CPU has no kernel
};

// One call on the reference device (reference_device()) and on `device`: "" when the plugin's
// answer is the reference's, what differs when it is not, nothing when the plugin's kernel did not
// run (declined, or a call the reference refuses).
std::optional<std::string> check_call(const OperatorHandle& op, const Sample& sample, Device device, Layout layout,
                                      DType dtype, Tally& tally) {
  // An invalid call has no functional result to shape an `out` like.
  if (sample.compare() == Compare::Error && op.schema().is_out()) return std::nullopt;
  std::optional<std::vector<IValue>> expected;
  std::vector<IValue> outs;
  try {
    outs = functional_results(op, sample);
    expected = call(op, place_arguments(op, sample, outs, reference_device(op, device), layout));
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

// Checks `op` and reports it; returns the float32 sample it passed with, if it passed.
std::optional<size_t> check_operator(const OperatorHandle& op, Device device, Report& report) {
  Tally tally;
  tally.self_referenced = reference_device(op, device) == device;
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
          const bool matched = forward && forward->empty();
          if (matched && samples[k].compare() == Compare::Elements && dtype == DType::Float32 && !tally.passed_float32) {
            tally.passed_float32 = k;
          }
          if (matched && layout == Layout::Contiguous && is_floating(dtype)) {
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
    return std::nullopt;
  }
  if (!has_samples) {
    report.note(op.name(), "not checked: no sample arguments (its schema needs lists)");
  } else if (tally.calls == 0) {
    report.note(op.name(), !tally.declined.empty() ? "every call" + declined
                           : tally.self_referenced ? "not checked: none of its samples runs"
                                                   : "not checked: the CPU runs none of its samples");
  } else {
    const std::string gradients =
        tally.gradients ? fmt::format(", {} gradient{}", tally.gradients, tally.gradients == 1 ? "" : "s") : "";
    const std::string reference = tally.self_referenced ? " (no CPU kernel: each against a repeat of itself)" : "";
    report.ok(op.name(), fmt::format("{} call{}{}{}{}", tally.calls, tally.calls == 1 ? "" : "s", reference, gradients,
                                     declined));
  }
  return tally.passed_float32;
}

}  // namespace

std::vector<PassedCall> check_kernels(Device device, const std::vector<std::string>& only, Report& report) {
  report.section("kernels (against the CPU backend)");
  set_cpu_fallback_mode(CpuFallbackMode::Silent);
  const Dispatcher& dispatcher = Dispatcher::singleton();
  int kernels = 0;
  std::vector<PassedCall> passed;
  for (size_t id = 0; id < dispatcher.num_operators(); ++id) {
    const OperatorHandle& op = dispatcher.op(static_cast<int>(id));
    if (op.kernel_source(device.slot()) != OperatorHandle::KernelSource::Own) continue;
    ++kernels;
    if (!only.empty() && std::find(only.begin(), only.end(), op.name()) == only.end()) continue;
    if (const std::optional<size_t> sample = check_operator(op, device, report)) passed.push_back({&op, *sample});
  }
  if (kernels == 0) report.note("kernels", "none registered: the CPU fallback runs every operator");
  return passed;
}

}  // namespace ember::plugin_check
