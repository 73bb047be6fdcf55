// The CPU backend's cache of large freed blocks (Note [CPU block cache]): reuse by size, the
// capacity, and through tensors.
#include <doctest/doctest.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>

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

namespace {

// The VmFlags line of the mapping in /proc/self/smaps that holds `address`; empty if none does.
std::string mapping_flags(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto target = reinterpret_cast<uintptr_t>(address);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    uintptr_t begin = 0, end = 0;
    if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR " ", &begin, &end) == 2) {
      inside = begin <= target && target < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

}  // namespace

TEST_CASE("blocks of 2 MiB and more are mapped on a huge-page boundary and advised to use huge pages") {
  BlockCache cache(0);  // no capacity: a released block goes straight back to the system
  const size_t nbytes = 3 * BlockCache::kHugePage + 5000;
  void* block = cache.allocate(nbytes);
  REQUIRE(block != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(block) % BlockCache::kHugePage == 0);
  std::memset(block, 1, nbytes);
  // The advice shows as "hg" among the mapping's flags, where the kernel has huge pages at all.
  if (std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled")) {
    CHECK(mapping_flags(block).find(" hg") != std::string::npos);
  } else {
    MESSAGE("this kernel has no transparent huge pages: the advice is not checked");
  }
  cache.release(block, nbytes);
  CHECK(mapping_flags(block).empty());  // unmapped, not kept
  void* small = cache.allocate(BlockCache::kHugePage - 4096);  // below the threshold: the heap's
  REQUIRE(small != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(small) % BlockCache::kAlignment == 0);
  cache.release(small, BlockCache::kHugePage - 4096);
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
