// Chebyshev series for plugin kernels, host and device alike.
#pragma once

#include <cstddef>

#include "ember/host_device.h"

namespace ember::sdk {

// sum_{k < N} c_k T_k(t) for t in [-1, 1] by Clenshaw's recurrence; N may stop short of the
// table, dropping the terms below a lower precision.
template <int N, size_t M>
EMBER_HOST_DEVICE double chebyshev_sum(const double (&c)[M], double t) {
  static_assert(N >= 1 && static_cast<size_t>(N) <= M, "the series has fewer coefficients than asked for");
  const double two_t = t + t;
  double b1 = 0, b2 = 0;
  for (int k = N - 1; k >= 1; --k) {
    const double b0 = c[k] + two_t * b1 - b2;
    b2 = b1;
    b1 = b0;
  }
  return c[0] + t * b1 - b2;
}

}  // namespace ember::sdk
