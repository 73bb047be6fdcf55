// The operator families every built-in backend implements, and the schema names each member
// registers under: one list, so the CPU and GPU backends register the same kernels.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ember/plugin.hpp"

namespace ember::backends {

enum class Binary {
  Add, Sub, Mul, Div, Pow, Maximum, Minimum, Atan2, LogAddExp, Zeta, GammaInc, GammaIncC, GammaIncSlope,
  StandardGammaSlope, NextAfter, Remainder, Fmod,
  FloorDivide,
  BitwiseAnd, BitwiseOr, BitwiseXor, ShiftLeft, ShiftRight, Gcd, Lcm
};
enum class Compare { Eq, Ne, Lt, Le, Gt, Ge };
enum class Unary {
  Neg, Abs, Relu, Clamp, Round, Floor, Ceil, Trunc, Sign,
  Exp, Exp2, Log, Log2, Log10, Log1p, Expm1, Sqrt, Rsqrt, Reciprocal,
  Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh, Sigmoid, Gelu, Silu,
  Erf, Erfc, Erfinv, Erfcx, Ndtri, Lgamma, Digamma, Polygamma, BesselI0, BesselI0e, BesselI1, BesselI1e,
  BesselJ0, BesselJ1, BesselY0, BesselY1, BesselK0, BesselK1, BesselK0e, BesselK1e, SphericalBesselJ0, BitwiseNot
};
enum class Reduce { Sum, Prod, Mean, Amax, Amin, Var, Argmax, Argmin, MaxDim, MinDim };
enum class Conv { Forward, BackwardInput, BackwardWeight };
enum class Product { Mm, Bmm, Addmm };
// Writes into a copy of self at indexed places: the index_ ones walk source's slices along dim,
// the scatter ones every position of index; the _add ones add, the others store (where an index
// repeats, one of the stores wins).
enum class IndexedWrite { IndexAdd, IndexCopy, ScatterAdd, Scatter };

template <typename Enum>
struct Member {
  const char* name;
  Enum op;
};

inline constexpr Member<Binary> kBinaryOps[] = {
    {"add.Tensor", Binary::Add}, {"sub.Tensor", Binary::Sub}, {"mul.Tensor", Binary::Mul},
    {"div.Tensor", Binary::Div}, {"pow.Tensor_Tensor", Binary::Pow}, {"maximum", Binary::Maximum},
    {"minimum", Binary::Minimum}, {"atan2", Binary::Atan2}, {"logaddexp", Binary::LogAddExp},
    {"special_zeta", Binary::Zeta}, {"igamma", Binary::GammaInc}, {"igammac", Binary::GammaIncC},
    {"_igamma_grad", Binary::GammaIncSlope}, {"_standard_gamma_grad", Binary::StandardGammaSlope},
    {"nextafter", Binary::NextAfter},
    {"remainder.Tensor", Binary::Remainder},
    {"fmod.Tensor", Binary::Fmod}, {"floor_divide", Binary::FloorDivide},
    {"bitwise_and.Tensor", Binary::BitwiseAnd}, {"bitwise_or.Tensor", Binary::BitwiseOr},
    {"bitwise_xor.Tensor", Binary::BitwiseXor}, {"bitwise_left_shift.Tensor", Binary::ShiftLeft},
    {"bitwise_right_shift.Tensor", Binary::ShiftRight}, {"gcd", Binary::Gcd}, {"lcm", Binary::Lcm}};
inline constexpr Member<Compare> kCompareOps[] = {
    {"eq.Tensor", Compare::Eq}, {"ne.Tensor", Compare::Ne}, {"lt.Tensor", Compare::Lt},
    {"le.Tensor", Compare::Le}, {"gt.Tensor", Compare::Gt}, {"ge.Tensor", Compare::Ge}};
inline constexpr Member<Unary> kUnaryOps[] = {
    {"neg", Unary::Neg},   {"abs", Unary::Abs},   {"relu", Unary::Relu},       {"clamp", Unary::Clamp},
    {"round", Unary::Round}, {"floor", Unary::Floor}, {"ceil", Unary::Ceil},   {"trunc", Unary::Trunc},
    {"sign", Unary::Sign},
    {"exp", Unary::Exp},   {"exp2", Unary::Exp2}, {"log", Unary::Log},         {"log2", Unary::Log2},
    {"log10", Unary::Log10}, {"log1p", Unary::Log1p}, {"expm1", Unary::Expm1}, {"sqrt", Unary::Sqrt},
    {"rsqrt", Unary::Rsqrt}, {"reciprocal", Unary::Reciprocal},
    {"sin", Unary::Sin},   {"cos", Unary::Cos},   {"tan", Unary::Tan},         {"asin", Unary::Asin},
    {"acos", Unary::Acos}, {"atan", Unary::Atan}, {"sinh", Unary::Sinh},       {"cosh", Unary::Cosh},
    {"tanh", Unary::Tanh}, {"asinh", Unary::Asinh}, {"acosh", Unary::Acosh},   {"atanh", Unary::Atanh},
    {"sigmoid", Unary::Sigmoid}, {"gelu", Unary::Gelu}, {"silu", Unary::Silu}, {"erf", Unary::Erf},
    {"erfc", Unary::Erfc}, {"erfinv", Unary::Erfinv}, {"lgamma", Unary::Lgamma}, {"digamma", Unary::Digamma},
    {"polygamma", Unary::Polygamma}, {"i0", Unary::BesselI0}, {"special_i0e", Unary::BesselI0e},
    {"special_i1", Unary::BesselI1}, {"special_i1e", Unary::BesselI1e},
    {"special_bessel_j0", Unary::BesselJ0}, {"special_bessel_j1", Unary::BesselJ1},
    {"special_bessel_y0", Unary::BesselY0}, {"special_bessel_y1", Unary::BesselY1},
    {"special_modified_bessel_k0", Unary::BesselK0}, {"special_modified_bessel_k1", Unary::BesselK1},
    {"special_scaled_modified_bessel_k0", Unary::BesselK0e}, {"special_scaled_modified_bessel_k1", Unary::BesselK1e},
    {"special_spherical_bessel_j0", Unary::SphericalBesselJ0}, {"special_erfcx", Unary::Erfcx},
    {"special_ndtri", Unary::Ndtri}, {"bitwise_not", Unary::BitwiseNot}};
inline constexpr Member<Reduce> kReduceOps[] = {
    {"sum", Reduce::Sum},       {"prod", Reduce::Prod},     {"mean", Reduce::Mean},     {"amax", Reduce::Amax},
    {"amin", Reduce::Amin},     {"var", Reduce::Var},       {"argmax", Reduce::Argmax},
    {"argmin", Reduce::Argmin}, {"max.dim", Reduce::MaxDim}, {"min.dim", Reduce::MinDim}};
inline constexpr Member<Conv> kConvOps[] = {
    {"conv2d", Conv::Forward},
    {"conv2d_backward_input", Conv::BackwardInput},
    {"conv2d_backward_weight", Conv::BackwardWeight}};
inline constexpr Member<Product> kProductOps[] = {{"mm", Product::Mm}, {"bmm", Product::Bmm}, {"addmm", Product::Addmm}};
inline constexpr Member<IndexedWrite> kIndexedWriteOps[] = {
    {"index_add", IndexedWrite::IndexAdd}, {"index_copy", IndexedWrite::IndexCopy},
    {"scatter_add", IndexedWrite::ScatterAdd}, {"scatter.src", IndexedWrite::Scatter}};

constexpr bool walks_index(IndexedWrite w) { return w == IndexedWrite::ScatterAdd || w == IndexedWrite::Scatter; }
constexpr bool adds(IndexedWrite w) { return w == IndexedWrite::IndexAdd || w == IndexedWrite::ScatterAdd; }

// Where a unary operator's tensor is: polygamma(n, self) has its order first, as PyTorch's.
constexpr int self_position(Unary op) { return op == Unary::Polygamma ? 1 : 0; }

// The unary operators that map bool to bool unchanged (the rest refuse bool tensors).
constexpr bool keeps_bool_values(Unary op) {
  switch (op) {
    case Unary::Abs:
    case Unary::Relu:
    case Unary::Sign: return true;
    default: return false;
  }
}

// Whether searchsorted puts values after their equal entries: `right`, or `side` 'right' (the
// meta function has refused a side that contradicts `right`).
inline bool searches_right(const sdk::KernelArgs& args) {
  return args.to_bool(3) || (!args.is_none(4) && std::string_view(args.to_string(4)) == "right");
}

// The error for a sorter index outside its row of m entries, the same from every backend.
[[noreturn]] inline void sorter_out_of_range(int64_t index, int64_t m) {
  throw sdk::KernelError(EMBER_STATUS_INVALID_ARGUMENT, "sorter: index " + std::to_string(index) +
                                                            " is out of range for rows of " + std::to_string(m) + " entries");
}

// The user_data of a kernel that serves several operators: which one this registration is.
template <typename Enum>
void* tag(Enum e) { return reinterpret_cast<void*>(static_cast<intptr_t>(e)); }
template <typename Enum>
Enum untag(void* user_data) { return static_cast<Enum>(reinterpret_cast<intptr_t>(user_data)); }

// Registers `fn` for every member of `family`, tagged with the member.
template <typename Enum, size_t N>
void register_family(const ember_host_api* host, const Member<Enum> (&family)[N], ember_kernel_fn fn) {
  for (const Member<Enum>& m : family) sdk::register_kernel(host, m.name, fn, tag(m.op));
}

}  // namespace ember::backends
