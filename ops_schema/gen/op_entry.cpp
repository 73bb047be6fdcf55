#include "op_entry.h"

#include <stdexcept>

namespace ember::gen {
namespace {

using schema::Argument;
using schema::BaseType;
using schema::Type;

std::string base_cpp_type(BaseType base) {
  switch (base) {
    case BaseType::Tensor: return "Tensor";
    case BaseType::Int: return "int64_t";
    case BaseType::Float: return "double";
    case BaseType::Bool: return "bool";
    case BaseType::Scalar: return "Scalar";
    case BaseType::ScalarType: return "DType";
    case BaseType::Device: return "Device";
    case BaseType::Str: return "std::string_view";
  }
  throw std::logic_error("unknown base type");
}

// The parameter type a schema type becomes.
std::string cpp_type(const Type& t) {
  if (t.is_list) {
    if (t.base == BaseType::Tensor) return "TensorList";
    if (t.base != BaseType::Int) throw std::runtime_error("only int[] and Tensor[] lists are supported");
    return t.is_optional ? "OptionalIntArrayRef" : "IntArrayRef";
  }
  const std::string base = base_cpp_type(t.base);
  const bool by_reference = t.base == BaseType::Tensor || t.base == BaseType::Scalar;
  if (t.is_optional) return by_reference ? "const std::optional<" + base + ">&" : "std::optional<" + base + ">";
  return by_reference ? "const " + base + "&" : base;
}

std::string cpp_default(const Argument& a) {
  const std::string& v = *a.default_value;
  if (v == "None") return "std::nullopt";
  if (v == "True") return "true";
  if (v == "False") return "false";
  if (v == "[]") return "{}";
  if (v.front() == '\'' || v.front() == '"') return "\"" + v.substr(1, v.size() - 2) + "\"";
  if (v.front() == '[') return "{" + v.substr(1, v.size() - 2) + "}";
  return v;
}

}  // namespace

std::string cpp_return_type(const schema::FunctionSchema& s) {
  if (s.returns.empty()) return "void";
  if (s.returns.size() == 1) return "Tensor";
  std::string out = "std::tuple<";
  for (size_t i = 0; i < s.returns.size(); ++i) out += (i ? ", " : "") + std::string("Tensor");
  return out + ">";
}

namespace {

std::string types_list(const schema::FunctionSchema& s) {
  std::string out;
  for (const Argument& a : s.arguments) out += ", " + cpp_type(a.type);
  return out;
}

// The argument a method is called on: the one named self, as in PyTorch (where(condition, self,
// other) and polygamma(n, self) bind their second), else the first.
const Argument& receiver(const schema::FunctionSchema& s) {
  for (const Argument& a : s.arguments) {
    if (a.name == "self") return a;
  }
  return s.arguments.front();
}

// Parameters in C++ order: an out= argument comes first, as in libtorch (add_out(out, a, b)).
std::vector<const Argument*> cpp_order(const schema::FunctionSchema& s, bool skip_self) {
  std::vector<const Argument*> order;
  if (s.is_out()) order.push_back(&s.arguments.back());
  for (size_t i = 0; i < s.arguments.size(); ++i) {
    if (s.is_out() && i + 1 == s.arguments.size()) break;
    if (skip_self && &s.arguments[i] == &receiver(s)) continue;
    order.push_back(&s.arguments[i]);
  }
  return order;
}

std::string parameters(const std::vector<const Argument*>& args, bool with_defaults) {
  std::string out;
  for (const Argument* a : args) {
    if (!out.empty()) out += ", ";
    out += cpp_type(a->type) + " " + a->name;
    if (with_defaults && a->default_value) out += " = " + cpp_default(*a);
  }
  return out;
}

std::string argument_names(const schema::FunctionSchema& s) {
  std::string out;
  for (const Argument& a : s.arguments) out += (out.empty() ? "" : ", ") + a.name;
  return out;
}

std::string cpp_name(const schema::FunctionSchema& s) { return s.is_out() ? s.name + "_out" : s.name; }

std::string composite_name(const OpEntry& op) { return op.identifier(); }

std::string kernel_parameters(const schema::FunctionSchema& s) {
  std::string out = "void*, const OperatorHandle& op, DispatchKeySet keys";
  for (const Argument& a : s.arguments) out += ", " + cpp_type(a.type) + " " + a.name;
  return out;
}

std::string template_arguments(const schema::FunctionSchema& s) {
  return cpp_return_type(s) + types_list(s);
}

}  // namespace

std::vector<std::string> OpEntry::argument_types() const {
  std::vector<std::string> types;
  for (const Argument& a : schema.arguments) types.push_back(cpp_type(a.type));
  return types;
}

std::string OpEntry::return_type() const { return gen::cpp_return_type(schema); }

std::string OpEntry::identifier() const {
  std::string id = schema.name;
  if (!schema.overload.empty()) id += "_" + schema.overload;
  return id;
}

std::string OpEntry::signature_type() const {
  std::string args = types_list(schema);
  return cpp_return_type(schema) + "(" + (args.empty() ? "" : args.substr(2)) + ")";
}

std::string OpEntry::function_declaration(bool with_defaults) const {
  return cpp_return_type(schema) + " " + cpp_name(schema) + "(" +
         parameters(cpp_order(schema, false), with_defaults) + ")";
}

std::string OpEntry::method_declaration(bool with_defaults) const {
  return cpp_return_type(schema) + " " + cpp_name(schema) + "(" +
         parameters(cpp_order(schema, true), with_defaults) + ") const";
}

std::string OpEntry::method_definition() const {
  const std::string signature = cpp_return_type(schema) + " Tensor::" + cpp_name(schema) + "(" +
                                parameters(cpp_order(schema, true), false) + ") const {\n";
  if (!function) {
    // A method-only operator dispatches from the method itself, with *this as self.
    return signature + "  const Tensor& " + receiver(schema).name + " = *this;\n" + dispatch_call() + "}\n";
  }
  std::string call_args;
  for (const Argument* a : cpp_order(schema, false)) {
    call_args += (call_args.empty() ? "" : ", ") + (a == &receiver(schema) ? std::string("*this") : a->name);
  }
  return signature + "  return ember::" + cpp_name(schema) + "(" + call_args + ");\n}\n";
}

bool OpEntry::has_scalar_overload() const {
  const bool binary = structured == "elementwise_binary" || structured == "elementwise_binary_float" ||
                      structured == "elementwise_binary_integral" || structured == "comparison";
  return binary && !schema.is_out() && schema.arguments.size() >= 2 &&
         schema.arguments[1].type == schema::Type{BaseType::Tensor};
}

namespace {

// The operator with its second operand a Scalar.
OpEntry with_scalar_operand(const OpEntry& op) {
  OpEntry scalar = op;
  scalar.schema.arguments[1].type.base = BaseType::Scalar;
  return scalar;
}

// The arguments after self of a call forwarding an overload's parameters, the number wrapped as
// a tensor on `self`'s device.
std::string operand_and_rest(const schema::FunctionSchema& s, const std::string& self) {
  std::string out = "wrapped_number(" + s.arguments[1].name + ", " + self + ".device())";
  for (size_t i = 2; i < s.arguments.size(); ++i) out += ", " + s.arguments[i].name;
  return out;
}

}  // namespace

std::string OpEntry::scalar_function_declaration(bool with_defaults) const {
  return with_scalar_operand(*this).function_declaration(with_defaults);
}

std::string OpEntry::scalar_method_declaration(bool with_defaults) const {
  return with_scalar_operand(*this).method_declaration(with_defaults);
}

std::string OpEntry::scalar_overload_definitions() const {
  const OpEntry scalar = with_scalar_operand(*this);
  const std::string name = cpp_name(schema);
  const std::string& self = schema.arguments[0].name;
  std::string out;
  if (function) {
    out += scalar.function_declaration(false) + " {\n  return ember::" + name + "(" + self + ", " +
           operand_and_rest(schema, self) + ");\n}\n\n";
  }
  if (method) {
    out += cpp_return_type(schema) + " Tensor::" + name + "(" + parameters(cpp_order(scalar.schema, true), false) +
           ") const {\n  return " + name + "(" + operand_and_rest(schema, "(*this)") + ");\n}\n\n";
  }
  return out;
}

std::string OpEntry::dispatch_call() const {
  return "  static const OperatorHandle& op = detail::resolve(OpId::" + identifier() + ");\n  return op.call<" +
         template_arguments(schema) + ">(" + argument_names(schema) + ");\n";
}

std::string OpEntry::composite_declaration() const {
  std::string params;
  for (const Argument& a : schema.arguments) params += (params.empty() ? "" : ", ") + cpp_type(a.type) + " " + a.name;
  return cpp_return_type(schema) + " " + composite_name(*this) + "(" + params + ")";
}

std::string OpEntry::composite_kernel() const {
  return cpp_return_type(schema) + " " + identifier() + "_composite(" + kernel_parameters(schema) +
         ") {\n  return composite::" + composite_name(*this) + "(" + argument_names(schema) + ");\n}\n\n";
}

std::string OpEntry::composite_registration() const {
  const std::string alias = composite == "implicit" ? "CompositeImplicit" : "CompositeExplicit";
  return "  handles.push_back(d.impl(d.op(static_cast<int>(OpId::" + identifier() + ")), AliasKey::" + alias +
         ",\n      KernelFunction::from_unboxed<" + template_arguments(schema) + ">(&" + identifier() +
         "_composite), \"composite (frontend)\"));\n";
}

std::string OpEntry::backend_select_kernel() const {
  return cpp_return_type(schema) + " " + identifier() + "_backend_select(" + kernel_parameters(schema) +
         ") {\n  const DispatchKeySet below = keys.below(static_cast<int>(DispatchKey::BackendSelect));\n"
         "  return op.redispatch<" + template_arguments(schema) +
         ">(below | detail::backend_keys(device), " + argument_names(schema) + ");\n}\n\n";
}

std::string OpEntry::backend_select_registration() const {
  return "  handles.push_back(d.impl(d.op(static_cast<int>(OpId::" + identifier() +
         ")), DispatchKey::BackendSelect,\n      KernelFunction::from_unboxed<" + template_arguments(schema) +
         ">(&" + identifier() + "_backend_select), \"BackendSelect (generated)\"));\n";
}

}  // namespace ember::gen
