// Where the CPU backend's host blocks come from, for tensors and for the kernels' own dense copies
// alike: blocks of 1 KiB and less from per-thread free lists (Note [Small CPU blocks]), those of
// 64 KiB and more from the block cache (Note [CPU block cache]), the rest from aligned_alloc.
#pragma once

#include <cstddef>

namespace ember::cpu::host_memory {

// A 64-byte-aligned block of at least `nbytes` (one or more); nullptr when out of memory.
void* allocate(size_t nbytes);
// Takes back a block from allocate() with the same `nbytes`.
void release(void* ptr, size_t nbytes) noexcept;
// Returns the blocks the cache keeps to the system (at shutdown).
void clear_cache();

}  // namespace ember::cpu::host_memory
