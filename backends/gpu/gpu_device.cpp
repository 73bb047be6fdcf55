#include "gpu_device.h"

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ember::gpu {
namespace {

constexpr int kMaxDevices = 64;
constexpr size_t kSmallRounding = 512;          // bytes
constexpr size_t kLargeThreshold = 1 << 20;     // above this, round to 2 MiB
constexpr size_t kLargeRounding = 2 << 20;

size_t rounded(size_t nbytes) {
  const size_t unit = nbytes < kLargeThreshold ? kSmallRounding : kLargeRounding;
  return (std::max<size_t>(nbytes, 1) + unit - 1) / unit * unit;
}

struct DeviceState {
  std::mutex mutex;
  gpuStream_t stream = nullptr;
  std::multimap<size_t, void*> free_blocks;       // by size
  std::unordered_map<void*, size_t> block_sizes;  // every live or cached block
};

DeviceState& state(int device) {
  static DeviceState states[kMaxDevices];
  sdk::check(device >= 0 && device < kMaxDevices, "device index out of range");
  return states[device];
}

}  // namespace

void check(gpuError_t status, const char* what) {
  if (status == gpuSuccess) return;
  const ember_status code = status == gpuErrorMemoryAllocation ? EMBER_STATUS_OUT_OF_MEMORY : EMBER_STATUS_INTERNAL_ERROR;
  throw sdk::KernelError(code, std::string(what) + ": " + gpuGetErrorString(status));
}

int device_count(const char** reason) {
  static const std::pair<int, std::string> counted = [] {
    if (const char* missing = gpu_driver_missing()) {
      return std::pair<int, std::string>{0, std::string("no " EMBER_GPU_PLATFORM " device: ") + missing};
    }
    int count = 0;
    const gpuError_t status = gpuGetDeviceCount(&count);
    if (status != gpuSuccess) {
      (void)gpuGetLastError();  // clear the sticky error for later calls
      return std::pair<int, std::string>{0, std::string("no " EMBER_GPU_PLATFORM " device: ") + gpuGetErrorString(status)};
    }
    return std::pair<int, std::string>{count, count > 0 ? "ready" : "no " EMBER_GPU_PLATFORM " device found"};
  }();
  if (reason) *reason = counted.second.c_str();
  return counted.first;
}

DeviceGuard::DeviceGuard(int device) : previous_(-1) {
  check(gpuGetDevice(&previous_), "querying the current device");
  if (previous_ != device) check(gpuSetDevice(device), "selecting the device");
}

DeviceGuard::~DeviceGuard() {
  int current = -1;
  // A destructor cannot report a failure; the next checked call on this thread will see it.
  if (gpuGetDevice(&current) == gpuSuccess && current != previous_ && previous_ >= 0) (void)gpuSetDevice(previous_);
}

gpuStream_t stream(int device) {
  DeviceState& s = state(device);
  std::lock_guard lock(s.mutex);
  if (!s.stream) {
    DeviceGuard guard(device);
    check(gpuStreamCreateWithFlags(&s.stream, gpuStreamNonBlocking), "creating the stream");
  }
  return s.stream;
}

void* allocate(int device, size_t nbytes) {
  const size_t size = rounded(nbytes);
  DeviceState& s = state(device);
  {
    std::lock_guard lock(s.mutex);
    // A cached block at least as large, but not wastefully larger.
    const auto it = s.free_blocks.lower_bound(size);
    if (it != s.free_blocks.end() && it->first <= size * 2) {
      void* ptr = it->second;
      s.free_blocks.erase(it);
      return ptr;
    }
  }
  DeviceGuard guard(device);
  void* ptr = nullptr;
  gpuError_t status = gpuMalloc(&ptr, size);
  if (status == gpuErrorMemoryAllocation) {
    (void)gpuGetLastError();
    empty_cache(device);
    status = gpuMalloc(&ptr, size);
  }
  check(status, "allocating device memory");
  std::lock_guard lock(s.mutex);
  s.block_sizes[ptr] = size;
  return ptr;
}

void release(int device, void* ptr) {
  DeviceState& s = state(device);
  std::lock_guard lock(s.mutex);
  const auto it = s.block_sizes.find(ptr);
  if (it == s.block_sizes.end()) return;
  s.free_blocks.emplace(it->second, ptr);  // reused in stream order: no synchronisation needed
}

void empty_cache(int device) {
  synchronize(device);
  DeviceState& s = state(device);
  std::lock_guard lock(s.mutex);
  DeviceGuard guard(device);
  for (const auto& [size, ptr] : s.free_blocks) {
    (void)gpuFree(ptr);  // a block that fails to free is lost to the cache either way
    s.block_sizes.erase(ptr);
  }
  s.free_blocks.clear();
}

void copy(int device, void* dst, const void* src, size_t nbytes, int32_t kind) {
  DeviceGuard guard(device);
  const gpuStream_t st = stream(device);
  switch (kind) {
    case EMBER_COPY_HOST_TO_DEVICE:
      // From pageable memory the call returns once the source is staged, so the caller may
      // free it at once; the transfer stays ordered on the stream.
      check(gpuMemcpyAsync(dst, src, nbytes, gpuMemcpyHostToDevice, st), "copying to the device");
      return;
    case EMBER_COPY_DEVICE_TO_HOST:
      check(gpuMemcpyAsync(dst, src, nbytes, gpuMemcpyDeviceToHost, st), "copying to the host");
      check(gpuStreamSynchronize(st), "waiting for the copy to the host");
      return;
    default:
      check(gpuMemcpyAsync(dst, src, nbytes, gpuMemcpyDeviceToDevice, st), "copying on the device");
  }
}

void synchronize(int device) {
  DeviceGuard guard(device);
  check(gpuStreamSynchronize(stream(device)), "synchronising the device");
}

ErrorSlot::ErrorSlot(int device)
    : device_(device), words_(static_cast<int64_t*>(allocate(device, 2 * sizeof(int64_t)))) {
  DeviceGuard guard(device);
  const gpuError_t status = gpuMemsetAsync(words_, 0xff, 2 * sizeof(int64_t), stream(device));
  if (status != gpuSuccess) {
    release(device, words_);
    check(status, "resetting the error slot");
  }
}

ErrorSlot::~ErrorSlot() { release(device_, words_); }  // reused in stream order, after the kernel

bool ErrorSlot::read(int64_t* value) const {
  int64_t words[2];
  copy(device_, words, words_, sizeof words, EMBER_COPY_DEVICE_TO_HOST);
  *value = words[1];
  return words[0] != -1;
}

}  // namespace ember::gpu
