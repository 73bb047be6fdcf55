// float16 <-> float32 over contiguous runs with the F16C instructions (x86-64 CPUs since 2012),
// eight values an instruction: the SDK's portable converter takes ~1.6 ns a value, a tenth of
// that here, and every float16 tensor copy, cast and matmul staging (Note [Float32 staging])
// goes through these. Both round to nearest even and overflow to infinity, so they agree bit
// for bit except in the payload of a NaN.
#pragma once

#include <cstdint>

namespace ember::cpu {

// Convert `n` contiguous values; false, converting nothing, where the CPU lacks F16C.
bool widen_float16(const uint16_t* in, float* out, int64_t n);
bool narrow_to_float16(const float* in, uint16_t* out, int64_t n);

}  // namespace ember::cpu
