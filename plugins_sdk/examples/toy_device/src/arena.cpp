#include "arena.h"

#include <sys/mman.h>

#include <new>
#include <stdexcept>
#include <string>

namespace toy {

Arena::Arena(size_t capacity) : capacity_(capacity) {
  void* region = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (region == MAP_FAILED) throw std::bad_alloc();
  region_ = static_cast<char*>(region);
  free_[0] = capacity;
}

Arena::~Arena() { munmap(region_, capacity_); }

void* Arena::allocate(size_t nbytes) {
  const size_t size = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  std::lock_guard lock(mutex_);
  for (auto it = free_.begin(); it != free_.end(); ++it) {  // first fit
    if (it->second < size) continue;
    const size_t offset = it->first, remaining = it->second - size;
    free_.erase(it);
    if (remaining > 0) free_[offset + size] = remaining;
    used_[offset] = size;
    return reinterpret_cast<void*>(kAddressBase + offset);
  }
  return nullptr;
}

void Arena::deallocate(void* address) {
  const size_t offset = reinterpret_cast<uintptr_t>(address) - kAddressBase;
  std::lock_guard lock(mutex_);
  const auto used = used_.find(offset);
  if (used == used_.end()) return;  // not ours: nothing to give back
  auto block = free_.emplace(offset, used->second).first;
  used_.erase(used);
  if (const auto next = std::next(block); next != free_.end() && block->first + block->second == next->first) {
    block->second += next->second;
    free_.erase(next);
  }
  if (block != free_.begin()) {
    const auto previous = std::prev(block);
    if (previous->first + previous->second == block->first) {
      previous->second += block->second;
      free_.erase(block);
    }
  }
}

char* Arena::host(const void* address) const {
  const uintptr_t value = reinterpret_cast<uintptr_t>(address);
  if (value < kAddressBase || value - kAddressBase >= capacity_) {
    throw std::out_of_range("address " + std::to_string(value) + " is not in the toy device's memory");
  }
  return region_ + (value - kAddressBase);
}

size_t Arena::bytes_in_use() const {
  std::lock_guard lock(mutex_);
  size_t total = 0;
  for (const auto& block : used_) total += block.second;
  return total;
}

}  // namespace toy
