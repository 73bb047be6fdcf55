// The CPU backend's per-thread free lists for blocks under 1 KiB (Note [Small CPU blocks]).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "../../backends/cpu/small_blocks.h"
#include "ember/ember.h"

namespace small_blocks = ember::cpu::small_blocks;

namespace {
bool aligned(const void* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; }
}  // namespace

TEST_CASE("a freed block serves the next request of its class, and only of its class") {
  void* a = small_blocks::allocate(100);  // the 128-byte class
  REQUIRE(a != nullptr);
  CHECK(aligned(a));
  std::memset(a, 1, 128);  // the whole class size is writable
  const int before = small_blocks::cached(100);
  small_blocks::release(a, 100);
  CHECK(small_blocks::cached(128) == before + 1);
  void* other = small_blocks::allocate(200);  // the 256-byte class: not a
  CHECK(other != a);
  CHECK(small_blocks::allocate(65) == a);     // 65..128 bytes share a's class
  CHECK(small_blocks::cached(100) == before);
  small_blocks::release(other, 200);
  small_blocks::release(a, 65);
}

TEST_CASE("every size from 1 byte to 1 KiB gets an aligned, writable block") {
  for (size_t n : {1, 63, 64, 65, 511, 512, 513, 1000, 1024}) {
    void* p = small_blocks::allocate(n);
    REQUIRE(p != nullptr);
    CHECK(aligned(p));
    std::memset(p, 0xab, n);
    small_blocks::release(p, n);
  }
}

TEST_CASE("a thread keeps at most kMaxCached blocks of a class") {
  std::thread([] {  // a fresh thread: its lists start empty
    std::vector<void*> blocks;
    for (int i = 0; i < small_blocks::kMaxCached + 8; ++i) blocks.push_back(small_blocks::allocate(48));
    for (void* p : blocks) small_blocks::release(p, 48);
    CHECK(small_blocks::cached(48) == small_blocks::kMaxCached);
  }).join();
}

TEST_CASE("a block freed on another thread joins that thread's list") {
  void* block = small_blocks::allocate(300);
  std::thread([block] {
    small_blocks::release(block, 300);
    CHECK(small_blocks::cached(300) == 1);
    CHECK(small_blocks::allocate(400) == block);
    small_blocks::release(block, 400);
  }).join();  // the thread's exit frees what it kept (valgrind/ASan would see a leak otherwise)
}

TEST_CASE("small tensors reuse their storage through the CPU backend") {
  const void* first = nullptr;
  {
    const ember::Tensor t = ember::full({3}, 2.5);
    first = t.data_ptr<float>();
    CHECK(aligned(first));
  }
  const ember::Tensor again = ember::empty({4});  // 12 and 16 bytes: the same class
  CHECK(again.data_ptr<float>() == first);
  const ember::Tensor sum = ember::ones({5}) + ember::ones({5});
  CHECK(sum.sum().item<float>() == 10.0f);
}
