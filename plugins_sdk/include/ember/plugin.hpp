// Header-only C++ helpers for writing an Ember plugin: the plugin table, typed access to kernel
// arguments, exceptions turned into status codes at the boundary, dtype dispatch, a strided,
// broadcasting loop over any number of operands, registration and logging. Nothing here
// crosses the ABI.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "ember/half.h"
#include "ember/plugin_api.h"

namespace ember::sdk {

// Thrown inside a kernel; becomes its status and message at the boundary.
class KernelError : public std::runtime_error {
 public:
  KernelError(ember_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  ember_status status() const { return status_; }

 private:
  ember_status status_;
};

// Declines a call this kernel cannot serve (a dtype, a layout).
[[noreturn]] inline void decline(const std::string& why) { throw KernelError(EMBER_STATUS_DECLINED, why); }
inline void check(bool ok, const std::string& what) {
  if (!ok) throw KernelError(EMBER_STATUS_INVALID_ARGUMENT, what);
}
// Out of line and cold, so that argument accessors build no message unless they fail.
[[noreturn]] __attribute__((noinline, cold)) inline void bad_argument(int i, const char* expected) {
  throw KernelError(EMBER_STATUS_INVALID_ARGUMENT, "argument " + std::to_string(i) + ": expected " + expected);
}

// Bytes per element, indexed by ember_dtype (a table: this runs for every operand of a call).
inline size_t dtype_size(int32_t dtype) {
  static constexpr uint8_t kSizes[] = {4, 8, 2, 2, 8, 4, 1, 1, 1, 1, 1, 4};
  return static_cast<unsigned>(dtype) < sizeof kSizes ? kSizes[dtype] : 1;
}

// A tensor argument: geometry plus typed access to its first element.
struct TensorView {
  const ember_tensor_view* view;
  int64_t ndim() const { return view->ndim; }
  int64_t size(int64_t d) const { return view->sizes[d]; }
  int64_t stride(int64_t d) const { return view->strides[d]; }
  int32_t dtype() const { return view->dtype; }
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d = 0; d < view->ndim; ++d) n *= view->sizes[d];
    return n;
  }
  bool is_contiguous() const {
    int64_t expected = 1;
    for (int64_t d = view->ndim - 1; d >= 0; --d) {
      if (view->sizes[d] != 1 && view->strides[d] != expected) return false;
      expected *= view->sizes[d];
    }
    return true;
  }
  char* bytes() const {
    return static_cast<char*>(view->data) + view->offset * static_cast<int64_t>(dtype_size(view->dtype));
  }
  template <typename T>
  T* data() const { return reinterpret_cast<T*>(bytes()); }
};

// The arguments of one kernel call.
class KernelArgs {
 public:
  explicit KernelArgs(const ember_kernel_call* call) : call_(call) {}
  int num_outputs() const { return call_->num_outputs; }
  int num_args() const { return call_->num_args; }
  TensorView output(int i = 0) const { return TensorView{&call_->outputs[i]}; }
  const ember_value& arg(int i) const {
    if (i >= call_->num_args) bad_argument(i, "a value, but the call has fewer arguments");
    return call_->args[i];
  }
  TensorView tensor(int i) const {
    if (arg(i).tag != EMBER_VALUE_TENSOR) bad_argument(i, "a tensor");
    return TensorView{arg(i).u.tensor};
  }
  bool is_none(int i) const { return arg(i).tag == EMBER_VALUE_NONE; }
  int64_t to_int(int i) const {
    const ember_value& v = arg(i);
    if (v.tag == EMBER_VALUE_INT) return v.u.i;
    if (v.tag == EMBER_VALUE_BOOL) return v.u.b;
    bad_argument(i, "an int");
  }
  // A Scalar or float argument as double (ints and bools widen).
  double to_double(int i) const {
    const ember_value& v = arg(i);
    if (v.tag == EMBER_VALUE_DOUBLE) return v.u.d;
    return static_cast<double>(to_int(i));
  }
  bool to_bool(int i) const { return to_int(i) != 0; }
  const char* to_string(int i) const {
    if (arg(i).tag != EMBER_VALUE_STRING) bad_argument(i, "a string");
    return arg(i).u.str;
  }
  std::pair<const int64_t*, int64_t> to_int_list(int i) const {
    if (arg(i).tag != EMBER_VALUE_INT_LIST) bad_argument(i, "an int list");
    return {arg(i).u.ints.data, arg(i).u.ints.size};
  }

 private:
  const ember_kernel_call* call_;
};

// Adapts `void fn(const KernelArgs&, void* user_data)` to the C kernel signature: whatever it
// throws becomes a status and a message, so no exception crosses the boundary.
template <void (*Fn)(const KernelArgs&, void*)>
ember_status guarded_kernel(void* user_data, const ember_kernel_call* call) noexcept {
  try {
    Fn(KernelArgs(call), user_data);
    return EMBER_STATUS_OK;
  } catch (const KernelError& e) {
    std::snprintf(call->error_message, call->error_capacity, "%s", e.what());
    return e.status();
  } catch (const std::bad_alloc&) {
    std::snprintf(call->error_message, call->error_capacity, "out of memory");
    return EMBER_STATUS_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    std::snprintf(call->error_message, call->error_capacity, "%s", e.what());
    return EMBER_STATUS_INTERNAL_ERROR;
  } catch (...) {
    std::snprintf(call->error_message, call->error_capacity, "unknown exception");
    return EMBER_STATUS_INTERNAL_ERROR;
  }
}

// Calls f(T{}) with T the C++ type of `dtype` (Float16/BFloat16 for the 16-bit floats).
template <typename F>
decltype(auto) dispatch_dtype(int32_t dtype, F&& f) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: return f(float{});
    case EMBER_DTYPE_FLOAT64: return f(double{});
    case EMBER_DTYPE_FLOAT16: return f(Float16{});
    case EMBER_DTYPE_BFLOAT16: return f(BFloat16{});
    case EMBER_DTYPE_INT64: return f(int64_t{});
    case EMBER_DTYPE_INT32: return f(int32_t{});
    case EMBER_DTYPE_INT8: return f(int8_t{});
    case EMBER_DTYPE_UINT8: return f(uint8_t{});
    case EMBER_DTYPE_BOOL: return f(bool{});
  }
  throw KernelError(EMBER_STATUS_INVALID_ARGUMENT, "unknown dtype code " + std::to_string(dtype));
}

// The type arithmetic on T is carried out in: float for the 16-bit floats, T otherwise.
template <typename T> struct Compute { using type = T; };
template <> struct Compute<Float16> { using type = float; };
template <> struct Compute<BFloat16> { using type = float; };
template <typename T> using compute_t = typename Compute<T>::type;

// Note [Strided loop]
// The iteration space is the first operand's shape; every other operand broadcasts to it
// (missing leading dims and size-1 dims get stride 0). Dimensions that are contiguous for every
// operand are merged, so a contiguous or scalar-broadcast case runs as one flat inner loop.
// StridedGeometry is that description as plain data (GPU kernels take it by value);
// StridedLoop walks it on the host.
template <int N>
struct StridedGeometry {
  static constexpr int kMaxDims = 16;

  explicit StridedGeometry(const TensorView (&operands)[N]) {
    const TensorView& shape = operands[0];
    ndim = static_cast<int>(shape.ndim());
    if (ndim > kMaxDims) bad_argument(0, "at most 16 dimensions for the strided loop");
    for (int k = 0; k < N; ++k) base[k] = operands[k].bytes();
    // Innermost dimension first.
    for (int d = 0; d < ndim; ++d) {
      const int src = ndim - 1 - d;
      sizes[d] = shape.size(src);
      for (int k = 0; k < N; ++k) {
        const TensorView& op = operands[k];
        const int64_t op_dim = op.ndim() - 1 - d;
        const bool broadcast = op_dim < 0 || op.size(op_dim) == 1;
        strides[d][k] = broadcast ? 0 : op.stride(op_dim) * static_cast<int64_t>(dtype_size(op.dtype()));
      }
    }
    coalesce();
  }

  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= sizes[d];
    return n;
  }

  char* base[N];
  int64_t sizes[kMaxDims];        // innermost first
  int64_t strides[kMaxDims][N];   // in bytes
  int ndim = 0;

 private:
  void coalesce() {
    if (ndim <= 1) return;
    int out = 0;
    for (int d = 1; d < ndim; ++d) {
      bool mergeable = true;
      for (int k = 0; k < N; ++k) {
        if (strides[d][k] != strides[out][k] * sizes[out]) mergeable = false;
      }
      if (mergeable) {
        sizes[out] *= sizes[d];
      } else {
        ++out;
        sizes[out] = sizes[d];
        for (int k = 0; k < N; ++k) strides[out][k] = strides[d][k];
      }
    }
    ndim = out + 1;
  }
};

template <int N>
class StridedLoop {
 public:
  static constexpr int kMaxDims = StridedGeometry<N>::kMaxDims;

  explicit StridedLoop(const TensorView (&operands)[N]) : g_(operands) {}

  int64_t numel() const { return g_.numel(); }

  // Runs inner(ptrs, strides, count) over the linear index range [begin, end): ptrs point at
  // the first element of a run along the innermost dimension, strides are in bytes.
  template <typename Inner>
  void run(int64_t begin, int64_t end, Inner&& inner) const {
    if (g_.ndim == 0) {
      char* ptrs[N];
      int64_t zero[N] = {};
      for (int k = 0; k < N; ++k) ptrs[k] = g_.base[k];
      if (begin < end) inner(ptrs, zero, int64_t{1});
      return;
    }
    int64_t index[kMaxDims];
    int64_t rest = begin;
    for (int d = 0; d < g_.ndim; ++d) {
      index[d] = rest % g_.sizes[d];
      rest /= g_.sizes[d];
    }
    int64_t remaining = end - begin;
    while (remaining > 0) {
      char* ptrs[N];
      for (int k = 0; k < N; ++k) {
        int64_t offset = 0;
        for (int d = 0; d < g_.ndim; ++d) offset += index[d] * g_.strides[d][k];
        ptrs[k] = g_.base[k] + offset;
      }
      const int64_t count = std::min(g_.sizes[0] - index[0], remaining);
      inner(ptrs, g_.strides[0], count);
      remaining -= count;
      index[0] += count;
      for (int d = 0; d + 1 < g_.ndim && index[d] == g_.sizes[d]; ++d) {
        index[d] = 0;
        ++index[d + 1];
      }
    }
  }

 private:
  StridedGeometry<N> g_;
};

// A plugin table of this SDK's ABI version with its sizes and name filled in; the plugin sets
// its functions next.
inline ember_plugin_api plugin_table(const char* name, const char* version, void* plugin_context = nullptr) {
  ember_plugin_api api{};
  api.struct_size = sizeof api;
  api.abi_major = EMBER_PLUGIN_API_MAJOR;
  api.abi_minor = EMBER_PLUGIN_API_MINOR;
  api.name = name;
  api.version = version;
  api.plugin_context = plugin_context;
  api.device.struct_size = sizeof api.device;
  return api;
}

// Writes one line to the host's log: shown for warnings and errors, and for the rest with
// EMBER_LOG=plugins.
inline void log(const ember_host_api* host, ember_log_level level, const std::string& message) {
  host->log(host->host_context, level, message.c_str());
}

// Registers a kernel through the host table; throws KernelError with the host's message.
inline void register_kernel(const ember_host_api* host, const char* op_name, ember_kernel_fn fn,
                            void* user_data = nullptr) {
  char message[512] = "";
  const ember_status status =
      host->register_kernel(host->host_context, op_name, fn, user_data, message, sizeof message);
  if (status != EMBER_STATUS_OK) throw KernelError(status, message);
}

}  // namespace ember::sdk
