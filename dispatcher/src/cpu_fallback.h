// The host side of the CPU fallback (Note [CPU fallback]).
#pragma once

#include <string_view>

#include "ember/dispatcher/cpu_fallback.h"
#include "ember/dispatcher/dispatcher.h"

namespace ember {

// Registers the fallback at the backend slot `slot`; the handle takes it away again.
RegistrationHandle register_cpu_fallback(BackendSlot slot);

// Runs a call whose kernel on backend `slot` declined (`why` is the kernel's message) on the
// CPU instead. The stack holds the call's arguments and receives its returns.
void run_declined_on_cpu(const OperatorHandle& op, BackendSlot slot, Stack& stack, std::string_view why);

}  // namespace ember
