#include "ember/core/device.h"

#include <array>
#include <charconv>
#include <mutex>

#include "ember/core/device_interface.h"
#include "ember/core/error.h"

namespace ember {
namespace {

struct BackendTable {
  std::mutex mutex;
  std::vector<std::string> names;  // index = slot
  std::array<DeviceInterface*, kMaxBackendSlots> interfaces{};
};

BackendTable& table() {
  static BackendTable instance;
  return instance;
}

bool valid_backend_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

// Note [Devices named before the first operator]
// Backends load when the runtime starts, on the first operator call. A Device parsed from a name
// before that would find no backend, so an unknown name starts the runtime first. The frontend
// defines the hook; core only references it weakly, so core links and works without it.
extern "C" __attribute__((weak)) void ember_runtime_start();

BackendSlot register_backend_name(std::string_view name) {
  EMBER_CHECK(valid_backend_name(name),
              "[device] backend name '{}': expected lower-case letters, digits and '_'", name);
  BackendTable& t = table();
  std::lock_guard lock(t.mutex);
  for (size_t i = 0; i < t.names.size(); ++i) {
    if (t.names[i] == name) return static_cast<BackendSlot>(i);
  }
  EMBER_CHECK(t.names.size() < kMaxBackendSlots,
              "[device] cannot register backend '{}': all {} backend slots are taken", name,
              kMaxBackendSlots);
  t.names.emplace_back(name);
  return static_cast<BackendSlot>(t.names.size() - 1);
}

BackendSlot find_backend_slot(std::string_view name) {
  BackendTable& t = table();
  std::lock_guard lock(t.mutex);
  for (size_t i = 0; i < t.names.size(); ++i) {
    if (t.names[i] == name) return static_cast<BackendSlot>(i);
  }
  return -1;
}

std::string_view backend_name(BackendSlot slot) {
  BackendTable& t = table();
  std::lock_guard lock(t.mutex);
  if (slot < 0 || static_cast<size_t>(slot) >= t.names.size()) return "unregistered";
  return t.names[slot];
}

std::vector<std::string> registered_backend_names() {
  BackendTable& t = table();
  std::lock_guard lock(t.mutex);
  return t.names;
}

Device::Device(std::string_view spec) {
  const size_t colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  BackendSlot slot = find_backend_slot(name);
  if (slot < 0 && ember_runtime_start) {
    ember_runtime_start();
    slot = find_backend_slot(name);
  }
  if (slot < 0) {
    std::string known;
    for (const std::string& n : registered_backend_names()) known += (known.empty() ? "" : ", ") + n;
    EMBER_FAIL("[device] '{}': no backend named '{}' is loaded (loaded: {})", spec, name,
               known.empty() ? "none" : known);
  }
  slot_ = slot;
  if (colon != std::string_view::npos) {
    const std::string_view digits = spec.substr(colon + 1);
    int value = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    EMBER_CHECK(ec == std::errc() && end == digits.data() + digits.size() && value >= 0 &&
                    value < 32768,
                "[device] '{}': expected a device index after ':'", spec);
    index_ = static_cast<int16_t>(value);
  }
}

std::string_view Device::backend_name() const { return ember::backend_name(slot_); }

std::string Device::str() const {
  return index_ == 0 ? std::string(backend_name())
                     : std::string(backend_name()) + ":" + std::to_string(index_);
}

DeviceInterface& device_interface(BackendSlot slot) {
  BackendTable& t = table();
  DeviceInterface* device = (slot >= 0 && slot < kMaxBackendSlots) ? t.interfaces[slot] : nullptr;
  EMBER_CHECK(device != nullptr, "[device] backend '{}' has no loaded plugin serving its memory",
              backend_name(slot));
  return *device;
}

void set_device_interface(BackendSlot slot, DeviceInterface* device) {
  EMBER_ASSERT(slot >= 0 && slot < kMaxBackendSlots);
  BackendTable& t = table();
  std::lock_guard lock(t.mutex);
  if (device) device->retain();
  DeviceInterface* old = std::exchange(t.interfaces[slot], device);
  if (old && old->release()) delete old;
}

}  // namespace ember
