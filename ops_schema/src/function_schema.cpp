#include "ember/schema/function_schema.h"

namespace ember::schema {

const char* base_type_name(BaseType type) {
  switch (type) {
    case BaseType::Tensor: return "Tensor";
    case BaseType::Int: return "int";
    case BaseType::Float: return "float";
    case BaseType::Bool: return "bool";
    case BaseType::Scalar: return "Scalar";
    case BaseType::ScalarType: return "ScalarType";
    case BaseType::Device: return "Device";
    case BaseType::Str: return "str";
  }
  return "?";
}

std::string to_string(const Type& type) {
  std::string out = base_type_name(type.base);
  if (type.alias) out += "(" + type.alias->set + (type.alias->is_write ? "!)" : ")");
  if (type.is_list) out += type.fixed_size ? "[" + std::to_string(*type.fixed_size) + "]" : "[]";
  if (type.is_optional) out += "?";
  return out;
}

std::string FunctionSchema::full_name() const {
  std::string out = ns.empty() ? name : ns + "::" + name;
  return overload.empty() ? out : out + "." + overload;
}

bool FunctionSchema::is_inplace() const {
  return !arguments.empty() && arguments[0].type.alias && arguments[0].type.alias->is_write &&
         !name.empty() && name.back() == '_';
}

bool FunctionSchema::is_out() const {
  for (const Argument& arg : arguments) {
    if (arg.kwarg_only && arg.name == "out" && arg.type.alias && arg.type.alias->is_write) {
      return true;
    }
  }
  return false;
}

std::string to_string(const FunctionSchema& schema) {
  std::string out = schema.full_name() + "(";
  bool kwarg_marker_written = false;
  for (size_t i = 0; i < schema.arguments.size(); ++i) {
    const Argument& arg = schema.arguments[i];
    if (i > 0) out += ", ";
    if (arg.kwarg_only && !kwarg_marker_written) {
      out += "*, ";
      kwarg_marker_written = true;
    }
    out += to_string(arg.type) + " " + arg.name;
    if (arg.default_value) out += "=" + *arg.default_value;
  }
  out += ") -> ";
  const bool bare = schema.returns.size() == 1 && schema.returns[0].name.empty();
  if (bare) return out + to_string(schema.returns[0].type);
  out += "(";
  for (size_t i = 0; i < schema.returns.size(); ++i) {
    if (i > 0) out += ", ";
    out += to_string(schema.returns[i].type);
    if (!schema.returns[i].name.empty()) out += " " + schema.returns[i].name;
  }
  return out + ")";
}

}  // namespace ember::schema
