// Remainders for plugin kernels, host and device alike, with PyTorch's meanings: fmod's takes the
// dividend's sign (C's fmod), remainder's the divisor's (Python's %). Integer division by zero has
// no value: these give 0 for it, so a device kernel, which cannot raise, stays defined, and a host
// kernel refuses it separately (PyTorch's CPU kernels raise). The one integer quotient that
// overflows, lowest / -1, has remainder 0 and is answered without dividing: it traps on x86.
#pragma once

#include <cmath>
#include <type_traits>

#include "ember/host_device.h"

namespace ember::sdk {

template <typename T>
EMBER_HOST_DEVICE T truncated_remainder(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
    return ::fmod(a, b);
#else
    return std::fmod(a, b);
#endif
  } else {
    if (b == T(0)) return T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == T(-1)) return T(0);
    }
    return static_cast<T>(a % b);
  }
}

template <typename T>
EMBER_HOST_DEVICE T floored_remainder(T a, T b) {
  const T r = truncated_remainder(a, b);
  if constexpr (std::is_unsigned_v<T>) {
    return r;
  } else {
    return r != T(0) && ((r < T(0)) != (b < T(0))) ? static_cast<T>(r + b) : r;
  }
}

}  // namespace ember::sdk
