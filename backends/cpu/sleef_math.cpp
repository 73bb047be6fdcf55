// Built with -mavx (CMakeLists.txt), which sleef.h needs to declare its 256-bit functions; the
// SLEEF entry points called here pick their AVX2, FMA4 or AVX variant themselves.
#include "sleef_math.h"

#include <immintrin.h>
#include <sleef.h>

namespace ember::cpu {
namespace {

// Whole vectors straight from `in`; the tail through a vector's worth of padding, 1 in the
// unused lanes (a finite argument).
template <typename Scalar, int kLanes, typename Load, typename Apply, typename Store>
void apply_in_vectors(const Scalar* in, Scalar* out, int64_t n, Load load, Apply apply, Store store) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(out + i, apply(load(in + i)));
  if (i == n) return;
  Scalar padded[kLanes];
  for (int lane = 0; lane < kLanes; ++lane) padded[lane] = i + lane < n ? in[i + lane] : Scalar(1);
  store(padded, apply(load(padded)));
  for (int lane = 0; i + lane < n; ++lane) out[i + lane] = padded[lane];
}

}  // namespace

void sleef_lgamma(const float* in, float* out, int64_t n) {
  apply_in_vectors<float, 8>(
      in, out, n, [](const float* p) { return _mm256_loadu_ps(p); }, [](__m256 x) { return Sleef_lgammaf8_u10(x); },
      [](float* p, __m256 x) { _mm256_storeu_ps(p, x); });
}

void sleef_lgamma(const double* in, double* out, int64_t n) {
  apply_in_vectors<double, 4>(
      in, out, n, [](const double* p) { return _mm256_loadu_pd(p); }, [](__m256d x) { return Sleef_lgammad4_u10(x); },
      [](double* p, __m256d x) { _mm256_storeu_pd(p, x); });
}

}  // namespace ember::cpu
