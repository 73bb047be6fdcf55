// Element types. The numeric values equal the plugin ABI's ember_dtype (Note [Plugin ABI rules]).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ember/plugin_api.h"

namespace ember {

// X(enum name, C++ storage type, printed name)
#define EMBER_FORALL_DTYPES(X)          \
  X(Float32, float, "float32")          \
  X(Float64, double, "float64")         \
  X(Float16, uint16_t, "float16")       \
  X(BFloat16, uint16_t, "bfloat16")     \
  X(Int64, int64_t, "int64")            \
  X(Int32, int32_t, "int32")            \
  X(Int8, int8_t, "int8")               \
  X(UInt8, uint8_t, "uint8")            \
  X(Bool, bool, "bool")                 \
  X(QInt8, int8_t, "qint8")             \
  X(QUInt8, uint8_t, "quint8")          \
  X(QInt32, int32_t, "qint32")

enum class DType : int8_t {
  Float32 = EMBER_DTYPE_FLOAT32,
  Float64 = EMBER_DTYPE_FLOAT64,
  Float16 = EMBER_DTYPE_FLOAT16,
  BFloat16 = EMBER_DTYPE_BFLOAT16,
  Int64 = EMBER_DTYPE_INT64,
  Int32 = EMBER_DTYPE_INT32,
  Int8 = EMBER_DTYPE_INT8,
  UInt8 = EMBER_DTYPE_UINT8,
  Bool = EMBER_DTYPE_BOOL,
  QInt8 = EMBER_DTYPE_QINT8,  // quantized (Note [Quantized tensors])
  QUInt8 = EMBER_DTYPE_QUINT8,
  QInt32 = EMBER_DTYPE_QINT32,
};
constexpr int kNumDTypes = 12;

// Bytes per element.
size_t itemsize(DType dtype);
// "float32".
std::string_view dtype_name(DType dtype);
// Parses "float32"; throws ember::Error naming the accepted names.
DType parse_dtype(std::string_view name);

inline bool is_floating(DType d) {
  return d == DType::Float32 || d == DType::Float64 || d == DType::Float16 || d == DType::BFloat16;
}
inline bool is_integral(DType d, bool include_bool) {
  return d == DType::Int64 || d == DType::Int32 || d == DType::Int8 || d == DType::UInt8 ||
         (include_bool && d == DType::Bool);
}

inline bool is_quantized(DType d) { return d == DType::QInt8 || d == DType::QUInt8 || d == DType::QInt32; }
// The integer type a quantized dtype stores (int8 for qint8); other dtypes are their own.
DType underlying_dtype(DType d);

// The largest finite value of a floating dtype (65504 for float16); an error for other dtypes.
double largest_finite(DType d);

// The smallest dtype that holds both (PyTorch's promotion lattice).
DType promote_types(DType a, DType b);

// The dtype a plain C++ type maps to.
template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<int32_t>() { return DType::Int32; }
template <> constexpr DType dtype_of<int8_t>() { return DType::Int8; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::UInt8; }
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }

}  // namespace ember
