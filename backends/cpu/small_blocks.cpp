#include "small_blocks.h"

#include <bit>
#include <cstdlib>

namespace ember::cpu::small_blocks {
namespace {

constexpr size_t kSmallest = 64;
constexpr int kNumClasses = std::countr_zero(kLargest) - std::countr_zero(kSmallest) + 1;

struct Block {
  Block* next;
};

// Trivially destructible, so reaching it costs no guard. The cleanup that frees a thread's blocks
// when it exits is a separate thread_local, made when the thread first keeps a block; it leaves
// every count at the cap, so a block released later still (by another thread_local's destructor)
// goes straight back to the system.
struct FreeLists {
  Block* head[kNumClasses];
  int count[kNumClasses];
  bool cleanup_made;
};

thread_local FreeLists lists;

struct Cleanup {
  ~Cleanup() {
    for (int c = 0; c < kNumClasses; ++c) {
      while (Block* b = lists.head[c]) {
        lists.head[c] = b->next;
        std::free(b);
      }
      lists.count[c] = kMaxCached;
    }
  }
};

void make_cleanup() {
  static thread_local Cleanup cleanup;
  (void)cleanup;
  lists.cleanup_made = true;
}

int class_of(size_t nbytes) {
  return nbytes <= kSmallest ? 0 : std::bit_width(nbytes - 1) - std::countr_zero(kSmallest);
}

}  // namespace

void* allocate(size_t nbytes) {
  const int c = class_of(nbytes);
  FreeLists& t = lists;
  if (Block* b = t.head[c]) {
    t.head[c] = b->next;
    --t.count[c];
    return b;
  }
  return std::aligned_alloc(kSmallest, kSmallest << c);
}

void release(void* ptr, size_t nbytes) noexcept {
  const int c = class_of(nbytes);
  FreeLists& t = lists;
  if (t.count[c] >= kMaxCached) return std::free(ptr);
  if (!t.cleanup_made) make_cleanup();
  Block* b = static_cast<Block*>(ptr);
  b->next = t.head[c];
  t.head[c] = b;
  ++t.count[c];
}

int cached(size_t nbytes) { return lists.count[class_of(nbytes)]; }

}  // namespace ember::cpu::small_blocks
