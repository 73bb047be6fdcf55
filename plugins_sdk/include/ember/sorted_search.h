// The position searchsorted gives a value in a sorted row, for plugin kernels host and device
// alike: the number of the row's entries that go before the value, entries below it or, with
// `right`, entries not above it. NaN is larger than every number, where sort places it: a NaN
// value goes after every number, and after the NaNs that end the row only with `right`.
#pragma once

#include <cstdint>

#include "ember/host_device.h"

namespace ember::sdk {

// a < b in the order that puts NaN after every number (NaN is not below NaN). Bitwise operators,
// not || and &&, so that the search compiles to no branch at all.
template <typename T>
EMBER_HOST_DEVICE bool less_nan_last(T a, T b) {
  return (a < b) | ((b != b) & (a == a));
}

// Whether an entry goes before `value`: it is below it or, with kRight, not above it.
template <bool kRight, typename T>
EMBER_HOST_DEVICE bool goes_before(T entry, T value) {
  if constexpr (kRight) return !less_nan_last(value, entry);
  return less_nan_last(entry, value);
}

// The positions of G values, each among the m ascending entries of its own row: entry(g, j) reads
// entry j of value g's row. Each interval halves a fixed number of times whatever the comparisons
// say, so a step is a conditional move, not a branch the processor must guess (random values
// would mispredict half of them); and since the halvings depend on m alone, the G searches step
// together and their loads overlap, where one search alone waits for each load before the next.
template <bool kRight, int G, typename T, typename Entry>
EMBER_HOST_DEVICE void sorted_positions(const Entry& entry, int64_t m, const T (&values)[G], int64_t (&positions)[G]) {
  for (int g = 0; g < G; ++g) positions[g] = 0;
  if (m == 0) return;
  for (int64_t remaining = m; remaining > 1;) {
    const int64_t half = remaining / 2;
    for (int g = 0; g < G; ++g) {
      // A mask, not `? half : 0`, which compilers turn back into a branch.
      positions[g] += half & -static_cast<int64_t>(goes_before<kRight>(entry(g, positions[g] + half - 1), values[g]));
    }
    remaining -= half;
  }
  for (int g = 0; g < G; ++g) positions[g] += static_cast<int64_t>(goes_before<kRight>(entry(g, positions[g]), values[g]));
}

}  // namespace ember::sdk
