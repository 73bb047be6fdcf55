// libember_backend_cpu.so: the CPU as an Ember plugin, built against plugins_sdk alone.
#include <cstdio>
#include <cstring>
#include <exception>

#include "host_memory.h"
#include "kernels.h"

namespace ember::cpu {
namespace {

int32_t device_count(void*) { return 1; }

ember_status allocate(void*, int32_t, size_t nbytes, void** out) {
  *out = host_memory::allocate(nbytes);
  return *out ? EMBER_STATUS_OK : EMBER_STATUS_OUT_OF_MEMORY;
}

void deallocate(void*, int32_t, void* ptr, size_t nbytes) { host_memory::release(ptr, nbytes); }

ember_status copy(void*, int32_t, void* dst, const void* src, size_t nbytes, int32_t) {
  std::memcpy(dst, src, nbytes);
  return EMBER_STATUS_OK;
}

ember_status synchronize(void*, int32_t) { return EMBER_STATUS_OK; }

ember_status probe(void*, ember_probe_result* result) {
  result->score = 1;
  std::strncpy(result->reason, "ready", sizeof result->reason - 1);
  return EMBER_STATUS_OK;
}

ember_status init(void*, const ember_host_api* host, char* error_message, size_t error_capacity) {
  try {
    register_elementwise_kernels(host);
    register_reduction_kernels(host);
    register_matmul_kernels(host);
    register_int8_matmul_kernel(host);
    register_int8_convolution_kernel(host);
    register_copy_kernels(host);
    register_random_kernels(host);
    register_indexing_kernels(host);
    register_searching_kernels(host);
    register_convolution_kernels(host);
    register_pooling_kernels(host);
    register_linalg_kernels(host);
    return EMBER_STATUS_OK;
  } catch (const std::exception& e) {
    std::snprintf(error_message, error_capacity, "%s", e.what());
    return EMBER_STATUS_INTERNAL_ERROR;
  }
}

void shutdown(void*) { host_memory::clear_cache(); }

const ember_plugin_api kPluginApi = {
    /* .struct_size = */ sizeof(ember_plugin_api),
    /* .abi_major = */ EMBER_PLUGIN_API_MAJOR,
    /* .abi_minor = */ EMBER_PLUGIN_API_MINOR,
    /* .name = */ "cpu",
    /* .version = */ "oneDNN " EMBER_CPU_DNNL_VERSION,
    /* .plugin_context = */ nullptr,
    /* .probe = */ &probe,
    /* .init = */ &init,
    /* .shutdown = */ &shutdown,
    /* .device = */
    {
        /* .struct_size = */ sizeof(ember_device_api),
        /* .host_accessible = */ 1,
        /* .device_count = */ &device_count,
        /* .allocate = */ &allocate,
        /* .deallocate = */ &deallocate,
        /* .copy = */ &copy,
        /* .synchronize = */ &synchronize,
    },
};

}  // namespace
}  // namespace ember::cpu

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t host_major, uint16_t) {
  return host_major == EMBER_PLUGIN_API_MAJOR ? &ember::cpu::kPluginApi : nullptr;
}
