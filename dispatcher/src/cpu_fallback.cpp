#include "cpu_fallback.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "ember/core/host_copy.h"
#include "ember/dispatcher/backend_loader.h"

namespace ember {
namespace {

// Note [CPU fallback]
// A call that reaches a device without a kernel for its operator runs on the CPU backend. Each
// tensor argument on that device is read to the host as the whole storage span its view
// reaches, so strides and offsets survive and no device kernel is needed; the CPU kernel runs;
// arguments the schema marks written (`Tensor(a!)`) go back over the same spans, returns that
// alias them are the original tensors, and every other returned tensor moves to the device.
// Only the plugin's copy functions touch its memory, so a plugin with no kernels at all still
// runs every operator, and one whose memory the host cannot address runs them as well.

CpuFallbackMode mode_from_environment() {
  const char* text = std::getenv("EMBER_CPU_FALLBACK");
  if (!text || !*text || std::strcmp(text, "warn") == 0) return CpuFallbackMode::Warn;
  if (std::strcmp(text, "silent") == 0) return CpuFallbackMode::Silent;
  if (std::strcmp(text, "error") == 0) return CpuFallbackMode::Error;
  std::fprintf(stderr, "[ember] EMBER_CPU_FALLBACK=%s: expected warn, silent or error; using warn\n", text);
  return CpuFallbackMode::Warn;
}

std::atomic<CpuFallbackMode>& mode() {
  static std::atomic<CpuFallbackMode> value(mode_from_environment());
  return value;
}

// Applies the mode: throws when the fallback is off, warns once per backend and operator.
void announce(const OperatorHandle& op, BackendSlot slot, const std::string& why) {
  switch (cpu_fallback_mode()) {
    case CpuFallbackMode::Error:
      EMBER_FAIL("[{}] {}, and the CPU fallback is off (EMBER_CPU_FALLBACK=error)", op.name(), why);
    case CpuFallbackMode::Silent:
      return;
    case CpuFallbackMode::Warn:
      break;
  }
  static std::mutex mutex;
  static std::set<std::pair<int, int>> warned;
  {
    std::lock_guard lock(mutex);
    if (!warned.emplace(slot, op.id()).second) return;
  }
  std::fprintf(stderr,
               "[ember] warning: [%s] %s; it runs on the CPU, its tensors copied both ways (said once "
               "per operator; EMBER_CPU_FALLBACK=silent hides this, =error forbids it)\n",
               op.name().c_str(), why.c_str());
}

int64_t span_elements(const Tensor& t) {
  if (t.numel() == 0) return 0;
  int64_t span = 1;
  for (int64_t d = 0; d < t.dim(); ++d) span += (t.size(d) - 1) * t.stride(d);
  return span;
}

// A CPU tensor with `t`'s sizes and strides over a host copy of the storage span `t` reaches.
Tensor read_span(const Tensor& t, Device cpu) {
  const int64_t span = span_elements(t);
  const size_t item = itemsize(t.dtype());
  const Tensor buffer = empty_on({span}, t.dtype(), cpu);
  if (span > 0) {
    read_to_host(t.impl()->storage(), static_cast<size_t>(t.storage_offset()) * item,
                 static_cast<size_t>(span) * item, buffer.raw_data());
  }
  return make_tensor(buffer.impl()->storage(), t.dtype(), t.sizes(), t.strides(), 0);
}

// Writes `host`, made by read_span(t), back over the span of `t`.
void write_span(const Tensor& t, const Tensor& host) {
  const size_t item = itemsize(t.dtype());
  const size_t nbytes = static_cast<size_t>(span_elements(t)) * item;
  if (nbytes == 0) return;
  const Storage& storage = t.impl()->storage();
  char* target = static_cast<char*>(storage->data()) + static_cast<size_t>(t.storage_offset()) * item;
  storage->device_interface().copy(t.device().index(), target, host.impl()->storage()->data(), nbytes,
                                   DeviceInterface::CopyKind::HostToDevice);
}

// The dispatcher's to.device, as the frontend's Tensor::to(Device) would call it.
Tensor to_device(const Tensor& t, Device device) {
  static const OperatorHandle& op = Dispatcher::singleton().get("to.device");
  return op.call<Tensor, const Tensor&, Device>(t, device);
}

// The argument a return aliases through a written alias set (`-> Tensor(a!)`), or -1.
int written_argument(const schema::FunctionSchema& schema, const schema::Return& ret) {
  if (!ret.type.alias || !ret.type.alias->is_write) return -1;
  for (size_t i = 0; i < schema.arguments.size(); ++i) {
    if (schema.arguments[i].type.alias == ret.type.alias) return static_cast<int>(i);
  }
  return -1;
}

void run_on_cpu(const OperatorHandle& op, BackendSlot slot, Stack& stack) {
  const Device cpu(require_backend("cpu"), 0);
  EMBER_CHECK(op.table_entry(cpu.slot()).valid(),
              "[{}] the {} backend has no kernel for it, and neither has the CPU to fall back to; kernels exist "
              "for: {}", op.name(), backend_name(slot), op.backends_with_kernels());
  const schema::FunctionSchema& schema = op.schema();
  const size_t n = stack.size();
  EMBER_ASSERT(n == schema.arguments.size());
  std::optional<Device> device;
  Tensor originals[Stack::kCapacity], copies[Stack::kCapacity];
  std::vector<std::vector<Tensor>> lists;
  lists.reserve(n);  // stable: the stack borrows each list
  auto on_device = [&](Device d) {
    if (d.slot() != slot) return false;
    if (!device) device = d;
    return true;
  };
  for (size_t i = 0; i < n; ++i) {
    IValue& v = stack[i];
    if (v.is_tensor() && on_device(v.tensor_ref().device())) {
      originals[i] = v.to_tensor();
      copies[i] = read_span(originals[i], cpu);
      v = IValue(copies[i]);
    } else if (v.is_tensor_list()) {
      std::vector<Tensor>& list = lists.emplace_back();
      for (const Tensor& t : v.to_tensor_list()) {
        list.push_back(t.defined() && on_device(t.device()) ? read_span(t, cpu) : t);
      }
      v = IValue(TensorList(list));
    } else if (v.tag() == IValue::Tag::Device && on_device(v.to_device())) {
      v = IValue(cpu);
    }
  }
  EMBER_ASSERT(device.has_value());
  op.redispatch_boxed(DispatchKeySet::backend(cpu.slot()), stack);

  for (size_t i = 0; i < n; ++i) {
    const auto& alias = schema.arguments[i].type.alias;
    if (originals[i].defined() && alias && alias->is_write) write_span(originals[i], copies[i]);
  }
  for (size_t r = 0; r < stack.size(); ++r) {
    if (!stack[r].is_tensor()) continue;
    const int source = r < schema.returns.size() ? written_argument(schema, schema.returns[r]) : -1;
    if (source >= 0 && originals[source].defined()) {
      stack[r] = IValue(originals[source]);
    } else {
      stack[r] = IValue(to_device(stack[r].to_tensor(), *device));
    }
  }
}

void fallback_kernel(const KernelFunction&, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  op.check_one_backend(keys);
  const BackendSlot slot = keys.highest_backend();
  announce(op, slot, fmt::format("the {} backend has no kernel for it", backend_name(slot)));
  run_on_cpu(op, slot, stack);
}

}  // namespace

CpuFallbackMode cpu_fallback_mode() { return mode().load(std::memory_order_relaxed); }

void set_cpu_fallback_mode(CpuFallbackMode value) { mode().store(value, std::memory_order_relaxed); }

RegistrationHandle register_cpu_fallback(BackendSlot slot) {
  return Dispatcher::singleton().fallback(slot, KernelFunction::from_boxed(&fallback_kernel), "CPU fallback");
}

void run_declined_on_cpu(const OperatorHandle& op, BackendSlot slot, Stack& stack, std::string_view why) {
  announce(op, slot, fmt::format("the {} kernel declined: {}", backend_name(slot), why));
  run_on_cpu(op, slot, stack);
}

}  // namespace ember
