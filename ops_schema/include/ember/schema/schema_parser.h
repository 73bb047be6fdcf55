// Recursive-descent parser of the function-schema grammar (see ops_schema/README.md).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "ember/schema/function_schema.h"

namespace ember::schema {

// A grammar error. what() reads like
//   schema error at column 18: expected ')' but found ','
//     add.Tensor(Tensor self,, Tensor other) -> Tensor
//                            ^
struct SchemaError : std::runtime_error {
  SchemaError(const std::string& message, size_t column)
      : std::runtime_error(message), column(column) {}
  size_t column;  // 1-based position in the schema text
};

// Parses one schema; throws SchemaError naming the column on malformed input.
FunctionSchema parse_schema(std::string_view text);

}  // namespace ember::schema
