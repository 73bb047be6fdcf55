// Freed host blocks of 64 KiB and more, kept for the next allocation of the same size.
//
// Note [CPU block cache]
// glibc serves large blocks with mmap, or trims the top of its heap back to the system, so a
// tensor of a few hundred KiB costs page faults on first touch every time it is allocated: a loop
// over same-shaped tensors spends more time in the kernel's page-fault handler than in Ember's
// kernels (quantize_per_tensor on 32x1024 floats: 350 us, 65 us with the faults gone). Blocks are
// kept by size (rounded up to 4 KiB) up to a total capacity; past it a freed block goes back to
// the system. EMBER_CPU_CACHE_MB sets the capacity (256 MiB by default; 0 turns the cache off).
//
// Note [Huge pages for large blocks]
// Blocks of 2 MiB and more are mapped on a 2 MiB boundary and advised to use transparent huge
// pages (madvise MADV_HUGEPAGE, which Linux honours in its default "madvise" mode): one fault
// then maps 2 MiB instead of 4 KiB, so first touch of 64 MiB takes 10-30 ms instead of 50-65, and
// streaming kernels miss the TLB less (an add of 16M floats runs ~10% faster). The tail past the
// last whole huge page stays on 4 KiB pages, so no memory is spent on rounding. Where the kernel
// has no huge pages the advice is refused and the block works as before.
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
  static constexpr size_t kHugePage = size_t{2} << 20;   // Note [Huge pages for large blocks]

  explicit BlockCache(size_t capacity) : capacity_(capacity) {}
  ~BlockCache() { clear(); }

  // A block of at least `nbytes` (kMinBlock or more), 64-byte aligned (2 MiB aligned from
  // kHugePage on); nullptr when out of memory.
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
