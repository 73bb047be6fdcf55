// What the CPU backend's oneDNN primitives share: the engine they run on, the oneDNN type of a
// dtype, and a cache of created primitives (creation costs up to milliseconds, a hit microseconds).
#pragma once

#include <algorithm>
#include <cstdlib>
#include <new>
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

// Note [oneDNN across threads]
// The primitive caches are shared by every thread, so a primitive may run on a thread other than
// the one that created it, and on two threads at once. oneDNN's default scratchpad is one buffer
// tied to the creating thread (Debian builds oneDNN with DNNL_ENABLE_CONCURRENT_EXEC off), so
// that corrupts memory: ember-plugin-check's concurrency check crashed in a convolution. Every
// cached primitive is therefore created with user_scratchpad() and run by execute(), which hands
// it a scratchpad owned by the calling thread, kept and grown so that a large one is not
// page-faulted in again on every call.
inline dnnl::primitive_attr user_scratchpad(dnnl::primitive_attr attr = dnnl::primitive_attr()) {
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// `nbytes` of this thread's scratchpad, 64-byte aligned, valid until its next call.
inline void* thread_scratchpad(size_t nbytes) {
  // Owns its block and cannot be copied: assigning a temporary Buffer once freed the block it had
  // just been given, and oneDNN's threads wrote into freed memory.
  struct Buffer {
    void* data = nullptr;
    size_t capacity = 0;
    Buffer() = default;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() { std::free(data); }
  };
  thread_local Buffer buffer;
  if (nbytes > buffer.capacity) {
    const size_t capacity = (nbytes + 63) / 64 * 64;
    void* data = std::aligned_alloc(64, capacity);
    if (!data) throw std::bad_alloc();
    std::free(buffer.data);
    buffer.data = data;
    buffer.capacity = capacity;
  }
  return buffer.data;
}

// Runs a primitive made with user_scratchpad() with this thread's scratchpad and waits for it.
inline void execute(const dnnl::primitive& primitive, dnnl::stream& stream, std::unordered_map<int, dnnl::memory> args) {
  const dnnl_memory_desc_t* md =
      dnnl_primitive_desc_query_md(primitive.get_primitive_desc(), dnnl_query_scratchpad_md, 0);
  const dnnl::memory::desc scratchpad = md ? dnnl::memory::desc(*md) : dnnl::memory::desc();
  if (const size_t nbytes = scratchpad.get_size(); nbytes > 0) {
    args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(scratchpad, dnnl_engine(), thread_scratchpad(nbytes)));
  }
  primitive.execute(stream, args);
  stream.wait();
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

// Note [Float32 staging]
// Debian's oneDNN has bfloat16 and float16 matmul and convolution kernels only on CPUs with
// AVX-512's instructions for them. Elsewhere a half-precision product ran our loop, which converts
// every operand per multiply-add: 14x (bfloat16) and 110x (float16) the float32 time of a 256^3
// product on an AVX2 CPU. Instead, where the half-precision primitive is unimplemented, the
// operands are converted once into dense float32 copies (DenseTensor), the float32 primitive runs,
// and the output is rounded back once, which is how PyTorch's CPU runs these products too,
// accumulating in float32.
inline bool stages_in_float32(dnnl::memory::data_type type) { return type != dnnl::memory::data_type::f32; }

// oneDNN's matmul takes any dense layout (row- or column-major per matrix), not broadcast strides.
inline bool dense_matrix(const sdk::TensorView& t) {
  const int64_t n = t.ndim();
  const int64_t rows = t.size(n - 2), cols = t.size(n - 1);
  const int64_t rs = t.stride(n - 2), cs = t.stride(n - 1);
  const bool row_major = (cs == 1 || cols == 1) && (rs >= cols || rows == 1);
  const bool col_major = (rs == 1 || rows == 1) && (cs >= rows || cols == 1);
  const bool batch_ok = n == 2 || t.size(0) == 1 || t.stride(0) != 0;
  return (row_major || col_major) && batch_ok;
}

// A view as a oneDNN memory descriptor of `type` with its own strides. A size-1 dimension gets
// the row-major stride: its own stride is arbitrary, and oneDNN's int8 GEMM reads a [1, k]
// matrix with strides [1, 1] as transposed.
inline dnnl::memory::desc describe(const sdk::TensorView& t, dnnl::memory::data_type type) {
  const int64_t n = t.ndim();
  dnnl::memory::dims dims(static_cast<size_t>(n)), strides(static_cast<size_t>(n));
  int64_t row_major = 1;
  for (int64_t d = n - 1; d >= 0; --d) {
    dims[d] = t.size(d);
    strides[d] = t.size(d) == 1 ? row_major : t.stride(d);
    row_major = std::max<int64_t>(strides[d] * t.size(d), 1);
  }
  return dnnl::memory::desc(dims, type, strides);
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

// The primitive `make` creates, or nullopt where this oneDNN build has no implementation for it
// (bfloat16 on a CPU without the ISA for it, say), so that a cache remembers that too and the
// caller's loop serves.
template <typename Make>
auto primitive_if_implemented(Make&& make) -> std::optional<decltype(make())> {
  try {
    return make();
  } catch (const dnnl::error&) {
    return std::nullopt;
  }
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
