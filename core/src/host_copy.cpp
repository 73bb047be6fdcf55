#include "ember/core/host_copy.h"

#include <cstring>

#include "ember/half.h"

namespace ember {

void read_to_host(const Storage& storage, size_t byte_offset, size_t nbytes, void* dst) {
  DeviceInterface& device = storage->device_interface();
  const char* src = static_cast<const char*>(storage->data()) + byte_offset;
  if (device.host_accessible()) {
    std::memcpy(dst, src, nbytes);
  } else {
    device.copy(storage->device().index(), dst, src, nbytes, DeviceInterface::CopyKind::DeviceToHost);
  }
}

Scalar scalar_from_bytes(DType dtype, const void* bytes) {
  auto load = [bytes](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, bytes, sizeof v);
    return v;
  };
  switch (dtype) {
    case DType::Float32: return Scalar(static_cast<double>(load(float{})));
    case DType::Float64: return Scalar(load(double{}));
    case DType::Float16: return Scalar(static_cast<double>(half::fp16_to_float(load(uint16_t{}))));
    case DType::BFloat16: return Scalar(static_cast<double>(half::bf16_to_float(load(uint16_t{}))));
    case DType::Int64: return Scalar(load(int64_t{}));
    case DType::Int32: return Scalar(load(int32_t{}));
    case DType::Int8: return Scalar(load(int8_t{}));
    case DType::UInt8: return Scalar(load(uint8_t{}));
    case DType::Bool: return Scalar(load(uint8_t{}) != 0);
    case DType::QInt8: return Scalar(load(int8_t{}));  // the stored integer, not its real value
    case DType::QUInt8: return Scalar(load(uint8_t{}));
    case DType::QInt32: return Scalar(load(int32_t{}));
  }
  return Scalar();
}

}  // namespace ember
