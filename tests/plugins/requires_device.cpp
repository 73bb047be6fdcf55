// A plugin that must never be opened: its .requires file names a device file that does not exist
// (Note [Plugin requirements]), and opening it would abort the process.
#include <cstdlib>

namespace {
struct AbortWhenOpened {
  AbortWhenOpened() { std::abort(); }
} abort_when_opened;
}  // namespace
