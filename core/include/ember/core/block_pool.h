// A per-thread cache of fixed-size blocks for the objects every operator call creates
// (TensorImpl, StorageImpl, autograd's AutogradMeta and graph nodes): a cache hit costs a few
// instructions where malloc/free cost ~100.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>

namespace ember::detail {

// The block sizes in use; every object served by the pool fits its class's size. Node blocks
// hold an autograd node together with its shared_ptr control block.
enum class PoolClass { Small = 0, Large = 1, Node = 2 };
constexpr size_t kPoolBlockSize[] = {64, 224, 512};
constexpr int kNumPoolClasses = static_cast<int>(std::size(kPoolBlockSize));

// A block of the class's size; throws std::bad_alloc when memory runs out.
void* pool_allocate(PoolClass c);
// Returns a block to this thread's cache (any thread may release any block).
void pool_release(PoolClass c, void* p) noexcept;

// An allocator for std::allocate_shared: a single object that fits a class comes from the pool
// (the smallest class that holds it), anything else from std::allocator.
template <typename T>
struct PoolAllocator {
  using value_type = T;

  PoolAllocator() = default;
  template <typename U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    if (n == 1 && kFits) return static_cast<T*>(pool_allocate(kClass));
    return std::allocator<T>().allocate(n);  // which honours an alignment past malloc's
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n == 1 && kFits) return pool_release(kClass, p);
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const PoolAllocator<U>&) const noexcept {
    return true;
  }

 private:
  static constexpr PoolClass class_for(size_t size) {
    return size <= kPoolBlockSize[0] ? PoolClass::Small : size <= kPoolBlockSize[1] ? PoolClass::Large : PoolClass::Node;
  }
  static constexpr PoolClass kClass = class_for(sizeof(T));
  // Pool blocks come from malloc, so they have its alignment and no more.
  static constexpr bool kFits =
      sizeof(T) <= kPoolBlockSize[kNumPoolClasses - 1] && alignof(T) <= alignof(std::max_align_t);
};

}  // namespace ember::detail
