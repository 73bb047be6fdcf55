// Shared pieces of the test-only plugins: a device on host memory and a table builder, so each
// plugin file states only the way it misbehaves.
#pragma once

#include <cstdlib>
#include <cstring>

#include "ember/plugin.hpp"

namespace test_plugin {

// Allocations above this fail, so tests can exercise allocation failure.
constexpr size_t kMaxAllocation = size_t{1} << 20;

inline int32_t device_count(void*) { return 1; }
inline ember_status allocate(void*, int32_t, size_t nbytes, void** out) {
  *out = nbytes > kMaxAllocation ? nullptr : std::malloc(nbytes);
  return *out ? EMBER_STATUS_OK : EMBER_STATUS_OUT_OF_MEMORY;
}
inline void deallocate(void*, int32_t, void* ptr, size_t) { std::free(ptr); }
inline ember_status copy(void*, int32_t, void* dst, const void* src, size_t nbytes, int32_t) {
  std::memcpy(dst, src, nbytes);
  return EMBER_STATUS_OK;
}
inline ember_status ready(void*, ember_probe_result* result) {
  result->score = 1;
  return EMBER_STATUS_OK;
}
inline ember_status no_kernels(void*, const ember_host_api*, char*, size_t) { return EMBER_STATUS_OK; }

inline ember_plugin_api make_api(const char* name, decltype(ember_plugin_api::probe) probe,
                                 decltype(ember_plugin_api::init) init) {
  ember_plugin_api api = ember::sdk::plugin_table(name, "test");
  api.probe = probe;
  api.init = init;
  api.device = {sizeof(ember_device_api), 1, &device_count, &allocate, &deallocate, &copy, nullptr};
  return api;
}

}  // namespace test_plugin
