// Elementwise kernels: binary arithmetic, comparisons, where, and unary math. Inputs arrive
// already cast to the compute dtype (Note [Structured kernels]); broadcasting and strides are
// handled by the SDK's StridedLoop, whose contiguous runs the compiler vectorises.
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include "cpu_features.h"
#include "eltwise_dnnl.h"
#include "ember/bessel_functions.h"
#include "ember/bessel_jy.h"
#include "ember/bessel_k.h"
#include "ember/erfinv.h"
#include "ember/gamma_functions.h"
#include "ember/incomplete_gamma.h"
#include "ember/integer_bits.h"
#include "ember/integer_pow.h"
#include "ember/log_add_exp.h"
#include "ember/next_after.h"
#include "ember/normal_functions.h"
#include "ember/remainder.h"
#include "kernels.h"
#include "sleef_math.h"
#include "strided.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;
using sdk::compute_t;

// out = f(a, b) on a run of elements; the contiguous and scalar-b cases get loops the compiler
// can vectorise.
template <typename Out, typename In, typename F>
void binary_run(char** p, const int64_t* s, int64_t n, F f) {
  Out* out = reinterpret_cast<Out*>(p[0]);
  const In* a = reinterpret_cast<const In*>(p[1]);
  const In* b = reinterpret_cast<const In*>(p[2]);
  using C = compute_t<In>;
  if (s[0] == sizeof(Out) && s[1] == sizeof(In) && s[2] == sizeof(In)) {
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Out>(f(static_cast<C>(a[i]), static_cast<C>(b[i])));
  } else if (s[0] == sizeof(Out) && s[1] == sizeof(In) && s[2] == 0) {
    const C scalar = static_cast<C>(b[0]);
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Out>(f(static_cast<C>(a[i]), scalar));
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const In x = *reinterpret_cast<const In*>(p[1] + i * s[1]);
      const In y = *reinterpret_cast<const In*>(p[2] + i * s[2]);
      *reinterpret_cast<Out*>(p[0] + i * s[0]) = static_cast<Out>(f(static_cast<C>(x), static_cast<C>(y)));
    }
  }
}

template <typename Out, typename In, typename F>
void binary_loop(const TensorView (&ops)[3], F f) {
  for_each_strided<3>(ops, [&](char** p, const int64_t* s, int64_t n) { binary_run<Out, In>(p, s, n, f); });
}

template <typename C>
C nan_aware_max(C a, C b) {
  if constexpr (std::is_floating_point_v<C>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<C>::quiet_NaN();
  }
  return a > b ? a : b;
}
template <typename C>
C nan_aware_min(C a, C b) {
  if constexpr (std::is_floating_point_v<C>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<C>::quiet_NaN();
  }
  return a < b ? a : b;
}

// nextafter in T's own spacing: the 16-bit floats compute as float, whose neighbours are not theirs.
template <typename T>
auto next_after_in() {
  if constexpr (std::is_same_v<T, Float16>) {
    return [](float a, float b) { return sdk::next_after(a, b, sdk::kFloat16Format); };
  } else if constexpr (std::is_same_v<T, BFloat16>) {
    return [](float a, float b) { return sdk::next_after(a, b, sdk::kBFloat16Format); };
  } else {
    return [](compute_t<T> a, compute_t<T> b) { return sdk::next_after(a, b); };
  }
}

// remainder, fmod and floor_divide. Integer division by zero is refused, as PyTorch's CPU kernels
// refuse it: the loop runs on (the helpers give 0) and the check follows, since an exception must
// not leave the OpenMP region the loop may run in.
template <typename T, typename Divide>
void integer_division_checked_loop(const TensorView (&ops)[3], Divide divide) {
  using C = compute_t<T>;
  std::atomic<bool> zero_divisor{false};
  binary_loop<T, T>(ops, [&](C a, C b) {
    if constexpr (std::is_integral_v<C>) {
      if (b == C(0)) zero_divisor.store(true, std::memory_order_relaxed);
    }
    return divide(a, b);
  });
  sdk::check(!zero_divisor.load(), "other: integer division by zero");
}

// The bitwise operators, shifts, gcd and lcm of integers (the host refuses floating operands).
template <typename T>
void integer_binary(Binary op, const TensorView (&ops)[3]) {
  switch (op) {
    case Binary::BitwiseAnd: return binary_loop<T, T>(ops, [](T a, T b) { return a & b; });
    case Binary::BitwiseOr: return binary_loop<T, T>(ops, [](T a, T b) { return a | b; });
    case Binary::BitwiseXor: return binary_loop<T, T>(ops, [](T a, T b) { return a ^ b; });
    case Binary::ShiftLeft: return binary_loop<T, T>(ops, &sdk::shift_left<T>);
    case Binary::ShiftRight: return binary_loop<T, T>(ops, &sdk::shift_right<T>);
    case Binary::Gcd: return binary_loop<T, T>(ops, &sdk::greatest_common_divisor<T>);
    case Binary::Lcm: return binary_loop<T, T>(ops, &sdk::least_common_multiple<T>);
    default: sdk::check(false, "unknown integer operator");
  }
}

void binary_kernel(const KernelArgs& args, void* user_data) {
  const Binary op = untag<Binary>(user_data);
  const TensorView ops[3] = {args.output(), args.tensor(0), args.tensor(1)};
  const bool has_alpha = op == Binary::Add || op == Binary::Sub;
  const double alpha_value = has_alpha ? args.to_double(2) : 1.0;
  sdk::dispatch_dtype(ops[0].dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = compute_t<T>;
    if constexpr (std::is_same_v<T, bool>) {
      switch (op) {
        case Binary::Add: case Binary::Maximum: case Binary::BitwiseOr:
          return binary_loop<T, T>(ops, [](C a, C b) { return a || b; });
        case Binary::Mul: case Binary::Minimum: case Binary::BitwiseAnd:
          return binary_loop<T, T>(ops, [](C a, C b) { return a && b; });
        case Binary::BitwiseXor: return binary_loop<T, T>(ops, [](C a, C b) { return a != b; });
        default: break;
      }
      sdk::check(false, "this operator does not support bool tensors; convert them with .to(dtype) first");
    } else {
      const C alpha = static_cast<C>(alpha_value);
      switch (op) {
        case Binary::Add:
          if (alpha == C(1)) return binary_loop<T, T>(ops, [](C a, C b) { return a + b; });
          return binary_loop<T, T>(ops, [alpha](C a, C b) { return a + alpha * b; });
        case Binary::Sub:
          if (alpha == C(1)) return binary_loop<T, T>(ops, [](C a, C b) { return a - b; });
          return binary_loop<T, T>(ops, [alpha](C a, C b) { return a - alpha * b; });
        case Binary::Mul: return binary_loop<T, T>(ops, [](C a, C b) { return a * b; });
        case Binary::Div: return binary_loop<T, T>(ops, [](C a, C b) { return a / b; });
        case Binary::Pow:
          if constexpr (std::is_integral_v<C>) {
            return binary_loop<T, T>(ops, &sdk::integer_pow<C>);
          } else {
            return binary_loop<T, T>(ops, [](C a, C b) {
              return static_cast<C>(std::pow(static_cast<double>(a), static_cast<double>(b)));
            });
          }
        case Binary::Maximum: return binary_loop<T, T>(ops, &nan_aware_max<C>);
        case Binary::Minimum: return binary_loop<T, T>(ops, &nan_aware_min<C>);
        case Binary::Remainder: return integer_division_checked_loop<T>(ops, &sdk::floored_remainder<C>);
        case Binary::Fmod: return integer_division_checked_loop<T>(ops, &sdk::truncated_remainder<C>);
        case Binary::FloorDivide: return integer_division_checked_loop<T>(ops, &sdk::floored_quotient<C>);
        case Binary::Atan2:
        case Binary::LogAddExp:
        case Binary::Zeta:
        case Binary::GammaInc:
        case Binary::GammaIncC:
        case Binary::GammaIncSlope:
        case Binary::StandardGammaSlope:
        case Binary::NextAfter:
          if constexpr (std::is_floating_point_v<C>) {
            if (op == Binary::NextAfter) return binary_loop<T, T>(ops, next_after_in<T>());
            if (op == Binary::LogAddExp) return binary_loop<T, T>(ops, &sdk::log_add_exp<C>);
            if (op == Binary::Zeta) return binary_loop<T, T>(ops, &sdk::zeta<C>);
            if (op == Binary::GammaInc) return binary_loop<T, T>(ops, &sdk::gammainc<C>);
            if (op == Binary::GammaIncC) return binary_loop<T, T>(ops, &sdk::gammaincc<C>);
            if (op == Binary::GammaIncSlope) return binary_loop<T, T>(ops, &sdk::gammainc_slope<C>);
            if (op == Binary::StandardGammaSlope) return binary_loop<T, T>(ops, &sdk::standard_gamma_slope<C>);
            return binary_loop<T, T>(ops, [](C a, C b) { return std::atan2(a, b); });
          }
          sdk::check(false, "expected floating-point tensors");
          break;
        default:  // bits, shifts and divisors, whose floating operands the host refuses
          if constexpr (std::is_integral_v<C>) return integer_binary<T>(op, ops);
          sdk::check(false, "expected integral tensors");
      }
    }
  });
}

void compare_kernel(const KernelArgs& args, void* user_data) {
  const Compare op = untag<Compare>(user_data);
  const TensorView ops[3] = {args.output(), args.tensor(0), args.tensor(1)};
  sdk::dispatch_dtype(ops[1].dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = compute_t<T>;
    switch (op) {
      case Compare::Eq: return binary_loop<bool, T>(ops, [](C a, C b) { return a == b; });
      case Compare::Ne: return binary_loop<bool, T>(ops, [](C a, C b) { return a != b; });
      case Compare::Lt: return binary_loop<bool, T>(ops, [](C a, C b) { return a < b; });
      case Compare::Le: return binary_loop<bool, T>(ops, [](C a, C b) { return a <= b; });
      case Compare::Gt: return binary_loop<bool, T>(ops, [](C a, C b) { return a > b; });
      case Compare::Ge: return binary_loop<bool, T>(ops, [](C a, C b) { return a >= b; });
    }
  });
}

void where_kernel(const KernelArgs& args, void*) {
  const TensorView ops[4] = {args.output(), args.tensor(0), args.tensor(1), args.tensor(2)};
  sdk::dispatch_dtype(ops[0].dtype(), [&](auto zero) {
    using T = decltype(zero);
    for_each_strided<4>(ops, [](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const bool c = *reinterpret_cast<const bool*>(p[1] + i * s[1]);
        *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const T*>(p[c ? 2 : 3] + i * s[c ? 2 : 3]);
      }
    });
  });
}

// f on every element; a contiguous run goes whole to `run`, a vector routine, where one is given.
template <typename T, typename F, typename Run = std::nullptr_t>
void unary_loop(const TensorView (&ops)[2], F f, Run run = nullptr) {
  using C = compute_t<T>;
  for_each_strided<2>(ops, [&](char** p, const int64_t* s, int64_t n) {
    T* out = reinterpret_cast<T*>(p[0]);
    const T* in = reinterpret_cast<const T*>(p[1]);
    if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
      if constexpr (std::is_null_pointer_v<Run>) {
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(f(static_cast<C>(in[i])));
      } else {
        run(in, out, n);
      }
    } else {
      for (int64_t i = 0; i < n; ++i) {
        const C x = static_cast<C>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
        *reinterpret_cast<T*>(p[0] + i * s[0]) = static_cast<T>(f(x));
      }
    }
  });
}

// round (half to even, as PyTorch's), floor, ceil and trunc of a floating tensor.
template <typename T>
void round_floats(Unary op, const TensorView (&ops)[2]) {
  using C = compute_t<T>;
  switch (op) {
    case Unary::Round: return unary_loop<T>(ops, [](C x) { return std::nearbyint(x); });
    case Unary::Floor: return unary_loop<T>(ops, [](C x) { return std::floor(x); });
    case Unary::Ceil: return unary_loop<T>(ops, [](C x) { return std::ceil(x); });
    case Unary::Trunc: return unary_loop<T>(ops, [](C x) { return std::trunc(x); });
    default: sdk::check(false, "unknown rounding operator");
  }
}

template <typename T>
void float_unary(Unary op, const TensorView (&ops)[2], const KernelArgs& args) {
  using C = compute_t<T>;
  switch (op) {
    case Unary::Exp: return unary_loop<T>(ops, [](C x) { return std::exp(x); });
    case Unary::Exp2: return unary_loop<T>(ops, [](C x) { return std::exp2(x); });
    case Unary::Log: return unary_loop<T>(ops, [](C x) { return std::log(x); });
    case Unary::Log2: return unary_loop<T>(ops, [](C x) { return std::log2(x); });
    case Unary::Log10: return unary_loop<T>(ops, [](C x) { return std::log10(x); });
    case Unary::Log1p: return unary_loop<T>(ops, [](C x) { return std::log1p(x); });
    case Unary::Expm1: return unary_loop<T>(ops, [](C x) { return std::expm1(x); });
    case Unary::Sqrt: return unary_loop<T>(ops, [](C x) { return std::sqrt(x); });
    case Unary::Rsqrt: return unary_loop<T>(ops, [](C x) { return C(1) / std::sqrt(x); });
    case Unary::Reciprocal: return unary_loop<T>(ops, [](C x) { return C(1) / x; });
    case Unary::Sin: return unary_loop<T>(ops, [](C x) { return std::sin(x); });
    case Unary::Cos: return unary_loop<T>(ops, [](C x) { return std::cos(x); });
    case Unary::Tan: return unary_loop<T>(ops, [](C x) { return std::tan(x); });
    case Unary::Asin: return unary_loop<T>(ops, [](C x) { return std::asin(x); });
    case Unary::Acos: return unary_loop<T>(ops, [](C x) { return std::acos(x); });
    case Unary::Atan: return unary_loop<T>(ops, [](C x) { return std::atan(x); });
    case Unary::Sinh: return unary_loop<T>(ops, [](C x) { return std::sinh(x); });
    case Unary::Cosh: return unary_loop<T>(ops, [](C x) { return std::cosh(x); });
    case Unary::Tanh: return unary_loop<T>(ops, [](C x) { return std::tanh(x); });
    case Unary::Asinh: return unary_loop<T>(ops, [](C x) { return std::asinh(x); });
    case Unary::Acosh: return unary_loop<T>(ops, [](C x) { return std::acosh(x); });
    case Unary::Atanh: return unary_loop<T>(ops, [](C x) { return std::atanh(x); });
    case Unary::Sigmoid: return unary_loop<T>(ops, [](C x) { return C(1) / (C(1) + std::exp(-x)); });
    case Unary::Silu: return unary_loop<T>(ops, [](C x) { return x / (C(1) + std::exp(-x)); });
    case Unary::Erf: return unary_loop<T>(ops, [](C x) { return std::erf(x); });
    case Unary::Erfc: return unary_loop<T>(ops, [](C x) { return std::erfc(x); });
    case Unary::Erfinv: return unary_loop<T>(ops, [](C x) { return sdk::inverse_erf(x); });
    case Unary::Erfcx: return unary_loop<T>(ops, &sdk::erfcx<C>);
    case Unary::Ndtri: return unary_loop<T>(ops, &sdk::normal_quantile<C>);
    case Unary::Lgamma: {
      const auto lgamma_of = [](C x) { return std::lgamma(x); };
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        if (has_avx2()) return unary_loop<T>(ops, lgamma_of, [](const T* in, T* out, int64_t n) { sleef_lgamma(in, out, n); });
      }
      return unary_loop<T>(ops, lgamma_of);
    }
    case Unary::Digamma: return unary_loop<T>(ops, &sdk::digamma<C>);
    case Unary::BesselI0: return unary_loop<T>(ops, &sdk::bessel_i0<C>);
    case Unary::BesselI0e: return unary_loop<T>(ops, &sdk::bessel_i0e<C>);
    case Unary::BesselI1: return unary_loop<T>(ops, &sdk::bessel_i1<C>);
    case Unary::BesselI1e: return unary_loop<T>(ops, &sdk::bessel_i1e<C>);
    case Unary::BesselJ0: return unary_loop<T>(ops, &sdk::bessel_j0<C>);
    case Unary::BesselJ1: return unary_loop<T>(ops, &sdk::bessel_j1<C>);
    case Unary::BesselY0: return unary_loop<T>(ops, &sdk::bessel_y0<C>);
    case Unary::BesselY1: return unary_loop<T>(ops, &sdk::bessel_y1<C>);
    case Unary::BesselK0: return unary_loop<T>(ops, &sdk::bessel_k0<C>);
    case Unary::BesselK1: return unary_loop<T>(ops, &sdk::bessel_k1<C>);
    case Unary::BesselK0e: return unary_loop<T>(ops, &sdk::bessel_k0e<C>);
    case Unary::BesselK1e: return unary_loop<T>(ops, &sdk::bessel_k1e<C>);
    case Unary::SphericalBesselJ0: return unary_loop<T>(ops, &sdk::spherical_bessel_j0<C>);
    case Unary::Polygamma: {
      const int64_t n = args.to_int(0);
      return unary_loop<T>(ops, [n](C x) { return sdk::polygamma(n, x); });
    }
    case Unary::Gelu: {
      const std::string approximate = args.to_string(1);
      sdk::check(approximate == "none" || approximate == "tanh",
                 "approximate: expected 'none' or 'tanh', got '" + approximate + "'");
      if (approximate == "tanh") {
        return unary_loop<T>(ops, [](C x) {
          const C k = static_cast<C>(0.7978845608028654);  // sqrt(2 / pi)
          return C(0.5) * x * (C(1) + std::tanh(k * (x + C(0.044715) * x * x * x)));
        });
      }
      return unary_loop<T>(ops, [](C x) { return C(0.5) * x * (C(1) + std::erf(x * C(0.7071067811865476))); });
    }
    default: break;
  }
  sdk::check(false, "unknown floating unary operator");
}

// The oneDNN algorithm computing `op`, where there is one.
std::optional<EltwiseAlgorithm> dnnl_algorithm(Unary op, const KernelArgs& args) {
  using A = dnnl::algorithm;
  switch (op) {
    case Unary::Abs: return EltwiseAlgorithm{A::eltwise_abs};
    case Unary::Relu: return EltwiseAlgorithm{A::eltwise_relu};
    case Unary::Round: return EltwiseAlgorithm{A::eltwise_round};  // half to even, vectorized
    case Unary::Exp: return EltwiseAlgorithm{A::eltwise_exp};
    case Unary::Log: return EltwiseAlgorithm{A::eltwise_log};
    case Unary::Sqrt: return EltwiseAlgorithm{A::eltwise_sqrt};
    case Unary::Tanh: return EltwiseAlgorithm{A::eltwise_tanh};
    case Unary::Sigmoid: return EltwiseAlgorithm{A::eltwise_logistic};
    case Unary::Silu: return EltwiseAlgorithm{A::eltwise_swish, 1.f};
    case Unary::Gelu:
      return EltwiseAlgorithm{std::string_view(args.to_string(1)) == "tanh" ? A::eltwise_gelu_tanh : A::eltwise_gelu_erf};
    default: return std::nullopt;
  }
}

void unary_kernel(const KernelArgs& args, void* user_data) {
  const Unary op = untag<Unary>(user_data);
  const TensorView ops[2] = {args.output(), args.tensor(self_position(op))};
  if (ops[0].numel() >= kDnnlEltwiseMinElements) {
    const std::optional<EltwiseAlgorithm> alg = dnnl_algorithm(op, args);
    if (alg && run_dnnl_eltwise(*alg, ops[0], ops[1])) return;
  }
  sdk::dispatch_dtype(ops[0].dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = compute_t<T>;
    if constexpr (std::is_same_v<T, bool>) {
      if (op == Unary::BitwiseNot) return unary_loop<T>(ops, [](C x) { return !x; });
      sdk::check(keeps_bool_values(op), "this operator does not support bool tensors");
      return unary_loop<T>(ops, [](C x) { return x; });
    } else {
      switch (op) {
        case Unary::Neg: return unary_loop<T>(ops, [](C x) { return -x; });
        case Unary::Abs: return unary_loop<T>(ops, [](C x) { return x < C(0) ? -x : x; });
        case Unary::Relu: return unary_loop<T>(ops, [](C x) { return x > C(0) ? x : C(0); });
        case Unary::Round:
        case Unary::Floor:
        case Unary::Ceil:
        case Unary::Trunc:
          if constexpr (std::is_floating_point_v<C>) return round_floats<T>(op, ops);
          return unary_loop<T>(ops, [](C x) { return x; });  // integers are already whole
        case Unary::Sign:  // NaN compares false both ways: 0, as PyTorch's
          return unary_loop<T>(ops, [](C x) { return static_cast<C>((C(0) < x) - (x < C(0))); });
        case Unary::Clamp: {
          const bool has_min = !args.is_none(1), has_max = !args.is_none(2);
          const C lo = has_min ? static_cast<C>(args.to_double(1)) : C(0);
          const C hi = has_max ? static_cast<C>(args.to_double(2)) : C(0);
          return unary_loop<T>(ops, [=](C x) {
            if (has_min && x < lo) x = lo;
            if (has_max && x > hi) x = hi;
            return x;
          });
        }
        case Unary::BitwiseNot:
          if constexpr (std::is_integral_v<C>) return unary_loop<T>(ops, [](C x) { return static_cast<C>(~x); });
          sdk::check(false, "expected an integral tensor");
          break;
        default:
          if constexpr (std::is_floating_point_v<C>) return float_unary<T>(op, ops, args);
          sdk::check(false, "expected a floating-point tensor");
      }
    }
  });
}

}  // namespace

void register_elementwise_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  register_family(host, backends::kBinaryOps, &guarded_kernel<&binary_kernel>);
  register_family(host, backends::kCompareOps, &guarded_kernel<&compare_kernel>);
  sdk::register_kernel(host, "where.self", &guarded_kernel<&where_kernel>);
  register_family(host, backends::kUnaryOps, &guarded_kernel<&unary_kernel>);
}

}  // namespace ember::cpu
