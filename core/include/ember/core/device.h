// A device: a backend slot (assigned when the backend's plugin loads) and an index within it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

// Backend slots are the low bits of a DispatchKeySet (Note [DispatchKeySet layout]).
constexpr int kMaxBackendSlots = 48;
using BackendSlot = int8_t;

class Device {
 public:
  // Parses "cpu", "cuda:1", "acme_npu"; the backend name must be registered.
  Device(std::string_view spec);
  Device(const char* spec) : Device(std::string_view(spec)) {}
  Device(BackendSlot slot, int16_t index) : slot_(slot), index_(index) {}

  BackendSlot slot() const { return slot_; }
  int16_t index() const { return index_; }
  std::string_view backend_name() const;
  std::string str() const;
  bool operator==(const Device&) const = default;

 private:
  BackendSlot slot_ = 0;
  int16_t index_ = 0;
};

// The slot that `name` is registered to; registers a new slot the first time a name is seen.
BackendSlot register_backend_name(std::string_view name);
// The slot registered to `name`, or -1.
BackendSlot find_backend_slot(std::string_view name);
// The name registered to `slot`.
std::string_view backend_name(BackendSlot slot);
// Every registered backend name, by slot.
std::vector<std::string> registered_backend_names();

}  // namespace ember
