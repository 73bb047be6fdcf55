#include "timings.h"

#include <fmt/format.h>

#include <chrono>

namespace ember::plugin_check {
namespace {

constexpr double kMinSeconds = 0.02;  // per measurement, after one call to warm caches up
constexpr int kBatch = 10;            // calls queued between waits for the device

// Microseconds per call of `op` with `arguments` (already on `device`), its work included.
double microseconds_per_call(const OperatorHandle& op, const Arguments& arguments, Device device) {
  using Clock = std::chrono::steady_clock;
  call(op, arguments);
  synchronize(device);
  const Clock::time_point start = Clock::now();
  int calls = 0;
  double seconds = 0;
  do {
    for (int i = 0; i < kBatch; ++i) call(op, arguments);
    calls += kBatch;
    synchronize(device);
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  } while (seconds < kMinSeconds);
  return seconds / calls * 1e6;
}

}  // namespace

void report_timings(const std::vector<PassedCall>& calls, Device device, Report& report) {
  report.section(fmt::format("timings (float32 samples, microseconds per call, on {} and on the CPU)", device.str()));
  const Device cpu = default_device();
  for (const PassedCall& passed : calls) {
    const OperatorHandle& op = *passed.op;
    const Sample sample = sample_of(passed);
    const std::vector<IValue> outs = functional_results(op, sample);
    const double here = microseconds_per_call(op, place_arguments(op, sample, outs, device, Layout::Contiguous), device);
    if (reference_device(op, device) != cpu) {
      report.note(op.name(), fmt::format("{:.2f} us; the CPU has no kernel", here));
      continue;
    }
    const double on_cpu = microseconds_per_call(op, place_arguments(op, sample, outs, cpu, Layout::Contiguous), cpu);
    report.note(op.name(), fmt::format("{:.2f} us, CPU {:.2f} us: {:.2f}x the CPU's speed", here, on_cpu, on_cpu / here));
  }
}

}  // namespace ember::plugin_check
