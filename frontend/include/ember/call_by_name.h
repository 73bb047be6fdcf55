// Calling an operator by name: the way to reach operators that have no generated C++ function,
// such as those a plugin defines at run time ("myvendor::fused_gelu").
#pragma once

#include <array>
#include <string_view>
#include <utility>
#include <vector>

#include "ember/dispatcher/ivalue.h"

namespace ember::ops {

// An argument given by its schema name: {"out", result}, {"alpha", 2}.
using NamedArgument = std::pair<std::string_view, IValue>;

// Calls the operator named `name` ("toy::fused_gelu", "add.Tensor") with positional arguments,
// then named ones for any argument after them (keyword-only ones included). They are checked
// against its schema: their number, names, and each one's type (an int is accepted where a float
// is expected, None where the type is optional); arguments left out take the schema's defaults.
// Returns the operator's results.
std::vector<IValue> call_boxed(std::string_view name, ArrayRef<IValue> args, ArrayRef<NamedArgument> named = {});

// The first result of call_boxed, for an operator that returns one tensor.
Tensor single_tensor_result(std::string_view name, std::vector<IValue> results);

// ops::call("toy::fused_gelu", x): call_boxed for an operator that returns one tensor.
template <typename... Args>
Tensor call(std::string_view name, const Args&... args) {
  const std::array<IValue, sizeof...(Args)> boxed = {IValue(args)...};
  return single_tensor_result(name, call_boxed(name, ArrayRef<IValue>(boxed.data(), boxed.size())));
}

}  // namespace ember::ops
