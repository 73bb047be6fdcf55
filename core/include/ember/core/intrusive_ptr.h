// Reference counting kept inside the object: one allocation per tensor, one atomic per copy.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace ember {

class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;
  void retain() const { refcount_.fetch_add(1, std::memory_order_relaxed); }
  // Returns true when this was the last reference. A count of 1 is ours alone: no weak references
  // exist, so no other thread can raise it, and the acquire pairs with the releases that brought
  // it there; the read-modify-write, the costly part of freeing a tensor, is skipped.
  bool release() const {
    return refcount_.load(std::memory_order_acquire) == 1 || refcount_.fetch_sub(1, std::memory_order_acq_rel) == 1;
  }
  uint32_t use_count() const { return refcount_.load(std::memory_order_relaxed); }

 protected:
  ~RefCounted() = default;

 private:
  mutable std::atomic<uint32_t> refcount_{1};
};

template <typename T>
class IntrusivePtr {
 public:
  IntrusivePtr() = default;
  // Adopts an object whose count is already 1 (fresh from `new`).
  static IntrusivePtr adopt(T* fresh) { return IntrusivePtr(fresh, 0); }
  // Shares an object that someone else already holds.
  static IntrusivePtr share(T* held) {
    if (held) held->retain();
    return IntrusivePtr(held, 0);
  }
  IntrusivePtr(const IntrusivePtr& o) : ptr_(o.ptr_) {
    if (ptr_) ptr_->retain();
  }
  IntrusivePtr(IntrusivePtr&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)) {}
  IntrusivePtr& operator=(IntrusivePtr o) noexcept {
    std::swap(ptr_, o.ptr_);
    return *this;
  }
  ~IntrusivePtr() { reset(); }
  void reset() {
    if (ptr_ && ptr_->release()) delete ptr_;
    ptr_ = nullptr;
  }
  T* get() const { return ptr_; }
  T* operator->() const { return ptr_; }
  T& operator*() const { return *ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }
  bool operator==(const IntrusivePtr& o) const { return ptr_ == o.ptr_; }

 private:
  IntrusivePtr(T* p, int) : ptr_(p) {}
  T* ptr_ = nullptr;
};

}  // namespace ember
