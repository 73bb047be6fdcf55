// The kernel half of ember-plugin-check: every operator a plugin has its own kernel for, called
// with the same sample arguments on its device and on the CPU, forward and backward.
#pragma once

#include <string>
#include <vector>

#include "report.h"
#include "sample_calls.h"

namespace ember::plugin_check {

// Checks each operator with a kernel of `device`'s backend (those named in `only`, when it is
// not empty) in every dtype and layout its samples allow: results equal to the CPU's within the
// dtype's tolerance, invalid input refused with an ember::Error, gradients of floating results
// equal to the CPU's. A kernel that declines is reported, not failed. Returns the calls that
// passed, for the concurrency and timing sections.
std::vector<PassedCall> check_kernels(Device device, const std::vector<std::string>& only, Report& report);

}  // namespace ember::plugin_check
