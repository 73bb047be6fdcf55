// The schema grammar: what parses, what it parses to, and where errors point.
#include <doctest/doctest.h>

#include "ember/dispatcher/dispatcher.h"
#include "ember/runtime.h"
#include "ember/schema/schema_parser.h"
#include "ember/schema/variants.h"

using namespace ember::schema;

TEST_CASE("a full schema parses into names, typed arguments, defaults and returns") {
  const FunctionSchema s = parse_schema("add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor");
  CHECK(s.name == "add");
  CHECK(s.overload == "Tensor");
  CHECK(s.ns.empty());
  REQUIRE(s.arguments.size() == 3);
  CHECK(s.arguments[0].type.base == BaseType::Tensor);
  CHECK(s.arguments[1].name == "other");
  CHECK_FALSE(s.arguments[1].kwarg_only);
  CHECK(s.arguments[2].kwarg_only);
  CHECK(s.arguments[2].type.base == BaseType::Scalar);
  CHECK(s.arguments[2].default_value == "1");
  REQUIRE(s.returns.size() == 1);
  CHECK(s.full_name() == "add.Tensor");
}

TEST_CASE("every type form: optional, list, fixed-size list, alias and mutation") {
  const FunctionSchema s = parse_schema(
      "vendor::op(Tensor(a!) self, Tensor? weight, Tensor[] inputs, int[2] stride=1, int[1]? dim=None, "
      "float eps=1e-05, bool flag=True, ScalarType? dtype=None, Device? device=None, str mode='none', "
      "int[] sizes=[1, -2]) -> (Tensor(a!) out, Tensor values)");
  CHECK(s.ns == "vendor");
  CHECK(s.full_name() == "vendor::op");
  const auto& a = s.arguments;
  REQUIRE(a.size() == 11);
  CHECK(a[0].type.alias == AliasInfo{"a", true});
  CHECK(a[1].type.is_optional);
  CHECK((a[2].type.is_list && a[2].type.base == BaseType::Tensor));
  CHECK(a[3].type.fixed_size == 2);
  CHECK((a[4].type.is_list && a[4].type.is_optional && a[4].type.fixed_size == 1));
  CHECK(a[5].default_value == "1e-05");
  CHECK(a[6].default_value == "True");
  CHECK(a[7].type.base == BaseType::ScalarType);
  CHECK(a[8].type.base == BaseType::Device);
  CHECK(a[9].default_value == "'none'");
  CHECK(a[10].default_value == "[1, -2]");
  REQUIRE(s.returns.size() == 2);
  CHECK(s.returns[0].name == "out");
  CHECK(s.returns[0].type.alias == AliasInfo{"a", true});
  CHECK(s.returns[1].name == "values");
}

TEST_CASE("in-place and out= schemas are recognised") {
  CHECK(parse_schema("add_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)").is_inplace());
  CHECK_FALSE(parse_schema("add.Tensor(Tensor self, Tensor other) -> Tensor").is_inplace());
  CHECK(parse_schema("add.out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)").is_out());
  CHECK(parse_schema("f() -> ()").returns.empty());
}

TEST_CASE("printing is canonical and parse(print(s)) == s") {
  const char* texts[] = {
      "add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
      "max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
      "empty(int[] size, *, ScalarType? dtype=None, Device? device=None) -> Tensor",
      "f(*, Tensor(a!) out) -> Tensor(a!)",
  };
  for (const char* text : texts) {
    const FunctionSchema s = parse_schema(text);
    CHECK(to_string(s) == text);
    CHECK(parse_schema(to_string(s)) == s);
  }
  CHECK(to_string(parse_schema("  g ( Tensor  x ,int[ 3 ]y=0)->(Tensor,Tensor) ")) ==
        "g(Tensor x, int[3] y=0) -> (Tensor, Tensor)");
}

TEST_CASE("every operator in ops.yaml round-trips through the printer") {
  ember::init();
  const ember::Dispatcher& d = ember::Dispatcher::singleton();
  REQUIRE(d.num_operators() > 50);
  for (size_t i = 0; i < d.num_operators(); ++i) {
    const FunctionSchema& s = d.op(static_cast<int>(i)).schema();
    CAPTURE(s.full_name());
    CHECK(parse_schema(to_string(s)) == s);
  }
}

TEST_CASE("derived variants follow one naming rule") {
  const FunctionSchema add = parse_schema("add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor");
  CHECK(to_string(make_inplace_variant(add)) ==
        "add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)");
  CHECK(to_string(make_out_variant(add)) ==
        "add.Tensor_out(Tensor self, Tensor other, *, Scalar alpha=1, Tensor(a!) out) -> Tensor(a!)");
  CHECK(to_string(make_out_variant(parse_schema("neg(Tensor self) -> Tensor"))) ==
        "neg.out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)");
  CHECK_THROWS(make_out_variant(parse_schema("max.dim(Tensor self, int dim) -> (Tensor a, Tensor b)")));
}

namespace {
// The column a malformed schema is reported at, and the message.
std::pair<size_t, std::string> error_of(const char* text) {
  try {
    parse_schema(text);
  } catch (const SchemaError& e) {
    return {e.column, e.what()};
  }
  FAIL("expected a SchemaError for: " << text);
  return {};
}
}  // namespace

TEST_CASE("malformed schemas fail at the right column with a message") {
  auto [column, message] = error_of("add.Tensor(Tensor self,, Tensor other) -> Tensor");
  CHECK(column == 24);
  CHECK(message.find("expected a type but found ','") != std::string::npos);
  CHECK(message.find("\n  add.Tensor(Tensor self,, Tensor other) -> Tensor\n                         ^") !=
        std::string::npos);

  CHECK(error_of("add(Tensor self) Tensor").first == 18);
  CHECK(error_of("add(Tensor self) -> Tensor extra").second.find("unexpected text after the returns") !=
        std::string::npos);
  CHECK(error_of("add(Tensr self) -> Tensor").second.find("unknown type 'Tensr'") != std::string::npos);
  CHECK(error_of("add(Tensor self").second.find("expected ')' but found end of text") != std::string::npos);
  CHECK(error_of("add(int(a!) x) -> Tensor").second.find("only Tensor types take an alias") !=
        std::string::npos);
  CHECK(error_of("add(Tensor x, Tensor x) -> Tensor").second.find("duplicate argument name 'x'") !=
        std::string::npos);
  CHECK(error_of("add(Tensor x, *, *, int y) -> Tensor").second.find("'*' may appear only once") !=
        std::string::npos);
  CHECK(error_of("add(str s='abc) -> Tensor").second.find("unterminated string") != std::string::npos);
  CHECK(error_of("3add(Tensor x) -> Tensor").first == 1);
  CHECK(error_of("").second.find("expected an operator name but found end of text") != std::string::npos);
}
