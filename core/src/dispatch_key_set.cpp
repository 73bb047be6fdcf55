#include "ember/core/dispatch_key_set.h"

namespace ember {

std::string dispatch_key_name(int index) {
  if (index < kMaxBackendSlots) return std::string(backend_name(static_cast<BackendSlot>(index)));
  switch (static_cast<DispatchKey>(index)) {
    case DispatchKey::BackendSelect: return "BackendSelect";
    case DispatchKey::Quantized: return "Quantized";
    case DispatchKey::Autograd: return "Autograd";
    case DispatchKey::Autocast: return "Autocast";
    case DispatchKey::TestLow: return "TestLow";
    case DispatchKey::TestHigh: return "TestHigh";
  }
  return "Key" + std::to_string(index);
}

std::string to_string(DispatchKeySet set) {
  std::string out = "{";
  for (int i = kNumDispatchKeys - 1; i >= 0; --i) {
    if (!set.has_index(i)) continue;
    if (out.size() > 1) out += ", ";
    out += dispatch_key_name(i);
  }
  return out + "}";
}

}  // namespace ember
