#include "ember/core/matrix_shape.h"

#include "ember/core/error.h"
#include "ember/core/tensor.h"

namespace ember {

void check_matrices(std::string_view op, std::string_view arg, DType dtype, IntArrayRef sizes, bool floating,
                    bool square) {
  EMBER_CHECK(!floating || dtype == DType::Float32 || dtype == DType::Float64,
              "[{}] {}: expected a float32 or float64 tensor, got {}", op, arg, dtype_name(dtype));
  const size_t n = sizes.size();
  EMBER_CHECK(n >= 2, "[{}] {}: expected a matrix or a batch of them (2 or more dimensions), got shape {}", op, arg,
              shape_str(sizes));
  EMBER_CHECK(!square || sizes[n - 1] == sizes[n - 2], "[{}] {}: expected square matrices, got shape {}", op, arg,
              shape_str(sizes));
}

bool is_vector_rhs(IntArrayRef a_sizes, IntArrayRef b_sizes) {
  return b_sizes.size() == 1 ||
         (b_sizes.size() + 1 == a_sizes.size() && b_sizes.equals(IntArrayRef(a_sizes.data(), b_sizes.size())));
}

}  // namespace ember
