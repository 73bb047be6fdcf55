// log(exp(a) + exp(b)), the built-in backends' logaddexp: one definition for host and device.
#pragma once

#include <cmath>

#include "ember/host_device.h"

namespace ember::sdk {

// Past the larger operand, so nothing overflows. Equal operands (equal infinities among them,
// whose difference would be NaN) give the larger plus log 2; a NaN operand gives NaN, through
// the comparisons it fails.
template <typename C>
EMBER_HOST_DEVICE C log_add_exp(C a, C b) {
  const C larger = a > b ? a : b, smaller = a > b ? b : a;
  if (smaller == larger) return larger + C(0.693147180559945309417);
  return larger + EMBER_MATH(log1p)(EMBER_MATH(exp)(smaller - larger));
}

}  // namespace ember::sdk
