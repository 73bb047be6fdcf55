// A plugin built against ABI 1.0: its table ends before the `flags` field 1.1 added, and it
// registers no kernel, so everything it runs goes through the CPU fallback (flags read as 0).
#include <cstddef>

#include "test_plugin.h"

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t, uint16_t) {
  static ember_plugin_api api = [] {
    ember_plugin_api a = test_plugin::make_api("old_abi", &test_plugin::ready, &test_plugin::no_kernels);
    a.abi_minor = 0;
    a.struct_size = offsetof(ember_plugin_api, flags);
    a.flags = EMBER_PLUGIN_FLAG_NO_CPU_FALLBACK;  // beyond struct_size: a 1.1 host must not read it
    return a;
  }();
  return &api;
}
