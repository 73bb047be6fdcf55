#include "philox_tile.h"

#include <immintrin.h>

#include "cpu_features.h"
#include "ember/philox.h"

namespace ember::cpu {
namespace {

// The high and low 32 bits of a * k for eight 32-bit lanes: vpmuludq multiplies the even lanes,
// so the odd ones are shifted down for a second multiply and the halves blended back in order.
__attribute__((target("avx2"))) inline void multiply_wide(__m256i a, __m256i k, __m256i& high, __m256i& low) {
  const __m256i even = _mm256_mul_epu32(a, k), odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), k);
  low = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  high = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// Counters first .. first + 7 split into their low and high words, in lane order.
__attribute__((target("avx2"))) inline void counter_words(uint64_t first, __m256i& low, __m256i& high) {
  const __m256i lanes_0_3 = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<int64_t>(first)), _mm256_setr_epi64x(0, 1, 2, 3));
  const __m256i lanes_4_7 = _mm256_add_epi64(lanes_0_3, _mm256_set1_epi64x(4));
  const __m256i words_apart = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);  // low words, then high words
  const __m256i a = _mm256_permutevar8x32_epi32(lanes_0_3, words_apart), b = _mm256_permutevar8x32_epi32(lanes_4_7, words_apart);
  low = _mm256_permute2x128_si256(a, b, 0x20);
  high = _mm256_permute2x128_si256(a, b, 0x31);
}

// Sixteen blocks as two interleaved groups of eight: one group's rounds form a serial chain of
// multiplies, and the second fills its latency.
constexpr int kGroups = 2;

__attribute__((target("avx2"))) void philox_avx2(uint64_t seed, uint64_t first, int64_t count,
                                                 uint32_t (&words)[4][kPhiloxTile], uint64_t round) {
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(0xD2511F53u)), m1 = _mm256_set1_epi32(static_cast<int>(0xCD9E8D57u));
  const __m256i w0 = _mm256_set1_epi32(static_cast<int>(0x9E3779B9u)), w1 = _mm256_set1_epi32(static_cast<int>(0xBB67AE85u));
  for (int64_t start = 0; start < count; start += 8 * kGroups) {
    __m256i c[kGroups][4];
    for (int g = 0; g < kGroups; ++g) {
      counter_words(first + static_cast<uint64_t>(start + 8 * g), c[g][0], c[g][1]);
      c[g][2] = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(round)));
      c[g][3] = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(round >> 32)));
    }
    __m256i k0 = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(seed)));
    __m256i k1 = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(seed >> 32)));
    for (int step = 0; step < 10; ++step) {
      for (auto& block : c) {
        __m256i high0, low0, high1, low1;
        multiply_wide(block[0], m0, high0, low0);
        multiply_wide(block[2], m1, high1, low1);
        block[0] = _mm256_xor_si256(_mm256_xor_si256(high1, block[1]), k0);
        block[2] = _mm256_xor_si256(_mm256_xor_si256(high0, block[3]), k1);
        block[1] = low1;
        block[3] = low0;
      }
      k0 = _mm256_add_epi32(k0, w0);
      k1 = _mm256_add_epi32(k1, w1);
    }
    for (int g = 0; g < kGroups; ++g) {
      for (int i = 0; i < 4; ++i) _mm256_storeu_si256(reinterpret_cast<__m256i*>(&words[i][start + 8 * g]), c[g][i]);
    }
  }
}

}  // namespace

// The AVX2 path writes whole groups of sixteen, which kPhiloxTile (a multiple of sixteen) holds.
static_assert(kPhiloxTile % (8 * kGroups) == 0);

void philox_tile(uint64_t seed, uint64_t first, int64_t count, uint32_t (&words)[4][kPhiloxTile], uint64_t round) {
  if (has_avx2()) return philox_avx2(seed, first, count, words, round);
  for (int64_t j = 0; j < count; ++j) {
    const sdk::Philox block(seed, first + static_cast<uint64_t>(j), round);
    for (int i = 0; i < 4; ++i) words[i][j] = block.out[i];
  }
}

}  // namespace ember::cpu
