// The matrix transpose of the composites that work on batches of matrices.
#pragma once

#include "ember/core/tensor.h"

namespace ember::composite {

// Each matrix of the batch transposed (its last two dimensions swapped), as a view.
inline Tensor mT(const Tensor& t) { return t.transpose(-2, -1); }

}  // namespace ember::composite
