#include "ember/call_by_name.h"

#include <algorithm>
#include <charconv>

#include "ember/runtime.h"

namespace ember::ops {
namespace {

using schema::BaseType;
using Tag = IValue::Tag;

bool accepts(const schema::Type& type, Tag tag) {
  if (tag == Tag::None) return type.is_optional;
  if (type.is_list) {
    return type.base == BaseType::Tensor ? tag == Tag::TensorList : type.base == BaseType::Int && tag == Tag::IntList;
  }
  switch (type.base) {
    case BaseType::Tensor: return tag == Tag::Tensor;
    case BaseType::Int: return tag == Tag::Int;
    case BaseType::Float: return tag == Tag::Double || tag == Tag::Int;
    case BaseType::Bool: return tag == Tag::Bool;
    case BaseType::Scalar: return tag == Tag::Int || tag == Tag::Double || tag == Tag::Bool;
    case BaseType::ScalarType: return tag == Tag::DType;
    case BaseType::Device: return tag == Tag::Device;
    case BaseType::Str: return tag == Tag::String;
  }
  return false;
}

// `value` as argument `i` of `op` expects it: checked, and an int widened where a float is due.
IValue checked(const OperatorHandle& op, size_t i, IValue value) {
  const schema::Argument& arg = op.schema().arguments[i];
  EMBER_CHECK(accepts(arg.type, value.tag()), "[{}] argument {} '{}': expected {}, got {}", op.name(), i,
              arg.name, schema::to_string(arg.type), value.tag_name());
  if (arg.type.base == BaseType::Float && !arg.type.is_list && value.tag() == Tag::Int) {
    return IValue(static_cast<double>(value.to_int()));
  }
  return value;
}

int64_t parse_int(const OperatorHandle& op, const schema::Argument& arg, std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  EMBER_CHECK(error == std::errc() && end == text.data() + text.size(),
              "[{}] argument '{}': its default '{}' cannot be read; pass it explicitly", op.name(), arg.name,
              *arg.default_value);
  return value;
}

// The schema's default of `arg` as a value. Strings borrow the schema's text and lists are kept
// in `lists`: both outlive the call (Note [IValue borrows lists]).
IValue default_value(const OperatorHandle& op, const schema::Argument& arg, std::vector<std::vector<int64_t>>& lists) {
  EMBER_CHECK(arg.default_value.has_value(), "[{}] argument '{}' is missing, and the schema gives it no default",
              op.name(), arg.name);
  const std::string_view text = *arg.default_value;
  if (text == "None") return IValue();
  if (text == "True" || text == "False") return IValue(text == "True");
  if (text.front() == '\'' || text.front() == '"') return IValue(text.substr(1, text.size() - 2));
  if (arg.type.is_list) {
    std::vector<int64_t>& list = lists.emplace_back();
    if (text.front() == '[') {
      std::string_view items = text.substr(1, text.size() - 2);
      while (!items.empty()) {
        const size_t comma = std::min(items.find(','), items.size());
        list.push_back(parse_int(op, arg, items.substr(0, comma)));
        items.remove_prefix(std::min(comma + 1, items.size()));
      }
    } else {
      // `int[2] stride=1` repeats the one value.
      list.assign(static_cast<size_t>(arg.type.fixed_size.value_or(1)), parse_int(op, arg, text));
    }
    return IValue(IntArrayRef(list));
  }
  if (arg.type.base == BaseType::Float || text.find_first_of(".eE") != std::string_view::npos) {
    return IValue(std::stod(std::string(text)));
  }
  return IValue(parse_int(op, arg, text));
}

// The value given for argument `i` of `op`: positional, named, or the schema's default.
IValue argument_value(const OperatorHandle& op, size_t i, ArrayRef<IValue> args, ArrayRef<NamedArgument> named,
                      std::vector<std::vector<int64_t>>& lists) {
  const schema::Argument& arg = op.schema().arguments[i];
  const auto by_name = std::find_if(named.begin(), named.end(), [&](const NamedArgument& n) { return n.first == arg.name; });
  const bool has_name = by_name != named.end();
  if (i < args.size()) {
    EMBER_CHECK(!has_name, "[{}] argument '{}' is given both by position and by name", op.name(), arg.name);
    return checked(op, i, args[i]);
  }
  return checked(op, i, has_name ? by_name->second : default_value(op, arg, lists));
}

}  // namespace

std::vector<IValue> call_boxed(std::string_view name, ArrayRef<IValue> args, ArrayRef<NamedArgument> named) {
  init();
  const OperatorHandle& op = Dispatcher::singleton().get(name);
  const auto& arguments = op.schema().arguments;
  EMBER_CHECK(args.size() <= arguments.size(), "[{}] expected at most {} arguments ({}), got {}", op.name(),
              arguments.size(), schema::to_string(op.schema()), args.size());
  EMBER_CHECK(arguments.size() <= Stack::kCapacity, "[{}] has {} arguments; a boxed call takes at most {}",
              op.name(), arguments.size(), Stack::kCapacity);
  for (const NamedArgument& n : named) {
    EMBER_CHECK(std::any_of(arguments.begin(), arguments.end(), [&](const auto& a) { return a.name == n.first; }),
                "[{}] has no argument named '{}' ({})", op.name(), n.first, schema::to_string(op.schema()));
  }
  std::vector<std::vector<int64_t>> lists;
  lists.reserve(arguments.size());  // stable: the stack borrows each list
  Stack stack;
  for (size_t i = 0; i < arguments.size(); ++i) stack.push(argument_value(op, i, args, named, lists));
  op.call_boxed(stack);
  std::vector<IValue> results;
  results.reserve(stack.size());
  for (size_t i = 0; i < stack.size(); ++i) results.push_back(std::move(stack[i]));
  return results;
}

Tensor single_tensor_result(std::string_view name, std::vector<IValue> results) {
  EMBER_CHECK(results.size() == 1 && results[0].is_tensor(),
              "[{}] ops::call expects one tensor as the result, but the operator returned {} value(s); "
              "use ops::call_boxed", name, results.size());
  return results[0].take_tensor();
}

}  // namespace ember::ops
