// Freed host blocks of 64 KiB and more, kept for the next allocation of the same size.
//
// Note [CPU block cache]
// glibc serves large blocks with mmap, or trims the top of its heap back to the system, so a
// tensor of a few hundred KiB costs page faults on first touch every time it is allocated: a loop
// over same-shaped tensors spends more time in the kernel's page-fault handler than in Ember's
// kernels (quantize_per_tensor on 32x1024 floats: 350 us, 65 us with the faults gone). Blocks are
// kept by size (rounded up to 4 KiB) up to a total capacity; past it a freed block goes back to
// the system. EMBER_CPU_CACHE_MB sets the capacity (256 MiB by default; 0 turns the cache off).
#pragma once

#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace ember::cpu {

class BlockCache {
 public:
  static constexpr size_t kMinBlock = size_t{64} << 10;  // below this, glibc's heap reuses blocks itself
  static constexpr size_t kAlignment = 64;                // a cache line, and what AVX-512 loads like
  static constexpr size_t kLargest = size_t{1} << 62;     // past any address space; larger requests fail

  explicit BlockCache(size_t capacity) : capacity_(capacity) {}
  ~BlockCache() { clear(); }

  // A block of at least `nbytes` (kMinBlock or more), 64-byte aligned; nullptr when out of memory.
  void* allocate(size_t nbytes);
  // Takes back a block from allocate() with the same `nbytes`.
  void release(void* ptr, size_t nbytes);
  // Returns every cached block to the system.
  void clear();

 private:
  static size_t rounded(size_t nbytes) { return (nbytes + 4095) / 4096 * 4096; }

  const size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;  // by rounded size
  size_t cached_bytes_ = 0;
};

}  // namespace ember::cpu
