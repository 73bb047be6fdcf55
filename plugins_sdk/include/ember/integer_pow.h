// Integer powers for plugin kernels, host and device alike: exact where the result fits, wrapping
// modulo 2^bits where it does not (as integer add and mul wrap), with PyTorch's meaning for a
// negative exponent. Going through double instead loses exactness past 2^53 and casts an
// out-of-range double back to an integer, which is undefined.
#pragma once

#include <type_traits>

#include "ember/host_device.h"

namespace ember::sdk {

// base^exponent for an integral T. A negative exponent gives the integer part of 1/base^|e|:
// 1 for base 1, +-1 for base -1 (by the exponent's parity), 0 otherwise (a zero base included,
// where PyTorch also gives 0 rather than a division error).
template <typename T>
EMBER_HOST_DEVICE T integer_pow(T base, T exponent) {
  static_assert(std::is_integral_v<T>, "integer_pow is for integral types");
  if constexpr (std::is_signed_v<T>) {
    if (exponent < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exponent % 2 == 0) ? T(1) : T(-1);
      return 0;
    }
  }
  // Square-and-multiply in the unsigned type, where overflow is defined to wrap; converting
  // back is two's complement (C++20).
  using U = std::make_unsigned_t<std::conditional_t<sizeof(T) < sizeof(unsigned), int, T>>;
  U result = 1, factor = static_cast<U>(base);
  for (auto e = static_cast<U>(exponent); e != 0; e >>= 1) {
    if (e & 1) result *= factor;
    factor *= factor;
  }
  return static_cast<T>(result);
}

}  // namespace ember::sdk
