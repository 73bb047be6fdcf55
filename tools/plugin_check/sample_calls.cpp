#include "sample_calls.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "tolerance.h"

namespace ember::plugin_check {
namespace {

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

// Mean, spread, and the range of all but the 1% lowest and highest draws. A normal
// distribution's 0.1% tails, 8 of 8192 draws, wander between two sets of draws by as much as
// the slack allows; its 1% tails stay within a quarter of it.
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
  m.low = v[static_cast<size_t>(0.01 * (n - 1))];
  m.high = v[static_cast<size_t>(0.99 * (n - 1))];
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

}  // namespace

const char* layout_name(Layout layout) { return layout == Layout::Contiguous ? "contiguous" : "strided"; }

Sample sample_of(const PassedCall& passed) {
  std::vector<Sample> samples = samples_for(*passed.op, DType::Float32);
  return std::move(samples[passed.sample]);
}

Device reference_device(const OperatorHandle& op, Device device) {
  const Device cpu = default_device();
  return op.kernel_source(cpu.slot()) == OperatorHandle::KernelSource::None ? device : cpu;
}

std::vector<IValue> functional_results(const OperatorHandle& op, const Sample& sample) {
  if (!op.schema().is_out()) return {};
  return ops::call_boxed(functional_name(op.schema()), sample.args(), sample.named());
}

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

}  // namespace ember::plugin_check
