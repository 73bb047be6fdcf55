// Grammar (whitespace between tokens is free):
//   schema    := qualname '(' [args] ')' '->' returns
//   qualname  := [ident '::'] ident ['.' ident]
//   args      := arg (',' arg)*            where one arg may be the bare marker '*'
//   arg       := type ident ['=' default]
//   type      := base ['(' alias ')'] ['[' [int] ']'] ['?']
//   alias     := ident ['!']
//   returns   := type | '(' [ret (',' ret)*] ')'
//   ret       := type [ident]
//   default   := number | ident | string | '[' [default (',' default)*] ']'
#include "ember/schema/schema_parser.h"

#include <cctype>
#include <unordered_map>

namespace ember::schema {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  FunctionSchema parse() {
    FunctionSchema schema;
    parse_qualified_name(schema);
    expect('(');
    parse_arguments(schema);
    expect(')');
    expect_arrow();
    parse_returns(schema);
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the returns");
    return schema;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    const std::string caret(pos_, ' ');
    throw SchemaError("schema error at column " + std::to_string(pos_ + 1) + ": " + what +
                          "\n  " + std::string(text_) + "\n  " + caret + "^",
                      pos_ + 1);
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  char peek() {
    skip_space();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  bool accept(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  std::string describe_next() {
    char c = peek();
    return c == '\0' ? "end of text" : std::string("'") + c + "'";
  }

  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "' but found " + describe_next());
  }

  void expect_arrow() {
    skip_space();
    if (text_.substr(pos_, 2) != "->") fail("expected '->' but found " + describe_next());
    pos_ += 2;
  }

  std::string identifier(const char* what) {
    skip_space();
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    if (start == pos_ || std::isdigit(static_cast<unsigned char>(text_[start]))) {
      pos_ = start;
      fail(std::string("expected ") + what + " but found " + describe_next());
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  void parse_qualified_name(FunctionSchema& schema) {
    schema.name = identifier("an operator name");
    skip_space();
    if (text_.substr(pos_, 2) == "::") {
      pos_ += 2;
      schema.ns = schema.name;
      schema.name = identifier("an operator name after '::'");
    }
    if (accept('.')) schema.overload = identifier("an overload name after '.'");
  }

  void parse_arguments(FunctionSchema& schema) {
    if (peek() == ')') return;
    bool kwarg_only = false;
    do {
      if (accept('*')) {
        if (kwarg_only) fail("'*' may appear only once");
        kwarg_only = true;
        continue;
      }
      Argument arg;
      arg.type = parse_type();
      arg.name = identifier("an argument name");
      arg.kwarg_only = kwarg_only;
      if (accept('=')) arg.default_value = parse_default();
      for (const Argument& earlier : schema.arguments) {
        if (earlier.name == arg.name) fail("duplicate argument name '" + arg.name + "'");
      }
      schema.arguments.push_back(std::move(arg));
    } while (accept(','));
  }

  void parse_returns(FunctionSchema& schema) {
    if (!accept('(')) {
      schema.returns.push_back({parse_type(), ""});
      return;
    }
    if (accept(')')) return;
    do {
      Return ret{parse_type(), ""};
      char c = peek();
      if (c != ',' && c != ')') ret.name = identifier("a return name");
      schema.returns.push_back(std::move(ret));
    } while (accept(','));
    expect(')');
  }

  Type parse_type() {
    static const std::unordered_map<std::string, BaseType> kBaseTypes = {
        {"Tensor", BaseType::Tensor}, {"int", BaseType::Int},
        {"float", BaseType::Float},   {"bool", BaseType::Bool},
        {"Scalar", BaseType::Scalar}, {"ScalarType", BaseType::ScalarType},
        {"Device", BaseType::Device}, {"str", BaseType::Str}};
    size_t start = (skip_space(), pos_);
    std::string name = identifier("a type");
    auto it = kBaseTypes.find(name);
    if (it == kBaseTypes.end()) {
      pos_ = start;
      fail("unknown type '" + name + "'");
    }
    Type type;
    type.base = it->second;
    if (accept('(')) type.alias = parse_alias(type);
    if (accept('[')) {
      type.is_list = true;
      if (std::isdigit(static_cast<unsigned char>(peek()))) type.fixed_size = integer();
      expect(']');
    }
    if (accept('?')) type.is_optional = true;
    return type;
  }

  AliasInfo parse_alias(const Type& type) {
    if (type.base != BaseType::Tensor) fail("only Tensor types take an alias annotation");
    AliasInfo alias;
    alias.set = identifier("an alias set name");
    alias.is_write = accept('!');
    expect(')');
    return alias;
  }

  int integer() {
    skip_space();
    size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return std::stoi(std::string(text_.substr(start, pos_ - start)));
  }

  // Defaults are kept as written; the code generator and the binder give them meaning.
  std::string parse_default() {
    skip_space();
    size_t start = pos_;
    char c = peek();
    if (c == '[') {
      ++pos_;
      if (!accept(']')) {
        do parse_default();
        while (accept(','));
        expect(']');
      }
    } else if (c == '\'' || c == '"') {
      ++pos_;
      while (pos_ < text_.size() && text_[pos_] != c) ++pos_;
      if (pos_ == text_.size()) fail("unterminated string default");
      ++pos_;
    } else if (c == '-' || c == '.' || std::isdigit(static_cast<unsigned char>(c))) {
      ++pos_;
      while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                     text_[pos_] == '.' || text_[pos_] == '-' ||
                                     text_[pos_] == '+')) {
        ++pos_;
      }
    } else {
      identifier("a default value");
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

FunctionSchema parse_schema(std::string_view text) { return Parser(text).parse(); }

}  // namespace ember::schema
