// A per-thread cache of fixed-size blocks for the objects every operator call creates
// (TensorImpl, StorageImpl, autograd's AutogradMeta): a cache hit costs a few instructions where
// malloc/free cost ~100.
#pragma once

#include <cstddef>

namespace ember::detail {

// The two block sizes in use; every object served by the pool fits its class's size.
enum class PoolClass { Small = 0, Large = 1 };
constexpr size_t kPoolBlockSize[] = {64, 224};

// A block of the class's size; throws std::bad_alloc when memory runs out.
void* pool_allocate(PoolClass c);
// Returns a block to this thread's cache (any thread may release any block).
void pool_release(PoolClass c, void* p) noexcept;

}  // namespace ember::detail
