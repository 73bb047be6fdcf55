// A device whose memory functions break the rules ember-plugin-check enforces: blocks of an odd
// size come back one byte off alignment, device-to-device copies drop their last byte, and
// allocations far beyond any memory are granted.
#include "test_plugin.h"

namespace {

constexpr size_t kImpossible = size_t{1} << 40;
alignas(16) char granted_impossibly[16];

ember_status allocate(void*, int32_t, size_t nbytes, void** out) {
  if (nbytes >= kImpossible) {
    *out = granted_impossibly;
    return EMBER_STATUS_OK;
  }
  char* block = static_cast<char*>(std::calloc(nbytes + 1, 1));
  if (!block) return EMBER_STATUS_OUT_OF_MEMORY;
  *out = block + nbytes % 2;
  return EMBER_STATUS_OK;
}

void deallocate(void*, int32_t, void* ptr, size_t nbytes) {
  if (ptr != granted_impossibly) std::free(static_cast<char*>(ptr) - nbytes % 2);
}

ember_status copy(void*, int32_t, void* dst, const void* src, size_t nbytes, int32_t kind) {
  const bool drops_last_byte = kind == EMBER_COPY_DEVICE_TO_DEVICE && nbytes > 1;
  std::memcpy(dst, src, drops_last_byte ? nbytes - 1 : nbytes);
  return EMBER_STATUS_OK;
}

}  // namespace

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t, uint16_t) {
  static ember_plugin_api api = [] {
    ember_plugin_api table = test_plugin::make_api("sloppy_device", &test_plugin::ready, &test_plugin::no_kernels);
    table.device.allocate = &allocate;
    table.device.deallocate = &deallocate;
    table.device.copy = &copy;
    return table;
  }();
  return &api;
}
