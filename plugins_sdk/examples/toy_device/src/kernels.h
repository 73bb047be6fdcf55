// The toy device's own kernels, registered with the host at init.
#pragma once

#include <string>

#include "arena.h"
#include "ember/plugin_api.h"

namespace toy {

// Defines <name>::fused_gelu (the operator's namespace is the backend's name) and registers the
// device's kernels; throws ember::sdk::KernelError with the host's message when it refuses one.
void register_kernels(const ember_host_api* host, Arena* arena, const std::string& name);

}  // namespace toy
