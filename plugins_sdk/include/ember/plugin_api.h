/* Ember plugin C ABI: the only header a device plugin needs.
 *
 * Note [Plugin ABI rules]
 * - The boundary is plain C: no C++ type, exception or allocation crosses it, so a plugin built
 *   by another compiler or standard library loads into any host.
 * - Versions are negotiated both ways. Each side publishes major.minor; majors must match; minor
 *   may grow. A newer side reads a struct only up to the `struct_size` the older side reports,
 *   and NULL-checks any function pointer newer than the other side's minor.
 * - Every struct that crosses the boundary starts with `uint32_t struct_size`.
 * - Whoever allocates frees: host memory is freed by the host, device memory by the plugin.
 * - Errors cross as an ember_status plus a message written into a host-provided buffer.
 *
 * History: 1.0 the first ABI. 1.1 adds ember_host_api.define_operator (custom operators),
 * ember_plugin_api.flags (EMBER_PLUGIN_FLAG_NO_CPU_FALLBACK) and the quantized dtype codes.
 */
#ifndef EMBER_PLUGIN_API_H
#define EMBER_PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMBER_PLUGIN_API_MAJOR 1
#define EMBER_PLUGIN_API_MINOR 1

/* The one symbol every plugin exports. */
#define EMBER_PLUGIN_ENTRY_SYMBOL "ember_plugin_entry"

#if defined(_WIN32)
#define EMBER_PLUGIN_EXPORT __declspec(dllexport)
#else
#define EMBER_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

typedef enum ember_status {
  EMBER_STATUS_OK = 0,
  EMBER_STATUS_INVALID_ARGUMENT = 1, /* the caller passed something the callee cannot accept */
  EMBER_STATUS_OUT_OF_MEMORY = 2,
  EMBER_STATUS_DECLINED = 3,         /* this kernel does not handle these dtypes/layouts: the
                                        host runs the call through the CPU fallback instead */
  EMBER_STATUS_DEVICE_ERROR = 4,
  EMBER_STATUS_INTERNAL_ERROR = 5,
  EMBER_STATUS_VERSION_MISMATCH = 6
} ember_status;

/* Element types. The numbering is part of the ABI and never changes. */
typedef enum ember_dtype {
  EMBER_DTYPE_FLOAT32 = 0,
  EMBER_DTYPE_FLOAT64 = 1,
  EMBER_DTYPE_FLOAT16 = 2,
  EMBER_DTYPE_BFLOAT16 = 3,
  EMBER_DTYPE_INT64 = 4,
  EMBER_DTYPE_INT32 = 5,
  EMBER_DTYPE_INT8 = 6,
  EMBER_DTYPE_UINT8 = 7,
  EMBER_DTYPE_BOOL = 8,
  /* Quantized: int8, uint8 and int32 storage whose scale and zero point stay with the host's
   * tensor; quantized operators pass them to kernels as arguments (since 1.1). */
  EMBER_DTYPE_QINT8 = 9,
  EMBER_DTYPE_QUINT8 = 10,
  EMBER_DTYPE_QINT32 = 11
} ember_dtype;

/* A strided view of device memory. Element (i0, i1, ...) lives at
 * data + (offset + sum_k i_k * strides[k]) * itemsize(dtype). Strides are in elements and may
 * be zero (broadcast) but never negative. */
typedef struct ember_tensor_view {
  uint32_t struct_size;
  int32_t dtype;        /* ember_dtype */
  int32_t ndim;
  int32_t device_index; /* index within the plugin's own devices */
  void* data;           /* base of the storage */
  int64_t offset;       /* in elements */
  const int64_t* sizes;
  const int64_t* strides;
} ember_tensor_view;

typedef enum ember_value_tag {
  EMBER_VALUE_NONE = 0,
  EMBER_VALUE_TENSOR = 1,
  EMBER_VALUE_INT = 2,
  EMBER_VALUE_DOUBLE = 3,
  EMBER_VALUE_BOOL = 4,
  EMBER_VALUE_INT_LIST = 5,
  EMBER_VALUE_TENSOR_LIST = 6,
  EMBER_VALUE_STRING = 7,
  EMBER_VALUE_DTYPE = 8
} ember_value_tag;

/* One argument of a kernel call, in schema order. A Scalar arrives as INT, DOUBLE or BOOL. */
typedef struct ember_value {
  int32_t tag; /* ember_value_tag */
  int32_t reserved;
  union {
    const ember_tensor_view* tensor;
    int64_t i;
    double d;
    int32_t b;
    int32_t dtype;
    const char* str; /* NUL-terminated */
    struct {
      const int64_t* data;
      int64_t size;
    } ints;
    struct {
      const ember_tensor_view* data;
      int64_t size;
    } tensors;
  } u;
} ember_value;

/* What a structured kernel receives: the host has already inferred output shapes and dtypes,
 * allocated the outputs on the plugin's device and cast inputs to the compute dtype. The kernel
 * fills outputs[]; args[] are the operator's arguments in schema order. */
typedef struct ember_kernel_call {
  uint32_t struct_size;
  int32_t num_outputs;
  const ember_tensor_view* outputs;
  int32_t num_args;
  const ember_value* args;
  char* error_message; /* host-owned buffer for a NUL-terminated message on failure */
  size_t error_capacity;
} ember_kernel_call;

/* A kernel. The host may call kernels, and the device functions below, from several threads at
 * once (ember-plugin-check's concurrency check runs them from four). */
typedef ember_status (*ember_kernel_fn)(void* user_data, const ember_kernel_call* call);

typedef enum ember_log_level {
  EMBER_LOG_DEBUG = 0,
  EMBER_LOG_INFO = 1,
  EMBER_LOG_WARNING = 2,
  EMBER_LOG_ERROR = 3
} ember_log_level;

/* The host's function table, handed to the plugin at init. Valid until shutdown returns. */
typedef struct ember_host_api {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  void* host_context;
  /* Registers `fn` as this plugin's kernel for the operator `op_name` ("add.Tensor"). The host
   * checks the name against its schema registry; a failed registration changes nothing. */
  ember_status (*register_kernel)(void* host_context, const char* op_name, ember_kernel_fn fn,
                                  void* user_data, char* error_message, size_t error_capacity);
  /* Writes one line to the host's log. */
  void (*log)(void* host_context, int32_t level, const char* message);

  /* ---- since 1.1: NULL-check, or test EMBER_HOST_HAS(host, define_operator) ---- */

  /* Defines a new operator from its schema, "myvendor::fused_gelu(Tensor self) -> Tensor".
   * The name needs the plugin's own namespace and must be new. `shape_rule` names how the host
   * infers the outputs from the arguments, as for Ember's own structured operators:
   * "elementwise_unary", "elementwise_unary_float", "elementwise_binary",
   * "elementwise_binary_float", "reduction", "reduction_float", "softmax", "mm", ... (the list
   * is in docs/writing_a_plugin.md). Register the kernel with register_kernel afterwards; the
   * operator is callable by name through ember::ops::call and goes away with the plugin. */
  ember_status (*define_operator)(void* host_context, const char* schema, const char* shape_rule,
                                  char* error_message, size_t error_capacity);
} ember_host_api;

/* True when the host's table is new enough to hold `field` and the host filled it in. */
#define EMBER_HOST_HAS(host, field)                                                     \
  ((host)->struct_size >= offsetof(ember_host_api, field) + sizeof((host)->field) && \
   (host)->field != NULL)

typedef enum ember_copy_kind {
  EMBER_COPY_HOST_TO_DEVICE = 0,
  EMBER_COPY_DEVICE_TO_HOST = 1,
  EMBER_COPY_DEVICE_TO_DEVICE = 2
} ember_copy_kind;

/* How the plugin's devices hold memory. Every function receives the plugin's own context.
 * When host_accessible is 0 the host never dereferences a device pointer: every byte moves
 * through `copy`, so device pointers may be any values the plugin understands (the host only
 * adds byte offsets to them). */
typedef struct ember_device_api {
  uint32_t struct_size;
  /* Non-zero when device pointers may be read and written by the host directly (a CPU). */
  int32_t host_accessible;
  /* How many devices the plugin serves; indices run from 0. Read once, after probe. */
  int32_t (*device_count)(void* plugin_context);
  /* One tensor's memory: `nbytes` >= 1, aligned for any dtype. OUT_OF_MEMORY when it cannot. */
  ember_status (*allocate)(void* plugin_context, int32_t device_index, size_t nbytes, void** out);
  /* Gives back what allocate returned, with the same size; must not fail. */
  void (*deallocate)(void* plugin_context, int32_t device_index, void* ptr, size_t nbytes);
  /* Moves `nbytes`; for DEVICE_TO_HOST the bytes must be final when it returns (wait for the
   * work that writes them). The host pointer side is plain host memory. */
  ember_status (*copy)(void* plugin_context, int32_t device_index, void* dst, const void* src,
                       size_t nbytes, int32_t kind /* ember_copy_kind */);
  /* Waits for all work queued on the device; may be NULL for a synchronous device. */
  ember_status (*synchronize)(void* plugin_context, int32_t device_index);
} ember_device_api;

/* Why a plugin can or cannot run here. A score of 0 means unavailable; `reason` says why. */
typedef struct ember_probe_result {
  uint32_t struct_size;
  int32_t score;
  char reason[256];
} ember_probe_result;

/* The plugin's function table. It lives as long as the library stays loaded. */
typedef struct ember_plugin_api {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  const char* name;    /* the backend's name: "cpu", "cuda", "acme_npu"; [a-z0-9_]+ */
  const char* version; /* the plugin's own version, free text */
  void* plugin_context;
  /* Checks drivers and devices without touching global state. Must not fail on a bare machine. */
  ember_status (*probe)(void* plugin_context, ember_probe_result* result);
  /* Starts the plugin and registers its kernels through `host`. */
  ember_status (*init)(void* plugin_context, const ember_host_api* host, char* error_message,
                       size_t error_capacity);
  /* Stops the plugin's threads and frees what init made. No kernel is called afterwards. */
  void (*shutdown)(void* plugin_context);
  ember_device_api device;

  /* ---- since 1.1: a 1.0 plugin's struct_size ends before this; the host reads it as 0 ---- */

  uint32_t flags; /* EMBER_PLUGIN_FLAG_* */
} ember_plugin_api;

/* Operators the plugin has no kernel for (or whose kernel declines) run on the CPU backend,
 * their tensors copied through the plugin's copy functions; this flag opts out, so such calls
 * fail with an error instead. */
#define EMBER_PLUGIN_FLAG_NO_CPU_FALLBACK 1u

/* The exported entry point: returns the plugin's table, or NULL when it cannot serve a host of
 * this major version. Must not allocate device resources (that is init's job). */
typedef const ember_plugin_api* (*ember_plugin_entry_fn)(uint16_t host_abi_major,
                                                         uint16_t host_abi_minor);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_PLUGIN_API_H */
