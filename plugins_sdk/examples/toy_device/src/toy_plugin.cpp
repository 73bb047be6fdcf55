// The toy device's plugin table: probe, init and shutdown, and its memory behind the copy
// functions. TOY_DEVICE_NAME is the backend's name ("toy"), set by CMake.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "arena.h"
#include "ember/plugin.hpp"
#include "kernels.h"

namespace {

struct ToyContext {
  std::unique_ptr<toy::Arena> arena;  // made by init, freed by shutdown
};

ToyContext& context_of(void* plugin_context) { return *static_cast<ToyContext*>(plugin_context); }

// TOY_DEVICE_MEMORY_MB sizes the device (2048 MiB by default).
size_t memory_capacity() {
  const char* text = std::getenv("TOY_DEVICE_MEMORY_MB");
  const long mb = text ? std::strtol(text, nullptr, 10) : 0;
  return static_cast<size_t>(mb > 0 ? mb : 2048) << 20;
}

ember_status probe(void*, ember_probe_result* result) {
  result->score = 1;
  std::snprintf(result->reason, sizeof result->reason, "the toy device is always present");
  return EMBER_STATUS_OK;
}

ember_status init(void* plugin_context, const ember_host_api* host, char* message, size_t capacity) {
  ToyContext& context = context_of(plugin_context);
  try {
    context.arena = std::make_unique<toy::Arena>(memory_capacity());
    toy::register_kernels(host, context.arena.get(), TOY_DEVICE_NAME);
    ember::sdk::log(host, EMBER_LOG_INFO,
                    std::to_string(context.arena->capacity() >> 20) + " MiB of device memory");
    return EMBER_STATUS_OK;
  } catch (const ember::sdk::KernelError& e) {
    std::snprintf(message, capacity, "%s", e.what());
    context.arena.reset();
    return e.status();
  } catch (const std::bad_alloc&) {
    std::snprintf(message, capacity, "cannot reserve the device's memory");
    context.arena.reset();
    return EMBER_STATUS_OUT_OF_MEMORY;
  }
}

void shutdown(void* plugin_context) { context_of(plugin_context).arena.reset(); }

int32_t device_count(void*) { return 1; }

ember_status allocate(void* plugin_context, int32_t, size_t nbytes, void** out) {
  *out = context_of(plugin_context).arena->allocate(nbytes);
  return *out ? EMBER_STATUS_OK : EMBER_STATUS_OUT_OF_MEMORY;
}

void deallocate(void* plugin_context, int32_t, void* ptr, size_t) { context_of(plugin_context).arena->deallocate(ptr); }

// Every byte in or out of the device passes here: device addresses are translated, host ones
// are used as they are (Note [Toy addresses]).
ember_status copy(void* plugin_context, int32_t, void* dst, const void* src, size_t nbytes, int32_t kind) {
  const toy::Arena& arena = *context_of(plugin_context).arena;
  try {
    switch (kind) {
      case EMBER_COPY_HOST_TO_DEVICE: std::memcpy(arena.host(dst), src, nbytes); break;
      case EMBER_COPY_DEVICE_TO_HOST: std::memcpy(dst, arena.host(src), nbytes); break;
      case EMBER_COPY_DEVICE_TO_DEVICE: std::memmove(arena.host(dst), arena.host(src), nbytes); break;
      default: return EMBER_STATUS_INVALID_ARGUMENT;
    }
    return EMBER_STATUS_OK;
  } catch (const std::out_of_range&) {
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
}

ember_status synchronize(void*, int32_t) { return EMBER_STATUS_OK; }

}  // namespace

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t host_major, uint16_t) {
  static ToyContext context;
  static const ember_plugin_api api = [] {
    ember_plugin_api a = ember::sdk::plugin_table(TOY_DEVICE_NAME, "1.0", &context);
    a.probe = &probe;
    a.init = &init;
    a.shutdown = &shutdown;
    a.device = {sizeof(ember_device_api), /*host_accessible=*/0, &device_count, &allocate, &deallocate, &copy,
                &synchronize};
    return a;
  }();
  return host_major == EMBER_PLUGIN_API_MAJOR ? &api : nullptr;
}
