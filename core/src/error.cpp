#include "ember/core/error.h"

namespace ember::detail {

void throw_error(const char* /*file*/, int /*line*/, const std::string& message) {
  throw Error(message);
}

void assert_failed(const char* file, int line, const char* condition) {
  throw Error(fmt::format("[internal] {}:{}: invariant '{}' failed; this is a bug in Ember", file,
                          line, condition));
}

}  // namespace ember::detail
