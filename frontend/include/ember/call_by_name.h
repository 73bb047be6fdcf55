// Calling an operator by name: the way to reach operators that have no generated C++ function,
// such as those a plugin defines at run time ("myvendor::fused_gelu").
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "ember/dispatcher/ivalue.h"

namespace ember::ops {

// Calls the operator named `name` ("toy::fused_gelu", "add.Tensor") with positional arguments.
// They are checked against its schema: their number, and each one's type (an int is accepted
// where a float is expected, None where the type is optional); trailing arguments left out take
// the schema's defaults. Returns the operator's results.
std::vector<IValue> call_boxed(std::string_view name, ArrayRef<IValue> args);

// The first result of call_boxed, for an operator that returns one tensor.
Tensor single_tensor_result(std::string_view name, std::vector<IValue> results);

// ops::call("toy::fused_gelu", x): call_boxed for an operator that returns one tensor.
template <typename... Args>
Tensor call(std::string_view name, const Args&... args) {
  const std::array<IValue, sizeof...(Args)> boxed = {IValue(args)...};
  return single_tensor_result(name, call_boxed(name, ArrayRef<IValue>(boxed.data(), boxed.size())));
}

}  // namespace ember::ops
