#include "ember/schema/variants.h"

#include <stdexcept>

namespace ember::schema {
namespace {

Type written_tensor() {
  Type t;
  t.alias = AliasInfo{"a", true};
  return t;
}

}  // namespace

FunctionSchema make_inplace_variant(const FunctionSchema& functional) {
  if (functional.arguments.empty() || functional.arguments[0].type.base != BaseType::Tensor ||
      functional.returns.size() != 1) {
    throw std::invalid_argument(functional.full_name() +
                                ": an inplace variant needs a Tensor first argument and one return");
  }
  FunctionSchema s = functional;
  s.name += "_";
  s.arguments[0].type = written_tensor();
  s.returns = {Return{written_tensor(), ""}};
  return s;
}

FunctionSchema make_out_variant(const FunctionSchema& functional) {
  FunctionSchema s = functional;
  s.overload = functional.overload.empty() ? "out" : functional.overload + "_out";
  if (functional.returns.size() != 1) {
    throw std::invalid_argument(functional.full_name() + ": an out variant needs exactly one return");
  }
  s.arguments.push_back(Argument{written_tensor(), "out", std::nullopt, true});
  s.returns = {Return{written_tensor(), ""}};
  return s;
}

}  // namespace ember::schema
