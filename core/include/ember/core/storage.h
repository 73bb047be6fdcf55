// Bytes on one device, freed by the device that allocated them (Note [Plugin ABI rules]).
#pragma once

#include <cstddef>

#include "ember/core/block_pool.h"
#include "ember/core/device.h"
#include "ember/core/device_interface.h"
#include "ember/core/intrusive_ptr.h"

namespace ember {

class StorageImpl : public RefCounted {
 public:
  // Allocates `nbytes` on `device`.
  StorageImpl(Device device, size_t nbytes);
  ~StorageImpl();
  static void* operator new(size_t) { return detail::pool_allocate(detail::PoolClass::Small); }
  static void operator delete(void* p) { detail::pool_release(detail::PoolClass::Small, p); }

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  DeviceInterface& device_interface() const { return *interface_; }

 private:
  IntrusivePtr<DeviceInterface> interface_;  // keeps the plugin loaded while the bytes live
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
};
static_assert(sizeof(StorageImpl) <= detail::kPoolBlockSize[0]);

using Storage = IntrusivePtr<StorageImpl>;

}  // namespace ember
