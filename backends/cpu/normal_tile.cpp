#include "normal_tile.h"

#include <immintrin.h>

#include "cpu_features.h"
#include "ember/random_draws.h"

// libmvec's AVX2 variants, by their vector-ABI names (glibc's math-vector.h declares them to the
// compiler only under -ffast-math, and it would fuse sinf and cosf into a sincosf of no vector form).
extern "C" __m256 _ZGVdN8v_logf(__m256);
extern "C" __m256 _ZGVdN8v_sinf(__m256);
extern "C" __m256 _ZGVdN8v_cosf(__m256);

namespace ember::cpu {
namespace {

__attribute__((target("avx2"))) void box_muller_avx2(const float* u1, const float* angle, int64_t count, float mean,
                                                     float deviation, float* pairs) {
  const __m256 shift = _mm256_set1_ps(mean), scale = _mm256_set1_ps(deviation), minus_two = _mm256_set1_ps(-2.0f);
  for (int64_t j = 0; j < count; j += 8) {
    const __m256 log_u1 = _ZGVdN8v_logf(_mm256_load_ps(u1 + j));
    const __m256 radius = _mm256_mul_ps(scale, _mm256_sqrt_ps(_mm256_mul_ps(minus_two, log_u1)));
    const __m256 a = _mm256_load_ps(angle + j);
    const __m256 first = _mm256_add_ps(shift, _mm256_mul_ps(radius, _ZGVdN8v_cosf(a)));
    const __m256 second = _mm256_add_ps(shift, _mm256_mul_ps(radius, _ZGVdN8v_sinf(a)));
    // Interleaved as the elements take them: first and second of block j, then of block j + 1.
    const __m256 low = _mm256_unpacklo_ps(first, second), high = _mm256_unpackhi_ps(first, second);
    _mm256_storeu_ps(pairs + 2 * j, _mm256_permute2f128_ps(low, high, 0x20));
    _mm256_storeu_ps(pairs + 2 * j + 8, _mm256_permute2f128_ps(low, high, 0x31));
  }
}

}  // namespace

// The vector loop takes whole groups of eight, which kPhiloxTile (a multiple of eight) holds.
static_assert(kPhiloxTile % 8 == 0);

bool normal_tile(const uint32_t (&words)[4][kPhiloxTile], int64_t count, float mean, float deviation,
                 float (&values)[2 * kPhiloxTile]) {
  if (!has_avx2()) return false;
  alignas(32) float u1[kPhiloxTile], angle[kPhiloxTile];
  int64_t j = 0;
  for (; j < count; ++j) {
    const uint32_t block[4] = {words[0][j], words[1][j], words[2][j], words[3][j]};
    sdk::normal_inputs(block, u1[j], angle[j]);
  }
  for (; j % 8 != 0; ++j) u1[j] = 1, angle[j] = 0;  // the last group's unused lanes: finite inputs
  box_muller_avx2(u1, angle, j, mean, deviation, values);
  return true;
}

}  // namespace ember::cpu
