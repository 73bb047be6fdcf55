// Bytes on one device, freed by the device that allocated them (Note [Plugin ABI rules]).
//
// Note [Version counters]
// In-place writes bump a counter that lives with the bytes, so a tensor saved for backward
// notices a write made through any view of the same storage, as PyTorch's shared counters do.
#pragma once

#include <atomic>
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
  // The version counter shared by every tensor viewing these bytes (Note [Version counters]).
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  IntrusivePtr<DeviceInterface> interface_;  // keeps the plugin loaded while the bytes live
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
  std::atomic<uint32_t> version_{0};
};
static_assert(sizeof(StorageImpl) <= detail::kPoolBlockSize[0]);

using Storage = IntrusivePtr<StorageImpl>;

}  // namespace ember
