#include "small_blocks.h"

#include <bit>
#include <cstdlib>

#include "ember/free_lists.hpp"

namespace ember::cpu::small_blocks {
namespace {

constexpr size_t kSmallest = 64;
constexpr int kNumClasses = std::countr_zero(kLargest) - std::countr_zero(kSmallest) + 1;

thread_local sdk::FreeLists<kNumClasses, kMaxCached> lists;

struct Cleanup {
  ~Cleanup() { lists.drain(); }
};

int class_of(size_t nbytes) {
  return nbytes <= kSmallest ? 0 : std::bit_width(nbytes - 1) - std::countr_zero(kSmallest);
}

}  // namespace

void* allocate(size_t nbytes) {
  const int c = class_of(nbytes);
  if (void* block = lists.pop(c)) return block;
  return std::aligned_alloc(kSmallest, kSmallest << c);
}

void release(void* ptr, size_t nbytes) noexcept { lists.release<Cleanup>(class_of(nbytes), ptr); }

int cached(size_t nbytes) { return lists.count[class_of(nbytes)]; }

}  // namespace ember::cpu::small_blocks
