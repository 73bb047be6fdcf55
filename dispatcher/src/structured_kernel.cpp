#include "structured_kernel.h"

#include <algorithm>
#include <array>
#include <string>

#include "ember/dispatcher/dispatcher.h"
#include "ember/dispatcher/random_state.h"
#include "cpu_fallback.h"

namespace ember {
namespace {

constexpr size_t kMaxViews = Stack::kCapacity + structured::kMaxOutputs;

bool can_cast(DType from, DType to) {
  auto category = [](DType d) { return is_floating(d) ? 2 : d == DType::Bool ? 0 : 1; };
  return category(from) <= category(to);
}

const OperatorHandle& copy_op() {
  static const OperatorHandle& op = Dispatcher::singleton().get("copy_");
  return op;
}

void copy_into(const Tensor& dst, const Tensor& src) {
  copy_op().call<Tensor, const Tensor&, const Tensor&>(dst, src);
}

Tensor cast(const Tensor& t, DType dtype) {
  Tensor out = empty_on(t.sizes(), dtype, t.device());
  copy_into(out, t);
  return out;
}

// C views of the call's tensors. Geometry is borrowed from the tensors (or from the
// keepdim shapes below), all of which outlive the kernel call.
class ViewTable {
 public:
  const ember_tensor_view* add(const TensorImpl& t, IntArrayRef sizes, IntArrayRef strides) {
    EMBER_ASSERT(count_ < kMaxViews);
    ember_tensor_view& v = views_[count_++];
    v.struct_size = sizeof(ember_tensor_view);
    v.dtype = static_cast<int32_t>(t.dtype());
    v.ndim = static_cast<int32_t>(sizes.size());
    v.device_index = t.device().index();
    v.data = t.storage()->data();
    v.offset = t.storage_offset();
    v.sizes = sizes.data();
    v.strides = strides.data();
    return &v;
  }
  const ember_tensor_view* add(const TensorImpl& t) { return add(t, t.sizes(), t.strides()); }
  const ember_tensor_view* data() const { return views_.data(); }

 private:
  std::array<ember_tensor_view, kMaxViews> views_;
  size_t count_ = 0;
};

// Writes the C value in place, field by field: a value built aside and copied as a whole was
// read back wider than it was written, which stalls the store forwarding on every argument.
void to_c_value(const IValue& v, const ember_tensor_view* tensor_view, ember_value& c) {
  c.reserved = 0;
  switch (v.tag()) {
    case IValue::Tag::None: c.tag = EMBER_VALUE_NONE; c.u.i = 0; break;
    case IValue::Tag::Tensor: c.tag = EMBER_VALUE_TENSOR; c.u.tensor = tensor_view; break;
    case IValue::Tag::Int: c.tag = EMBER_VALUE_INT; c.u.i = v.to_int(); break;
    case IValue::Tag::Double: c.tag = EMBER_VALUE_DOUBLE; c.u.d = v.to_double(); break;
    case IValue::Tag::Bool: c.tag = EMBER_VALUE_BOOL; c.u.i = v.to_bool(); break;
    case IValue::Tag::IntList:
      c.tag = EMBER_VALUE_INT_LIST;
      c.u.ints = {v.to_int_list().data(), static_cast<int64_t>(v.to_int_list().size())};
      break;
    case IValue::Tag::DType: c.tag = EMBER_VALUE_DTYPE; c.u.i = static_cast<int32_t>(v.to_dtype()); break;
    default: EMBER_FAIL("[structured] argument of type {} cannot cross the plugin boundary", v.tag_name());
  }
}

Device common_device(const OperatorHandle& op, const IValue* args, size_t n) {
  const IValue* first = std::find_if(args, args + n, [](const IValue& v) { return v.is_tensor(); });
  EMBER_ASSERT(first != args + n);
  const Device device = first->tensor_impl()->device();
  for (const IValue* v = first + 1; v != args + n; ++v) {
    if (!v->is_tensor()) continue;
    const Device d = v->tensor_impl()->device();
    EMBER_CHECK(d == device, "[{}] {}: expected a tensor on {}, got one on {}", op.name(),
                op.schema().arguments[v - args].name, device.str(), d.str());
  }
  return device;
}

// The user-visible results, and for an out= result of another dtype the tensor the kernel writes
// aside (out= operators have one result). One handle each: every extra reference would be an
// atomic increment and decrement per call.
struct Outputs {
  Tensor result[structured::kMaxOutputs];
  Tensor aside;
  const Tensor& kernel(int i) const { return i == 0 && aside.defined() ? aside : result[i]; }
};

Outputs prepare_outputs(const StructuredKernel& k, const OperatorHandle& op, const structured::Meta& m,
                        Stack& stack, Device device) {
  Outputs o;
  using Variant = StructuredKernel::Variant;
  if (k.variant == Variant::WritesSelf) {
    o.result[0] = stack[0].to_tensor();
    return o;
  }
  if (k.variant == Variant::Functional) {
    for (int i = 0; i < m.num_outputs; ++i) o.result[i] = empty_on(m.sizes[i], m.dtypes[i], device);
    return o;
  }
  const bool inplace = k.variant == Variant::Inplace;
  Tensor target = stack[inplace ? 0 : k.num_functional_args].to_tensor();
  const char* arg = inplace ? "self" : "out";
  EMBER_CHECK(target.defined(), "[{}] {}: expected a tensor, got None", op.name(), arg);
  EMBER_CHECK(target.device() == device, "[{}] {}: expected a tensor on {}, got {}", op.name(), arg,
              device.str(), target.device().str());
  EMBER_CHECK(target.sizes().equals(m.sizes[0]),
              "[{}] {}: expected shape [{}] for the result, got [{}]", op.name(), arg,
              fmt::join(m.sizes[0], ", "), fmt::join(target.sizes(), ", "));
  EMBER_CHECK(can_cast(m.dtypes[0], target.dtype()),
              "[{}] {}: result type {} can't be cast to the desired output type {}", op.name(), arg,
              dtype_name(m.dtypes[0]), dtype_name(target.dtype()));
  // A result of another dtype is computed aside and copied in.
  if (target.dtype() != m.dtypes[0]) o.aside = empty_on(m.sizes[0], m.dtypes[0], device);
  o.result[0] = std::move(target);
  return o;
}

// Reductions see outputs with the input's rank: reduced dims kept with size 1 and stride 0.
void keepdim_geometry(const Tensor& out, const TensorImpl& input, const DimVector& reduced,
                      DimVector& sizes, DimVector& strides) {
  size_t next = 0;
  const bool squeezed = out.dim() != input.dim();
  for (int64_t d = 0; d < input.dim(); ++d) {
    const bool is_reduced = std::find(reduced.begin(), reduced.end(), d) != reduced.end();
    if (is_reduced) {
      sizes.push_back(1);
      strides.push_back(0);
      if (!squeezed) ++next;
    } else {
      sizes.push_back(out.sizes()[next]);
      strides.push_back(out.strides()[next]);
      ++next;
    }
  }
}

}  // namespace

StructuredKernel make_structured_kernel(const OperatorHandle& op, ember_kernel_fn fn,
                                        void* user_data, std::string owner, bool cpu_fallback) {
  StructuredKernel k;
  k.fn = fn;
  k.user_data = user_data;
  k.owner = std::move(owner);
  k.cpu_fallback = cpu_fallback;
  k.meta = structured::find_meta(op.structured_kind());
  EMBER_CHECK(k.meta != nullptr, "[{}] {}: the operator is not structured, so a plugin cannot "
              "implement it", op.name(), k.owner);
  const auto& schema = op.schema();
  k.num_functional_args = schema.arguments.size();
  k.draws_random = op.structured_kind() == "random" || op.structured_kind() == "sampling";
  if (schema.is_out()) {
    k.variant = StructuredKernel::Variant::Out;
    k.num_functional_args -= 1;
  } else if (schema.is_inplace()) {
    const std::string& kind = op.structured_kind();
    const bool fills_self = kind == "copy" || kind == "fill" || kind == "random";
    k.variant = fills_self ? StructuredKernel::Variant::WritesSelf : StructuredKernel::Variant::Inplace;
  }
  return k;
}

void call_structured_kernel(const KernelFunction& self, const OperatorHandle& op,
                            DispatchKeySet /*keys*/, Stack& stack) {
  const StructuredKernel& k = *static_cast<const StructuredKernel*>(self.functor());
  const size_t n = k.num_functional_args;
  const structured::Meta m = k.meta(op, &stack[0], n);
  const Device device = common_device(op, &stack[0], n);
  Outputs outputs = prepare_outputs(k, op, m, stack, device);

  // Inputs are borrowed from the stack (set only at tensor positions); a cast makes a new
  // tensor, held in `casts`.
  const TensorImpl* inputs[Stack::kCapacity];
  Tensor casts[structured::kMaxCasts];
  int num_casts = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!stack[i].is_tensor()) continue;
    inputs[i] = stack[i].tensor_impl();
    if ((m.cast_mask >> i & 1) && inputs[i]->dtype() != m.compute_dtype) {
      EMBER_ASSERT(num_casts < structured::kMaxCasts);
      casts[num_casts] = cast(stack[i].to_tensor(), m.compute_dtype);
      inputs[i] = casts[num_casts++].impl();
    }
  }

  ViewTable views;
  DimVector keep_sizes[structured::kMaxKeepdimOutputs], keep_strides[structured::kMaxKeepdimOutputs];
  for (int i = 0; i < m.num_outputs; ++i) {
    if (m.keepdim_view) {
      EMBER_DASSERT(i < structured::kMaxKeepdimOutputs);
      keepdim_geometry(outputs.kernel(i), *inputs[0], m.reduced_dims, keep_sizes[i], keep_strides[i]);
      views.add(*outputs.kernel(i).impl(), keep_sizes[i], keep_strides[i]);
    } else {
      views.add(*outputs.kernel(i).impl());
    }
  }
  std::array<ember_value, Stack::kCapacity + 2> args;  // every used entry is fully written
  std::vector<std::string> strings;  // stable: reserved before the first one is added
  size_t num_args = 0;
  for (size_t i = 0; i < n; ++i, ++num_args) {
    const IValue& v = stack[i];
    if (static_cast<int>(i) == m.dim_arg) {
      to_c_value(IValue(m.reduced_dims.ref()), nullptr, args[i]);
    } else if (v.tag() == IValue::Tag::String) {
      if (strings.empty()) strings.reserve(n);
      strings.emplace_back(v.to_string());  // the ABI wants NUL-terminated text
      args[i] = ember_value{};
      args[i].tag = EMBER_VALUE_STRING;
      args[i].u.str = strings.back().c_str();
    } else {
      to_c_value(v, v.is_tensor() ? views.add(*inputs[i]) : nullptr, args[i]);
    }
  }
  if (k.draws_random) {
    const RandomDraw draw = reserve_random(static_cast<uint64_t>(outputs.kernel(0).numel()));
    for (const uint64_t value : {draw.seed, draw.offset}) {
      args[num_args] = ember_value{};
      args[num_args].tag = EMBER_VALUE_INT;
      args[num_args++].u.i = static_cast<int64_t>(value);
    }
  }

  char message[512];
  message[0] = '\0';  // only a failing kernel writes more
  ember_kernel_call call{};
  call.struct_size = sizeof(call);
  call.num_outputs = m.num_outputs;
  call.outputs = views.data();
  call.num_args = static_cast<int32_t>(num_args);
  call.args = args.data();
  call.error_message = message;
  call.error_capacity = sizeof(message);
  const ember_status status = k.fn(k.user_data, &call);
  message[sizeof(message) - 1] = '\0';
  if (status == EMBER_STATUS_DECLINED && k.cpu_fallback) {
    // The stack still holds the call's arguments: nothing above has consumed them.
    run_declined_on_cpu(op, device.slot(), stack, message[0] ? message : "no reason given");
    return;
  }
  EMBER_CHECK(status == EMBER_STATUS_OK, "[{}] {} kernel failed (status {}): {}", op.name(), k.owner,
              static_cast<int>(status), message[0] ? message : "no message");

  stack.clear();
  for (int i = 0; i < m.num_outputs; ++i) {
    if (i == 0 && outputs.aside.defined()) copy_into(outputs.result[0], outputs.aside);
    if (k.variant != StructuredKernel::Variant::Functional) {
      outputs.result[i].impl()->bump_version();
    }
    stack.push(std::move(outputs.result[i]));
  }
}

}  // namespace ember
