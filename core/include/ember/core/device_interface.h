// What core needs from a device: memory and copies. The backend loader implements it over a
// plugin's ember_device_api; core never sees the plugin itself.
#pragma once

#include <cstddef>

#include "ember/core/device.h"
#include "ember/core/intrusive_ptr.h"

namespace ember {

class DeviceInterface : public RefCounted {
 public:
  virtual ~DeviceInterface() = default;
  // Allocates `nbytes` on device `index`; throws ember::Error on failure.
  virtual void* allocate(int index, size_t nbytes) = 0;
  virtual void deallocate(int index, void* ptr, size_t nbytes) noexcept = 0;
  enum class CopyKind { HostToDevice, DeviceToHost, DeviceToDevice };
  virtual void copy(int index, void* dst, const void* src, size_t nbytes, CopyKind kind) = 0;
  virtual void synchronize(int index) = 0;
  virtual int device_count() const = 0;
  // True when the host may read and write device pointers directly (a CPU backend).
  virtual bool host_accessible() const = 0;
};

// The interface serving `slot`; throws ember::Error naming the backend when none is loaded.
DeviceInterface& device_interface(BackendSlot slot);
// Installs (or, with nullptr, removes) the interface serving `slot`. Holds a reference.
void set_device_interface(BackendSlot slot, DeviceInterface* device);

}  // namespace ember
