// The concurrency half of ember-plugin-check: the host may call a plugin from any thread, so
// kernels that pass alone must pass when called from several threads at once.
#pragma once

#include <vector>

#include "report.h"
#include "sample_calls.h"

namespace ember::plugin_check {

// Runs every call from several threads at once, several rounds each, against its results alone.
void check_concurrency(const std::vector<PassedCall>& calls, Device device, Report& report);

}  // namespace ember::plugin_check
