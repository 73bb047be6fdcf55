#include "block_cache.h"

#include <cstdlib>

namespace ember::cpu {

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
  return std::aligned_alloc(kAlignment, size);
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
  std::free(ptr);
}

void BlockCache::clear() {
  std::lock_guard lock(mutex_);
  for (auto& [size, blocks] : free_) {
    for (void* block : blocks) std::free(block);
  }
  free_.clear();
  cached_bytes_ = 0;
}

}  // namespace ember::cpu
