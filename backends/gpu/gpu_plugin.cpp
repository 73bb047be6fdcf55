// libember_backend_<cuda|rocm>.so: the GPU as an Ember plugin, built from the shared kernels in
// this folder by the vendor's compiler. EMBER_GPU_BACKEND_NAME names it.
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <exception>

#include "gpu_kernels.h"

namespace ember::gpu {
namespace {

int32_t device_count_entry(void*) { return device_count(); }

ember_status allocate_entry(void*, int32_t device, size_t nbytes, void** out) {
  try {
    *out = allocate(device, nbytes);
    return EMBER_STATUS_OK;
  } catch (const sdk::KernelError& e) {
    *out = nullptr;
    return e.status();
  }
}

void deallocate_entry(void*, int32_t device, void* ptr, size_t) { release(device, ptr); }

ember_status copy_entry(void*, int32_t device, void* dst, const void* src, size_t nbytes, int32_t kind) {
  try {
    copy(device, dst, src, nbytes, kind);
    return EMBER_STATUS_OK;
  } catch (const sdk::KernelError& e) {
    return e.status();
  }
}

ember_status synchronize_entry(void*, int32_t device) {
  try {
    synchronize(device);
    return EMBER_STATUS_OK;
  } catch (const sdk::KernelError& e) {
    return e.status();
  }
}

// The vendor runtime registers exit handlers inside this library on its first call, so the
// library must stay mapped until the process exits, even when the host unloads a plugin it skips.
void stay_mapped() {
  Dl_info self{};
  if (dladdr(reinterpret_cast<void*>(&stay_mapped), &self) && self.dli_fname) {
    dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
  }
}

ember_status probe(void*, ember_probe_result* result) {
  stay_mapped();
  const char* reason = nullptr;
  const int count = device_count(&reason);
  result->score = count > 0 ? 100 : 0;
  std::snprintf(result->reason, sizeof result->reason, "%s", reason);
  return EMBER_STATUS_OK;
}

ember_status init(void*, const ember_host_api* host, char* error_message, size_t error_capacity) {
  try {
    register_elementwise_kernels(host);
    register_copy_kernels(host);
    register_reduction_kernels(host);
    register_indexing_kernels(host);
    register_convolution_kernels(host);
    register_matmul_kernels(host);
    return EMBER_STATUS_OK;
  } catch (const std::exception& e) {
    std::snprintf(error_message, error_capacity, "%s", e.what());
    return EMBER_STATUS_INTERNAL_ERROR;
  }
}

void shutdown(void*) {}

const ember_plugin_api kPluginApi = {
    /* .struct_size = */ sizeof(ember_plugin_api),
    /* .abi_major = */ EMBER_PLUGIN_API_MAJOR,
    /* .abi_minor = */ EMBER_PLUGIN_API_MINOR,
    /* .name = */ EMBER_GPU_BACKEND_NAME,
    /* .version = */ EMBER_GPU_VENDOR " " EMBER_GPU_RUNTIME_VERSION,
    /* .plugin_context = */ nullptr,
    /* .probe = */ &probe,
    /* .init = */ &init,
    /* .shutdown = */ &shutdown,
    /* .device = */
    {
        /* .struct_size = */ sizeof(ember_device_api),
        /* .host_accessible = */ 0,
        /* .device_count = */ &device_count_entry,
        /* .allocate = */ &allocate_entry,
        /* .deallocate = */ &deallocate_entry,
        /* .copy = */ &copy_entry,
        /* .synchronize = */ &synchronize_entry,
    },
};

}  // namespace
}  // namespace ember::gpu

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t host_major, uint16_t) {
  return host_major == EMBER_PLUGIN_API_MAJOR ? &ember::gpu::kPluginApi : nullptr;
}
