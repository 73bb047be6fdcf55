// The per-thread block pool behind TensorImpl, StorageImpl, AutogradMeta and autograd nodes.
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <thread>

#include "ember/core/block_pool.h"

using namespace ember::detail;

namespace {

template <size_t N>
struct Bytes {
  char data[N];
};

struct alignas(64) OverAligned {
  char data[64];
};

// Whether `object` lies inside the block that starts at `block` in class `c`.
bool inside(const void* object, const void* block, PoolClass c) {
  const auto offset = reinterpret_cast<uintptr_t>(object) - reinterpret_cast<uintptr_t>(block);
  return offset < kPoolBlockSize[static_cast<int>(c)];
}

}  // namespace

TEST_CASE("a released block is the next one its class hands out, on this thread") {
  for (PoolClass c : {PoolClass::Small, PoolClass::Large, PoolClass::Node}) {
    void* block = pool_allocate(c);
    pool_release(c, block);
    CHECK(pool_allocate(c) == block);
    pool_release(c, block);
  }
}

TEST_CASE("allocate_shared with PoolAllocator puts object and count in the smallest class that holds both") {
  void* block = pool_allocate(PoolClass::Node);
  pool_release(PoolClass::Node, block);
  const auto node = std::allocate_shared<Bytes<300>>(PoolAllocator<Bytes<300>>());
  CHECK(inside(node.get(), block, PoolClass::Node));

  void* small = pool_allocate(PoolClass::Small);
  pool_release(PoolClass::Small, small);
  const auto tiny = std::allocate_shared<Bytes<8>>(PoolAllocator<Bytes<8>>());
  CHECK(inside(tiny.get(), small, PoolClass::Small));
}

TEST_CASE("objects too large or too aligned for the pool come from std::allocator, aligned as asked") {
  const auto big = std::allocate_shared<Bytes<2000>>(PoolAllocator<Bytes<2000>>());
  big->data[1999] = 1;
  const auto aligned = std::allocate_shared<OverAligned>(PoolAllocator<OverAligned>());
  CHECK(reinterpret_cast<uintptr_t>(aligned.get()) % 64 == 0);
}

TEST_CASE("a block made on one thread can be released on another") {
  void* block = pool_allocate(PoolClass::Large);
  std::thread([block] {
    pool_release(PoolClass::Large, block);  // this thread keeps it, and frees it when it exits
    CHECK(pool_allocate(PoolClass::Large) == block);
    pool_release(PoolClass::Large, block);
  }).join();
}
