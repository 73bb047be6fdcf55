// The parsed form of one operator schema, e.g.
//   add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ember::schema {

enum class BaseType { Tensor, Int, Float, Bool, Scalar, ScalarType, Device, Str };

// `Tensor(a!)`: the value aliases set `a`; `!` marks that the operator writes through it.
struct AliasInfo {
  std::string set;
  bool is_write = false;
  bool operator==(const AliasInfo&) const = default;
};

struct Type {
  BaseType base = BaseType::Tensor;
  bool is_list = false;                 // `int[]`, `Tensor[]`
  std::optional<int> fixed_size;        // `int[2]`
  bool is_optional = false;             // trailing `?`
  std::optional<AliasInfo> alias;       // `Tensor(a!)`
  bool operator==(const Type&) const = default;
};

struct Argument {
  Type type;
  std::string name;
  std::optional<std::string> default_value;  // the literal as written: 1, None, [], 'none'
  bool kwarg_only = false;
  bool operator==(const Argument&) const = default;
};

struct Return {
  Type type;
  std::string name;  // optional: `(Tensor values, Tensor indices)`
  bool operator==(const Return&) const = default;
};

struct FunctionSchema {
  std::string ns;        // empty for core operators, "myvendor" for "myvendor::op"
  std::string name;      // "add", "add_"
  std::string overload;  // "Tensor", "" when absent
  std::vector<Argument> arguments;
  std::vector<Return> returns;

  // "add.Tensor", "myvendor::fused_gelu".
  std::string full_name() const;
  // True when the operator writes into its first argument (`add_`).
  bool is_inplace() const;
  // True when a keyword argument `Tensor(a!) out` receives the result.
  bool is_out() const;
  bool operator==(const FunctionSchema&) const = default;
};

// Prints a schema in the canonical grammar; parse(print(s)) == s.
std::string to_string(const Type& type);
std::string to_string(const FunctionSchema& schema);
const char* base_type_name(BaseType type);

}  // namespace ember::schema
