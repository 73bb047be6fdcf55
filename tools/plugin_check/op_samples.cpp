#include "op_samples.h"

#include <algorithm>
#include <random>

namespace ember::plugin_check {
namespace {

// Integers drawn from [low, high] as `dtype`.
Tensor integers(IntArrayRef shape, int64_t low, int64_t high, DType dtype, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int64_t> uniform(low, high);
  std::vector<int64_t> values(static_cast<size_t>(checked_numel(shape, "plugin_check")));
  for (int64_t& v : values) v = uniform(generator);
  return tensor<int64_t>(values, shape).to(dtype);
}

Tensor indices(std::initializer_list<int64_t> values, IntArrayRef shape = {}) { return tensor<int64_t>(values, shape); }

std::vector<Sample> binary(DType d) {
  std::vector<Sample> s;
  const Tensor a = sample_data({4, 1, 5}, d, 1), b = sample_data({3, 5}, d, 2);
  s.emplace_back().arg(a).arg(b);            // broadcast both ways
  s.emplace_back().arg(b).arg(b.clone());    // equal operands
  s.emplace_back().arg(b).arg(sample_data({}, d, 3));  // a 0-dim operand
  return s;
}

// remainder, fmod, floor_divide: divisors kept from 0, which integer kernels may refuse or not.
std::vector<Sample> division(DType d) {
  std::vector<Sample> s;
  const Tensor a = sample_data({3, 5}, d, 33), b = sample_data({5}, d, 34);  // in-place forms write into a
  s.emplace_back().arg(a).arg(where(b == 0, ones_like(b), b));
  return s;
}

std::vector<Sample> scaled_binary(DType d) {
  std::vector<Sample> s = binary(d);
  s.emplace_back().arg(sample_data({3, 5}, d, 4)).arg(sample_data({5}, d, 5)).named("alpha", 2);
  return s;
}

std::vector<Sample> where(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({2, 7}, DType::Bool, 6)).arg(sample_data({2, 7}, d, 7)).arg(sample_data({7}, d, 8));
  return s;
}

std::vector<Sample> unary(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({3, 17}, d, 9));
  return s;
}

// The bitwise operators, shifts, gcd and lcm take integers whatever dtype is asked for: both
// widths, broadcast both ways and (for the in-place forms) into self's shape.
std::vector<Sample> integral_binary(DType) {
  std::vector<Sample> s;
  for (DType d : {DType::Int64, DType::Int32}) {
    const Tensor a = sample_data({3, 5}, d, 67);
    s.emplace_back().arg(sample_data({4, 1, 5}, d, 68)).arg(a);
    s.emplace_back().arg(a).arg(sample_data({5}, d, 70));
  }
  return s;
}
std::vector<Sample> integral_unary(DType) {
  std::vector<Sample> s;
  for (DType d : {DType::Int64, DType::Int32}) s.emplace_back().arg(sample_data({3, 17}, d, 69));
  return s;
}

// polygamma: its order first; 0 is digamma.
std::vector<Sample> polygamma(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({3, 17}, d, 66);
  for (int64_t n : {0, 1, 3}) s.emplace_back().arg(n).arg(x);
  return s;
}

std::vector<Sample> gelu(DType d) {
  std::vector<Sample> s = unary(d);
  s.emplace_back().arg(sample_data({3, 17}, d, 10)).named("approximate", "tanh");
  return s;
}

std::vector<Sample> clamp(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({3, 17}, d, 11);
  s.emplace_back().arg(x).arg(-1).arg(1);
  s.emplace_back().arg(x).arg(-0.5).arg(1.25);
  s.emplace_back().arg(x).arg(IValue()).arg(0.5);
  return s;
}

// sum, prod, mean, amax, amin, var: dims as a list.
std::vector<Sample> reduction(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({4, 5, 6}, d, 12);
  s.emplace_back().arg(x);
  s.emplace_back().arg(x).ints({0, 2}).named("keepdim", true);
  s.emplace_back().arg(x).ints({-1});
  return s;
}

// argmax, argmin: one optional dim.
std::vector<Sample> arg_reduction(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({4, 5, 6}, d, 13);
  s.emplace_back().arg(x);
  s.emplace_back().arg(x).arg(1);
  s.emplace_back().arg(x).arg(2).named("keepdim", true);
  return s;
}

// max.dim, min.dim, softmax, log_softmax: one required dim.
std::vector<Sample> dim_reduction(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({4, 5, 6}, d, 14);
  s.emplace_back().arg(x).arg(1);
  s.emplace_back().arg(x).arg(-1);
  return s;
}

std::vector<Sample> top_k(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({4, 5, 6}, d, 19);
  s.emplace_back().arg(x).arg(3).arg(1).arg(true).arg(true);
  s.emplace_back().arg(x).arg(6).arg(-1).arg(false).arg(true);
  return s;
}

std::vector<Sample> mm(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({5, 7}, d, 15)).arg(sample_data({7, 3}, d, 16));
  s.emplace_back().arg(sample_data({33, 65}, d, 17)).arg(sample_data({65, 17}, d, 18));
  return s;
}

std::vector<Sample> bmm(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({2, 5, 7}, d, 19)).arg(sample_data({2, 7, 3}, d, 20));
  return s;
}

std::vector<Sample> addmm(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({3}, d, 21)).arg(sample_data({5, 7}, d, 22)).arg(sample_data({7, 3}, d, 23));
  s.emplace_back().arg(sample_data({5, 3}, d, 24)).arg(sample_data({5, 7}, d, 25)).arg(sample_data({7, 3}, d, 26))
      .named("beta", 3).named("alpha", 2);
  return s;
}

// Linear algebra: matrices kept well-conditioned (a diagonal of 4 added), symmetric positive-
// definite where the operator needs it, with broadcast batches and the other modes of each.
Tensor conditioned(IntArrayRef shape, DType d, unsigned seed) {
  return sample_data(shape, d, seed) + eye(shape.back(), std::nullopt, d) * 4;
}

Tensor positive_definite(IntArrayRef shape, DType d, unsigned seed) {
  const Tensor m = sample_data(shape, d, seed);
  return matmul(m, m.transpose(-2, -1)) + eye(shape.back(), std::nullopt, d) * 4;
}

// Factors of positive-definite matrices, and one that is not refused with check_errors (without,
// its factor is left incomplete, and how far is each library's own).
std::vector<Sample> linalg_cholesky(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(positive_definite({2, 4, 4}, d, 48));
  s.emplace_back().arg(positive_definite({3, 3}, d, 49)).named("upper", true);
  s.emplace_back(Compare::Error).arg(-positive_definite({3, 3}, d, 50)).named("check_errors", true);
  return s;
}

std::vector<Sample> linalg_solve_triangular(DType d) {
  std::vector<Sample> s;
  const Tensor a = conditioned({2, 1, 4, 4}, d, 51);
  s.emplace_back().arg(a).arg(sample_data({3, 4, 2}, d, 52)).named("upper", true);
  s.emplace_back().arg(a).arg(sample_data({2, 4}, d, 53)).named("upper", false).named("left", false)
      .named("unitriangular", true);
  return s;
}

std::vector<Sample> linalg_solve(DType d) {
  std::vector<Sample> s;
  const Tensor a = conditioned({2, 1, 4, 4}, d, 54);
  s.emplace_back().arg(a).arg(sample_data({3, 4, 2}, d, 55));
  s.emplace_back().arg(a.select(0, 0)).arg(sample_data({4}, d, 56));
  s.emplace_back().arg(a).arg(sample_data({2, 4}, d, 57)).named("left", false);
  s.emplace_back(Compare::Error).arg(zeros({3, 3}, d)).arg(sample_data({3}, d, 58));
  return s;
}

std::vector<Sample> square_matrices(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(conditioned({2, 4, 4}, d, 59));
  return s;
}

std::vector<Sample> linalg_qr(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({5, 3}, d, 60));
  s.emplace_back().arg(sample_data({2, 3, 5}, d, 61)).arg("complete");
  s.emplace_back().arg(sample_data({4, 4}, d, 62)).arg("r");
  return s;
}

// LU of square, wide and tall matrices, and of a singular one (info set, or an error with
// check_errors).
std::vector<Sample> linalg_lu_factor(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(conditioned({2, 4, 4}, d, 93));
  s.emplace_back().arg(sample_data({3, 5}, d, 94));
  s.emplace_back().arg(sample_data({5, 3}, d, 95));
  const Tensor singular = sample_data({3, 3}, d, 96).narrow(0, 0, 1).expand({3, 3});
  s.emplace_back().arg(singular);
  s.emplace_back(Compare::Error).arg(singular).named("check_errors", true);
  return s;
}

std::vector<Sample> linalg_eigh(DType d) {
  std::vector<Sample> s;
  const Tensor m = sample_data({2, 4, 4}, d, 63);
  s.emplace_back().arg(m + m.transpose(-2, -1));
  s.emplace_back().arg(m).arg("U");
  return s;
}

std::vector<Sample> linalg_svd(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({5, 3}, d, 64)).arg(false);
  s.emplace_back().arg(sample_data({2, 3, 5}, d, 65));
  return s;
}

// Convolutions: grouped with unequal strides, dilated, and plain.
std::vector<Sample> conv2d(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({2, 4, 9, 9}, d, 27)).arg(sample_data({6, 2, 3, 3}, d, 28)).ints({2, 1}).ints({1, 1})
      .ints({1, 1}).arg(2);
  s.emplace_back().arg(sample_data({1, 2, 7, 7}, d, 29)).arg(sample_data({3, 2, 3, 3}, d, 30)).ints({1, 1}).ints({2, 2})
      .ints({2, 2});
  s.emplace_back().arg(sample_data({1, 3, 6, 6}, d, 31)).arg(sample_data({4, 3, 3, 3}, d, 32));
  return s;
}

// The first convolution above: output [2, 6, 5, 9].
std::vector<Sample> conv2d_backward_input(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({2, 6, 5, 9}, d, 33)).arg(sample_data({6, 2, 3, 3}, d, 34)).ints({2, 4, 9, 9})
      .ints({2, 1}).ints({1, 1}).ints({1, 1}).arg(2);
  return s;
}

std::vector<Sample> conv2d_backward_weight(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({2, 6, 5, 9}, d, 35)).arg(sample_data({2, 4, 9, 9}, d, 36)).ints({6, 2, 3, 3})
      .ints({2, 1}).ints({1, 1}).ints({1, 1}).arg(2);
  return s;
}

std::vector<Sample> max_pool2d(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({2, 3, 9, 9}, d, 37)).ints({3, 3}).ints({2, 2}).ints({1, 1}).ints({1, 1}).arg(true);
  s.emplace_back().arg(sample_data({1, 2, 6, 6}, d, 38)).ints({2, 2});
  return s;
}

// copy_ casts both ways and broadcasts.
std::vector<Sample> copy(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({3, 5}, d, 39)).arg(sample_data({5}, DType::Float32, 40));
  s.emplace_back().arg(sample_data({3, 5}, DType::Float64, 41)).arg(sample_data({3, 5}, d, 42));
  return s;
}

std::vector<Sample> fill(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({3, 5}, d, 43)).arg(3);
  s.emplace_back().arg(sample_data({3, 5}, d, 44)).arg(-1.5);
  return s;
}

std::vector<Sample> arange_fill(DType d) {
  std::vector<Sample> s;
  s.emplace_back().arg(sample_data({10}, d, 45)).arg(1).arg(2);
  s.emplace_back().arg(sample_data({10}, d, 46)).arg(1.5).arg(0.25);
  return s;
}

// Random fills: enough draws for their moments to settle.
std::vector<Sample> random_fill(DType d, IValue low, IValue high) {
  std::vector<Sample> s;
  s.emplace_back(Compare::Statistics).arg(sample_data({8192}, d, 47)).arg(low).arg(high);
  return s;
}

// Poisson counts for rates either side of the switch from inversion to rejection at 10.
std::vector<Sample> poisson_counts(DType d) {
  std::vector<Sample> s;
  s.emplace_back(Compare::Statistics).arg(sample_data({8192}, d, 47).abs() * 6);
  return s;
}

// Gamma draws for shapes either side of 1, where the sampler boosts the smaller ones.
std::vector<Sample> gamma_shapes(DType d) {
  std::vector<Sample> s;
  s.emplace_back(Compare::Statistics).arg(sample_data({8192}, d, 47).abs() * 2 + 0.05);
  return s;
}

// Binomial counts for whole trial counts up to 30 and probabilities in [0, 1), inversion and
// rejection both.
std::vector<Sample> binomial_trials(DType d) {
  std::vector<Sample> s;
  const Tensor trials = (sample_data({8192}, d, 47).abs() * 15).round();
  s.emplace_back(Compare::Statistics).arg(trials).arg((sample_data({8192}, d, 48) + 2) / 4);
  return s;
}

std::vector<Sample> index_select(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({5, 4}, d, 48);
  s.emplace_back().arg(x).arg(0).arg(indices({3, 0, 3}));
  s.emplace_back().arg(x).arg(1).arg(indices({1, 1}));
  s.emplace_back(Compare::Error).arg(x).arg(0).arg(indices({0, 5}));
  return s;
}

std::vector<Sample> gather(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({3, 4}, d, 49);
  s.emplace_back().arg(x).arg(1).arg(indices({0, 3, 1, 1, 2, 0}, {3, 2}));
  s.emplace_back().arg(x).arg(0).arg(indices({2, 0, 1, 2}, {1, 4}));
  s.emplace_back(Compare::Error).arg(x).arg(1).arg(indices({0, 4}, {1, 2}));
  return s;
}

// searchsorted: a row shared by every value and a row per row of values, both sides, int32
// positions, a sorter for a row left unsorted, and one of its indices out of range.
std::vector<Sample> searchsorted(DType d) {
  std::vector<Sample> s;
  const Tensor rows = std::get<0>(sample_data({3, 6}, d, 90).sort(-1)), values = sample_data({3, 5}, d, 91);
  s.emplace_back().arg(rows.select(0, 1)).arg(values);
  s.emplace_back().arg(rows).arg(values).named("right", true);
  s.emplace_back().arg(rows).arg(values).named("out_int32", true).named("side", "right");
  const Tensor unsorted = sample_data({6}, d, 92);
  s.emplace_back().arg(unsorted).arg(values).named("sorter", std::get<1>(unsorted.sort()));
  s.emplace_back(Compare::Error).arg(unsorted).arg(values).named("sorter", indices({0, 1, 2, 3, 4, 6}));
  return s;
}

// index_add, index_copy: source's slices along dim.
std::vector<Sample> index_write(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({5, 3}, d, 50), source = sample_data({3, 3}, d, 51);
  s.emplace_back().arg(x).arg(0).arg(indices({0, 2, 0})).arg(source);
  s.emplace_back(Compare::Error).arg(x).arg(0).arg(indices({0, 7, 0})).arg(source);
  return s;
}

// scatter_add, scatter: every position of index.
std::vector<Sample> scatter_write(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({3, 4}, d, 52), source = sample_data({3, 3}, d, 53);
  s.emplace_back().arg(x).arg(1).arg(indices({0, 1, 0, 3, 3, 2, 1, 0, 1}, {3, 3})).arg(source);
  s.emplace_back(Compare::Error).arg(x).arg(1).arg(indices({0, 1, 0, 3, 4, 2, 1, 0, 1}, {3, 3})).arg(source);
  return s;
}

// scatter_reduce: each reduction, with and without self, repeated targets.
std::vector<Sample> scatter_reduce(DType d) {
  std::vector<Sample> s;
  const Tensor x = sample_data({3, 4}, d, 58), source = sample_data({3, 3}, d, 59);
  const Tensor index = indices({0, 1, 0, 3, 3, 2, 1, 1, 1}, {3, 3});
  for (const char* reduce : {"sum", "prod", "mean", "amax", "amin"}) {
    s.emplace_back().arg(x).arg(1).arg(index).arg(source).arg(reduce);
    s.emplace_back().arg(x).arg(1).arg(index).arg(source).arg(reduce).named("include_self", false);
  }
  s.emplace_back(Compare::Error).arg(x).arg(1).arg(indices({0, 1, 0, 3, 4, 2, 1, 0, 1}, {3, 3})).arg(source).arg("sum");
  return s;
}

// Quantized products (Note [Int8 epilogue]): float results, then requantized seven-bit ones.
std::vector<Sample> int8_matmul(DType) {
  std::vector<Sample> s;
  const Tensor x = integers({4, 6}, 0, 255, DType::UInt8, 54), w = integers({6, 5}, -127, 127, DType::Int8, 55);
  const Tensor scales = sample_data({5}, DType::Float32, 56).abs() * 0.01, bias = sample_data({5}, DType::Float32, 57);
  s.emplace_back().arg(x).arg(3).arg(w).arg(scales).arg(bias);
  s.emplace_back().arg(x).arg(3).arg(w).arg(scales).arg(bias).named("output_zero_point", 10).named("output_max", 127);
  return s;
}

std::vector<Sample> int8_conv2d(DType) {
  std::vector<Sample> s;
  const Tensor x = integers({1, 3, 6, 6}, 0, 127, DType::UInt8, 58);
  const Tensor w = integers({4, 3, 3, 3}, -127, 127, DType::Int8, 59);
  const Tensor scales = sample_data({4}, DType::Float32, 60).abs() * 0.01, bias = sample_data({4}, DType::Float32, 61);
  s.emplace_back().arg(x).arg(2).arg(w).arg(scales).arg(bias).ints({1, 1}).ints({1, 1});
  s.emplace_back().arg(x).arg(2).arg(w).arg(scales).arg(bias).named("output_zero_point", 5).named("output_max", 127);
  return s;
}

// One sample from the schema alone: every tensor [3, 5] of `d`, every required value a plain
// one; arguments with defaults keep them. None for schemas it cannot fill (required lists).
std::vector<Sample> from_schema(const schema::FunctionSchema& schema, DType d) {
  using schema::BaseType;
  Sample sample;
  unsigned seed = 62;
  for (const schema::Argument& a : schema.arguments) {
    const bool is_out = schema.is_out() && a.type.alias && a.type.alias->is_write;
    if (a.default_value || a.type.is_optional || is_out) continue;  // the checker provides `out`
    if (a.type.is_list) return {};
    switch (a.type.base) {
      case BaseType::Tensor: sample.named(a.name, sample_data({3, 5}, d, seed++)); break;
      case BaseType::Int: sample.named(a.name, 1); break;
      case BaseType::Float:
      case BaseType::Scalar: sample.named(a.name, 0.5); break;
      case BaseType::Bool: sample.named(a.name, false); break;
      case BaseType::ScalarType: sample.named(a.name, d); break;
      default: return {};
    }
  }
  std::vector<Sample> s;
  s.push_back(std::move(sample));
  return s;
}

struct Family {
  std::vector<std::string_view> ops;
  bool varies_with_dtype;
  std::vector<Sample> (*make)(DType);
};

const std::vector<Family>& families() {
  static const std::vector<Family> table = {
      {{"add.Tensor", "sub.Tensor"}, true, &scaled_binary},
      {{"mul.Tensor", "div.Tensor", "pow.Tensor_Tensor", "maximum", "minimum", "eq.Tensor", "ne.Tensor",
        "lt.Tensor", "le.Tensor", "gt.Tensor", "ge.Tensor", "atan2", "logaddexp", "special_zeta", "igamma",
        "igammac", "_igamma_grad", "_standard_gamma_grad"}, true, &binary},
      {{"bitwise_and.Tensor", "bitwise_or.Tensor", "bitwise_xor.Tensor", "bitwise_left_shift.Tensor",
        "bitwise_right_shift.Tensor", "gcd", "lcm"}, false, &integral_binary},
      {{"bitwise_not"}, false, &integral_unary},
      {{"remainder.Tensor", "fmod.Tensor", "floor_divide"}, true, &division},
      {{"where.self"}, true, &where},
      {{"neg", "abs", "relu", "round", "floor", "ceil", "trunc", "sign", "exp", "exp2", "log", "log2", "log10",
        "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
        "tanh", "asinh", "acosh", "atanh", "sigmoid", "erf", "erfc", "erfinv", "lgamma", "digamma", "i0", "special_i0e",
        "special_i1", "special_i1e", "special_bessel_j0", "special_bessel_j1", "special_bessel_y0", "special_bessel_y1",
        "special_modified_bessel_k0", "special_modified_bessel_k1", "special_scaled_modified_bessel_k0",
        "special_scaled_modified_bessel_k1", "special_spherical_bessel_j0", "special_erfcx", "special_ndtri", "silu"},
       true, &unary},
      {{"polygamma"}, true, &polygamma},
      {{"gelu"}, true, &gelu},
      {{"clamp"}, true, &clamp},
      {{"sum", "prod", "mean", "amax", "amin", "var"}, true, &reduction},
      {{"argmax", "argmin"}, true, &arg_reduction},
      {{"max.dim", "min.dim", "softmax.int", "log_softmax.int", "cumsum", "cumprod"}, true, &dim_reduction},
      {{"topk"}, true, &top_k},
      {{"mm"}, true, &mm},
      {{"bmm"}, true, &bmm},
      {{"addmm"}, true, &addmm},
      {{"conv2d"}, true, &conv2d},
      {{"conv2d_backward_input"}, true, &conv2d_backward_input},
      {{"conv2d_backward_weight"}, true, &conv2d_backward_weight},
      {{"max_pool2d_with_indices"}, true, &max_pool2d},
      {{"copy_"}, true, &copy},
      {{"fill_.Scalar"}, true, &fill},
      {{"arange_fill_"}, true, &arange_fill},
      {{"uniform_"}, true, [](DType d) { return random_fill(d, -2.0, 3.0); }},
      {{"normal_"}, true, [](DType d) { return random_fill(d, 1.0, 2.0); }},
      {{"random_.from"}, true, [](DType d) { return random_fill(d, -5, 7); }},
      {{"_poisson_counts"}, true, &poisson_counts},
      {{"_standard_gamma"}, true, &gamma_shapes},
      {{"binomial"}, true, &binomial_trials},
      {{"index_select"}, true, &index_select},
      {{"gather"}, true, &gather},
      {{"searchsorted"}, true, &searchsorted},
      {{"index_add", "index_copy"}, true, &index_write},
      {{"scatter_add", "scatter.src"}, true, &scatter_write},
      {{"scatter_reduce.two"}, true, &scatter_reduce},
      {{"linalg_cholesky_ex"}, true, &linalg_cholesky},
      {{"linalg_solve_triangular"}, true, &linalg_solve_triangular},
      {{"linalg_solve"}, true, &linalg_solve},
      {{"linalg_slogdet"}, true, &square_matrices},
      {{"linalg_qr"}, true, &linalg_qr},
      {{"linalg_lu_factor_ex"}, true, &linalg_lu_factor},
      {{"linalg_eigh"}, true, &linalg_eigh},
      {{"linalg_svd"}, true, &linalg_svd},
      {{"int8_matmul"}, false, &int8_matmul},
      {{"int8_conv2d"}, false, &int8_conv2d},
  };
  return table;
}

const Family* find_family(std::string_view name) {
  for (const Family& f : families()) {
    if (std::find(f.ops.begin(), f.ops.end(), name) != f.ops.end()) return &f;
  }
  return nullptr;
}

}  // namespace

Tensor sample_data(IntArrayRef shape, DType dtype, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-2.f, 2.f);
  std::vector<float> values(static_cast<size_t>(checked_numel(shape, "plugin_check")));
  for (float& v : values) v = uniform(generator);
  const Tensor floats = tensor<float>(values, shape);
  if (dtype == DType::Bool) return gt(floats, zeros({}));
  if (!is_floating(dtype)) return round(floats * 2.5).to(dtype);
  return floats.to(dtype);
}

Sample& Sample::arg(IValue value) {
  args_.push_back(std::move(value));
  return *this;
}

Sample& Sample::ints(std::vector<int64_t> values) {
  lists_.push_back(std::make_unique<std::vector<int64_t>>(std::move(values)));
  return arg(IValue(IntArrayRef(*lists_.back())));
}

Sample& Sample::named(std::string_view name, IValue value) {
  named_.emplace_back(name, std::move(value));
  return *this;
}

std::string functional_name(const schema::FunctionSchema& schema) {
  std::string name = schema.name;
  if (schema.is_inplace() && name.size() > 1 && name.back() == '_') name.pop_back();
  std::string overload = schema.overload;
  if (schema.is_out()) {
    if (overload == "out") overload.clear();
    else if (overload.size() > 4 && overload.ends_with("_out")) overload.resize(overload.size() - 4);
  }
  return (schema.ns.empty() ? "" : schema.ns + "::") + name + (overload.empty() ? "" : "." + overload);
}

std::vector<Sample> samples_for(const OperatorHandle& op, DType dtype) {
  const Family* family = find_family(op.name());
  if (!family) family = find_family(functional_name(op.schema()));
  if (!family) return from_schema(op.schema(), dtype);
  if (!family->varies_with_dtype && dtype != DType::Float32) return {};
  return family->make(dtype);
}

}  // namespace ember::plugin_check
