// The in-place and out= variants that `variants: [inplace, out]` derives from a functional
// schema. ember-gen and the backend loader both use these, so the names always agree.
#pragma once

#include "ember/schema/function_schema.h"

namespace ember::schema {

// add.Tensor(Tensor self, ...) -> Tensor  =>  add_.Tensor(Tensor(a!) self, ...) -> Tensor(a!)
FunctionSchema make_inplace_variant(const FunctionSchema& functional);
// add.Tensor(...) -> Tensor  =>  add.Tensor_out(..., *, Tensor(a!) out) -> Tensor(a!)
// (the overload is "out" when the functional one has none)
FunctionSchema make_out_variant(const FunctionSchema& functional);

}  // namespace ember::schema
