// The CPU backend's kernel families; each registers its kernels with the host at init.
#pragma once

#include "ember/plugin.hpp"
#include "kernel_families.h"

namespace ember::cpu {

void register_elementwise_kernels(const ember_host_api* host);
void register_reduction_kernels(const ember_host_api* host);
void register_matmul_kernels(const ember_host_api* host);
void register_int8_matmul_kernel(const ember_host_api* host);
void register_int8_convolution_kernel(const ember_host_api* host);
void register_copy_kernels(const ember_host_api* host);
void register_random_kernels(const ember_host_api* host);
void register_indexing_kernels(const ember_host_api* host);
void register_searching_kernels(const ember_host_api* host);
void register_convolution_kernels(const ember_host_api* host);
void register_pooling_kernels(const ember_host_api* host);
void register_linalg_kernels(const ember_host_api* host);

// The shared operator families (Binary, Unary, Reduce, ...) and their helpers, by short name.
using namespace backends;

}  // namespace ember::cpu
