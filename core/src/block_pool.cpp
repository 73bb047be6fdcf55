#include "ember/core/block_pool.h"

#include <cstdlib>
#include <new>
#include <utility>

namespace ember::detail {
namespace {

constexpr int kMaxCached = 256;  // per class and thread

struct Block {
  Block* next;
};

// Trivial, so that the initial-exec access is one load with no guard. The cleanup that frees a
// thread's cache at exit is a separate thread_local, touched only on the malloc path.
struct Caches {
  Block* head[2];
  int count[2];
};

thread_local Caches caches __attribute__((tls_model("initial-exec")));

struct CacheCleanup {
  ~CacheCleanup() {
    for (Block*& h : caches.head) {
      while (h) std::free(std::exchange(h, h->next));
    }
  }
};

}  // namespace

void* pool_allocate(PoolClass c) {
  const int i = static_cast<int>(c);
  Caches& t = caches;
  if (Block* b = t.head[i]) {
    t.head[i] = b->next;
    --t.count[i];
    return b;
  }
  static thread_local CacheCleanup cleanup;
  (void)cleanup;
  void* p = std::malloc(kPoolBlockSize[i]);
  if (!p) throw std::bad_alloc();
  return p;
}

void pool_release(PoolClass c, void* p) noexcept {
  const int i = static_cast<int>(c);
  Caches& t = caches;
  if (t.count[i] >= kMaxCached) return std::free(p);
  Block* b = static_cast<Block*>(p);
  b->next = t.head[i];
  t.head[i] = b;
  ++t.count[i];
}

}  // namespace ember::detail
