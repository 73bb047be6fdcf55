#include "host_memory.h"

#include <cstdlib>

#include "block_cache.h"
#include "small_blocks.h"

namespace ember::cpu::host_memory {
namespace {

// Note [CPU block cache]; the capacity from EMBER_CPU_CACHE_MB, read once.
BlockCache& block_cache() {
  static BlockCache cache([] {
    const char* megabytes = std::getenv("EMBER_CPU_CACHE_MB");
    return (megabytes ? std::strtoull(megabytes, nullptr, 10) : 256) << 20;
  }());
  return cache;
}

}  // namespace

void* allocate(size_t nbytes) {
  if (nbytes <= small_blocks::kLargest) return small_blocks::allocate(nbytes);  // Note [Small CPU blocks]
  if (nbytes < BlockCache::kMinBlock) {
    const size_t alignment = BlockCache::kAlignment;
    return std::aligned_alloc(alignment, (nbytes + alignment - 1) / alignment * alignment);
  }
  return block_cache().allocate(nbytes);
}

void release(void* ptr, size_t nbytes) noexcept {
  if (nbytes <= small_blocks::kLargest) {
    small_blocks::release(ptr, nbytes);
  } else if (nbytes < BlockCache::kMinBlock) {
    std::free(ptr);
  } else {
    block_cache().release(ptr, nbytes);
  }
}

void clear_cache() { block_cache().clear(); }

}  // namespace ember::cpu::host_memory
