// Copies and fills, elementwise add/mul/relu, a float32 matmul, and the device's own operator
// toy::fused_gelu. Everything else reaches the CPU through Ember's fallback.
#include "kernels.h"

#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include "ember/plugin.hpp"

namespace toy {
namespace {

using ember::sdk::compute_t;
using ember::sdk::dispatch_dtype;
using ember::sdk::KernelArgs;
using ember::sdk::TensorView;

// A kernel's tensor with its data translated from a device address into the arena
// (Note [Toy addresses]).
class Local {
 public:
  Local(const Arena& arena, TensorView t) : view_(*t.view) { view_.data = arena.host(t.view->data); }
  TensorView view() const { return TensorView{&view_}; }

 private:
  ember_tensor_view view_;
};

const Arena& arena_of(void* user_data) { return *static_cast<const Arena*>(user_data); }

template <typename T>
constexpr bool is_16bit_float = std::is_same_v<T, ember::Float16> || std::is_same_v<T, ember::BFloat16>;

// Converts between element types as Ember's CPU backend does: floats reach integers through
// int64 (so out-of-range values wrap instead of being undefined), bool is "not zero".
template <typename To, typename From>
To convert(From value) {
  if constexpr (std::is_same_v<To, bool>) {
    return static_cast<double>(value) != 0;
  } else if constexpr (is_16bit_float<To>) {
    return To(static_cast<float>(value));
  } else if constexpr (std::is_integral_v<To> && !std::is_integral_v<From>) {
    return static_cast<To>(static_cast<int64_t>(static_cast<double>(value)));
  } else {
    return static_cast<To>(value);
  }
}

template <typename T, typename Fn, size_t... I>
void apply_run(char** ptrs, const int64_t* strides, int64_t count, Fn& fn, std::index_sequence<I...>) {
  using C = compute_t<T>;
  for (int64_t i = 0; i < count; ++i) {
    *reinterpret_cast<T*>(ptrs[0] + i * strides[0]) =
        convert<T>(fn(static_cast<C>(*reinterpret_cast<const T*>(ptrs[I + 1] + i * strides[I + 1]))...));
  }
}

// out = fn(inputs...) elementwise, broadcasting; every operand holds T and fn computes in
// compute_t<T>. operands[0] is the output.
template <typename T, int N, typename Fn>
void map(const Local (&operands)[N], Fn fn) {
  TensorView views[N];
  for (int k = 0; k < N; ++k) views[k] = operands[k].view();
  const ember::sdk::StridedLoop<N> loop(views);
  loop.run(0, loop.numel(), [&](char** ptrs, const int64_t* strides, int64_t count) {
    apply_run<T>(ptrs, strides, count, fn, std::make_index_sequence<N - 1>());
  });
}

void require_same_dtype(const KernelArgs& args, int num_inputs) {
  for (int i = 0; i < num_inputs; ++i) {
    if (args.tensor(i).dtype() != args.output().dtype()) ember::sdk::decline("operands of mixed dtypes");
  }
}

void copy(const KernelArgs& args, void* user_data) {
  const Arena& arena = arena_of(user_data);
  const Local dst(arena, args.output()), src(arena, args.tensor(1));
  const TensorView views[2] = {dst.view(), src.view()};
  dispatch_dtype(dst.view().dtype(), [&](auto to) {
    dispatch_dtype(src.view().dtype(), [&](auto from) {
      using To = decltype(to);
      using From = decltype(from);
      const ember::sdk::StridedLoop<2> loop(views);
      loop.run(0, loop.numel(), [](char** ptrs, const int64_t* strides, int64_t count) {
        for (int64_t i = 0; i < count; ++i) {
          const From value = *reinterpret_cast<const From*>(ptrs[1] + i * strides[1]);
          *reinterpret_cast<To*>(ptrs[0] + i * strides[0]) = convert<To>(static_cast<compute_t<From>>(value));
        }
      });
    });
  });
}

void fill(const KernelArgs& args, void* user_data) {
  const Local out(arena_of(user_data), args.output());
  const ember_value& value = args.arg(1);
  dispatch_dtype(out.view().dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T v = value.tag == EMBER_VALUE_DOUBLE ? convert<T>(value.u.d) : convert<T>(args.to_int(1));
    const Local operands[1] = {out};
    map<T>(operands, [v] { return static_cast<compute_t<T>>(v); });
  });
}

template <typename Op>
void binary(const KernelArgs& args, void* user_data, Op op) {
  require_same_dtype(args, 2);
  const Arena& arena = arena_of(user_data);
  const Local operands[3] = {Local(arena, args.output()), Local(arena, args.tensor(0)), Local(arena, args.tensor(1))};
  dispatch_dtype(args.output().dtype(), [&](auto zero) {
    using T = decltype(zero);
    map<T>(operands, [&](compute_t<T> a, compute_t<T> b) { return op(a, b); });
  });
}

void add(const KernelArgs& args, void* user_data) {
  const double alpha = args.to_double(2);
  binary(args, user_data, [alpha](auto a, auto b) { return a + static_cast<decltype(a)>(alpha) * b; });
}

void mul(const KernelArgs& args, void* user_data) {
  binary(args, user_data, [](auto a, auto b) { return a * b; });
}

template <typename Fn>
void unary(const KernelArgs& args, void* user_data, Fn fn) {
  require_same_dtype(args, 1);
  const Arena& arena = arena_of(user_data);
  const Local operands[2] = {Local(arena, args.output()), Local(arena, args.tensor(0))};
  dispatch_dtype(args.output().dtype(), [&](auto zero) {
    using T = decltype(zero);
    map<T>(operands, [&](compute_t<T> x) { return fn(x); });
  });
}

void relu(const KernelArgs& args, void* user_data) {
  unary(args, user_data, [](auto x) { return x > 0 || x != x ? x : decltype(x){0}; });  // NaN stays NaN
}

// GELU with the tanh approximation, in one pass: the kind of fused kernel a vendor adds.
void fused_gelu(const KernelArgs& args, void* user_data) {
  unary(args, user_data, [](auto x) {
    if constexpr (std::is_floating_point_v<decltype(x)>) {
      using C = decltype(x);
      const C k = static_cast<C>(0.7978845608028654);  // sqrt(2 / pi)
      return static_cast<C>(0.5) * x * (1 + std::tanh(k * (x + static_cast<C>(0.044715) * x * x * x)));
    } else {
      ember::sdk::decline("fused_gelu computes in floating point only");
      return x;
    }
  });
}

// out[n, m] = a[n, k] @ b[k, m] for float32, in any strides.
void mm(const KernelArgs& args, void* user_data) {
  require_same_dtype(args, 2);
  if (args.output().dtype() != EMBER_DTYPE_FLOAT32) ember::sdk::decline("the toy matmul is float32 only");
  const Arena& arena = arena_of(user_data);
  const Local local_out(arena, args.output()), local_a(arena, args.tensor(0)), local_b(arena, args.tensor(1));
  const TensorView out = local_out.view(), a = local_a.view(), b = local_b.view();
  const int64_t n = a.size(0), k = a.size(1), m = b.size(1);
  for (int64_t i = 0; i < n; ++i) {
    float* row = out.data<float>() + i * out.stride(0);
    for (int64_t j = 0; j < m; ++j) row[j * out.stride(1)] = 0;
    for (int64_t p = 0; p < k; ++p) {
      const float x = a.data<float>()[i * a.stride(0) + p * a.stride(1)];
      const float* b_row = b.data<float>() + p * b.stride(0);
      for (int64_t j = 0; j < m; ++j) row[j * out.stride(1)] += x * b_row[j * b.stride(1)];
    }
  }
}

}  // namespace

void register_kernels(const ember_host_api* host, Arena* arena, const std::string& name) {
  using ember::sdk::guarded_kernel;
  using ember::sdk::register_kernel;
  if (!EMBER_HOST_HAS(host, define_operator)) {
    throw ember::sdk::KernelError(EMBER_STATUS_VERSION_MISMATCH, "the host cannot define operators (ABI < 1.1)");
  }
  char message[512] = "";
  const std::string gelu = name + "::fused_gelu";
  if (host->define_operator(host->host_context, (gelu + "(Tensor self) -> Tensor").c_str(), "elementwise_unary_float",
                            message, sizeof message) != EMBER_STATUS_OK) {
    throw ember::sdk::KernelError(EMBER_STATUS_INVALID_ARGUMENT, message);
  }
  register_kernel(host, gelu.c_str(), &guarded_kernel<&fused_gelu>, arena);
  register_kernel(host, "copy_", &guarded_kernel<&copy>, arena);
  register_kernel(host, "fill_.Scalar", &guarded_kernel<&fill>, arena);
  register_kernel(host, "add.Tensor", &guarded_kernel<&add>, arena);
  register_kernel(host, "mul.Tensor", &guarded_kernel<&mul>, arena);
  register_kernel(host, "relu", &guarded_kernel<&relu>, arena);
  register_kernel(host, "mm", &guarded_kernel<&mm>, arena);
}

}  // namespace toy
