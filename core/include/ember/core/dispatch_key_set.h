// Dispatch keys and key sets. They live in core because every TensorImpl carries its key set.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

#include "ember/core/device.h"

namespace ember {

// Note [DispatchKeySet layout]
// A DispatchKeySet is 64 bits. Bits 0..47 are backend slots, handed out at run time as plugins
// load, so any number of devices can be loaded at once. Bits 48..63 are functionality keys,
// ordered so that a higher bit dispatches first: a call goes to the kernel of the highest key in
// its set, and that kernel redispatches to the keys below itself.
enum class DispatchKey : uint8_t {
  BackendSelect = 48,  // factory operators: picks the backend from the `device` argument
  Quantized = 49,      // quantized tensors
  Autograd = 50,       // tensors that require grad
  Autocast = 51,       // inside an AutocastGuard: casts the operands of listed operators
  TestLow = 60,        // test-only keys, for dispatcher tests
  TestHigh = 61,
};
constexpr int kNumDispatchKeys = 64;

// Alias keys name a group of runtime keys at registration time only.
enum class AliasKey : uint8_t {
  CompositeImplicit,  // decomposes into other operators: serves every backend and Autograd
  CompositeExplicit,  // a host kernel valid on every backend (views, factories); not Autograd
};

class DispatchKeySet {
 public:
  constexpr DispatchKeySet() = default;
  constexpr explicit DispatchKeySet(uint64_t bits) : bits_(bits) {}
  constexpr DispatchKeySet(DispatchKey key) : bits_(uint64_t{1} << static_cast<int>(key)) {}
  static constexpr DispatchKeySet backend(BackendSlot slot) {
    return DispatchKeySet(uint64_t{1} << slot);
  }
  static constexpr DispatchKeySet all_backends() {
    return DispatchKeySet((uint64_t{1} << kMaxBackendSlots) - 1);
  }

  constexpr uint64_t raw() const { return bits_; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool has(DispatchKey key) const { return (bits_ >> static_cast<int>(key)) & 1; }
  constexpr bool has_index(int index) const { return (bits_ >> index) & 1; }
  constexpr DispatchKeySet operator|(DispatchKeySet o) const { return DispatchKeySet(bits_ | o.bits_); }
  constexpr DispatchKeySet operator&(DispatchKeySet o) const { return DispatchKeySet(bits_ & o.bits_); }
  constexpr DispatchKeySet operator-(DispatchKeySet o) const { return DispatchKeySet(bits_ & ~o.bits_); }
  constexpr bool operator==(const DispatchKeySet&) const = default;
  // The key that dispatches first; -1 when empty.
  constexpr int highest_index() const { return 63 - std::countl_zero(bits_); }
  // Every key strictly below `index`: what a kernel at `index` redispatches to.
  constexpr DispatchKeySet below(int index) const {
    return DispatchKeySet(bits_ & ((uint64_t{1} << index) - 1));
  }
  constexpr BackendSlot highest_backend() const {
    return static_cast<BackendSlot>(DispatchKeySet(bits_ & all_backends().bits_).highest_index());
  }

 private:
  uint64_t bits_ = 0;
};

// "Autograd", "cpu" (a backend slot prints as its backend's name), "TestLow".
std::string dispatch_key_name(int index);
// "{Autograd, cpu}".
std::string to_string(DispatchKeySet set);

}  // namespace ember
