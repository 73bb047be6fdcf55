// Elementwise kernels on the GPU: binary arithmetic, comparisons, where and unary math, with
// broadcasting and strides through the shared StridedGeometry. Inputs arrive cast to the
// compute dtype (Note [Structured kernels]), as on the CPU.
#include <string>

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
#include "gpu_kernels.h"

namespace ember::gpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

template <typename C>
__device__ __forceinline__ bool is_nan(C v) {
  if constexpr (std::is_floating_point_v<C>) return v != v;
  return false;
}

// out = f(a, b) with a, b read as In and converted to compute type C.
template <typename Out, typename In, typename F>
void binary_launch(const TensorView (&ops)[3], F f) {
  using C = compute_t<In>;
  launch_map<Out, In>(ops, [f] __device__(In a, In b) { return static_cast<Out>(f(static_cast<C>(a), static_cast<C>(b))); });
}

// The bitwise operators, shifts, gcd and lcm of integers (the host refuses floating operands).
template <typename T>
void integer_binary(Binary op, const TensorView (&ops)[3]) {
  switch (op) {
    case Binary::BitwiseAnd: return binary_launch<T, T>(ops, [] __device__(T a, T b) { return a & b; });
    case Binary::BitwiseOr: return binary_launch<T, T>(ops, [] __device__(T a, T b) { return a | b; });
    case Binary::BitwiseXor: return binary_launch<T, T>(ops, [] __device__(T a, T b) { return a ^ b; });
    case Binary::ShiftLeft: return binary_launch<T, T>(ops, [] __device__(T a, T b) { return sdk::shift_left(a, b); });
    case Binary::ShiftRight: return binary_launch<T, T>(ops, [] __device__(T a, T b) { return sdk::shift_right(a, b); });
    case Binary::Gcd:
      return binary_launch<T, T>(ops, [] __device__(T a, T b) { return sdk::greatest_common_divisor(a, b); });
    case Binary::Lcm:
      return binary_launch<T, T>(ops, [] __device__(T a, T b) { return sdk::least_common_multiple(a, b); });
    default: sdk::check(false, "unknown integer operator");
  }
}

template <typename T>
void binary_typed(Binary op, const TensorView (&ops)[3], double alpha_value) {
  using C = compute_t<T>;
  if constexpr (std::is_same_v<T, bool>) {
    switch (op) {
      case Binary::Add: case Binary::Maximum: case Binary::BitwiseOr:
        return binary_launch<T, T>(ops, [] __device__(C a, C b) { return a || b; });
      case Binary::Mul: case Binary::Minimum: case Binary::BitwiseAnd:
        return binary_launch<T, T>(ops, [] __device__(C a, C b) { return a && b; });
      case Binary::BitwiseXor: return binary_launch<T, T>(ops, [] __device__(C a, C b) { return a != b; });
      default: sdk::check(false, "this operator does not support bool tensors; convert them with .to(dtype) first");
    }
  } else {
    const C alpha = static_cast<C>(alpha_value);
    switch (op) {
      case Binary::Add: return binary_launch<T, T>(ops, [alpha] __device__(C a, C b) { return a + alpha * b; });
      case Binary::Sub: return binary_launch<T, T>(ops, [alpha] __device__(C a, C b) { return a - alpha * b; });
      case Binary::Mul: return binary_launch<T, T>(ops, [] __device__(C a, C b) { return a * b; });
      case Binary::Div: return binary_launch<T, T>(ops, [] __device__(C a, C b) { return a / b; });
      case Binary::Pow:
        return binary_launch<T, T>(ops, [] __device__(C a, C b) {
          if constexpr (std::is_integral_v<C>) return sdk::integer_pow(a, b);
          else if constexpr (std::is_same_v<C, float>) return powf(a, b);
          else return static_cast<C>(pow(static_cast<double>(a), static_cast<double>(b)));
        });
      case Binary::Maximum:
        return binary_launch<T, T>(ops, [] __device__(C a, C b) { return is_nan(a) || is_nan(b) ? a + b : (a > b ? a : b); });
      case Binary::Minimum:
        return binary_launch<T, T>(ops, [] __device__(C a, C b) { return is_nan(a) || is_nan(b) ? a + b : (a < b ? a : b); });
      // A device kernel cannot raise: an integer divisor of 0 gives 0 here (the CPU refuses it).
      case Binary::Remainder: return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::floored_remainder(a, b); });
      case Binary::Fmod: return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::truncated_remainder(a, b); });
      case Binary::FloorDivide: return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::floored_quotient(a, b); });
      case Binary::Atan2:
      case Binary::LogAddExp:
      case Binary::Zeta:
      case Binary::GammaInc:
      case Binary::GammaIncC:
      case Binary::GammaIncSlope:
      case Binary::StandardGammaSlope:
      case Binary::NextAfter:
        if constexpr (std::is_floating_point_v<C>) {
          if (op == Binary::NextAfter) {
            if constexpr (std::is_same_v<T, gpu_half>) {
              return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::next_after(a, b, sdk::kFloat16Format); });
            } else if constexpr (std::is_same_v<T, gpu_bfloat16>) {
              return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::next_after(a, b, sdk::kBFloat16Format); });
            } else {
              return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::next_after(a, b); });
            }
          }
          if (op == Binary::LogAddExp) {
            return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::log_add_exp(a, b); });
          }
          if (op == Binary::Zeta) return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::zeta(a, b); });
          if (op == Binary::GammaInc) return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::gammainc(a, b); });
          if (op == Binary::GammaIncC) return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::gammaincc(a, b); });
          if (op == Binary::GammaIncSlope) {
            return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::gammainc_slope(a, b); });
          }
          if (op == Binary::StandardGammaSlope) {
            return binary_launch<T, T>(ops, [] __device__(C a, C b) { return sdk::standard_gamma_slope(a, b); });
          }
          return binary_launch<T, T>(ops, [] __device__(C a, C b) { return atan2(a, b); });
        }
        sdk::check(false, "expected floating-point tensors");
        break;
      default:  // bits, shifts and divisors, whose floating operands the host refuses
        if constexpr (std::is_integral_v<C>) return integer_binary<T>(op, ops);
        sdk::check(false, "expected integral tensors");
    }
  }
}

void binary_kernel(const KernelArgs& args, void* user_data) {
  const Binary op = untag<Binary>(user_data);
  const TensorView ops[3] = {args.output(), args.tensor(0), args.tensor(1)};
  const double alpha = op == Binary::Add || op == Binary::Sub ? args.to_double(2) : 1.0;
  dispatch_dtype(ops[0].dtype(), [&](auto zero) { binary_typed<decltype(zero)>(op, ops, alpha); });
}

// Device lambdas may not be defined inside the generic lambdas dispatch_dtype takes, so each
// kernel's typed body is a named template.
template <typename T>
void compare_typed(Compare op, const TensorView (&ops)[3]) {
  using C = compute_t<T>;
  switch (op) {
    case Compare::Eq: return binary_launch<bool, T>(ops, [] __device__(C a, C b) { return a == b; });
    case Compare::Ne: return binary_launch<bool, T>(ops, [] __device__(C a, C b) { return a != b; });
    case Compare::Lt: return binary_launch<bool, T>(ops, [] __device__(C a, C b) { return a < b; });
    case Compare::Le: return binary_launch<bool, T>(ops, [] __device__(C a, C b) { return a <= b; });
    case Compare::Gt: return binary_launch<bool, T>(ops, [] __device__(C a, C b) { return a > b; });
    case Compare::Ge: return binary_launch<bool, T>(ops, [] __device__(C a, C b) { return a >= b; });
  }
}

void compare_kernel(const KernelArgs& args, void* user_data) {
  const Compare op = untag<Compare>(user_data);
  const TensorView ops[3] = {args.output(), args.tensor(0), args.tensor(1)};
  dispatch_dtype(ops[1].dtype(), [&](auto zero) { compare_typed<decltype(zero)>(op, ops); });
}

template <typename T>
void where_typed(const TensorView (&ops)[4]) {
  launch_elementwise<4>(ops, [] __device__(char* (&p)[4]) {
    const bool c = *reinterpret_cast<const bool*>(p[1]);
    *reinterpret_cast<T*>(p[0]) = *reinterpret_cast<const T*>(p[c ? 2 : 3]);
  });
}

void where_kernel(const KernelArgs& args, void*) {
  const TensorView ops[4] = {args.output(), args.tensor(0), args.tensor(1), args.tensor(2)};
  dispatch_dtype(ops[0].dtype(), [&](auto zero) { where_typed<decltype(zero)>(ops); });
}

template <typename T, typename F>
void unary_launch(const TensorView (&ops)[2], F f) {
  using C = compute_t<T>;
  launch_map<T, T>(ops, [f] __device__(T x) { return static_cast<T>(f(static_cast<C>(x))); });
}

// round (half to even, as PyTorch's), floor, ceil and trunc of a floating tensor.
template <typename T>
void round_floats(Unary op, const TensorView (&ops)[2]) {
  using C = compute_t<T>;
  switch (op) {
    case Unary::Round: return unary_launch<T>(ops, [] __device__(C x) { return rint(x); });
    case Unary::Floor: return unary_launch<T>(ops, [] __device__(C x) { return floor(x); });
    case Unary::Ceil: return unary_launch<T>(ops, [] __device__(C x) { return ceil(x); });
    case Unary::Trunc: return unary_launch<T>(ops, [] __device__(C x) { return trunc(x); });
    default: sdk::check(false, "unknown rounding operator");
  }
}

template <typename T>
void float_unary(Unary op, const TensorView (&ops)[2], const KernelArgs& args) {
  using C = compute_t<T>;
  switch (op) {
    case Unary::Exp: return unary_launch<T>(ops, [] __device__(C x) { return exp(x); });
    case Unary::Exp2: return unary_launch<T>(ops, [] __device__(C x) { return exp2(x); });
    case Unary::Log: return unary_launch<T>(ops, [] __device__(C x) { return log(x); });
    case Unary::Log2: return unary_launch<T>(ops, [] __device__(C x) { return log2(x); });
    case Unary::Log10: return unary_launch<T>(ops, [] __device__(C x) { return log10(x); });
    case Unary::Log1p: return unary_launch<T>(ops, [] __device__(C x) { return log1p(x); });
    case Unary::Expm1: return unary_launch<T>(ops, [] __device__(C x) { return expm1(x); });
    case Unary::Sqrt: return unary_launch<T>(ops, [] __device__(C x) { return sqrt(x); });
    case Unary::Rsqrt: return unary_launch<T>(ops, [] __device__(C x) { return C(1) / sqrt(x); });
    case Unary::Reciprocal: return unary_launch<T>(ops, [] __device__(C x) { return C(1) / x; });
    case Unary::Sin: return unary_launch<T>(ops, [] __device__(C x) { return sin(x); });
    case Unary::Cos: return unary_launch<T>(ops, [] __device__(C x) { return cos(x); });
    case Unary::Tan: return unary_launch<T>(ops, [] __device__(C x) { return tan(x); });
    case Unary::Asin: return unary_launch<T>(ops, [] __device__(C x) { return asin(x); });
    case Unary::Acos: return unary_launch<T>(ops, [] __device__(C x) { return acos(x); });
    case Unary::Atan: return unary_launch<T>(ops, [] __device__(C x) { return atan(x); });
    case Unary::Sinh: return unary_launch<T>(ops, [] __device__(C x) { return sinh(x); });
    case Unary::Cosh: return unary_launch<T>(ops, [] __device__(C x) { return cosh(x); });
    case Unary::Tanh: return unary_launch<T>(ops, [] __device__(C x) { return tanh(x); });
    case Unary::Asinh: return unary_launch<T>(ops, [] __device__(C x) { return asinh(x); });
    case Unary::Acosh: return unary_launch<T>(ops, [] __device__(C x) { return acosh(x); });
    case Unary::Atanh: return unary_launch<T>(ops, [] __device__(C x) { return atanh(x); });
    case Unary::Sigmoid: return unary_launch<T>(ops, [] __device__(C x) { return C(1) / (C(1) + exp(-x)); });
    case Unary::Silu: return unary_launch<T>(ops, [] __device__(C x) { return x / (C(1) + exp(-x)); });
    case Unary::Erf: return unary_launch<T>(ops, [] __device__(C x) { return erf(x); });
    case Unary::Erfc: return unary_launch<T>(ops, [] __device__(C x) { return erfc(x); });
    case Unary::Erfinv: return unary_launch<T>(ops, [] __device__(C x) { return sdk::inverse_erf(x); });
    case Unary::Erfcx: return unary_launch<T>(ops, [] __device__(C x) { return sdk::erfcx(x); });
    case Unary::Ndtri: return unary_launch<T>(ops, [] __device__(C x) { return sdk::normal_quantile(x); });
    case Unary::Lgamma: return unary_launch<T>(ops, [] __device__(C x) { return lgamma(x); });
    case Unary::Digamma: return unary_launch<T>(ops, [] __device__(C x) { return sdk::digamma(x); });
    case Unary::BesselI0: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_i0(x); });
    case Unary::BesselI0e: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_i0e(x); });
    case Unary::BesselI1: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_i1(x); });
    case Unary::BesselI1e: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_i1e(x); });
    case Unary::BesselJ0: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_j0(x); });
    case Unary::BesselJ1: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_j1(x); });
    case Unary::BesselY0: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_y0(x); });
    case Unary::BesselY1: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_y1(x); });
    case Unary::BesselK0: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_k0(x); });
    case Unary::BesselK1: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_k1(x); });
    case Unary::BesselK0e: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_k0e(x); });
    case Unary::BesselK1e: return unary_launch<T>(ops, [] __device__(C x) { return sdk::bessel_k1e(x); });
    case Unary::SphericalBesselJ0: return unary_launch<T>(ops, [] __device__(C x) { return sdk::spherical_bessel_j0(x); });
    case Unary::Polygamma: {
      const int64_t n = args.to_int(0);
      return unary_launch<T>(ops, [n] __device__(C x) { return sdk::polygamma(n, x); });
    }
    case Unary::Gelu: {
      const std::string approximate = args.to_string(1);
      sdk::check(approximate == "none" || approximate == "tanh",
                 "approximate: expected 'none' or 'tanh', got '" + approximate + "'");
      if (approximate == "tanh") {
        return unary_launch<T>(ops, [] __device__(C x) {
          const C k = static_cast<C>(0.7978845608028654);  // sqrt(2 / pi)
          return C(0.5) * x * (C(1) + tanh(k * (x + C(0.044715) * x * x * x)));
        });
      }
      return unary_launch<T>(ops, [] __device__(C x) { return C(0.5) * x * (C(1) + erf(x * C(0.7071067811865476))); });
    }
    default: sdk::check(false, "unknown floating unary operator");
  }
}

template <typename T>
void unary_typed(Unary op, const TensorView (&ops)[2], const KernelArgs& args) {
  using C = compute_t<T>;
  if constexpr (std::is_same_v<T, bool>) {
    if (op == Unary::BitwiseNot) return unary_launch<T>(ops, [] __device__(C x) { return !x; });
    sdk::check(keeps_bool_values(op), "this operator does not support bool tensors");
    return unary_launch<T>(ops, [] __device__(C x) { return x; });
  } else {
    switch (op) {
      case Unary::Neg: return unary_launch<T>(ops, [] __device__(C x) { return -x; });
      case Unary::Abs:
        if constexpr (std::is_unsigned_v<C>) {
          return unary_launch<T>(ops, [] __device__(C x) { return x; });
        } else {
          return unary_launch<T>(ops, [] __device__(C x) { return x < C(0) ? -x : x; });
        }
      case Unary::Relu: return unary_launch<T>(ops, [] __device__(C x) { return x > C(0) ? x : C(0); });
      case Unary::Round:
      case Unary::Floor:
      case Unary::Ceil:
      case Unary::Trunc:
        if constexpr (std::is_floating_point_v<C>) return round_floats<T>(op, ops);
        return unary_launch<T>(ops, [] __device__(C x) { return x; });  // integers are already whole
      case Unary::Sign:  // NaN compares false both ways: 0, as PyTorch's
        if constexpr (std::is_unsigned_v<C>) {
          return unary_launch<T>(ops, [] __device__(C x) { return static_cast<C>(x != C(0)); });
        } else {
          return unary_launch<T>(ops, [] __device__(C x) { return static_cast<C>((C(0) < x) - (x < C(0))); });
        }
      case Unary::Clamp: {
        const bool has_min = !args.is_none(1), has_max = !args.is_none(2);
        const C lo = has_min ? static_cast<C>(args.to_double(1)) : C(0);
        const C hi = has_max ? static_cast<C>(args.to_double(2)) : C(0);
        return unary_launch<T>(ops, [=] __device__(C x) {
          if (has_min && x < lo) x = lo;
          if (has_max && x > hi) x = hi;
          return x;
        });
      }
      case Unary::BitwiseNot:
        if constexpr (std::is_integral_v<C>) return unary_launch<T>(ops, [] __device__(C x) { return static_cast<C>(~x); });
        sdk::check(false, "expected an integral tensor");
        break;
      default:
        if constexpr (is_floating_v<T>) return float_unary<T>(op, ops, args);
        sdk::check(false, "expected a floating-point tensor");
    }
  }
}

void unary_kernel(const KernelArgs& args, void* user_data) {
  const Unary op = untag<Unary>(user_data);
  const TensorView ops[2] = {args.output(), args.tensor(self_position(op))};
  dispatch_dtype(ops[0].dtype(), [&](auto zero) { unary_typed<decltype(zero)>(op, ops, args); });
}

}  // namespace

void register_elementwise_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  register_family(host, backends::kBinaryOps, &guarded_kernel<&binary_kernel>);
  register_family(host, backends::kCompareOps, &guarded_kernel<&compare_kernel>);
  sdk::register_kernel(host, "where.self", &guarded_kernel<&where_kernel>);
  register_family(host, backends::kUnaryOps, &guarded_kernel<&unary_kernel>);
}

}  // namespace ember::gpu
