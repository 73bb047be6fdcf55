// Per-thread free lists of fixed-size host blocks from malloc (or aligned_alloc): for objects
// made and dropped on every call, where a hit costs a few instructions and malloc with free
// ~120. Ember's core keeps its tensor objects this way and the CPU backend its small tensors; a
// plugin may do the same.
//
// Declare one `thread_local FreeLists<...>` (trivial, so reaching it costs no guard) and a
// cleanup type whose destructor calls drain() on it; release<Cleanup>() makes a thread_local
// Cleanup when the thread first keeps a block. drain() leaves every class full, so a block
// released after it (by another thread_local's destructor) goes straight back to the system. A
// block freed on another thread than the one that made it joins the freeing thread's lists.
#pragma once

#include <cstdlib>

namespace ember::sdk {

template <int NumClasses, int MaxCached>
struct FreeLists {
  struct Block {
    Block* next;
  };

  Block* head[NumClasses];
  int count[NumClasses];
  bool cleanup_made;

  // A kept block of class c, or nullptr when there is none.
  void* pop(int c) {
    Block* b = head[c];
    if (!b) return nullptr;
    head[c] = b->next;
    --count[c];
    return b;
  }
  // Keeps `p` in class c, or frees it when the class is full.
  template <typename Cleanup>
  void release(int c, void* p) noexcept {
    if (count[c] >= MaxCached || !cleanup_made) return release_slow<Cleanup>(c, p);
    push(c, p);
  }
  // Frees every kept block and marks every class full.
  void drain() {
    for (int c = 0; c < NumClasses; ++c) {
      while (void* p = pop(c)) std::free(p);
      count[c] = MaxCached;
    }
  }

 private:
  void push(int c, void* p) {
    Block* b = static_cast<Block*>(p);
    b->next = head[c];
    head[c] = b;
    ++count[c];
  }
  // Out of line, so that release stays a leaf function with no frame to set up.
  template <typename Cleanup>
  [[gnu::noinline]] void release_slow(int c, void* p) noexcept {
    if (count[c] >= MaxCached) return std::free(p);
    static thread_local Cleanup cleanup;
    (void)cleanup;
    cleanup_made = true;
    push(c, p);
  }
};

}  // namespace ember::sdk
