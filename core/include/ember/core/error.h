// ember::Error and the checking macros every layer uses.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace ember {

// The one exception type Ember throws. Messages start with the operator or component in
// brackets, name the argument, and say what was expected: "[add] other: expected ...".
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
[[noreturn]] void throw_error(const char* file, int line, const std::string& message);
[[noreturn]] void assert_failed(const char* file, int line, const char* condition);
}  // namespace detail

}  // namespace ember

// A user error: throws ember::Error with the formatted message when `cond` is false.
#define EMBER_CHECK(cond, ...)                                                        \
  do {                                                                                \
    if (__builtin_expect(!(cond), 0)) {                                               \
      ::ember::detail::throw_error(__FILE__, __LINE__, ::fmt::format(__VA_ARGS__));    \
    }                                                                                 \
  } while (0)

#define EMBER_FAIL(...) ::ember::detail::throw_error(__FILE__, __LINE__, ::fmt::format(__VA_ARGS__))

// An internal invariant: a failure is a bug in Ember, reported as an Error naming the site.
#define EMBER_ASSERT(cond)                                                            \
  do {                                                                                \
    if (__builtin_expect(!(cond), 0)) ::ember::detail::assert_failed(__FILE__, __LINE__, #cond); \
  } while (0)

// EMBER_ASSERT in debug builds only, for hot paths.
#ifdef NDEBUG
#define EMBER_DASSERT(cond) ((void)0)
#else
#define EMBER_DASSERT(cond) EMBER_ASSERT(cond)
#endif
