#include "autograd_gen.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>

namespace ember::gen {
namespace {

using schema::Argument;
using schema::BaseType;

bool is_tensor(const Argument& a) { return a.type.base == BaseType::Tensor && !a.type.is_list; }

// Whether `name` appears as a whole word in any formula.
bool used_in(const OpEntry& op, const std::string& name) {
  const std::regex word("\\b" + name + "\\b");
  for (const auto& [input, formula] : op.derivatives) {
    if (std::regex_search(formula, word)) return true;
  }
  return false;
}

// "add_Tensor" -> "AddTensorBackward".
std::string node_name_of(const std::string& identifier) {
  std::string out;
  bool upper = true;
  for (char c : identifier) {
    if (c == '_') {
      upper = true;
    } else {
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return out + "Backward";
}

std::string node_name(const OpEntry& op) { return node_name_of(op.identifier()); }

// How a non-tensor argument is kept in the node, and how it is copied in from the parameter.
std::pair<std::string, std::string> stored(const Argument& a) {
  const std::string& n = a.name;
  if (a.type.is_list) {
    if (a.type.is_optional) return {"DimVector", n + " ? DimVector(*" + n + ") : DimVector()"};
    return {"DimVector", "DimVector(" + n + ")"};
  }
  std::string base;
  switch (a.type.base) {
    case BaseType::Int: base = "int64_t"; break;
    case BaseType::Float: base = "double"; break;
    case BaseType::Bool: base = "bool"; break;
    case BaseType::Scalar: base = "Scalar"; break;
    case BaseType::ScalarType: base = "DType"; break;
    case BaseType::Device: base = "Device"; break;
    case BaseType::Str: return {"std::string", "std::string(" + n + ")"};
    case BaseType::Tensor: throw std::logic_error("tensors are saved as SavedTensor");
  }
  return {a.type.is_optional ? "std::optional<" + base + ">" : base, n};
}

// Output i of the call, as the kernel holds it.
std::string output(const OpEntry& op, size_t i) {
  return op.schema.returns.size() == 1 ? "result" : "std::get<" + std::to_string(i) + ">(result)";
}

// Note [Differentiable outputs]
// A node's gradient belongs to its first output, named `grad` in formulas, unless formulas name
// `grad_<output>` (linalg_qr's grad_Q and grad_R): then each output so named is differentiable,
// output i of the node, and its gradient may be undefined (none arrived; the formula reads it as
// zeros). Other outputs (indices, a sign) are not differentiable; formulas may read any output by
// its schema name.
bool names_output_gradients(const OpEntry& op) {
  for (const schema::Return& r : op.schema.returns) {
    if (!r.name.empty() && used_in(op, "grad_" + r.name)) return true;
  }
  return false;
}

std::vector<size_t> differentiable_outputs(const OpEntry& op) {
  if (!names_output_gradients(op)) return {0};
  std::vector<size_t> named;
  for (size_t i = 0; i < op.schema.returns.size(); ++i) {
    const std::string& name = op.schema.returns[i].name;
    if (!name.empty() && used_in(op, "grad_" + name)) named.push_back(i);
  }
  return named;
}

// The start of a node's apply: return early when no gradient arrived, then name the gradients.
std::string gradients_in(const OpEntry& op) {
  if (!names_output_gradients(op)) {
    return "    if (grads.empty() || !grads[0].defined()) return out;\n    const Tensor grad = grads[0];\n";
  }
  std::string code =
      "    if (std::none_of(grads.begin(), grads.end(), [](const Tensor& g) { return g.defined(); })) return out;\n";
  for (size_t i : differentiable_outputs(op)) {
    const std::string index = std::to_string(i);
    code += "    const Tensor grad_" + op.schema.returns[i].name + " = grads.size() > " + index + " ? grads[" +
            index + "] : Tensor();\n";
  }
  return code;
}

std::vector<const Argument*> differentiable_inputs(const OpEntry& op) {
  std::vector<const Argument*> inputs;
  for (const auto& [name, formula] : op.derivatives) {
    const Argument* found = nullptr;
    for (const Argument& a : op.schema.arguments) {
      if (a.name == name) found = &a;
    }
    if (!found || !is_tensor(*found)) {
      throw std::runtime_error(op.schema.full_name() + ": derivatives name '" + name + "', which is not a Tensor argument");
    }
    inputs.push_back(found);
  }
  return inputs;
}

std::string node_class(const OpEntry& op) {
  const std::string cls = node_name(op);
  const auto inputs = differentiable_inputs(op);
  // Only what the formulas use is kept.
  std::string members, unpack, release;
  for (const Argument& a : op.schema.arguments) {
    if (is_tensor(a)) {
      if (!used_in(op, a.name)) continue;
      members += "  SavedTensor " + a.name + "_;\n";
      unpack += "    [[maybe_unused]] const Tensor " + a.name + " = " + a.name + "_.unpack(owner);\n";
      release += " " + a.name + "_.release();";
    } else if (used_in(op, a.name)) {
      members += "  " + stored(a).first + " " + a.name + "_;\n";
      unpack += "    [[maybe_unused]] const auto& " + a.name + " = " + a.name + "_;\n";
    }
  }
  if (used_in(op, "result")) {
    members += "  SavedTensor result_;\n";
    unpack += "    [[maybe_unused]] const Tensor result = result_.unpack(owner);\n";
    release += " result_.release();";
  }
  for (const schema::Return& r : op.schema.returns) {
    if (r.name.empty() || !used_in(op, r.name)) continue;
    members += "  SavedTensor " + r.name + "_;\n";
    unpack += "    [[maybe_unused]] const Tensor " + r.name + " = " + r.name + "_.unpack(owner);\n";
    release += " " + r.name + "_.release();";
  }
  std::string grads;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& n = inputs[i]->name;
    members += "  DimVector " + n + "_sizes_;\n  DType " + n + "_dtype_ = DType::Float32;\n";
    unpack += "    [[maybe_unused]] const IntArrayRef " + n + "_sizes = " + n + "_sizes_;\n";
    grads += "    if (needs_input_grad(" + std::to_string(i) + ")) out[" + std::to_string(i) + "] = reduce_to(" +
             op.derivatives[i].second + ", " + n + "_sizes_, " + n + "_dtype_);\n";
  }
  return "// " + schema::to_string(op.schema) + "\nstruct " + cls + " final : Node {\n" + "  std::string name() const override { return \"" +
         cls + "\"; }\n  void release_saved() override {" + release + " }\n" +
         "  TensorVector apply(TensorVector&& grads) override {\n    TensorVector out(" + std::to_string(inputs.size()) +
         ");\n" + gradients_in(op) + "    const std::shared_ptr<Node> owner = shared_from_this();\n" + unpack + grads + "    return out;\n  }\n" +
         members + "};\n\n";
}

// What both kinds of Autograd kernel are made of: the parameter list, the call's argument names
// and template arguments, the node's saves, and the differentiable inputs' addresses.
struct KernelParts {
  std::string params, names, template_args, saves, tensor_ptrs;
};

// `first_tensor_saved_before`: the first argument is changed in place, so a formula that reads it
// gets a copy from before the change (recorded, so double backward reaches its history).
KernelParts kernel_parts(const OpEntry& op, bool first_tensor_saved_before) {
  KernelParts k;
  k.template_args = op.return_type();
  const auto types = op.argument_types();
  for (size_t i = 0; i < op.schema.arguments.size(); ++i) {
    const Argument& a = op.schema.arguments[i];
    k.params += ", " + types[i] + " " + a.name;
    k.names += (k.names.empty() ? "" : ", ") + a.name;
    k.template_args += ", " + types[i];
    if (!used_in(op, a.name)) continue;
    if (!is_tensor(a)) {
      k.saves += "    node->" + a.name + "_ = " + stored(a).second + ";\n";
    } else if (first_tensor_saved_before && i == 0) {
      k.saves += "    node->" + a.name + "_ = SavedTensor(" + a.name + ".clone(), false);\n";
    } else {
      k.saves += "    node->" + a.name + "_ = SavedTensor(" + a.name + ", false);\n";
    }
  }
  for (const Argument* in : differentiable_inputs(op)) {
    k.tensor_ptrs += (k.tensor_ptrs.empty() ? "&" : ", &") + in->name;
    k.saves += "    node->" + in->name + "_sizes_.assign(" + in->name + ".sizes());\n    node->" + in->name +
               "_dtype_ = " + in->name + ".dtype();\n";
  }
  return k;
}

std::string kernel(const OpEntry& op) {
  const std::string cls = node_name(op);
  const KernelParts k = kernel_parts(op, false);
  const std::string first = output(op, 0);
  const std::vector<size_t> differentiable = differentiable_outputs(op);
  std::string histories;
  for (size_t i : differentiable) {
    histories += "    set_history(" + output(op, i) + ", node" + (i ? ", " + std::to_string(i) : "") + ");\n";
  }
  std::string save_outputs = used_in(op, "result") ? "    node->result_ = SavedTensor(" + first + ", true);\n" : "";
  for (size_t i = 0; i < op.schema.returns.size(); ++i) {
    const std::string& name = op.schema.returns[i].name;
    if (name.empty() || !used_in(op, name)) continue;
    const bool has_node = std::find(differentiable.begin(), differentiable.end(), i) != differentiable.end();
    save_outputs += "    node->" + name + "_ = SavedTensor(" + output(op, i) + ", " + (has_node ? "true" : "false") +
                    ");\n";
  }
  return op.return_type() + " " + op.identifier() + "_autograd(void*, const OperatorHandle& op, DispatchKeySet keys" +
         k.params + ") {\n  " + op.return_type() + " result;\n  {\n    ExcludeDispatchKeyGuard below(DispatchKey::Autograd);\n" +
         "    result = op.redispatch<" + k.template_args + ">(keys.below(kAutograd), " + k.names + ");\n  }\n" +
         "  if (any_requires_grad({" + k.tensor_ptrs + "}) && !returns_an_input(" + first + ", {" + k.tensor_ptrs + "})) {\n" +
         "    auto node = make_node<" + cls + ">();\n" + k.saves +
         "    node->set_next_edges(collect_next_edges({" + k.tensor_ptrs + "}));\n" + histories +
         save_outputs + "  }\n  return result;\n}\n\n";
}

// An in-place variant: refuses what autograd cannot record, keeps a copy of self from before the
// change when a formula reads it, runs the operator, then moves self's history onto the node.
// It records whenever self requires grad too, even where self's old value has no derivative
// (copy_): the history self had no longer produced its new value, and must be cut.
std::string inplace_kernel(const OpEntry& op) {
  const std::string cls = node_name_of(op.functional.empty() ? op.identifier() : op.functional);
  const KernelParts k = kernel_parts(op, true);
  const std::string self = op.schema.arguments[0].name;
  const bool used_as_input = !op.derivatives.empty() && op.derivatives[0].first == self;
  const std::string recorded_if = used_as_input ? k.tensor_ptrs : "&" + self + ", " + k.tensor_ptrs;
  return op.return_type() + " " + op.identifier() + "_autograd(void*, const OperatorHandle& op, DispatchKeySet keys" +
         k.params + ") {\n  const bool record = any_requires_grad({" + recorded_if + "});\n  std::shared_ptr<" + cls +
         "> node;\n  if (record) {\n    check_inplace(" + self + ", \"" + op.schema.full_name() + "\");\n" +
         "    node = make_node<" + cls + ">();\n" + k.saves + "    node->set_next_edges(collect_next_edges({" +
         k.tensor_ptrs + "}));\n  }\n  {\n    ExcludeDispatchKeyGuard below(DispatchKey::Autograd);\n    op.redispatch<" +
         k.template_args + ">(keys.below(kAutograd), " + k.names + ");\n  }\n  if (record) {\n    rebase_history(" + self +
         ", node, " + (used_as_input ? "true" : "false") + ");\n" + (used_in(op, "result") ? "    node->result_ = SavedTensor(" + self + ", true);\n" : "") +
         "  }\n  return " + self + ";\n}\n\n";
}

std::string registration(const OpEntry& op) {
  std::string template_args = op.return_type();
  for (const std::string& t : op.argument_types()) template_args += ", " + t;
  return "  handles.push_back(d.impl(d.op(static_cast<int>(OpId::" + op.identifier() +
         ")), DispatchKey::Autograd,\n      KernelFunction::from_unboxed<" + template_args + ">(&" + op.identifier() +
         "_autograd), \"autograd (generated)\"));\n";
}

}  // namespace

std::string autograd_source(const std::vector<OpEntry>& ops) {
  std::string nodes, kernels, registrations;
  for (const OpEntry& op : ops) {
    if (op.derivatives.empty()) continue;
    for (const schema::Return& r : op.schema.returns) {
      if (r.type.base != BaseType::Tensor || r.type.is_list) {
        throw std::runtime_error(op.schema.full_name() + ": derivatives need Tensor returns");
      }
    }
    // An operator that is in-place by its own schema (copy_) owns its node and records in place.
    if (op.functional.empty()) nodes += node_class(op);
    kernels += op.schema.is_inplace() ? inplace_kernel(op) : kernel(op);
    registrations += registration(op);
  }
  return "// Generated by ember-gen from ops_schema/ops.yaml. Do not edit.\n"
         "#include <algorithm>\n\n#include \"ember/autograd/formulas.h\"\n#include \"ember/autograd/recording.h\"\n"
         "#include \"ember/ember.h\"\n#include \"ember/generated/op_ids.h\"\n\n"
         "namespace ember::autograd::generated {\nnamespace {\n\n"
         "constexpr int kAutograd = static_cast<int>(DispatchKey::Autograd);\n\n" +
         nodes + kernels + "}  // namespace\n\n// Registers the Autograd kernel of every operator with derivatives.\n"
         "std::vector<RegistrationHandle> register_autograd_kernels(Dispatcher& d) {\n"
         "  std::vector<RegistrationHandle> handles;\n" + registrations + "  return handles;\n}\n\n"
         "}  // namespace ember::autograd::generated\n";
}

}  // namespace ember::gen
