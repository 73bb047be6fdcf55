// The device half of ember-plugin-check: what every plugin's device functions must do whatever
// kernels it has.
#pragma once

#include "ember/ember.h"
#include "report.h"

namespace ember::plugin_check {

// Checks `device`'s count, allocator and copies: blocks of several sizes aligned for any dtype,
// bytes surviving host -> device -> device (at an offset) -> host, an impossible allocation
// refused with an ember::Error, and synchronisation.
void check_device(Device device, Report& report);

}  // namespace ember::plugin_check
