// The operand checks of the linear-algebra operators, shared by their meta functions and the
// composites built on them, so both raise the same errors.
#pragma once

#include <string_view>

#include "ember/core/array_ref.h"
#include "ember/core/dtype.h"

namespace ember {

// A matrix or a batch of them in the last two dimensions (square ones where asked), float32 or
// float64 where `floating`; throws "[op] arg: expected square matrices, got shape [2, 3]" and
// the like.
void check_matrices(std::string_view op, std::string_view arg, DType dtype, IntArrayRef sizes, bool floating,
                    bool square);

// PyTorch's rule for the right-hand side B of A X = B: a vector (or a batch of them, solved as
// columns) where it is 1-D or shaped as A without its last dimension, else a batch of matrices.
bool is_vector_rhs(IntArrayRef a_sizes, IntArrayRef b_sizes);

}  // namespace ember
