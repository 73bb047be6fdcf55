#include "plugin_device.h"

#include <algorithm>

#include "ember/core/error.h"

namespace ember {

PluginDevice::PluginDevice(boost::dll::shared_library library, const ember_plugin_api& api)
    : library_(std::move(library)), api_(api), name_(api.name) {
  device_count_ = api_.device.device_count ? api_.device.device_count(api_.plugin_context) : 0;
}

PluginDevice::~PluginDevice() {
  if (initialised_ && api_.shutdown) api_.shutdown(api_.plugin_context);
}

void PluginDevice::check_index(int index, const char* what) const {
  EMBER_CHECK(index >= 0 && index < device_count_, "[{}] device index {}: the {} backend has {} device(s)",
              what, index, name_, device_count_);
}

// A zero-byte request still gets a distinct pointer, as malloc(0) may not give one.
void* PluginDevice::allocate(int index, size_t nbytes) {
  check_index(index, "allocate");
  void* ptr = nullptr;
  const ember_status status =
      api_.device.allocate(api_.plugin_context, index, std::max<size_t>(nbytes, 1), &ptr);
  EMBER_CHECK(status == EMBER_STATUS_OK && ptr != nullptr,
              "[allocate] {}:{}: could not allocate {} bytes (status {})", name_, index, nbytes,
              static_cast<int>(status));
  return ptr;
}

void PluginDevice::deallocate(int index, void* ptr, size_t nbytes) noexcept {
  api_.device.deallocate(api_.plugin_context, index, ptr, std::max<size_t>(nbytes, 1));
}

void PluginDevice::copy(int index, void* dst, const void* src, size_t nbytes, CopyKind kind) {
  check_index(index, "copy");
  const ember_status status = api_.device.copy(api_.plugin_context, index, dst, src, nbytes,
                                               static_cast<int32_t>(kind));
  EMBER_CHECK(status == EMBER_STATUS_OK, "[copy] {}:{}: copying {} bytes failed (status {})", name_,
              index, nbytes, static_cast<int>(status));
}

void PluginDevice::synchronize(int index) {
  check_index(index, "synchronize");
  if (!api_.device.synchronize) return;
  const ember_status status = api_.device.synchronize(api_.plugin_context, index);
  EMBER_CHECK(status == EMBER_STATUS_OK, "[synchronize] {}:{}: failed (status {})", name_, index,
              static_cast<int>(status));
}

}  // namespace ember
