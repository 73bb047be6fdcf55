#include "ember/core/dtype.h"

#include <limits>
#include <string>

#include "ember/core/error.h"

namespace ember {

size_t itemsize(DType dtype) {
  switch (dtype) {
#define EMBER_ITEMSIZE_CASE(name, type, text) \
  case DType::name: return sizeof(type);
    EMBER_FORALL_DTYPES(EMBER_ITEMSIZE_CASE)
#undef EMBER_ITEMSIZE_CASE
  }
  EMBER_FAIL("[dtype] unknown dtype code {}", static_cast<int>(dtype));
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
#define EMBER_NAME_CASE(name, type, text) \
  case DType::name: return text;
    EMBER_FORALL_DTYPES(EMBER_NAME_CASE)
#undef EMBER_NAME_CASE
  }
  return "unknown";
}

DType parse_dtype(std::string_view text) {
#define EMBER_PARSE_CASE(name, type, printed) \
  if (text == printed) return DType::name;
  EMBER_FORALL_DTYPES(EMBER_PARSE_CASE)
#undef EMBER_PARSE_CASE
  EMBER_FAIL("[dtype] unknown dtype '{}': expected one of float32, float64, float16, bfloat16, "
             "int64, int32, int8, uint8, bool, qint8, quint8, qint32", text);
}

DType underlying_dtype(DType d) {
  switch (d) {
    case DType::QInt8: return DType::Int8;
    case DType::QUInt8: return DType::UInt8;
    case DType::QInt32: return DType::Int32;
    default: return d;
  }
}

// Note [Type promotion]
double largest_finite(DType d) {
  switch (d) {
    case DType::Float16: return 65504;
    case DType::BFloat16: return 0x1.fep127;
    case DType::Float32: return std::numeric_limits<float>::max();
    case DType::Float64: return std::numeric_limits<double>::max();
    default: EMBER_FAIL("[largest_finite] dtype: expected a floating-point dtype, got {}", dtype_name(d));
  }
}

// Categories order bool < integral < floating. Within integers, the wider wins, and uint8 with int8
// needs the next signed width; float16 with bfloat16 gives float32, as in PyTorch.
DType promote_types(DType a, DType b) {
  if (a == b) return a;
  EMBER_CHECK(!is_quantized(a) && !is_quantized(b),
              "[promote_types] {} and {}: quantized tensors take part in arithmetic only dequantized",
              dtype_name(a), dtype_name(b));
  if (a == DType::Bool) return b;
  if (b == DType::Bool) return a;
  const bool fa = is_floating(a), fb = is_floating(b);
  if (fa != fb) return fa ? a : b;
  auto rank = [](DType d) {
    switch (d) {
      case DType::UInt8: case DType::Int8: return 1;
      case DType::Int32: return 3;
      case DType::Int64: return 4;
      case DType::Float16: case DType::BFloat16: return 2;
      case DType::Float32: return 3;
      case DType::Float64: return 4;
      default: return 0;
    }
  };
  if (fa) {
    if (rank(a) == 2 && rank(b) == 2) return DType::Float32;
    return rank(a) >= rank(b) ? a : b;
  }
  if ((a == DType::UInt8 && b == DType::Int8) || (a == DType::Int8 && b == DType::UInt8)) {
    return DType::Int32;  // PyTorch gives int16, which Ember lacks: the next signed width up
  }
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace ember
