#include "gamma_tile.h"

#include <immintrin.h>

#include "cpu_features.h"
#include "ember/gamma_draw.h"

// libmvec's AVX2 variants, by their vector-ABI names (normal_tile.cpp says why).
extern "C" __m256d _ZGVdN4v_log(__m256d);
extern "C" __m256d _ZGVdN4v_cos(__m256d);

namespace ember::cpu {
namespace {

// sqrt(-2 ln u1) cos(angle), four at a time.
__attribute__((target("avx2"))) void box_muller_avx2(const double* u1, const double* angle, int64_t count, double* normals) {
  const __m256d minus_two = _mm256_set1_pd(-2.0);
  for (int64_t j = 0; j < count; j += 4) {
    const __m256d radius = _mm256_sqrt_pd(_mm256_mul_pd(minus_two, _ZGVdN4v_log(_mm256_load_pd(u1 + j))));
    _mm256_store_pd(normals + j, _mm256_mul_pd(radius, _ZGVdN4v_cos(_mm256_load_pd(angle + j))));
  }
}

}  // namespace

static_assert(kPhiloxTile % 4 == 0);

void gamma_tile(uint64_t seed, uint64_t first, int64_t count, const double* shapes, double* draws) {
  if (!has_avx2()) {
    for (int64_t j = 0; j < count; ++j) draws[j] = sdk::gamma_draw(shapes[j], seed, first + static_cast<uint64_t>(j));
    return;
  }
  uint32_t words[4][kPhiloxTile];
  philox_tile(seed, first, count, words, 1);
  alignas(32) double u1[kPhiloxTile], angle[kPhiloxTile], normals[kPhiloxTile];
  int64_t j = 0;
  for (; j < count; ++j) sdk::gamma_normal_inputs(words[0][j], words[1][j], u1[j], angle[j]);
  for (; j % 4 != 0; ++j) u1[j] = 1, angle[j] = 0;  // the last group's unused lanes: finite inputs
  box_muller_avx2(u1, angle, j, normals);
  for (j = 0; j < count; ++j) {
    const double u = sdk::Philox::unit_double(words[2][j], words[3][j]);
    draws[j] = sdk::GammaSampler(shapes[j]).draw(normals[j], u, seed, first + static_cast<uint64_t>(j));
  }
}

}  // namespace ember::cpu
