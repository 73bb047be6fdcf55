// EMBER_HOST_DEVICE marks a function that CUDA and HIP compile for the device as well as the
// host, so one definition serves CPU and GPU kernels; plain C++ compilers see nothing.
#pragma once

#if defined(__CUDACC__) || defined(__HIPCC__)
#define EMBER_HOST_DEVICE __host__ __device__
#else
#define EMBER_HOST_DEVICE
#endif

// Device code calls the CUDA/HIP math functions of the global namespace, host code <cmath>'s.
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
#define EMBER_MATH(name) ::name
#else
#define EMBER_MATH(name) std::name
#endif
