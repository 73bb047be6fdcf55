// Start-up of the process-wide runtime: host kernels registered, default backends loaded.
#pragma once

#include <optional>

#include "ember/dispatcher/backend_loader.h"
#include "ember/dispatcher/cpu_fallback.h"
#include "ember/dispatcher/dispatcher.h"
#include "ember/generated/op_ids.h"

namespace ember {

// The device factories use when no `device` is given: the CPU.
Device default_device();

// Initialises the runtime if needed: registers the host kernels and loads the backends found
// in the search path (Note [Backend discovery]). Every operator call does this implicitly.
void init();

namespace detail {
// The operator with id `id`, initialising the runtime on first use.
const OperatorHandle& resolve(OpId id);
// The backend key of `device`, or of the default device.
DispatchKeySet backend_keys(std::optional<Device> device);
}  // namespace detail

namespace generated {
std::vector<RegistrationHandle> register_host_kernels(Dispatcher& dispatcher);
}
namespace autograd::generated {
std::vector<RegistrationHandle> register_autograd_kernels(Dispatcher& dispatcher);
}
// The Autocast key's kernels (Note [Autocast]).
std::vector<RegistrationHandle> register_autocast_kernels(Dispatcher& dispatcher);
namespace quantization {
// The Quantized key's kernels and its dequantizing fallback (Note [Quantized tensors]).
std::vector<RegistrationHandle> register_quantized_kernels(Dispatcher& dispatcher);
}

}  // namespace ember
