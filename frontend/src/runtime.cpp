#include "ember/runtime.h"

#include "ember/autograd/recording.h"

namespace ember {
namespace {

struct Runtime {
  Runtime() {
    Dispatcher& dispatcher = Dispatcher::singleton();
    host_kernels = generated::register_host_kernels(dispatcher);
    autograd_kernels = autograd::generated::register_autograd_kernels(dispatcher);
    autograd_fallback = autograd::register_autograd_fallback(dispatcher);
    quantized_kernels = quantization::register_quantized_kernels(dispatcher);
    autocast_kernels = register_autocast_kernels(dispatcher);
    load_default_backends();
  }
  std::vector<RegistrationHandle> host_kernels;
  std::vector<RegistrationHandle> autograd_kernels;
  std::vector<RegistrationHandle> quantized_kernels;
  std::vector<RegistrationHandle> autocast_kernels;
  RegistrationHandle autograd_fallback;
};

Runtime& runtime() {
  static Runtime instance;
  return instance;
}

}  // namespace

void init() { runtime(); }

// Core calls this when a Device names a backend before the runtime started (Note [Devices named
// before the first operator]).
extern "C" void ember_runtime_start() { init(); }

Device default_device() {
  init();
  static const BackendSlot cpu = require_backend("cpu");
  return Device(cpu, 0);
}

namespace detail {

const OperatorHandle& resolve(OpId id) {
  init();
  return Dispatcher::singleton().op(static_cast<int>(id));
}

DispatchKeySet backend_keys(std::optional<Device> device) {
  return DispatchKeySet::backend(device ? device->slot() : default_device().slot());
}

}  // namespace detail
}  // namespace ember
