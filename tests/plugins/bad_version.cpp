// A plugin built for a future major version of the ABI: the host must refuse it.
#include "test_plugin.h"

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t, uint16_t) {
  static ember_plugin_api api = [] {
    ember_plugin_api a = test_plugin::make_api("bad_version", &test_plugin::ready, &test_plugin::no_kernels);
    a.abi_major = EMBER_PLUGIN_API_MAJOR + 1;
    a.abi_minor = 0;
    return a;
  }();
  return &api;
}
