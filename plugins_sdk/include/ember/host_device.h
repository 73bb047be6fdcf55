// EMBER_HOST_DEVICE marks a function that CUDA and HIP compile for the device as well as the
// host, so one definition serves CPU and GPU kernels; plain C++ compilers see nothing.
#pragma once

#if defined(__CUDACC__) || defined(__HIPCC__)
#define EMBER_HOST_DEVICE __host__ __device__
#else
#define EMBER_HOST_DEVICE
#endif
