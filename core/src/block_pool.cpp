#include "ember/core/block_pool.h"

#include <cstdlib>
#include <new>

#include "ember/free_lists.hpp"

namespace ember::detail {
namespace {

constexpr int kMaxCached = 256;  // per class and thread

// Initial-exec: one load reaches it (libember is linked, not opened later).
thread_local sdk::FreeLists<kNumPoolClasses, kMaxCached> caches __attribute__((tls_model("initial-exec")));

struct CacheCleanup {
  ~CacheCleanup() { caches.drain(); }
};

}  // namespace

void* pool_allocate(PoolClass c) {
  const int i = static_cast<int>(c);
  if (void* b = caches.pop(i)) return b;
  void* p = std::malloc(kPoolBlockSize[i]);
  if (!p) throw std::bad_alloc();
  return p;
}

void pool_release(PoolClass c, void* p) noexcept { caches.release<CacheCleanup>(static_cast<int>(c), p); }

}  // namespace ember::detail
