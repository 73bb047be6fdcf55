// The CPU backend's kernel families; each registers its kernels with the host at init.
#pragma once

#include "ember/plugin.hpp"

namespace ember::cpu {

void register_elementwise_kernels(const ember_host_api* host);
void register_reduction_kernels(const ember_host_api* host);
void register_matmul_kernels(const ember_host_api* host);
void register_copy_kernels(const ember_host_api* host);
void register_random_kernels(const ember_host_api* host);
void register_indexing_kernels(const ember_host_api* host);
void register_convolution_kernels(const ember_host_api* host);
void register_pooling_kernels(const ember_host_api* host);

// The user_data of a kernel that serves several operators: which one this registration is.
template <typename Enum>
void* tag(Enum e) { return reinterpret_cast<void*>(static_cast<intptr_t>(e)); }
template <typename Enum>
Enum untag(void* user_data) { return static_cast<Enum>(reinterpret_cast<intptr_t>(user_data)); }

}  // namespace ember::cpu
