#include "ember/runtime.h"

namespace ember {
namespace {

struct Runtime {
  Runtime() {
    host_kernels = generated::register_host_kernels(Dispatcher::singleton());
    load_default_backends();
  }
  std::vector<RegistrationHandle> host_kernels;
};

Runtime& runtime() {
  static Runtime instance;
  return instance;
}

}  // namespace

void init() { runtime(); }

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
