// The concurrency half of ember-plugin-check: the host may call a plugin from any thread, so
// kernels that pass alone must pass when called from several threads at once.
#pragma once

#include <vector>

#include "ember/ember.h"
#include "report.h"

namespace ember::plugin_check {

// An operator and the float32 sample its kernel ran and passed with.
struct PassedCall {
  const OperatorHandle* op;
  size_t sample;
};

// Runs every call from several threads at once, several rounds each, against its results alone.
void check_concurrency(const std::vector<PassedCall>& calls, Device device, Report& report);

}  // namespace ember::plugin_check
