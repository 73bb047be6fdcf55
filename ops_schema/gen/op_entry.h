// One operator as ember-gen sees it, and the C++ it writes for it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ember/schema/function_schema.h"

namespace ember::gen {

struct OpEntry {
  schema::FunctionSchema schema;
  std::string structured;
  std::string composite;
  bool factory = false;
  bool function = false;
  bool method = false;
  // ops.yaml's `derivatives:`: input name -> backward formula, in the order written.
  std::vector<std::pair<std::string, std::string>> derivatives;
  // In-place variants: the identifier of the functional operator whose backward node they share.
  std::string functional;

  // "add_Tensor": the OpId enumerator and the stem of generated names.
  std::string identifier() const;
  // "Tensor add(const Tensor& self, ...)", with default arguments when `with_defaults`.
  std::string function_declaration(bool with_defaults) const;
  std::string method_declaration(bool with_defaults) const;
  std::string method_definition() const;
  // PyTorch's .Scalar overloads (x.add(1), x.gt(0), pow(x, 2)): whether this operator has them,
  // a number standing for its second operand, wrapped as a 0-dim tensor so that it never widens
  // the other's dtype; and their declarations and definitions.
  bool has_scalar_overload() const;
  std::string scalar_function_declaration(bool with_defaults) const;
  std::string scalar_method_declaration(bool with_defaults) const;
  std::string scalar_overload_definitions() const;
  // The body that resolves the operator once and calls it through the dispatcher.
  std::string dispatch_call() const;
  // "Tensor(const Tensor&, const Tensor&, const Scalar&)".
  std::string signature_type() const;
  std::string composite_declaration() const;
  std::string composite_kernel() const;
  std::string composite_registration() const;
  std::string backend_select_kernel() const;
  std::string backend_select_registration() const;
  // The C++ parameter type of each argument, in schema order (shared with autograd_gen).
  std::vector<std::string> argument_types() const;
  std::string return_type() const;
};

}  // namespace ember::gen
