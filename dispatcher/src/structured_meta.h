// Meta functions of structured operators: from the arguments, the outputs' shapes and dtypes,
// the dtype the inputs are cast to, and any argument the kernel should see normalised.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ember/core/broadcast.h"
#include "ember/dispatcher/operator_handle.h"

namespace ember::structured {

constexpr int kMaxOutputs = 3;         // linalg_svd: U, S, Vh
constexpr int kMaxKeepdimOutputs = 2;  // reductions seen with keepdim: values and indices
constexpr int kMaxCasts = 4;  // tensor arguments a meta kind may ask to cast (addmm: 3)

struct Meta {
  int num_outputs = 1;
  DimVector sizes[kMaxOutputs];
  DType dtypes[kMaxOutputs] = {DType::Float32, DType::Float32};
  // Tensor arguments (by position) cast to `compute_dtype` before the kernel runs.
  uint32_t cast_mask = 0;
  DType compute_dtype = DType::Float32;
  // Reductions: the outputs as the kernel sees them, with reduced dims kept as size 1.
  bool keepdim_view = false;
  DimVector reduced_dims;  // normalised, ascending; replaces the `dim` argument
  int dim_arg = -1;        // position of the `dim` argument the kernel sees as reduced_dims
};

// A meta function: reads the operator's functional arguments, checks them, returns the Meta.
using MetaFn = Meta (*)(const OperatorHandle& op, const IValue* args, size_t num_args);

// The position of the argument called `name`, or -1.
int arg_index(const OperatorHandle& op, const char* name);
// Argument i as a tensor, borrowed from the stack (which holds a reference for the whole call);
// None is refused.
const TensorImpl& tensor_arg(const OperatorHandle& op, const IValue* args, int i);

// The linear-algebra kinds (linalg_meta.cpp).
Meta linalg_solve(const OperatorHandle& op, const IValue* args, size_t num_args);
Meta linalg_solve_triangular(const OperatorHandle& op, const IValue* args, size_t num_args);
Meta linalg_slogdet(const OperatorHandle& op, const IValue* args, size_t num_args);
Meta linalg_qr(const OperatorHandle& op, const IValue* args, size_t num_args);
Meta linalg_cholesky(const OperatorHandle& op, const IValue* args, size_t num_args);
Meta linalg_lu_factor(const OperatorHandle& op, const IValue* args, size_t num_args);
Meta linalg_eigh(const OperatorHandle& op, const IValue* args, size_t num_args);
Meta linalg_svd(const OperatorHandle& op, const IValue* args, size_t num_args);

// The meta function of a structured kind from ops.yaml, or nullptr for an unknown kind.
MetaFn find_meta(const std::string& kind);
// Every structured kind, sorted.
std::vector<std::string> meta_kinds();

}  // namespace ember::structured
