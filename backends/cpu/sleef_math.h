// Elementwise functions that the C library computes one value at a time, eight floats or four
// doubles at a time through SLEEF (Debian's libsleef, the vector library PyTorch uses).
#pragma once

#include <cstdint>

namespace ember::cpu {

// lgamma of n contiguous values, within SLEEF's 1 ulp. Only where has_avx2() holds: this file's
// code is built for AVX, and it checks nothing itself, so that no shared inline function is
// compiled here for a processor that may lack it.
void sleef_lgamma(const float* in, float* out, int64_t n);
void sleef_lgamma(const double* in, double* out, int64_t n);

}  // namespace ember::cpu
