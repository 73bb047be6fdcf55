// Walking the matrices of batched operands (batch dimensions broadcast against the result's) and
// moving each between its strided home and a column-major scratch buffer.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "ember/plugin.hpp"

namespace ember::cpu {

// Note [Column-major scratch]
// LAPACK reads column-major matrices and overwrites its inputs, so each matrix is gathered,
// whatever its strides, into a column-major buffer, worked on there and scattered into the
// output: O(n^2) copies beside the O(n^3) factorisations, and no layout is ever refused.

// One matrix: rows x cols elements, `row_step` and `col_step` elements apart.
struct MatrixRef {
  char* base;
  int64_t rows, cols, row_step, col_step;
  MatrixRef transposed() const { return {base, cols, rows, col_step, row_step}; }
};

// The last two dimensions of `t` at element `offset`.
inline MatrixRef matrix_of(const sdk::TensorView& t, int64_t offset) {
  const int64_t nd = t.ndim();
  return {t.bytes() + offset * static_cast<int64_t>(sdk::dtype_size(t.dtype())), t.size(nd - 2), t.size(nd - 1),
          t.stride(nd - 2), t.stride(nd - 1)};
}

// The last dimension of `t` at element `offset`, as a one-column matrix.
inline MatrixRef column_of(const sdk::TensorView& t, int64_t offset) {
  const int64_t nd = t.ndim();
  return {t.bytes() + offset * static_cast<int64_t>(sdk::dtype_size(t.dtype())), t.size(nd - 1), 1,
          t.stride(nd - 1), 0};
}

template <typename T>
void gather(const MatrixRef& m, T* buffer, int64_t ld) {
  const T* src = reinterpret_cast<const T*>(m.base);
  for (int64_t j = 0; j < m.cols; ++j) {
    for (int64_t i = 0; i < m.rows; ++i) buffer[i + j * ld] = src[i * m.row_step + j * m.col_step];
  }
}

template <typename T>
void scatter(const T* buffer, int64_t ld, const MatrixRef& m) {
  T* dst = reinterpret_cast<T*>(m.base);
  for (int64_t j = 0; j < m.cols; ++j) {
    for (int64_t i = 0; i < m.rows; ++i) dst[i * m.row_step + j * m.col_step] = buffer[i + j * ld];
  }
}

// The batch of a result whose last `matrix_dims` dimensions are one matrix (2), vector (1) or
// value (0); operands with fewer or size-1 batch dimensions are broadcast over it.
class MatrixBatch {
 public:
  MatrixBatch(const sdk::TensorView& result, int matrix_dims)
      : sizes_(result.view->sizes, result.view->sizes + (result.ndim() - matrix_dims)) {}

  int64_t count() const {
    int64_t n = 1;
    for (int64_t s : sizes_) n *= s;
    return n;
  }

  // The element offset of batch entry `b` in `operand`, whose last `matrix_dims` dimensions are
  // the matrix.
  int64_t offset(const sdk::TensorView& operand, int matrix_dims, int64_t b) const {
    const int64_t skipped = static_cast<int64_t>(sizes_.size()) - (operand.ndim() - matrix_dims);
    int64_t offset = 0;
    for (int64_t d = static_cast<int64_t>(sizes_.size()) - 1; d >= 0; --d) {
      const int64_t index = b % sizes_[d];
      b /= sizes_[d];
      if (d >= skipped && operand.size(d - skipped) != 1) offset += index * operand.stride(d - skipped);
    }
    return offset;
  }

 private:
  std::vector<int64_t> sizes_;
};

// A matrix dimension as LAPACK's 32-bit integer.
inline int lapack_int(int64_t n) {
  sdk::check(n <= INT_MAX, "a matrix dimension of " + std::to_string(n) + " is beyond LAPACK's 32-bit sizes");
  return static_cast<int>(n);
}

// A leading dimension: LAPACK wants at least 1, even for an empty matrix.
inline int leading(int64_t rows) { return rows > 1 ? static_cast<int>(rows) : 1; }

// A buffer of n elements (at least one, so an empty matrix still has an address).
template <typename T>
std::vector<T> scratch(int64_t n) {
  return std::vector<T>(static_cast<size_t>(n > 1 ? n : 1));
}

}  // namespace ember::cpu
