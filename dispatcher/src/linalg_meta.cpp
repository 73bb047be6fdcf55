// Meta functions of the linear-algebra operators: operands are matrices in their last two
// dimensions with any batch dimensions before them, in float32 or float64 (the precisions LAPACK
// and the device libraries factor in).
#include <algorithm>
#include <string>

#include "ember/core/matrix_shape.h"
#include "structured_meta.h"

namespace ember::structured {
namespace {

void check_operand(const OperatorHandle& op, const TensorImpl& t, const char* arg, bool square) {
  ember::check_matrices(op.name(), arg, t.dtype(), t.sizes(), true, square);
}

IntArrayRef leading(const TensorImpl& t, int64_t trailing) {
  return IntArrayRef(t.sizes().data(), static_cast<size_t>(t.dim() - trailing));
}

// `batch` followed by `trailing`.
DimVector joined(IntArrayRef batch, std::initializer_list<int64_t> trailing) {
  DimVector sizes(batch);
  for (int64_t s : trailing) sizes.push_back(s);
  return sizes;
}

// A X = B or X A = B: A square, B a batch of matrices (or of vectors, where `vectors` admits
// them), batch dimensions broadcast, both cast to their common dtype.
Meta solve_meta(const OperatorHandle& op, const IValue* args, bool vectors) {
  const TensorImpl& a = tensor_arg(op, args, 0);
  const TensorImpl& b = tensor_arg(op, args, 1);
  const char* a_name = op.schema().arguments[0].name.c_str();
  const char* b_name = op.schema().arguments[1].name.c_str();
  const bool left = args[arg_index(op, "left")].to_bool();
  Meta m;
  m.compute_dtype = m.dtypes[0] = promote_types(a.dtype(), b.dtype());
  m.cast_mask = 0b11;
  check_operand(op, a, a_name, true);
  const int64_t n = a.sizes()[a.dim() - 1];
  const bool vector = vectors && ember::is_vector_rhs(a.sizes(), b.sizes());
  EMBER_CHECK(vector || b.dim() >= 2, "[{}] {}: expected a matrix or a batch of them{}, got shape {}", op.name(),
              b_name, vectors ? " (or a vector)" : "", shape_str(b.sizes()));
  const int64_t matched = vector ? b.sizes()[b.dim() - 1] : b.sizes()[b.dim() - (left ? 2 : 1)];
  EMBER_CHECK(matched == n, "[{}] {}: expected {} {} to match {}'s {}x{} matrices, got shape {}", op.name(), b_name, n,
              vector ? "elements" : left ? "rows" : "columns", a_name, n, n, shape_str(b.sizes()));
  const DimVector batch = broadcast_shapes(leading(a, 2), leading(b, vector ? 1 : 2), op.name(), b_name);
  m.sizes[0] = vector ? joined(batch, {n}) : joined(batch, {b.sizes()[b.dim() - 2], b.sizes()[b.dim() - 1]});
  return m;
}

// One output shaped as the square matrices.
Meta linalg_square(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  check_operand(op, self, op.schema().arguments[0].name.c_str(), true);
  Meta m;
  m.compute_dtype = m.dtypes[0] = self.dtype();
  m.sizes[0].assign(self.sizes());
  return m;
}

}  // namespace

Meta linalg_solve(const OperatorHandle& op, const IValue* args, size_t) { return solve_meta(op, args, true); }

Meta linalg_solve_triangular(const OperatorHandle& op, const IValue* args, size_t) {
  return solve_meta(op, args, false);
}

// sign and log|det|, one of each per matrix.
Meta linalg_slogdet(const OperatorHandle& op, const IValue* args, size_t n) {
  Meta m = linalg_square(op, args, n);
  m.num_outputs = 2;
  m.sizes[0] = DimVector(leading(tensor_arg(op, args, 0), 2));
  m.sizes[1] = m.sizes[0];
  m.dtypes[1] = m.dtypes[0];
  return m;
}

// Q [*, m, k] and R [*, k, n] with k = min(m, n) ('reduced'); Q [*, m, m] and R [*, m, n]
// ('complete'); or R alone, Q empty ('r').
Meta linalg_qr(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& a = tensor_arg(op, args, 0);
  check_operand(op, a, "A", false);
  const std::string_view mode = args[1].to_string();
  EMBER_CHECK(mode == "reduced" || mode == "complete" || mode == "r",
              "[{}] mode: expected 'reduced', 'complete' or 'r', got '{}'", op.name(), mode);
  const int64_t rows = a.sizes()[a.dim() - 2], cols = a.sizes()[a.dim() - 1], k = std::min(rows, cols);
  const int64_t r_rows = mode == "complete" ? rows : k;
  Meta m;
  m.num_outputs = 2;
  m.compute_dtype = m.dtypes[0] = m.dtypes[1] = a.dtype();
  m.sizes[0] = mode == "r" ? DimVector({0}) : joined(leading(a, 2), {rows, r_rows});
  m.sizes[1] = joined(leading(a, 2), {r_rows, cols});
  return m;
}

// The factor, shaped as the matrices, and info [*], int32 as LAPACK's.
Meta linalg_cholesky(const OperatorHandle& op, const IValue* args, size_t n) {
  Meta m = linalg_square(op, args, n);
  m.num_outputs = 2;
  m.dtypes[1] = DType::Int32;
  m.sizes[1] = DimVector(leading(tensor_arg(op, args, 0), 2));
  return m;
}

// LU [*, m, n] (L below the diagonal, its unit diagonal left out, U on and above it), pivots
// [*, min(m, n)] and info [*], both int32 as LAPACK's.
Meta linalg_lu_factor(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& a = tensor_arg(op, args, 0);
  check_operand(op, a, "A", false);
  const int64_t rows = a.sizes()[a.dim() - 2], cols = a.sizes()[a.dim() - 1];
  Meta m;
  m.num_outputs = 3;
  m.compute_dtype = m.dtypes[0] = a.dtype();
  m.dtypes[1] = m.dtypes[2] = DType::Int32;
  m.sizes[0].assign(a.sizes());
  m.sizes[1] = joined(leading(a, 2), {std::min(rows, cols)});
  m.sizes[2] = DimVector(leading(a, 2));
  return m;
}

// Eigenvalues [*, n] in ascending order and eigenvectors [*, n, n] (columns) of symmetric
// matrices, read from their lower ('L') or upper ('U') triangle.
Meta linalg_eigh(const OperatorHandle& op, const IValue* args, size_t n) {
  Meta m = linalg_slogdet(op, args, n);
  const std::string_view uplo = args[1].to_string();
  EMBER_CHECK(uplo == "L" || uplo == "U", "[{}] UPLO: expected 'L' or 'U', got '{}'", op.name(), uplo);
  const TensorImpl& self = tensor_arg(op, args, 0);
  m.sizes[0].push_back(self.sizes()[self.dim() - 1]);
  m.sizes[1].assign(self.sizes());
  return m;
}

// U [*, m, k], S [*, k] (descending) and Vh [*, k, n] with k = min(m, n); U [*, m, m] and
// Vh [*, n, n] with full_matrices.
Meta linalg_svd(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& a = tensor_arg(op, args, 0);
  check_operand(op, a, "A", false);
  const bool full = args[1].to_bool();
  const int64_t rows = a.sizes()[a.dim() - 2], cols = a.sizes()[a.dim() - 1], k = std::min(rows, cols);
  Meta m;
  m.num_outputs = 3;
  m.compute_dtype = m.dtypes[0] = m.dtypes[1] = m.dtypes[2] = a.dtype();
  m.sizes[0] = joined(leading(a, 2), {rows, full ? rows : k});
  m.sizes[1] = joined(leading(a, 2), {k});
  m.sizes[2] = joined(leading(a, 2), {full ? cols : k, cols});
  return m;
}

}  // namespace ember::structured
