// The runtime API the GPU kernels use, under vendor-neutral names: CUDA by default, HIP when
// EMBER_GPU_HIP is defined. The kernels are written once against these names.
#pragma once

#include <unistd.h>

#if defined(EMBER_GPU_HIP)
#include <hip/hip_fp16.h>
#include <hip/hip_runtime.h>
// ROCm 6 has __hip_bfloat16; the ROCm 5 of Debian 12 only the older hip_bfloat16 struct.
#if __has_include(<hip/hip_bf16.h>)
#include <hip/hip_bf16.h>
using gpu_bfloat16 = __hip_bfloat16;
#else
#include <hip/hip_bfloat16.h>
using gpu_bfloat16 = hip_bfloat16;
#endif

#define EMBER_GPU_VENDOR "HIP"
#define EMBER_GPU_PLATFORM "ROCm"
// The amdgpu kernel driver's device file: without it the HIP runtime finds no device only after
// ~50 ms of start-up, so probing checks it first. nullptr when present, else why not.
inline const char* gpu_driver_missing() { return access("/dev/kfd", F_OK) == 0 ? nullptr : "/dev/kfd is absent"; }
#define EMBER_GPU_NATIVE_16BIT_ATOMICS 0
using gpuError_t = hipError_t;
using gpuStream_t = hipStream_t;
using gpu_half = __half;
#define gpuSuccess hipSuccess
#define gpuErrorNoDevice hipErrorNoDevice
#define gpuErrorMemoryAllocation hipErrorOutOfMemory
#define gpuGetErrorString hipGetErrorString
#define gpuGetLastError hipGetLastError
#define gpuGetDeviceCount hipGetDeviceCount
#define gpuGetDevice hipGetDevice
#define gpuSetDevice hipSetDevice
#define gpuMalloc hipMalloc
#define gpuFree hipFree
#define gpuMemcpyAsync hipMemcpyAsync
#define gpuMemsetAsync hipMemsetAsync
#define gpuMemcpyHostToDevice hipMemcpyHostToDevice
#define gpuMemcpyDeviceToHost hipMemcpyDeviceToHost
#define gpuMemcpyDeviceToDevice hipMemcpyDeviceToDevice
#define gpuStreamCreateWithFlags hipStreamCreateWithFlags
#define gpuStreamNonBlocking hipStreamNonBlocking
#define gpuStreamSynchronize hipStreamSynchronize
#define gpuDeviceSynchronize hipDeviceSynchronize
#define gpuDriverGetVersion hipDriverGetVersion
#else
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#define EMBER_GPU_VENDOR "CUDA"
#define EMBER_GPU_PLATFORM "CUDA"
// No cheap test covers every CUDA setup (containers, WSL): the runtime decides.
inline const char* gpu_driver_missing() { return nullptr; }
#define EMBER_GPU_NATIVE_16BIT_ATOMICS 1  // atomicAdd on __half (sm_70+) and __nv_bfloat16 (sm_80+)
using gpuError_t = cudaError_t;
using gpuStream_t = cudaStream_t;
using gpu_half = __half;
using gpu_bfloat16 = __nv_bfloat16;
#define gpuSuccess cudaSuccess
#define gpuErrorNoDevice cudaErrorNoDevice
#define gpuErrorMemoryAllocation cudaErrorMemoryAllocation
#define gpuGetErrorString cudaGetErrorString
#define gpuGetLastError cudaGetLastError
#define gpuGetDeviceCount cudaGetDeviceCount
#define gpuGetDevice cudaGetDevice
#define gpuSetDevice cudaSetDevice
#define gpuMalloc cudaMalloc
#define gpuFree cudaFree
#define gpuMemcpyAsync cudaMemcpyAsync
#define gpuMemsetAsync cudaMemsetAsync
#define gpuMemcpyHostToDevice cudaMemcpyHostToDevice
#define gpuMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define gpuMemcpyDeviceToDevice cudaMemcpyDeviceToDevice
#define gpuStreamCreateWithFlags cudaStreamCreateWithFlags
#define gpuStreamNonBlocking cudaStreamNonBlocking
#define gpuStreamSynchronize cudaStreamSynchronize
#define gpuDeviceSynchronize cudaDeviceSynchronize
#define gpuDriverGetVersion cudaDriverGetVersion
#endif
