// gradcheck (and, for a sample, gradgradcheck) for every operator with a derivatives entry.
// The registry is enumerated, so an operator that gains a formula without a case here fails.
#include <doctest/doctest.h>

#include <functional>
#include <map>

#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"

using namespace ember;
using autograd::TensorVector;

namespace {

struct Case {
  autograd::DifferentiableFunction f;
  std::vector<std::vector<int64_t>> shapes;  // inputs, drawn from randn
  // Moves each random input where the function is smooth (positive for log, away from kinks);
  // null keeps the inputs as drawn.
  Tensor (*domain)(const Tensor&) = nullptr;
  bool second_order = false;
  autograd::GradcheckOptions options = {};
};

Tensor above_half(const Tensor& x) { return abs(x) + 0.5; }
Tensor sign_of(const Tensor& x) { return gt(x, scalar_tensor(0.0, DType::Float64)).to(DType::Float64) * 2 - 1; }
Tensor away_from_zero(const Tensor& x) { return x + sign_of(x) * 0.5; }
// round is flat between the half-integers where it jumps: a fifth past an integer.
Tensor past_an_integer(const Tensor& x) { return round(x) + 0.2; }
// Inside (-1, 1), where asin and acos are smooth.
Tensor inside_unit(const Tensor& x) { return tanh(x) * 0.9; }

// Square matrices whose last row repeats the first: singular, with one zero singular value.
Tensor with_repeated_row(const Tensor& x) { return cat({x.narrow(-2, 0, x.size(-2) - 1), x.narrow(-2, 0, 1)}, -2); }

Tensor eye3() { return eye(3, std::nullopt, DType::Float64); }
// Several results as one vector.
Tensor flat(const TensorVector& parts) {
  TensorVector flattened;
  for (const Tensor& p : parts) flattened.push_back(p.flatten());
  return cat(flattened);
}

// An in-place case: the operator applied to a non-leaf copy of the first input.
template <typename F>
autograd::DifferentiableFunction in_place(F f) {
  return [f](const TensorVector& x) {
    Tensor t = x[0] * 1;
    f(t, x);
    return t;
  };
}

std::map<std::string, Case> cases() {
  using V = const TensorVector&;
  const auto cpu = Device("cpu");
  return {
      {"add.Tensor", {[](V x) { return add(x[0], x[1], 2.5); }, {{2, 3}, {3}}, nullptr, true}},
      {"sub.Tensor", {[](V x) { return sub(x[0], x[1], 0.5); }, {{2, 3}, {2, 1}}}},
      {"mul.Tensor", {[](V x) { return x[0] * x[1]; }, {{2, 3}, {3}}, nullptr, true}},
      {"div.Tensor", {[](V x) { return x[0] / x[1]; }, {{2, 3}, {2, 3}}, &away_from_zero, true}},
      {"pow.Tensor_Tensor", {[](V x) { return pow(x[0], x[1]); }, {{3}, {3}}, &above_half}},
      {"maximum", {[](V x) { return maximum(x[0], x[1]); }, {{4}, {4}}}},
      {"minimum", {[](V x) { return minimum(x[0], x[1]); }, {{4}, {4}}}},
      {"atan2", {[](V x) { return atan2(x[0], x[1]); }, {{2, 3}, {3}}, &away_from_zero, true}},
      {"logaddexp", {[](V x) { return logaddexp(x[0], x[1]); }, {{2, 3}, {3}}, nullptr, true}},
      {"remainder.Tensor", {[](V x) { return remainder(x[0], x[1]) + remainder(-x[0], x[1]); }, {{2, 3}, {3}}, &above_half}},
      {"fmod.Tensor", {[](V x) { return fmod(x[0], x[1]) + fmod(-x[0], x[1]); }, {{2, 3}, {3}}, &above_half}},
      {"where.self", {[](V x) { return where(tensor<bool>({true, false, true}), x[0], x[1]); }, {{3}, {3}}}},
      {"neg", {[](V x) { return -x[0]; }, {{3}}}},
      {"abs", {[](V x) { return abs(x[0]); }, {{4}}, &away_from_zero}},
      {"relu", {[](V x) { return relu(x[0]); }, {{4}}, &away_from_zero}},
      {"round", {[](V x) { return round(x[0]); }, {{4}}, &past_an_integer}},
      {"floor", {[](V x) { return floor(x[0]); }, {{4}}, &past_an_integer}},
      {"ceil", {[](V x) { return ceil(x[0]); }, {{4}}, &past_an_integer}},
      {"trunc", {[](V x) { return trunc(x[0]); }, {{4}}, &past_an_integer}},
      {"sign", {[](V x) { return sign(x[0]); }, {{4}}, &away_from_zero}},
      {"clamp", {[](V x) { return clamp(x[0], -0.25, 0.25); }, {{4}}, +[](const Tensor& x) { return away_from_zero(x) * 0.5; }}},
      {"exp", {[](V x) { return exp(x[0]); }, {{3}}, nullptr, true}},
      {"log", {[](V x) { return log(x[0]); }, {{3}}, &above_half, true}},
      {"log1p", {[](V x) { return log1p(x[0]); }, {{3}}, &above_half, true}},
      {"expm1", {[](V x) { return expm1(x[0]); }, {{3}}, nullptr, true}},
      {"sqrt", {[](V x) { return sqrt(x[0]); }, {{3}}, &above_half}},
      {"rsqrt", {[](V x) { return rsqrt(x[0]); }, {{3}}, &above_half}},
      {"sin", {[](V x) { return sin(x[0]); }, {{3}}, nullptr, true}},
      {"cos", {[](V x) { return cos(x[0]); }, {{3}}}},
      {"tan", {[](V x) { return tan(x[0]); }, {{3}}, &inside_unit, true}},
      {"asin", {[](V x) { return asin(x[0]); }, {{3}}, &inside_unit, true}},
      {"acos", {[](V x) { return acos(x[0]); }, {{3}}, &inside_unit}},
      {"atan", {[](V x) { return atan(x[0]); }, {{3}}, nullptr, true}},
      {"sinh", {[](V x) { return sinh(x[0]); }, {{3}}, nullptr, true}},
      {"cosh", {[](V x) { return cosh(x[0]); }, {{3}}}},
      {"log2", {[](V x) { return log2(x[0]); }, {{3}}, &above_half, true}},
      {"log10", {[](V x) { return log10(x[0]); }, {{3}}, &above_half}},
      {"exp2", {[](V x) { return exp2(x[0]); }, {{3}}, nullptr, true}},
      {"reciprocal", {[](V x) { return reciprocal(x[0]); }, {{3}}, &away_from_zero, true}},
      {"tanh", {[](V x) { return tanh(x[0]); }, {{3}}, nullptr, true}},
      {"sigmoid", {[](V x) { return sigmoid(x[0]); }, {{3}}, nullptr, true}},
      {"gelu", {[](V x) { return gelu(x[0]) + gelu(x[0], "tanh"); }, {{4}}}},
      {"silu", {[](V x) { return silu(x[0]); }, {{4}}}},
      {"erf", {[](V x) { return erf(x[0]); }, {{4}}}},
      {"erfinv", {[](V x) { return erfinv(x[0] * 0.9); }, {{4}}, &inside_unit, true}},
      {"erfc", {[](V x) { return erfc(x[0]); }, {{4}}, nullptr, true}},
      {"asinh", {[](V x) { return asinh(x[0]); }, {{3}}, nullptr, true}},
      {"acosh", {[](V x) { return acosh(x[0] + 1); }, {{3}}, &above_half, true}},
      {"atanh", {[](V x) { return atanh(x[0]); }, {{3}}, &inside_unit, true}},
      // Negative non-integers too: lgamma and digamma reflect there.
      {"lgamma", {[](V x) { return lgamma(x[0]); }, {{4}}, &past_an_integer, true}},
      {"digamma", {[](V x) { return digamma(x[0]); }, {{4}}, &past_an_integer, true}},
      {"polygamma", {[](V x) { return polygamma(2, x[0]) + x[0].polygamma(0); }, {{4}}, &past_an_integer, true}},
      {"sum", {[](V x) { return x[0].sum({0, 2}) + x[0].sum(1, true).sum(); }, {{2, 3, 2}}, nullptr, true}},
      {"mean", {[](V x) { return x[0].mean(1); }, {{2, 3}}}},
      {"amax", {[](V x) { return x[0].amax(1); }, {{2, 3}}}},
      {"amin", {[](V x) { return x[0].amin(); }, {{2, 3}}}},
      {"var", {[](V x) { return x[0].var(1) + x[0].var(std::nullopt, 0); }, {{2, 4}}}},
      {"norm",
       {[](V x) {
          return x[0].norm() + x[0].norm(1, IntArrayRef{1}).sum() + x[0].norm(INFINITY, IntArrayRef{0}).sum() +
                 x[0].norm(3, IntArrayRef{1}, true).sum() + x[0].norm(0.5).sum();
        },
        {{2, 4}}, &away_from_zero, true}},
      {"logsumexp", {[](V x) { return x[0].logsumexp({0, 2}) + x[0].logsumexp({1}, true).sum(); }, {{2, 3, 2}}, nullptr, true}},
      {"topk", {[](V x) { return std::get<0>(x[0].topk(2, 0)) + std::get<0>(x[0].sort(1, true)).sum(); }, {{3, 4}}}},
      {"cumsum", {[](V x) { return x[0].cumsum(1) + x[0].transpose(0, 1).cumsum(0).transpose(0, 1); }, {{2, 3}}, nullptr, true}},
      {"softmax.int", {[](V x) { return x[0].softmax(1); }, {{2, 3}}, nullptr, true}},
      {"log_softmax.int", {[](V x) { return x[0].log_softmax(0); }, {{2, 3}}}},
      {"mm", {[](V x) { return mm(x[0], x[1]); }, {{2, 3}, {3, 2}}, nullptr, true}},
      // Linear algebra: inputs made well-conditioned (and symmetric where the operator reads a
      // triangle) inside the function; results read through sign-invariant expressions where
      // singular vectors or eigenvectors are only defined up to sign.
      {"linalg_cholesky_ex", {[](V x) { const Tensor a = matmul(x[0], x[0].mT()) + eye3() * 3;
                                        return std::get<0>(linalg_cholesky_ex(a)) + std::get<0>(linalg_cholesky_ex(a, true)) * 0.5; },
                              {{2, 3, 3}}, nullptr, true}},
      {"linalg_solve_triangular", {[](V x) { const Tensor a = x[0] + eye3() * 3;
                                             return flat({linalg_solve_triangular(a, x[1], true),
                                                          linalg_solve_triangular(a, x[2], false, false, true)}); },
                                   {{2, 3, 3}, {3, 2}, {2, 2, 3}}}},
      {"linalg_solve", {[](V x) { const Tensor a = x[0] + eye3() * 3;
                                  return flat({linalg_solve(a, x[1]), linalg_solve(a, x[2], false),
                                               linalg_solve(a.select(0, 1), x[3])}); },
                        {{2, 3, 3}, {3, 2}, {2, 2, 3}, {3}}, nullptr, true}},
      // Singular matrices (the last row repeats the first): the cofactors through the SVD.
      {"linalg_det", {[](V x) { return linalg_det(x[0]); }, {{2, 3, 3}}, &with_repeated_row, true}},
      {"linalg_slogdet", {[](V x) { return std::get<1>(linalg_slogdet(x[0] + eye3() * 3)); }, {{2, 3, 3}}}},
      // Square, wide and tall: each shape's own branch of the derivative (Note [LU backward]).
      {"i0", {[](V x) { return i0(x[0]); }, {{2, 3}}, nullptr, true}},
      {"special_i0e", {[](V x) { return special_i0e(x[0] * 3); }, {{2, 3}}, &away_from_zero, true}},
      {"special_i1", {[](V x) { return special_i1(x[0] * 3) + special_i1(x[0] * 0); }, {{2, 3}}, nullptr, true}},
      {"special_i1e", {[](V x) { return special_i1e(x[0] * 3); }, {{2, 3}}, &away_from_zero, true}},
      // J on both intervals (the far one from 8); Y and K on x > 0, where they are real.
      {"special_bessel_j0", {[](V x) { return special_bessel_j0(x[0] * 6); }, {{2, 3}}, nullptr, true}},
      {"special_bessel_j1", {[](V x) { return special_bessel_j1(x[0] * 6) + special_bessel_j1(x[0] * 0); }, {{2, 3}}, nullptr, true}},
      {"special_bessel_y0", {[](V x) { return special_bessel_y0(x[0] * 6); }, {{2, 3}}, &above_half, true}},
      {"special_bessel_y1", {[](V x) { return special_bessel_y1(x[0] * 6); }, {{2, 3}}, &above_half, true}},
      {"special_modified_bessel_k0", {[](V x) { return special_modified_bessel_k0(x[0] * 2); }, {{2, 3}}, &above_half, true}},
      {"special_modified_bessel_k1", {[](V x) { return special_modified_bessel_k1(x[0] * 2); }, {{2, 3}}, &above_half, true}},
      {"special_scaled_modified_bessel_k0", {[](V x) { return special_scaled_modified_bessel_k0(x[0] * 2); }, {{2, 3}}, &above_half, true}},
      {"special_scaled_modified_bessel_k1", {[](V x) { return special_scaled_modified_bessel_k1(x[0] * 2); }, {{2, 3}}, &above_half, true}},
      {"special_spherical_bessel_j0", {[](V x) { return special_spherical_bessel_j0(x[0] * 4) + special_spherical_bessel_j0(x[0] * 0); },
                                       {{2, 3}}, nullptr, true}},
      // Kept within (-2, 14), across the seam at 12: below, erfcx grows as e^(x^2) and would
      // swamp the other elements in gradgradcheck's weighted sum.
      {"special_erfcx", {[](V x) { return special_erfcx(sigmoid(x[0]) * 16 - 2); }, {{2, 3}}, nullptr, true}},
      {"special_ndtri", {[](V x) { return special_ndtri(sigmoid(x[0])); }, {{2, 3}}, nullptr, true}},
      // Differentiable in q only (as PyTorch's): s is held fixed.
      {"special_zeta", {[](V x) { return special_zeta(full_like(x[0], 2.5), x[0] * x[0] + 0.5); }, {{2, 3}}, nullptr, true}},
      // In a and x; the second order in x alone (the slope in a has no derivative of its own).
      {"igamma", {[](V x) { return igamma(x[0] * x[0] + 0.5, x[1] * x[1] + 0.5); }, {{2, 3}, {2, 3}}}},
      {"igammac", {[](V x) { return igammac(full_like(x[0], 0.7), x[0] * x[0] + 1.5); }, {{2, 3}}, nullptr, true}},
      // A draw moves with its shape at a fixed quantile: P(a, x(a)) does not change with a, so
      // its gradient through the draw's formula must vanish. The detached copy makes the function
      // identically zero, which is what the finite differences see.
      {"_standard_gamma", {[](V x) {
                             manual_seed(5);
                             const Tensor shape = x[0] * x[0] + 0.3;
                             const Tensor level = igamma(shape, _standard_gamma(shape));
                             return level - level.detach();
                           }, {{2, 3}}}},
      {"linalg_lu_factor_ex", {[](V x) { return flat({std::get<0>(linalg_lu_factor_ex(x[0])), std::get<0>(linalg_lu_factor_ex(x[1])),
                                                      std::get<0>(linalg_lu_factor_ex(x[2]))}); },
                               {{2, 3, 3}, {3, 5}, {5, 3}}, nullptr, true}},
      {"linalg_qr", {[](V x) { const auto [q, r] = linalg_qr(x[0]);
                               const auto [qw, rw] = linalg_qr(x[1], "complete");
                               return flat({q, r, qw, rw, std::get<1>(linalg_qr(x[1]))}); },
                     {{4, 3}, {2, 4}}}},
      {"linalg_eigh", {[](V x) { const auto [w, v] = linalg_eigh(x[0] + x[0].transpose(-2, -1));
                                 return flat({w, v * v * w.unsqueeze(-2)}); }, {{2, 3, 3}}, nullptr, true}},
      {"linalg_svd", {[](V x) { const auto [u, s, vh] = linalg_svd(x[0], false);
                                const auto [uw, sw, vhw] = linalg_svd(x[1], false);
                                return flat({matmul(u * (s * s).unsqueeze(-2), vh), u * u, s,
                                             matmul(uw * sw.unsqueeze(-2), vhw * vhw), linalg_svdvals(x[1])}); },
                      {{4, 3}, {2, 4}}}},
      {"bmm", {[](V x) { return bmm(x[0], x[1]); }, {{2, 2, 3}, {2, 3, 2}}}},
      {"addmm", {[](V x) { return addmm(x[0], x[1], x[2], 0.5, 2.0); }, {{2}, {3, 4}, {4, 2}}}},
      // A float32 round trip: the step must dwarf float32 rounding.
      {"to.dtype", {[](V x) { return x[0].to(DType::Float32).to(DType::Float64); }, {{3}}, nullptr, false, {1e-2, 1e-4, 1e-3}}},
      {"to.device", {[cpu](V x) { return x[0].to(cpu) * 1; }, {{3}}}},
      {"clone", {[](V x) { return x[0].clone(); }, {{3}}}},
      {"contiguous", {[](V x) { return x[0].transpose(0, 1).contiguous(); }, {{2, 3}}}},
      {"view", {[](V x) { return x[0].view({3, 2}); }, {{2, 3}}}},
      {"permute", {[](V x) { return x[0].permute({2, 0, 1}); }, {{2, 3, 2}}}},
      {"transpose.int", {[](V x) { return x[0].transpose(0, 1); }, {{2, 3}}}},
      {"slice.Tensor", {[](V x) { return x[0].slice(1, 1, std::nullopt, 2); }, {{2, 5}}}},
      {"select.int", {[](V x) { return x[0].select(0, -1); }, {{3, 2}}}},
      {"expand", {[](V x) { return x[0].expand({2, 3}); }, {{3}}}},
      {"diagonal", {[](V x) { return x[0].diagonal() + x[0].diagonal(1, 2, 0).sum() + x[0].diagonal(-1, -1, 1).sum(); },
                    {{3, 4, 3}}, nullptr, true}},
      {"unsqueeze", {[](V x) { return x[0].unsqueeze(1); }, {{3}}}},
      {"squeeze.dim", {[](V x) { return x[0].squeeze(1); }, {{3, 1}}}},
      {"max.dim", {[](V x) { return std::get<0>(x[0].max(1)) + std::get<0>(x[0].max(0, true)).sum(); }, {{2, 3}}}},
      {"min.dim", {[](V x) { return std::get<0>(x[0].min(-1, true)); }, {{2, 3}}}},
      {"add_.Tensor", {in_place([](Tensor& t, V x) { t.add_(x[1], 2.5); }), {{2, 3}, {3}}}},
      {"sub_.Tensor", {in_place([](Tensor& t, V x) { t.sub_(x[1], 0.5); }), {{2, 3}, {2, 1}}}},
      {"mul_.Tensor", {in_place([](Tensor& t, V x) { t.mul_(x[1]); }), {{2, 3}, {3}}, nullptr, true}},
      {"div_.Tensor", {in_place([](Tensor& t, V x) { t.div_(x[1]); }), {{2, 3}, {2, 3}}, &away_from_zero}},
      {"pow_.Tensor_Tensor", {in_place([](Tensor& t, V x) { t.pow_(x[1]); }), {{3}, {3}}, &above_half}},
      {"neg_", {in_place([](Tensor& t, V) { t.neg_(); }), {{3}}}},
      {"abs_", {in_place([](Tensor& t, V) { t.abs_(); }), {{4}}, &away_from_zero}},
      {"relu_", {in_place([](Tensor& t, V) { t.relu_(); }), {{4}}, &away_from_zero}},
      {"round_", {in_place([](Tensor& t, V) { t.round_(); }), {{4}}, &past_an_integer}},
      {"floor_", {in_place([](Tensor& t, V) { t.floor_(); }), {{4}}, &past_an_integer}},
      {"ceil_", {in_place([](Tensor& t, V) { t.ceil_(); }), {{4}}, &past_an_integer}},
      {"trunc_", {in_place([](Tensor& t, V) { t.trunc_(); }), {{4}}, &past_an_integer}},
      {"sign_", {in_place([](Tensor& t, V) { t.sign_(); }), {{4}}, &away_from_zero}},
      {"clamp_", {in_place([](Tensor& t, V) { t.clamp_(-0.25, 0.25); }), {{4}}, +[](const Tensor& x) { return away_from_zero(x) * 0.5; }}},
      {"exp_", {in_place([](Tensor& t, V) { t.exp_(); }), {{3}}, nullptr, true}},
      {"log_", {in_place([](Tensor& t, V) { t.log_(); }), {{3}}, &above_half}},
      {"log1p_", {in_place([](Tensor& t, V) { t.log1p_(); }), {{3}}, &above_half}},
      {"expm1_", {in_place([](Tensor& t, V) { t.expm1_(); }), {{3}}}},
      {"sqrt_", {in_place([](Tensor& t, V) { t.sqrt_(); }), {{3}}, &above_half}},
      {"rsqrt_", {in_place([](Tensor& t, V) { t.rsqrt_(); }), {{3}}, &above_half}},
      {"sin_", {in_place([](Tensor& t, V) { t.sin_(); }), {{3}}}},
      {"cos_", {in_place([](Tensor& t, V) { t.cos_(); }), {{3}}}},
      {"tanh_", {in_place([](Tensor& t, V) { t.tanh_(); }), {{3}}, nullptr, true}},
      {"atan2_", {in_place([](Tensor& t, V x) { t.atan2_(x[1]); }), {{2, 3}, {3}}, &away_from_zero}},
      {"remainder_.Tensor", {in_place([](Tensor& t, V x) { t.remainder_(x[1]); }), {{2, 3}, {3}}, &above_half}},
      {"fmod_.Tensor", {in_place([](Tensor& t, V x) { t.fmod_(x[1]); }), {{2, 3}, {3}}, &above_half}},
      {"tan_", {in_place([](Tensor& t, V) { t.tan_(); }), {{3}}, &inside_unit}},
      {"asin_", {in_place([](Tensor& t, V) { t.asin_(); }), {{3}}, &inside_unit}},
      {"acos_", {in_place([](Tensor& t, V) { t.acos_(); }), {{3}}, &inside_unit}},
      {"atan_", {in_place([](Tensor& t, V) { t.atan_(); }), {{3}}}},
      {"sinh_", {in_place([](Tensor& t, V) { t.sinh_(); }), {{3}}}},
      {"cosh_", {in_place([](Tensor& t, V) { t.cosh_(); }), {{3}}}},
      {"log2_", {in_place([](Tensor& t, V) { t.log2_(); }), {{3}}, &above_half}},
      {"log10_", {in_place([](Tensor& t, V) { t.log10_(); }), {{3}}, &above_half}},
      {"exp2_", {in_place([](Tensor& t, V) { t.exp2_(); }), {{3}}}},
      {"reciprocal_", {in_place([](Tensor& t, V) { t.reciprocal_(); }), {{3}}, &away_from_zero}},
      {"sigmoid_", {in_place([](Tensor& t, V) { t.sigmoid_(); }), {{3}}}},
      {"gelu_", {in_place([](Tensor& t, V) { t.gelu_(); }), {{4}}}},
      {"silu_", {in_place([](Tensor& t, V) { t.silu_(); }), {{4}}}},
      {"erf_", {in_place([](Tensor& t, V) { t.erf_(); }), {{4}}}},
      {"erfinv_", {in_place([](Tensor& t, V) { t.mul_(0.9).erfinv_(); }), {{4}}, &inside_unit}},
      {"erfc_", {in_place([](Tensor& t, V) { t.erfc_(); }), {{4}}}},
      {"asinh_", {in_place([](Tensor& t, V) { t.asinh_(); }), {{3}}}},
      {"acosh_", {in_place([](Tensor& t, V) { t.add_(1).acosh_(); }), {{3}}, &above_half}},
      {"atanh_", {in_place([](Tensor& t, V) { t.atanh_(); }), {{3}}, &inside_unit}},
      {"lgamma_", {in_place([](Tensor& t, V) { t.lgamma_(); }), {{4}}, &past_an_integer}},
      {"digamma_", {in_place([](Tensor& t, V) { t.digamma_(); }), {{4}}, &past_an_integer}},
      {"i0_", {in_place([](Tensor& t, V) { t.i0_(); }), {{4}}}},
      {"copy_", {[](V x) { return zeros({2, 3}, DType::Float64).copy_(x[0] * 1); }, {{3}}}},
      // A slice without zeros, one with a single zero, one with two: three cases of the formula.
      {"prod", {[](V x) {
                  const Tensor zeroed = x[0] * tensor<double>({1, 1, 1, 0, 1, 1, 0, 0, 1}, {3, 3});
                  return zeroed.prod(1) + x[0].prod() + zeroed.prod(0, true).sum();
                }, {{3, 3}}, nullptr, true}},
      // Rows without a zero, with one, with two (the first counts; past it nothing does).
      {"cumprod", {[](V x) {
                     const Tensor zeroed = x[0] * tensor<double>({1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 1}, {3, 4});
                     return zeroed.cumprod(1) + x[0].cumprod(0) + zeroed.cumprod(-1, DType::Float64).flip({1});
                   }, {{3, 4}}, nullptr, true}},
      {"index_select", {[](V x) { return x[0].index_select(1, tensor<int64_t>({2, 0, 2})); }, {{2, 3}}}},
      {"gather", {[](V x) { return x[0].gather(1, tensor<int64_t>({0, 0, 2, 1}, {2, 2})); }, {{2, 3}}}},
      {"index_add", {[](V x) { return index_add(x[0], 0, tensor<int64_t>({1, 1}), x[1]); }, {{3, 2}, {2, 2}}}},
      // src wider than index: the elements past it take no part, and get a zero gradient.
      {"scatter_add", {[](V x) { return scatter_add(x[0], 1, tensor<int64_t>({2, 2, 0, 1}, {2, 2}), x[1]); }, {{2, 3}, {2, 3}}}},
      {"scatter_reduce.two", {[](V x) {
                                TensorVector parts;
                                for (const char* reduce : {"sum", "prod", "mean", "amax", "amin"}) {
                                  for (bool include_self : {true, false}) {
                                    parts.push_back(x[0].scatter_reduce(1, tensor<int64_t>({2, 2, 0, 1, 1, 1}, {2, 3}), x[1],
                                                                        reduce, include_self));
                                  }
                                }
                                return flat(parts);
                              }, {{2, 3}, {2, 4}}, nullptr, true}},
      {"index_add_", {in_place([](Tensor& t, V x) { t.index_add_(1, tensor<int64_t>({0, 0}), x[1]); }), {{3, 2}, {3, 2}}}},
      {"scatter_add_", {in_place([](Tensor& t, V x) { t.scatter_add_(0, tensor<int64_t>({1, 1}, {1, 2}), x[1]); }), {{3, 2}, {1, 2}}}},
      // Repeated indices: the stores that lose get no gradient, as PyTorch's.
      {"index_copy", {[](V x) { return index_copy(x[0], 0, tensor<int64_t>({2, 0}), x[1]); }, {{3, 2}, {2, 2}}}},
      {"index_copy_", {in_place([](Tensor& t, V x) { t.index_copy_(1, tensor<int64_t>({1}), x[1]); }), {{3, 2}, {3, 1}}}},
      {"scatter.src", {[](V x) { return x[0].scatter(1, tensor<int64_t>({2, 0, 1, 2}, {2, 2}), x[1]); }, {{2, 3}, {3, 3}}}},
      {"scatter_.src", {in_place([](Tensor& t, V x) { t.scatter_(0, tensor<int64_t>({1, 0}, {1, 2}), x[1]); }), {{2, 2}, {1, 2}}}},
      {"scatter_reduce_.two", {in_place([](Tensor& t, V x) { t.scatter_reduce_(0, tensor<int64_t>({1, 1}, {2, 1}), x[1], "prod"); }),
                               {{2, 2}, {2, 2}}}},
      // Flat between the jumps: the inputs stay clear of them (quotients a fifth past an integer).
      {"floor_divide", {[](V x) { return floor_divide(past_an_integer(x[0]) * x[1], x[1]); }, {{2, 3}, {3}}, &above_half}},
      {"floor_divide_", {in_place([](Tensor& t, V x) { t.floor_divide_(2); }), {{3}}, &past_an_integer}},
      // Strided, padded, dilated and grouped: every index term of the three convolutions.
      {"conv2d", {[](V x) { return conv2d(x[0], x[1], {2, 1}, {1, 0}, {1, 2}, 2); }, {{2, 4, 5, 6}, {4, 2, 2, 2}}, nullptr, true}},
      {"conv2d_backward_input",
       {[](V x) { return conv2d_backward_input(x[0], x[1], {2, 4, 5, 6}, {2, 1}, {1, 0}, {1, 2}, 2); },
        {{2, 4, 3, 4}, {4, 2, 2, 2}}, nullptr, true}},
      {"conv2d_backward_weight",
       {[](V x) { return conv2d_backward_weight(x[0], x[1], {4, 2, 2, 2}, {2, 1}, {1, 0}, {1, 2}, 2); },
        {{2, 4, 3, 4}, {2, 4, 5, 6}}, nullptr, true}},
      {"max_pool2d_with_indices",
       {[](V x) { return std::get<0>(max_pool2d_with_indices(x[0], {2, 2}, {1, 2}, {1, 0})); }, {{2, 3, 4, 5}}, nullptr, true}},
  };
}

// Operators whose Autograd kernel was generated from a derivatives entry.
std::vector<std::string> differentiable_operators() {
  init();
  const Dispatcher& d = Dispatcher::singleton();
  std::vector<std::string> names;
  for (size_t i = 0; i < d.num_operators(); ++i) {
    const OperatorHandle& op = d.op(static_cast<int>(i));
    if (op.dump().find("  Autograd: autograd (generated)") != std::string::npos) names.push_back(op.name());
  }
  return names;
}

TensorVector make_inputs(const Case& c, unsigned seed) {
  manual_seed(seed);
  TensorVector inputs;
  for (const auto& shape : c.shapes) {
    Tensor x = randn(shape, DType::Float64);
    if (c.domain) x = c.domain(x).contiguous();
    inputs.push_back(x.detach().requires_grad_());
  }
  return inputs;
}

}  // namespace

TEST_CASE("every operator with a derivatives entry passes gradcheck") {
  const auto all = cases();
  const auto names = differentiable_operators();
  CHECK(names.size() == all.size());
  for (const std::string& name : names) {
    CAPTURE(name);
    const auto it = all.find(name);
    REQUIRE_MESSAGE(it != all.end(), "no gradcheck case for " << name);
    const TensorVector inputs = make_inputs(it->second, 17);
    CHECK_NOTHROW(autograd::gradcheck(it->second.f, inputs, it->second.options));
  }
}

TEST_CASE("backward formulas are themselves differentiable (gradgradcheck)") {
  for (const auto& [name, c] : cases()) {
    if (!c.second_order) continue;
    CAPTURE(name);
    CHECK_NOTHROW(autograd::gradgradcheck(c.f, make_inputs(c, 23)));
  }
}

TEST_CASE("composite operators differentiate through the operators they are written with") {
  using V = const TensorVector&;
  const Tensor mask = tensor<bool>({true, false, false, true, true, false}, {2, 3});
  const std::map<std::string, Case> composites = {
      {"mvlgamma", {[](V x) { return mvlgamma(x[0] + 2, 3); }, {{4}}, &above_half}},
      {"xlog1py", {[](V x) { return xlog1py(x[0], x[1]); }, {{4}, {4}}, &above_half}},
      {"fmax", {[](V x) { return fmax(x[0], x[1]) + fmin(x[0], x[1] * 2); }, {{2, 3}, {3}}}},
      {"logaddexp2", {[](V x) { return logaddexp2(x[0], x[1]); }, {{2, 3}, {3}}}},
      {"ldexp", {[](V x) { return ldexp(x[0], x[1]); }, {{4}, {4}}}},
      {"float_power", {[](V x) { return float_power(x[0], x[1]) + x[0].float_power(3); }, {{4}, {4}}, &above_half}},
      {"div_mode", {[](V x) { return div(x[0], x[1], std::nullopt) + div(x[0] * 0.1, x[1], "trunc"); }, {{4}, {4}}, &above_half}},
      {"std", {[](V x) { return x[0].std(1) + x[0].std(std::nullopt, 0); }, {{2, 4}}}},
      {"narrow", {[](V x) { return x[0].narrow(1, -3, 2); }, {{2, 4}}}},
      {"flip", {[](V x) { return x[0].flip({0, -1}); }, {{2, 3}}}},
      {"masked_fill", {[mask](V x) { return x[0].masked_fill(mask, 2.5); }, {{2, 3}}}},
      {"masked_fill_", {in_place([mask](Tensor& t, V) { t.masked_fill_(mask.select(0, 0), -1); }), {{2, 3}}}},
      {"matmul", {[](V x) { return matmul(x[0], x[1]); }, {{2, 1, 1, 3}, {3, 3, 2}}}},
      {"tril", {[](V x) { return x[0].tril(1) + x[0].triu(-1); }, {{2, 3, 3}}}},
      {"repeat", {[](V x) { return x[0].transpose(0, 1).repeat({2, 1, 3}); }, {{2, 3}}}},
      {"einsum", {[](V x) { return einsum("bij,bjk->bik", {x[0], x[1]}) + einsum("bii->bi", {x[0]}).unsqueeze(2) +
                                        einsum("bij,jk,bkl->bil", {x[0], x[1].select(0, 0), x[2]}); },
                  {{2, 3, 3}, {1, 3, 3}, {2, 3, 3}}}},
      {"shaping", {[](V x) { return x[0].movedim({0, 2}, {2, 0}).flatten(1).unflatten(1, {3, -1}).roll({1, -2}, {0, 2}).squeeze(); },
                   {{2, 3, 1, 2}}}},
      {"diff", {[](V x) { return x[0].diff(2, 1, x[1]) + x[0].t().diff(2, 0, std::nullopt, x[1].t()).t(); }, {{2, 4}, {2, 1}}}},
      {"swapped", {[](V x) { return x[0].swapaxes(0, 1).reshape_as(x[1]) + x[1].view_as(x[1]).expand_as(x[1]); }, {{2, 3}, {3, 2}}}},
      {"tiled", {[](V x) { return x[0].tile({2, 1, 2}).sum(0) + x[0].repeat_interleave(2, 1).narrow(1, 0, 6); }, {{2, 3}}}},
      {"moments", {[](V x) { const auto [v, m] = var_mean(x[0], IntArrayRef{1}); const auto [s, m2] = std_mean(x[0]);
                             return v * m + s * m2; }, {{2, 4}}}},
      {"order statistics", {[](V x) { return std::get<0>(x[0].median(1)) + std::get<0>(x[0].kthvalue(2, 1)) + x[0].median(); }, {{3, 5}}}},
      {"mv", {[](V x) { return x[0].mv(x[1]).unsqueeze(0) + baddbmm(x[2], x[2].unsqueeze(0).transpose(1, 2), x[0].narrow(1, 0, 2).unsqueeze(0), 0.5, 2).sum(0).narrow(1, 0, 1).t(); },
              {{2, 3}, {3}, {2, 2}}}},
      {"clamped", {[](V x) { return x[0].clamp_min(0.1) + x[0].clamp_max(-0.1); }, {{2, 3}}}},
      {"scans", {[](V x) { return std::get<0>(x[0].cummax(1)) + std::get<0>(cummin(x[0], 0)) + x[0].logcumsumexp(1) +
                                  logaddexp(x[0], x[1]); }, {{3, 4}, {4}}}},
      {"matrix functions", {[](V x) { const Tensor sq = x[0].narrow(0, 0, 3) + eye3() * 3;
                                         return flat({std::get<0>(linalg_lstsq(x[0], x[1])), linalg_pinv(x[0]), linalg_inv(sq),
                                                      linalg_det(sq).unsqueeze(0), linalg_matrix_power(sq, -2),
                                                      linalg_matrix_norm(x[0], "nuc").unsqueeze(0), linalg_matrix_norm(x[0]).unsqueeze(0),
                                                      linalg_matrix_norm(x[0], 2).unsqueeze(0), linalg_matrix_norm(x[0], -1).unsqueeze(0)}); },
                            {{4, 3}, {4, 2}}}},
      {"distances", {[](V x) { return cdist(x[0], x[1]) + cdist(x[0], x[1], 1.5) + pairwise_distance(x[0], x[1].narrow(0, 0, 1)).unsqueeze(1) +
                                      linalg_cross(x[0].narrow(1, 0, 3), x[1].narrow(0, 0, 1).narrow(1, 0, 3)).narrow(1, 0, 2); },
                     {{3, 4}, {2, 4}}}},
      {"products", {[](V x) { return x[0].trace() * x[1].dot(x[2]) + outer(x[1], x[2]).sum(); }, {{3, 3}, {4}, {4}}}},
      {"scaled products", {[](V x) { return flat({addmv(x[1], x[0], x[1], 0.5, 2), addr(x[0], x[1], x[2].narrow(0, 0, 3), 1, -1),
                                                   addbmm(x[0], x[0].unsqueeze(0).expand({2, 3, 3}), x[0].t().unsqueeze(0).expand({2, 3, 3}), 2),
                                                   tensordot(x[0], x[0].unsqueeze(0), {0, 1}, {2, 1}),
                                                   linalg_multi_dot({x[1], x[0], x[0].t(), x[2].narrow(0, 0, 3)}).unsqueeze(0)}); },
                           {{3, 3}, {3}, {4}}}},
      {"matrix building", {[](V x) { return flat({diag_embed(x[0], 1, 0, 2), diag(x[1], -1), diagflat(x[1].narrow(0, 0, 1)),
                                                   block_diag({x[0], x[1].select(0, 0), x[1]}), rot90(x[0], 1), rot90(x[0], 2),
                                                   kron(x[0], x[1]), cartesian_prod({x[1].select(0, 0), x[1].select(1, 1)})}); },
                           {{2, 3}, {2, 2}}}},
      {"elementwise functions", {[](V x) { return hypot(x[0], x[1]) + xlogy(x[0], above_half(x[1])) + copysign(x[0], x[1]) +
                                                  frac(x[0]) + sinc(x[0]) + logit(sigmoid(x[0])) + logit(sigmoid(x[1]), 0.3) +
                                                  deg2rad(x[0]) * rad2deg(x[1]); },
                                 {{2, 3}, {3}}}},
      {"statistics", {[](V x) { return flat({nansum(x[0], IntArrayRef{1}), nanmean(x[0]).unsqueeze(0),
                                              quantile(x[0], 0.3, 1), quantile(x[0], tensor<double>({0.1, 0.9}), 0, false, "midpoint"),
                                              nanquantile(x[0], 0.7), cov(x[0]), cov(x[0], 0, std::nullopt, above_half(x[1])),
                                              corrcoef(x[0])}); },
                      {{3, 5}, {5}}}},
      {"norms and matrix functions", {[](V x) { const Tensor sq = x[0].narrow(0, 0, 3) + eye3() * 3;
                                                 return flat({linalg_vector_norm(x[0], 3, IntArrayRef{1}), linalg_norm(x[0]).unsqueeze(0),
                                                              linalg_norm(x[0], "nuc").unsqueeze(0), linalg_cond(x[0]).unsqueeze(0),
                                                              linalg_cond(sq, 1.0).unsqueeze(0), linalg_cond(sq, "fro").unsqueeze(0),
                                                              linalg_matrix_exp(sq * 0.1), linalg_matrix_exp(x[0].narrow(0, 0, 3) * 3)}); },
                                      {{4, 3}}}},
      {"takes", {[](V x) { return take(x[0], tensor<int64_t>({5, 0, -1}, {3, 1})) + take_along_dim(x[0], tensor<int64_t>({2, 2, 0}, {1, 3}), 1).sum(0, true).t(); },
                 {{2, 3}}}},
      {"square", {[](V x) { return x[0].square(); }, {{2, 3}}}},
      {"nan-aware order statistics", {[](V x) { const auto [lo, hi] = aminmax(x[0], 1);
                                                 return flat({lo, hi, std::get<0>(aminmax(x[0])).unsqueeze(0),
                                                              std::get<0>(x[0].nanmedian(0)), x[0].nanmedian().unsqueeze(0),
                                                              msort(x[0])}); },
                                      {{3, 5}}}},
      {"trapezoid", {[](V x) { const Tensor points = x[1].cumsum(0);  // any sample points, in order or not
                               return flat({trapezoid(x[0], points), trapezoid(x[0], 0.5, 0), cumulative_trapezoid(x[0], points),
                                            cumulative_trapezoid(x[0], x[0] * 2, 0), cumulative_trapezoid(x[0], 2)}); },
                     {{3, 4}, {4}}}},
      {"vander and inner products", {[](V x) { return flat({vander(x[1]), vander(x[1], 2, true), linalg_vander(x[0], 3),
                                                             inner(x[0], x[0]), inner(x[1], x[0].select(0, 0)).unsqueeze(0),
                                                             linalg_vecdot(x[0], x[0].select(0, 1)), linalg_vecdot(x[0], x[0], 0)}); },
                                      {{3, 4}, {4}}}},
      {"logdet and renorm", {[](V x) { const Tensor positive_det = matmul(x[0], x[0].transpose(-2, -1)) + eye3();
                                       return flat({logdet(positive_det), x[1].renorm(2, 0, 1.5), x[1].renorm(1, 1, 0.5)}); },
                             {{2, 3, 3}, {3, 4}}}},
      {"lu", {[](V x) { const auto [LU, pivots] = linalg_lu_factor(x[0] + eye3() * 3);
                        const auto [P, L, U] = linalg_lu(x[1]);
                        return flat({linalg_lu_solve(LU, pivots, x[2]), linalg_lu_solve(LU, pivots, x[2], true, true),
                                     linalg_lu_solve(LU, pivots, x[2].t(), false), linalg_lu_solve(LU, pivots, x[2].t(), false, true),
                                     matmul(P, L), U}); },
              {{3, 3}, {4, 3}, {3, 2}}}},
      {"cholesky", {[](V x) { const Tensor spd = matmul(x[0], x[0].mT()) + eye3() * 3;
                              const Tensor lower = linalg_cholesky(spd), upper = linalg_cholesky(spd, true);
                              return flat({cholesky_solve(x[1], lower), cholesky_solve(x[1], upper, true),
                                           cholesky_inverse(lower), cholesky_inverse(upper, true)}); },
                    {{3, 3}, {2, 3, 2}}}},
      {"solve_ex", {[](V x) { const Tensor a = x[0] + eye3() * 3;
                              return flat({std::get<0>(linalg_solve_ex(a, x[1])), std::get<0>(linalg_solve_ex(a, x[2], false)),
                                           std::get<0>(linalg_solve_ex(a, x[2].select(0, 0))), std::get<0>(linalg_inv_ex(a))}); },
                    {{3, 3}, {3, 2}, {2, 3}}}},
      {"index writes", {[mask](V x) {
                          const Tensor rows = tensor<int64_t>({1, 0, 1});
                          return flat({x[0].masked_scatter(mask, x[1]), x[0].masked_fill(mask, x[2].sum()),
                                       x[0].index_fill(1, tensor<int64_t>({0, -1, 0}), x[2].sum()),
                                       x[0].index_reduce(0, rows, x[3], "prod"), x[0].index_reduce(0, rows, x[3], "mean", false),
                                       x[0].index_reduce(0, rows, x[3], "amax")}); },
                        {{2, 3}, {4}, {2}, {3, 3}}}},
      {"normal distribution", {[](V x) { return flat({special_ndtr(x[0] * 3), special_log_ndtr(x[0] * 8), special_entr(above_half(x[0])),
                                                      round(x[0], 2) * x[0]}); },
                               {{2, 3}}}},
      {"array manipulation", {[](V x) { return flat({hstack({x[0], x[1]}), vstack({x[0], x[1]}), dstack({x[0], x[1]}),
                                                     column_stack({x[0].select(0, 0), x[1].select(0, 1)}), atleast_3d(x[1]),
                                                     x[1].broadcast_to({3, 2, 3}), fliplr(x[0]), flipud(x[1]),
                                                     select_scatter(x[0], x[1].select(0, 0), 0, 1),
                                                     slice_scatter(x[0], x[1].narrow(1, 0, 2), 1, 0, 3, 2),
                                                     std::get<0>(mode(x[0], 1)), clip(x[0], -0.5, 0.5), negative(x[1]),
                                                     std::get<0>(histogram(x[0].detach(), tensor<double>({-3, 0, 3}), x[1]))}); },
                              {{2, 3}, {2, 3}}}},
      {"matrix transposes", {[](V x) { return x[0].mT() + x[0].mH() * 2 + adjoint(x[0]) * 3; }, {{2, 3, 3}}}},
      {"frexp", {[](V x) { return std::get<0>(frexp(x[0] * 3)); }, {{2, 3}}, &away_from_zero}},
      {"combinations", {[](V x) { return combinations(x[0], 2) + combinations(x[0].narrow(0, 0, 2), 2, true).narrow(0, 0, 1); },
                        {{4}}}},
      {"lerp", {[](V x) { return x[0].lerp(x[1], 0.25) + x[0].lerp(x[1], 0.75) + x[0].lerp(x[1], x[2]); }, {{2, 3}, {3}, {2, 3}}}},
      {"addcmul", {[](V x) { return x[0].addcmul(x[1], x[2], 0.5); }, {{2, 3}, {3}, {2, 1}}}},
      {"addcdiv", {[](V x) { return addcdiv(x[0], x[1], above_half(x[2]), -2); }, {{2, 3}, {3}, {2, 1}}}},
      {"nan_to_num", {[](V x) { return (x[0] / x[1]).nan_to_num(0.0, 1.0, -1.0); }, {{2, 3}, {3}}}},
      {"split", {[](V x) { return split(x[0], 2, 1)[1] * chunk(x[0], 2, 0)[0].sum() + unbind(x[0], 1)[0].sum(); }, {{3, 4}}}},
      {"masked_select", {[mask](V x) { return x[0].masked_select(mask) * 2; }, {{2, 3}}}},
      {"index", {[mask](V x) {
                   using namespace ember::indexing;
                   return x[0].index({Slice(), tensor<int64_t>({2, 0, 2})}).sum(1) + x[0].index({mask}).sum() +
                          x[0].index({tensor<int64_t>({1, 1}), 2});
                 }, {{2, 3}}}},
      {"index_put_", {in_place([](Tensor& t, V x) {
                        using namespace ember::indexing;
                        t.index_put_({Slice(), tensor<int64_t>({0, 2})}, x[1]);
                        t.index_put_({tensor<int64_t>({1, 1}), 1}, x[1].select(0, 0), /*accumulate=*/true);
                      }), {{2, 3}, {2, 2}}}},
  };
  for (const auto& [name, c] : composites) {
    CAPTURE(name);
    CHECK_NOTHROW(autograd::gradcheck(c.f, make_inputs(c, 29)));
  }
}

TEST_CASE("gradcheck compares a function without history against a zero Jacobian") {
  const TensorVector inputs = {ones({2}, DType::Float64).requires_grad_()};
  CHECK_NOTHROW(autograd::gradcheck([](const TensorVector&) { return ones({2}, DType::Float64); }, inputs));
  CHECK_THROWS_WITH(autograd::gradcheck([](const TensorVector& x) { return x[0].detach() * 3; }, inputs),
                    doctest::Contains("[gradcheck] inputs[0] element 0, output element 0: backward gives 0, finite differences 2.99999"));
}

TEST_CASE("gradcheck catches a wrong derivative") {
  // A function whose recorded graph computes x*x, but whose value is that of x*x*x.
  const auto wrong = [](const TensorVector& x) { return x[0] * x[0] + (x[0] * x[0] * x[0] - x[0] * x[0]).detach(); };
  manual_seed(3);
  const TensorVector inputs = {(randn({2}, DType::Float64) + 2).detach().requires_grad_()};
  CHECK_THROWS_WITH(autograd::gradcheck(wrong, inputs), doctest::Contains("[gradcheck] inputs[0] element 0, output element 0"));
}
