// Per-thread free lists for host blocks of 1 KiB and less.
//
// Note [Small CPU blocks]
// Scalars, losses and index tensors are allocated and freed on nearly every call, so their cost
// is part of each small operator's: glibc's malloc and free take ~120 instructions for such a
// block, these free lists ~45 with the thread-local lookups (callgrind: empty({1}) 780 -> 732
// instructions a call). Blocks come in five classes, 64 B to 1 KiB, each 64-byte aligned like
// every larger CPU block; a thread keeps at most kMaxCached per class (under 64 KiB in all) and
// gives the rest back (the lists are the SDK's FreeLists, ember/free_lists.hpp).
#pragma once

#include <cstddef>

namespace ember::cpu::small_blocks {

constexpr size_t kLargest = 1024;   // the largest class; bigger blocks are not served here
constexpr int kMaxCached = 32;      // per class and thread

// A 64-byte-aligned block of at least `nbytes` (1..kLargest); nullptr when out of memory.
void* allocate(size_t nbytes);
// Takes back a block from allocate() with the same `nbytes`.
void release(void* ptr, size_t nbytes) noexcept;
// Blocks this thread keeps for the class that serves `nbytes` (for tests).
int cached(size_t nbytes);

}  // namespace ember::cpu::small_blocks
