// Identity matrices for the composites that invert batches of matrices.
#pragma once

#include <optional>

#include "ember/ember.h"

namespace ember::composite {

// Identity matrices shaped as the batch of square matrices `a`, of its dtype and device.
inline Tensor identities_like(const Tensor& a) {
  return zeros_like(a) + ember::eye(a.size(-1), std::nullopt, a.dtype(), a.device());
}

}  // namespace ember::composite
