#include "ember/dispatcher/operator_handle.h"

#include <bit>
#include <cstdio>

namespace ember {

namespace detail {
bool g_trace_dispatch = false;
}

OperatorHandle::OperatorHandle(int id, schema::FunctionSchema schema,
                               const std::type_info* signature)
    : id_(id), name_(schema.full_name()), schema_(std::move(schema)), signature_(signature) {
  dispatch_mask_ = DispatchKeySet::all_backends().raw();
}

void OperatorHandle::call_boxed(Stack& stack) const {
  const LocalDispatchKeySet& tls = tls_local_dispatch_key_set;
  DispatchKeySet keys = always_included_ | tls.included;
  for (size_t i = 0; i < stack.size(); ++i) keys = keys | stack[i].key_set();
  redispatch_boxed(keys - tls.excluded, stack);
}

void OperatorHandle::redispatch_boxed(DispatchKeySet keys, Stack& stack) const {
  keys = keys & DispatchKeySet(dispatch_mask_);
  const int index = keys.highest_index();
  const KernelFunction& kernel = index >= 0 && !detail::g_trace_dispatch ? table_[index] : slow_lookup(keys, index);
  if (!kernel.valid()) report_missing_kernel(keys, index);
  kernel.call_boxed(*this, keys, stack);
}

void OperatorHandle::recompute_table(
    const std::array<std::optional<KernelRegistration>, kNumDispatchKeys>& fallbacks) {
  uint64_t mask = DispatchKeySet::all_backends().raw();
  for (int k = 0; k < kNumDispatchKeys; ++k) {
    const KernelRegistration* source = nullptr;
    if (direct_[k]) {
      source = &*direct_[k];
    } else if (k < kMaxBackendSlots && composite_explicit_) {
      source = &*composite_explicit_;
    } else if (k < kMaxBackendSlots && composite_implicit_) {
      source = &*composite_implicit_;
    } else if (k == static_cast<int>(DispatchKey::Autograd) && composite_implicit_) {
      // A decomposition is differentiable through the operators it calls.
      source = &*composite_implicit_;
    } else if (fallbacks[k]) {
      source = &*fallbacks[k];
    }
    table_source_[k] = source;
    table_[k] = source ? source->kernel : KernelFunction();
    if (source && k >= kMaxBackendSlots) mask |= uint64_t{1} << k;
  }
  dispatch_mask_ = mask;
}

OperatorHandle::KernelSource OperatorHandle::kernel_source(int index) const {
  const KernelRegistration* source = table_source_[index];
  if (!source) return KernelSource::None;
  if (direct_[index] && source == &*direct_[index]) return KernelSource::Own;
  const bool composite = (composite_explicit_ && source == &*composite_explicit_) ||
                         (composite_implicit_ && source == &*composite_implicit_);
  return composite ? KernelSource::Composite : KernelSource::Fallback;
}

std::string OperatorHandle::backends_with_kernels() const {
  std::string out;
  auto add = [&out](const std::string& name) { out += (out.empty() ? "" : ", ") + name; };
  if (composite_implicit_) add("CompositeImplicit");
  if (composite_explicit_) add("CompositeExplicit");
  for (int k = 0; k < kMaxBackendSlots; ++k) {
    if (direct_[k]) add(dispatch_key_name(k));
  }
  return out.empty() ? "none" : out;
}

void OperatorHandle::check_one_backend(DispatchKeySet keys) const {
  const DispatchKeySet backends = keys & DispatchKeySet::all_backends();
  EMBER_CHECK(std::popcount(backends.raw()) <= 1,
              "[{}] the arguments are on different backends {}; move them to one device with .to(device)",
              name_, to_string(backends));
}

void OperatorHandle::report_missing_kernel(DispatchKeySet keys, int index) const {
  check_one_backend(keys);
  EMBER_FAIL("[{}] no kernel for dispatch key {} (key set {}); kernels exist for: {}", name_,
             dispatch_key_name(index), to_string(keys), backends_with_kernels());
}

// Note [Calls without a dispatch key]
// A call whose arguments carry no key (cat of an empty list, a factory with nothing to select a
// backend) can still run a composite kernel, which serves every backend and validates its own
// arguments; without one there is nothing to run.
const KernelFunction& OperatorHandle::slow_lookup(DispatchKeySet keys, int index) const {
  const KernelRegistration* source = nullptr;
  if (index >= 0) {
    source = table_source_[index];
  } else {
    source = composite_implicit_ ? &*composite_implicit_ : composite_explicit_ ? &*composite_explicit_ : nullptr;
    EMBER_CHECK(source != nullptr,
                "[{}] no dispatch key: the call has no tensor argument and no device to pick a "
                "backend from; kernels exist for: {}",
                name_, backends_with_kernels());
  }
  if (detail::g_trace_dispatch) {
    std::fprintf(stderr, "[dispatch] %s keys=%s -> %s (%s)\n", name_.c_str(), to_string(keys).c_str(),
                 index >= 0 ? dispatch_key_name(index).c_str() : "no key",
                 source ? source->owner.c_str() : "missing");
  }
  static const KernelFunction kMissing;
  return source ? source->kernel : kMissing;
}

std::string OperatorHandle::dump() const {
  std::string out = schema::to_string(schema_) + "\n";
  auto line = [&out](const std::string& key, const KernelRegistration& r) {
    out += "  " + key + ": " + r.owner + (r.kernel.unboxed() ? " [unboxed]" : " [boxed]") + "\n";
  };
  out += "registrations:\n";
  for (int k = kNumDispatchKeys - 1; k >= 0; --k) {
    if (direct_[k]) line(dispatch_key_name(k), *direct_[k]);
  }
  if (composite_implicit_) line("CompositeImplicit", *composite_implicit_);
  if (composite_explicit_) line("CompositeExplicit", *composite_explicit_);
  out += "table:\n";
  const std::vector<std::string> backends = registered_backend_names();
  for (int k = kNumDispatchKeys - 1; k >= 0; --k) {
    const bool is_backend = k < kMaxBackendSlots;
    if (is_backend && static_cast<size_t>(k) >= backends.size()) continue;
    if (!is_backend && !table_source_[k]) continue;
    out += "  " + dispatch_key_name(k) + ": " +
           (table_source_[k] ? table_source_[k]->owner : std::string("missing")) + "\n";
  }
  return out;
}

}  // namespace ember
