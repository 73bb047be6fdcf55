// Note [Autocast]
// An AutocastGuard includes the Autocast key, which sits above Autograd, in every call on its
// thread. Only the operators listed here have an Autocast kernel; the key is masked out of every
// other operator's dispatch, so they run as they are and cost nothing more. A listed operator
// casts its floating tensor operands on the region's device type (float64 excepted, as in
// PyTorch): matrix products and convolutions down to the region's dtype, operators that need
// float32's range or precision (exponentials and logarithms, reductions, softmax, linear algebra)
// up to float32. Composite operators (linear, matmul, einsum, the losses, the norms) decompose
// into listed ones. The casts are ordinary operator calls, so Autograd records them and a float32
// parameter receives a float32 gradient. Casts of leaves that require grad (parameters) are
// cached until the outermost region ends, so a weight used at every step of a recurrent network
// is cast once. The kernels exclude the key while they cast and redispatch: nothing autocasts
// twice.
#include "ember/autocast.h"

#include <unordered_map>

#include "ember/ember.h"

namespace ember {
namespace {

constexpr int kAutocast = static_cast<int>(DispatchKey::Autocast);

// Matrix products and convolutions: faster, and accurate enough, in 16 bits.
constexpr const char* kLowerPrecision[] = {"mm", "bmm", "addmm", "conv2d"};
// Operators whose results 16 bits would spoil.
constexpr const char* kFloat32[] = {
    "pow.Tensor_Tensor", "exp", "expm1", "log", "log10", "log2", "log1p", "rsqrt", "reciprocal",
    "tan", "asin", "acos", "sinh", "cosh", "erfinv", "sum", "prod", "mean", "var", "cumsum",
    "cumprod", "norm", "logsumexp", "softmax.int", "log_softmax.int", "linalg_solve",
    "linalg_cholesky_ex", "linalg_lu_factor_ex", "linalg_qr", "linalg_svd", "linalg_eigh", "linalg_det",
    "linalg_slogdet", "linalg_solve_triangular"};

thread_local AutocastState tls_autocast;
thread_local int tls_region_depth = 0;
// Casts of parameters made in the current outermost region: the original (kept so that its
// address is not reused) and its cast.
thread_local std::unordered_map<const TensorImpl*, std::pair<Tensor, Tensor>> tls_cast_cache;

Tensor cast(const Tensor& t, DType dtype) {
  const bool cacheable = t.is_leaf() && t.requires_grad();
  if (!cacheable) return t.to(dtype);
  auto it = tls_cast_cache.find(t.impl());
  if (it != tls_cast_cache.end() && it->second.second.dtype() == dtype) return it->second.second;
  Tensor result = t.to(dtype);
  tls_cast_cache[t.impl()] = {t, result};
  return result;
}

// Casts the floating tensor operands on the region's device type that `wanted` says need it to
// `dtype`, then runs the operator below Autocast.
template <bool (*wanted)(DType)>
void cast_and_run(const OperatorHandle& op, DispatchKeySet keys, Stack& stack, DType dtype) {
  ExcludeDispatchKeyGuard no_autocast(DispatchKey::Autocast);
  const size_t arguments = op.schema().arguments.size();
  for (size_t i = 0; i < arguments; ++i) {
    if (!stack[i].is_tensor()) continue;
    const Tensor& t = stack[i].tensor_ref();
    if (!wanted(t.dtype()) || t.device().slot() != tls_autocast.device_type) continue;
    stack[i] = IValue(cast(t, dtype));
  }
  op.redispatch_boxed(keys.below(kAutocast), stack);
}

bool is_float32(DType dtype) { return dtype == DType::Float32; }
bool is_half_width(DType dtype) { return dtype == DType::Float16 || dtype == DType::BFloat16; }

void lower_precision_kernel(const KernelFunction&, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  cast_and_run<&is_float32>(op, keys, stack, tls_autocast.dtype);
}

void float32_kernel(const KernelFunction&, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  cast_and_run<&is_half_width>(op, keys, stack, DType::Float32);
}

// Makes `state` this thread's, with the Autocast key included in its calls exactly when enabled.
void make_current(const AutocastState& state) {
  tls_autocast = state;
  LocalDispatchKeySet& local = tls_local_dispatch_key_set;
  const DispatchKeySet key(DispatchKey::Autocast);
  local.included = state.enabled ? local.included | key : local.included - key;
}

}  // namespace

AutocastGuard::AutocastGuard(std::string_view device_type, DType dtype, bool enabled) : saved_(tls_autocast) {
  EMBER_CHECK(is_half_width(dtype), "[autocast] dtype: expected float16 or bfloat16, got {}", dtype_name(dtype));
  make_current(AutocastState{enabled, require_backend(std::string(device_type)), dtype});
  ++tls_region_depth;
}

AutocastGuard::~AutocastGuard() {
  make_current(saved_);
  if (--tls_region_depth == 0) tls_cast_cache.clear();
}

bool autocast_enabled() { return tls_autocast.enabled; }

DType autocast_dtype() { return tls_autocast.dtype; }

std::vector<RegistrationHandle> register_autocast_kernels(Dispatcher& dispatcher) {
  std::vector<RegistrationHandle> handles;
  const std::string owner = "autocast";
  for (const char* name : kLowerPrecision) {
    handles.push_back(dispatcher.impl(dispatcher.get(name), DispatchKey::Autocast,
                                      KernelFunction::from_boxed(&lower_precision_kernel), owner));
  }
  for (const char* name : kFloat32) {
    handles.push_back(dispatcher.impl(dispatcher.get(name), DispatchKey::Autocast,
                                      KernelFunction::from_boxed(&float32_kernel), owner));
  }
  return handles;
}

}  // namespace ember
