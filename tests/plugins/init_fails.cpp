// A plugin whose init fails after registering a kernel: the host must undo the registration.
#include "test_plugin.h"

namespace {
ember_status neg_kernel(void*, const ember_kernel_call*) { return EMBER_STATUS_OK; }
ember_status failing_init(void*, const ember_host_api* host, char* message, size_t capacity) {
  ember::sdk::register_kernel(host, "neg", &neg_kernel);
  std::snprintf(message, capacity, "simulated driver failure");
  return EMBER_STATUS_DEVICE_ERROR;
}
}  // namespace

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t, uint16_t) {
  static ember_plugin_api api = test_plugin::make_api("init_fails", &test_plugin::ready, &failing_init);
  return &api;
}
