#include "ember/core/scalar.h"

#include <fmt/format.h>

namespace ember {

std::string Scalar::to_string() const {
  switch (kind_) {
    case Kind::Bool: return i_ ? "true" : "false";
    case Kind::Int: return std::to_string(i_);
    case Kind::Double: return fmt::format("{}", d_);
  }
  return "?";
}

}  // namespace ember
