#include "half_conversion.h"

#include <immintrin.h>

#include "cpu_features.h"

namespace ember::cpu {
namespace {

__attribute__((target("avx,f16c"))) void widen_f16c(const uint16_t* in, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))));
  }
  for (; i < n; ++i) out[i] = _cvtsh_ss(in[i]);
}

__attribute__((target("avx,f16c"))) void narrow_f16c(const float* in, uint16_t* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT));
  }
  for (; i < n; ++i) out[i] = _cvtss_sh(in[i], _MM_FROUND_TO_NEAREST_INT);
}

}  // namespace

bool widen_float16(const uint16_t* in, float* out, int64_t n) {
  if (!has_f16c()) return false;
  widen_f16c(in, out, n);
  return true;
}

bool narrow_to_float16(const float* in, uint16_t* out, int64_t n) {
  if (!has_f16c()) return false;
  narrow_f16c(in, out, n);
  return true;
}

}  // namespace ember::cpu
