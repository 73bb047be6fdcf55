// A plugin that loads but finds no device: probe says so and the host skips it.
#include "test_plugin.h"

namespace {
ember_status no_device(void*, ember_probe_result* result) {
  result->score = 0;
  std::snprintf(result->reason, sizeof result->reason, "no device found");
  return EMBER_STATUS_OK;
}
}  // namespace

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t, uint16_t) {
  static ember_plugin_api api = test_plugin::make_api("unavailable", &no_device, &test_plugin::no_kernels);
  return &api;
}
