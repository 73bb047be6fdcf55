#include "block_cache.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

namespace ember::cpu {
namespace {

constexpr size_t kHugePage = BlockCache::kHugePage;

// The system's block of `size` bytes (a multiple of 4 KiB); Note [Huge pages for large blocks].
void* system_allocate(size_t size) {
  if (size < kHugePage) return std::aligned_alloc(BlockCache::kAlignment, size);
  // Over-map by a huge page and unmap what lies outside the aligned range.
  const size_t span = size + kHugePage;
  void* mapped = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(mapped);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > start) munmap(mapped, aligned - start);
  const uintptr_t end = aligned + size;
  if (start + span > end) munmap(reinterpret_cast<void*>(end), start + span - end);
  // Advice only: a kernel without transparent huge pages refuses it and maps 4 KiB pages.
  madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

void system_release(void* ptr, size_t size) {
  if (size < kHugePage) {
    std::free(ptr);
  } else {
    munmap(ptr, size);
  }
}

}  // namespace

void* BlockCache::allocate(size_t nbytes) {
  if (nbytes > kLargest) return nullptr;  // no system could grant it, and rounding would wrap
  const size_t size = rounded(nbytes);
  {
    std::lock_guard lock(mutex_);
    auto it = free_.find(size);
    if (it != free_.end() && !it->second.empty()) {
      void* block = it->second.back();
      it->second.pop_back();
      cached_bytes_ -= size;
      return block;
    }
  }
  return system_allocate(size);
}

void BlockCache::release(void* ptr, size_t nbytes) {
  const size_t size = rounded(nbytes);
  {
    std::lock_guard lock(mutex_);
    if (cached_bytes_ + size <= capacity_) {
      free_[size].push_back(ptr);
      cached_bytes_ += size;
      return;
    }
  }
  system_release(ptr, size);
}

void BlockCache::clear() {
  std::lock_guard lock(mutex_);
  for (auto& [size, blocks] : free_) {
    for (void* block : blocks) system_release(block, size);
  }
  free_.clear();
  cached_bytes_ = 0;
}

}  // namespace ember::cpu
