// What the CPU backend's oneDNN primitives share: the engine they run on, the oneDNN type of a
// dtype, and a cache of created primitives (creation costs up to milliseconds, a hit microseconds).
#pragma once

#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <unordered_map>

#include "ember/plugin.hpp"

namespace ember::cpu {

inline dnnl::engine& dnnl_engine() {
  static dnnl::engine instance(dnnl::engine::kind::cpu, 0);
  return instance;
}

// The oneDNN type of the dtypes its primitives compute in; nullopt for the rest.
inline std::optional<dnnl::memory::data_type> dnnl_type(int32_t dtype) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: return dnnl::memory::data_type::f32;
    case EMBER_DTYPE_BFLOAT16: return dnnl::memory::data_type::bf16;
    case EMBER_DTYPE_FLOAT16: return dnnl::memory::data_type::f16;
    default: return std::nullopt;
  }
}

// A view's dtype, sizes and strides as text: part of a cache key.
inline std::string view_key(const sdk::TensorView& t) {
  std::string key = std::to_string(t.dtype());
  for (int64_t d = 0; d < t.ndim(); ++d) {
    key += ':';
    key += std::to_string(t.size(d));
    key += '/';
    key += std::to_string(t.stride(d));
  }
  return key;
}

// Entries by a key naming everything the primitive was created for; safe across threads.
template <typename Entry>
class PrimitiveCache {
 public:
  template <typename Make>
  Entry get(const std::string& key, Make&& make) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) it = entries_.emplace(key, make()).first;
    return it->second;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace ember::cpu
