// Remainders and floored quotients for plugin kernels, host and device alike, with PyTorch's
// meanings: fmod's remainder takes the dividend's sign (C's fmod), remainder's the divisor's
// (Python's %), and floor_divide rounds toward negative infinity (Python's //). Integer division by
// zero has no value: these give 0 for it, so a device kernel, which cannot raise, stays defined,
// and a host kernel refuses it separately (PyTorch's CPU kernels raise). The one integer quotient
// that overflows, lowest / -1, is answered without dividing, since it traps on x86: its remainder
// is 0 and its quotient wraps to lowest, as two's complement negation does.
#pragma once

#include <cmath>
#include <type_traits>

#include "ember/host_device.h"

namespace ember::sdk {

template <typename T>
EMBER_HOST_DEVICE T truncated_remainder(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return EMBER_MATH(fmod)(a, b);
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

// Python's a // b. For floats the quotient is formed from fmod's exact remainder, so that, say,
// 1 // 0.1 is 9 (the remainder 0.1 - ulp leaves 9.999...) where floor(1 / 0.1) would say 10; a zero
// divisor gives a / b (+-inf or NaN).
template <typename T>
EMBER_HOST_DEVICE T floored_quotient(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (b == T(0)) return a / b;
    const T mod = EMBER_MATH(fmod)(a, b);
    T quotient = (a - mod) / b;
    if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) quotient -= T(1);
    if (quotient == T(0)) return EMBER_MATH(copysign)(T(0), a / b);
    const T floored = EMBER_MATH(floor)(quotient);
    return quotient - floored > T(0.5) ? floored + T(1) : floored;
  } else {
    if (b == T(0)) return T(0);
    if constexpr (std::is_signed_v<T>) {
      using U = std::make_unsigned_t<T>;
      if (b == T(-1)) return static_cast<T>(static_cast<U>(0) - static_cast<U>(a));
      const T quotient = static_cast<T>(a / b);
      return a % b != T(0) && ((a < T(0)) != (b < T(0))) ? static_cast<T>(quotient - 1) : quotient;
    } else {
      return static_cast<T>(a / b);
    }
  }
}

}  // namespace ember::sdk

#undef EMBER_MATH
