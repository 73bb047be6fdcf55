// Shifts, greatest common divisors and least common multiples of integers for plugin kernels,
// host and device alike, with PyTorch's meanings and no undefined behaviour on any input: a shift
// by a negative amount or by the width or more gives 0 to the left and the sign fill to the right,
// as shifting one place at a time would; gcd is non-negative, gcd(0, 0) = 0, and lcm is |a / gcd * b|.
// The magnitudes are taken as unsigned, so lowest wraps to itself rather than overflowing.
#pragma once

#include <type_traits>

#include "ember/host_device.h"

namespace ember::sdk {

template <typename T>
EMBER_HOST_DEVICE bool shift_out_of_range(T amount) {
  constexpr T width = static_cast<T>(sizeof(T) * 8);
  if constexpr (std::is_signed_v<T>) {
    if (amount < T(0)) return true;
  }
  return amount >= width;
}

template <typename T>
EMBER_HOST_DEVICE T shift_left(T a, T amount) {
  if (shift_out_of_range(amount)) return T(0);
  return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) << amount);
}

template <typename T>
EMBER_HOST_DEVICE T shift_right(T a, T amount) {
  if (shift_out_of_range(amount)) {
    if constexpr (std::is_signed_v<T>) {
      if (a < T(0)) return T(-1);  // the sign fills every bit
    }
    return T(0);
  }
  return static_cast<T>(a >> amount);  // arithmetic for signed types, as C++20 defines
}

template <typename T>
EMBER_HOST_DEVICE std::make_unsigned_t<T> magnitude(T a) {
  using U = std::make_unsigned_t<T>;
  if constexpr (std::is_signed_v<T>) {
    if (a < T(0)) return static_cast<U>(U(0) - static_cast<U>(a));
  }
  return static_cast<U>(a);
}

template <typename T>
EMBER_HOST_DEVICE T greatest_common_divisor(T a, T b) {
  std::make_unsigned_t<T> x = magnitude(a), y = magnitude(b);
  while (y != 0) {
    const std::make_unsigned_t<T> r = static_cast<std::make_unsigned_t<T>>(x % y);
    x = y;
    y = r;
  }
  return static_cast<T>(x);
}

template <typename T>
EMBER_HOST_DEVICE T least_common_multiple(T a, T b) {
  const T g = greatest_common_divisor(a, b);
  if (g == T(0)) return T(0);
  return static_cast<T>(magnitude(a) / magnitude(g) * magnitude(b));
}

}  // namespace ember::sdk
