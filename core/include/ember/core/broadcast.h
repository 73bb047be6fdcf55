// NumPy broadcasting of shapes, shared by the structured meta functions and the composites.
#pragma once

#include <string_view>

#include "ember/core/small_vector.h"

namespace ember {

// The shape `a` and `b` broadcast to; throws
// "[op] arg: shapes [2, 3] and [4] do not broadcast (dimension 1: 3 vs 4)".
DimVector broadcast_shapes(IntArrayRef a, IntArrayRef b, std::string_view op, std::string_view arg);

// Whether `from` broadcasts to `to` exactly (`to` is the shape both broadcast to).
bool broadcasts_to(IntArrayRef from, IntArrayRef to);

// Checks that `from` broadcasts to `to` without widening it; throws
// "[op] arg: expected a shape that broadcasts to [4, 3], got [2, 1, 3]" (or broadcast_shapes's error).
void check_broadcasts_to(IntArrayRef from, IntArrayRef to, std::string_view op, std::string_view arg);

}  // namespace ember
