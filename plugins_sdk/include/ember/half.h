// float16 and bfloat16 conversions, header-only so that the host and every plugin share them.
#pragma once

#include <cstdint>
#include <cstring>

namespace ember::half {

inline float bits_to_float(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline uint32_t float_to_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

inline float bf16_to_float(uint16_t h) { return bits_to_float(static_cast<uint32_t>(h) << 16); }
// Round to nearest even; NaN stays NaN.
inline uint16_t float_to_bf16(float f) {
  uint32_t bits = float_to_bits(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

inline float fp16_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) return bits_to_float(sign | 0x7f800000u | (mantissa << 13));
  if (exponent == 0) {
    if (mantissa == 0) return bits_to_float(sign);
    // Subnormal: scale the mantissa by 2^-24.
    float value = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
    return sign ? -value : value;
  }
  return bits_to_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

// Round to nearest even, with overflow to infinity and gradual underflow.
inline uint16_t float_to_fp16(float f) {
  const uint32_t bits = float_to_bits(f);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t abs_bits = bits & 0x7fffffffu;
  if (abs_bits > 0x7f800000u) return sign | 0x7e00u;          // NaN
  if (abs_bits >= 0x477ff000u) return sign | 0x7c00u;         // overflows to infinity
  if (abs_bits < 0x38800000u) {                               // subnormal or zero in fp16
    const float magnitude = bits_to_float(abs_bits);
    // Adding 0.5 makes the FPU round the mantissa at the fp16 subnormal's last place.
    const uint32_t rounded = float_to_bits(magnitude + 0.5f) - float_to_bits(0.5f);
    return sign | static_cast<uint16_t>(rounded);
  }
  const uint32_t mantissa_odd = (abs_bits >> 13) & 1u;
  const uint32_t rebased = abs_bits - (112u << 23) + 0xfffu + mantissa_odd;
  return sign | static_cast<uint16_t>(rebased >> 13);
}

}  // namespace ember::half

namespace ember {

// Storage types for 16-bit floats that compute as float.
struct Float16 {
  uint16_t bits = 0;
  Float16() = default;
  Float16(float f) : bits(half::float_to_fp16(f)) {}
  operator float() const { return half::fp16_to_float(bits); }
};
struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float f) : bits(half::float_to_bf16(f)) {}
  operator float() const { return half::bf16_to_float(bits); }
};

}  // namespace ember
