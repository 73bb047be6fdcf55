// The toy device's memory: one region of host RAM that Ember's core never addresses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

namespace toy {

// Note [Toy addresses]
// Device addresses are offsets into the region above a non-canonical x86-64 base, so a host that
// dereferenced one would fault at once instead of quietly reading the bytes. The host only does
// arithmetic on them (base + offset); the plugin's copy functions and kernels translate them.
class Arena {
 public:
  static constexpr uintptr_t kAddressBase = uintptr_t{0x4000} << 48;
  static constexpr size_t kAlignment = 256;

  // Reserves `capacity` bytes of address space; pages are backed as they are first written.
  explicit Arena(size_t capacity);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // A device address for `nbytes`, or nullptr when no free block is large enough.
  void* allocate(size_t nbytes);
  void deallocate(void* address);
  // The host byte behind a device address; throws std::out_of_range outside the region.
  char* host(const void* address) const;
  size_t capacity() const { return capacity_; }
  size_t bytes_in_use() const;

 private:
  mutable std::mutex mutex_;
  char* region_ = nullptr;
  size_t capacity_ = 0;
  std::map<size_t, size_t> free_;  // offset -> size, neighbours always merged
  std::map<size_t, size_t> used_;  // offset -> size
};

}  // namespace toy
