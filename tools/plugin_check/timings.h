// ember-plugin-check --timings: how long each kernel that passed takes on the plugin's device
// and on the CPU, measured in the same run (the way ggml's test-backend-ops has a perf mode).
#pragma once

#include <vector>

#include "report.h"
#include "sample_calls.h"

namespace ember::plugin_check {

// One line per call: microseconds per call here and on the CPU, waiting for the device's work.
void report_timings(const std::vector<PassedCall>& calls, Device device, Report& report);

}  // namespace ember::plugin_check
