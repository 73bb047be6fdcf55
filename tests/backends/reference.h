// Helpers for checking kernels against plain loops written in the tests.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "ember/ember.h"

namespace reference {

// Deterministic test data, independent of Ember's own generator.
inline std::vector<float> random_values(size_t n, unsigned seed, float lo = -2.f, float hi = 2.f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

inline ember::Tensor random_tensor(ember::IntArrayRef shape, unsigned seed) {
  size_t n = 1;
  for (int64_t s : shape) n *= static_cast<size_t>(s);
  return ember::tensor<float>(random_values(n, seed), shape);
}

// Row-major strides in elements.
inline std::vector<int64_t> strides_of(ember::IntArrayRef shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

// Index of output element `linear` (of `out_shape`) in a row-major input of `in_shape`
// broadcast to it.
inline size_t broadcast_index(size_t linear, ember::IntArrayRef out_shape, ember::IntArrayRef in_shape) {
  const auto in_strides = strides_of(in_shape);
  size_t index = 0;
  for (size_t d = out_shape.size(); d-- > 0;) {
    const int64_t i = static_cast<int64_t>(linear % out_shape[d]);
    linear /= out_shape[d];
    const int64_t in_d = static_cast<int64_t>(d) - static_cast<int64_t>(out_shape.size() - in_shape.size());
    if (in_d >= 0 && in_shape[in_d] != 1) index += i * in_strides[in_d];
  }
  return index;
}

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A float64 tensor of hand-written values (1-D unless a shape is given), and a tensor's values
// back as doubles.
inline ember::Tensor doubles(std::initializer_list<double> values, ember::IntArrayRef shape = {}) {
  return ember::tensor<double>(values, shape);
}
// doubles(values, shape) as a leaf that requires grad.
inline ember::Tensor leaf(std::initializer_list<double> values, ember::IntArrayRef shape = {}) {
  ember::Tensor t = doubles(values, shape);
  t.requires_grad_();
  return t;
}
inline std::vector<double> values(const ember::Tensor& t) { return ember::to_vector<double>(t.to(ember::DType::Float64)); }

inline void check_close(const std::vector<double>& actual, const std::vector<double>& expected, double tol) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    CAPTURE(i);
    if (std::isnan(expected[i])) {
      CHECK(std::isnan(actual[i]));
    } else if (tol == 0 || std::isinf(expected[i])) {
      CHECK(actual[i] == expected[i]);  // Approx with epsilon 0 never matches, nor inf (inf - inf is NaN)
    } else {
      CHECK(actual[i] == doctest::Approx(expected[i]).epsilon(tol).scale(1.0));
    }
  }
}

// A half-precision result against the same computation in float64 on the same (already rounded)
// inputs: within one rounding to the half dtype (2^-8 of the value for bfloat16, 2^-11 for float16),
// plus 1e-5 absolute for the float32 accumulation. A loop that rounds every partial sum to the
// half dtype misses this by far.
inline void check_rounded_once(const ember::Tensor& half_result, const ember::Tensor& wide_result) {
  REQUIRE(half_result.sizes().equals(wide_result.sizes()));
  const double rounding = half_result.dtype() == ember::DType::BFloat16 ? 0x1p-8 : 0x1p-11;
  const std::vector<double> actual = values(half_result), expected = values(wide_result);
  for (size_t i = 0; i < actual.size(); ++i) {
    CAPTURE(i);
    CHECK(std::abs(actual[i] - expected[i]) <= rounding * std::abs(expected[i]) + 1e-5);
  }
}

}  // namespace reference
