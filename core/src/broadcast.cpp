#include "ember/core/broadcast.h"

#include <algorithm>

#include "ember/core/error.h"

namespace ember {

DimVector broadcast_shapes(IntArrayRef a, IntArrayRef b, std::string_view op, std::string_view arg) {
  const size_t n = std::max(a.size(), b.size());
  DimVector out(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    EMBER_CHECK(x == y || x == 1 || y == 1,
                "[{}] {}: shapes [{}] and [{}] do not broadcast (dimension {}: {} vs {})", op, arg,
                fmt::join(a, ", "), fmt::join(b, ", "), i, x, y);
    out[i] = x == 1 ? y : x;
  }
  return out;
}

bool broadcasts_to(IntArrayRef from, IntArrayRef to) {
  if (from.size() > to.size()) return false;
  const size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i] != 1 && from[i] != to[lead + i]) return false;
  }
  return true;
}

void check_broadcasts_to(IntArrayRef from, IntArrayRef to, std::string_view op, std::string_view arg) {
  const DimVector shape = broadcast_shapes(from, to, op, arg);
  EMBER_CHECK(to.equals(shape), "[{}] {}: expected a shape that broadcasts to [{}], got [{}]", op, arg,
              fmt::join(to, ", "), fmt::join(from, ", "));
}

}  // namespace ember
