// Nonzero is true, for the logical operators and nonzero alike.
#pragma once

#include "ember/ember.h"

namespace ember::composite {

// A bool tensor is its own truth, with no pass over it; any other compares with 0.
inline Tensor truth(const Tensor& t) { return t.dtype() == DType::Bool ? t : ne(t, 0); }

}  // namespace ember::composite
