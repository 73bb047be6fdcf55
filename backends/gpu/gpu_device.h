// Per-device state of the GPU backend: the stream every kernel and copy runs on (so work is
// ordered without events), a caching allocator (freed blocks are reused in stream order, so
// the hot path never calls the driver's allocator), and error reporting as KernelError.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ember/plugin.hpp"
#include "gpu_runtime.h"

namespace ember::gpu {

// Throws sdk::KernelError "<what>: <runtime message>" unless `status` is success.
void check(gpuError_t status, const char* what);

// Devices the runtime sees; 0 (with `reason` set) when there is no driver or no device.
int device_count(const char** reason = nullptr);

// Makes `device` current on this thread for its lifetime.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_;
};

// The device's stream, created on first use.
gpuStream_t stream(int device);

// Blocks from the caching allocator; sizes are rounded up so freed blocks fit later requests.
void* allocate(int device, size_t nbytes);
void release(int device, void* ptr);
// Frees every cached block (after the device's work is done); allocate calls it before retrying
// when the device is out of memory.
void empty_cache(int device);

void copy(int device, void* dst, const void* src, size_t nbytes, int32_t kind);
void synchronize(int device);

// Two device-side words a kernel uses to report a bad value (an index out of range) without a
// host round trip per element: [0] is -1 until a thread claims it, [1] holds that thread's value.
// Each call owns one, from the caching allocator, so calls from several threads at once never
// read each other's reports.
class ErrorSlot {
 public:
  // A slot on `device`, reset on its stream before any kernel the caller launches after it.
  explicit ErrorSlot(int device);
  ~ErrorSlot();
  ErrorSlot(const ErrorSlot&) = delete;
  ErrorSlot& operator=(const ErrorSlot&) = delete;
  int64_t* words() const { return words_; }
  // Whether a kernel reported a value, and which (waits for the device's work).
  bool read(int64_t* value) const;

 private:
  int device_;
  int64_t* words_;
};

}  // namespace ember::gpu
