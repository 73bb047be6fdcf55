// The CPU backend's cache of large freed blocks (Note [CPU block cache]): reuse by size, the
// capacity, and through tensors.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <limits>

#include "../../backends/cpu/block_cache.h"
#include "ember/ember.h"

using ember::cpu::BlockCache;

TEST_CASE("a freed block serves the next allocation of its size, rounded to 4 KiB") {
  BlockCache cache(size_t{1} << 20);
  void* a = cache.allocate(100'000);
  REQUIRE(a != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(a) % BlockCache::kAlignment == 0);
  std::memset(a, 1, 100'000);  // the whole block is writable
  cache.release(a, 100'000);
  CHECK(cache.allocate(100'000 + 1000) == a);  // 102,400 bytes either way: 25 pages
  void* other = cache.allocate(200'000);     // another size: a new block
  CHECK(other != a);
  cache.release(other, 200'000);
  cache.release(a, 101'000);
}

TEST_CASE("a request no system could grant fails instead of wrapping round to a small block") {
  BlockCache cache(size_t{1} << 20);
  CHECK(cache.allocate(std::numeric_limits<size_t>::max() - 8) == nullptr);
  CHECK(cache.allocate(BlockCache::kLargest + 1) == nullptr);
}

TEST_CASE("past its capacity the cache gives blocks back instead of keeping them") {
  BlockCache cache(300'000);
  void* a = cache.allocate(200'000);
  void* b = cache.allocate(200'000);
  cache.release(a, 200'000);
  cache.release(b, 200'000);  // 2 x 200,704 bytes would pass 300,000: b is freed
  CHECK(cache.allocate(200'000) == a);
  void* fresh = cache.allocate(200'000);  // nothing cached left: from the system
  CHECK(fresh != a);
  cache.release(a, 200'000);
  cache.release(fresh, 200'000);
}

TEST_CASE("a tensor's storage comes back from the cache with the same size") {
  const void* first = nullptr;
  {
    const ember::Tensor t = ember::empty({1 << 16});  // 256 KiB of float32
    first = t.data_ptr<float>();
  }
  // A block of another size in between does not take it (the system allocator would hand the
  // freed pages to the next request, whatever its size).
  const ember::Tensor other = ember::empty({3 << 15});
  const ember::Tensor again = ember::empty({1 << 16});
  CHECK(again.data_ptr<float>() == first);
  CHECK(other.data_ptr<float>() != first);
}
