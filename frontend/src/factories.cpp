// Factories and copies: tensors made from a size and a device, casts, clones.
#include <cmath>
#include <cstring>

#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember {

Tensor scalar_tensor(const Scalar& value, std::optional<DType> dtype, std::optional<Device> device) {
  return full({}, value, dtype.value_or(value.default_dtype()), device);
}

Tensor wrapped_number(const Scalar& value, Device device) {
  return scalar_tensor(value, value.is_floating() ? DType::Float64 : value.default_dtype(), device);
}

void synchronize(Device device) { device_interface(device.slot()).synchronize(device.index()); }

Tensor from_host(const void* data, size_t count, DType dtype, IntArrayRef sizes, std::optional<Device> device) {
  Tensor out = empty(sizes, dtype, device);
  EMBER_CHECK(static_cast<int64_t>(count) == out.numel(),
              "[tensor] values: expected {} values for shape [{}], got {}", out.numel(),
              fmt::join(sizes, ", "), count);
  DeviceInterface& target = out.impl()->storage()->device_interface();
  const size_t nbytes = count * itemsize(dtype);
  if (nbytes == 0) return out;
  if (target.host_accessible()) {
    std::memcpy(out.raw_data(), data, nbytes);
  } else {
    target.copy(out.device().index(), out.raw_data(), data, nbytes, DeviceInterface::CopyKind::HostToDevice);
  }
  return out;
}

Tensor empty_like(const Tensor& like, std::optional<DType> dtype) {
  return empty(like.sizes(), dtype.value_or(like.dtype()), like.device());
}
Tensor zeros_like(const Tensor& like, std::optional<DType> dtype) {
  return zeros(like.sizes(), dtype.value_or(like.dtype()), like.device());
}
Tensor ones_like(const Tensor& like, std::optional<DType> dtype) {
  return ones(like.sizes(), dtype.value_or(like.dtype()), like.device());
}
Tensor full_like(const Tensor& like, const Scalar& fill_value, std::optional<DType> dtype) {
  return full(like.sizes(), fill_value, dtype.value_or(like.dtype()), like.device());
}
Tensor rand_like(const Tensor& like, std::optional<DType> dtype) {
  return rand(like.sizes(), dtype.value_or(like.dtype()), like.device());
}
Tensor randn_like(const Tensor& like, std::optional<DType> dtype) {
  return randn(like.sizes(), dtype.value_or(like.dtype()), like.device());
}

namespace composite {

Tensor empty(IntArrayRef size, std::optional<DType> dtype, std::optional<Device> device) {
  return empty_on(size, dtype.value_or(DType::Float32), device ? *device : default_device());
}

Tensor zeros(IntArrayRef size, std::optional<DType> dtype, std::optional<Device> device) {
  return ember::empty(size, dtype, device).fill_(0);
}

Tensor ones(IntArrayRef size, std::optional<DType> dtype, std::optional<Device> device) {
  return ember::empty(size, dtype, device).fill_(1);
}

Tensor eye(int64_t n, std::optional<int64_t> m, std::optional<DType> dtype, std::optional<Device> device) {
  const int64_t columns = m.value_or(n);
  checked_numel({n, columns}, "eye");
  const Device where = device.value_or(default_device());
  const Tensor rows = ember::arange(n, DType::Int64, where).unsqueeze(1);
  return eq(rows, ember::arange(columns, DType::Int64, where)).to(dtype.value_or(DType::Float32));
}

Tensor full(IntArrayRef size, const Scalar& fill_value, std::optional<DType> dtype, std::optional<Device> device) {
  return ember::empty(size, dtype.value_or(fill_value.default_dtype()), device).fill_(fill_value);
}

Tensor arange_start(const Scalar& start, const Scalar& end, const Scalar& step,
                    std::optional<DType> dtype, std::optional<Device> device) {
  const double from = start.to_double(), to = end.to_double(), by = step.to_double();
  EMBER_CHECK(by != 0, "[arange] step: expected a non-zero step");
  EMBER_CHECK((to - from) * by >= 0, "[arange] end: {} cannot be reached from {} with step {}",
              end.to_string(), start.to_string(), step.to_string());
  const bool floating = start.is_floating() || end.is_floating() || step.is_floating();
  const double length = std::ceil((to - from) / by);
  EMBER_CHECK(length < 0x1p62, "[arange] end: {} elements from {} to {} with step {}, more than a tensor can hold",
              length, start.to_string(), end.to_string(), step.to_string());
  const int64_t n = static_cast<int64_t>(length);
  Tensor out = ember::empty({n}, dtype.value_or(floating ? DType::Float32 : DType::Int64), device);
  return arange_fill_(out, start, step);
}

Tensor arange(const Scalar& end, std::optional<DType> dtype, std::optional<Device> device) {
  return arange_start(int64_t{0}, end, int64_t{1}, dtype, device);
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, std::optional<DType> dtype,
                std::optional<Device> device) {
  EMBER_CHECK(steps >= 0, "[linspace] steps: expected a count >= 0, got {}", steps);
  const DType type = dtype.value_or(DType::Float32);
  if (steps <= 1) return ember::full({steps}, start, type, device);
  // In float64, each half from its own end: start + i step below the middle, end - (n-1-i) step
  // above it, so that both ends are exact.
  const double from = start.to_double(), to = end.to_double();
  const double step = (to - from) / static_cast<double>(steps - 1);
  const Tensor i = ember::arange(steps, DType::Float64, device);
  const Tensor values = where(i < steps / 2, i * step + from, to - ((steps - 1) - i) * step);
  return values.to(type);
}

// The exponents in float64, then the powers, then the dtype asked for (float32 by default).
Tensor logspace(const Scalar& start, const Scalar& end, int64_t steps, double base, std::optional<DType> dtype,
                std::optional<Device> device) {
  EMBER_CHECK(steps >= 0, "[logspace] steps: expected a count >= 0, got {}", steps);
  const Tensor exponents = ember::linspace(start, end, steps, DType::Float64, device);
  return ember::pow(ember::full({}, base, DType::Float64, device), exponents).to(dtype.value_or(DType::Float32));
}

Tensor rand(IntArrayRef size, std::optional<DType> dtype, std::optional<Device> device) {
  return ember::empty(size, dtype, device).uniform_(0, 1);
}

Tensor randn(IntArrayRef size, std::optional<DType> dtype, std::optional<Device> device) {
  return ember::empty(size, dtype, device).normal_(0, 1);
}

Tensor randint(int64_t low, int64_t high, IntArrayRef size, std::optional<DType> dtype,
               std::optional<Device> device) {
  return ember::empty(size, dtype.value_or(DType::Int64), device).random_(low, high);
}

Tensor to_dtype(const Tensor& self, DType dtype) {
  if (self.dtype() == dtype) return self;
  return ember::empty(self.sizes(), dtype, self.device()).copy_(self);
}

Tensor clone(const Tensor& self) { return ember::empty(self.sizes(), self.dtype(), self.device()).copy_(self); }

Tensor contiguous(const Tensor& self) { return self.is_contiguous() ? self : self.clone(); }

// Note [Cross-device copies]
// Bytes move through the destination's transfer when the source is host memory, else through
// the source's when the destination is host memory, else they are staged through the host.
Tensor to_device(const Tensor& self, Device device) {
  if (self.device() == device) return self;
  const Tensor src = self.contiguous();
  Tensor dst = ember::empty(src.sizes(), src.dtype(), device);
  const size_t nbytes = static_cast<size_t>(src.numel()) * itemsize(src.dtype());
  if (nbytes == 0) return dst;
  DeviceInterface& from = src.impl()->storage()->device_interface();
  DeviceInterface& to = dst.impl()->storage()->device_interface();
  using Kind = DeviceInterface::CopyKind;
  if (from.host_accessible() && to.host_accessible()) {
    std::memcpy(dst.raw_data(), src.raw_data(), nbytes);
  } else if (from.host_accessible()) {
    to.copy(dst.device().index(), dst.raw_data(), src.raw_data(), nbytes, Kind::HostToDevice);
  } else if (to.host_accessible()) {
    from.copy(src.device().index(), dst.raw_data(), src.raw_data(), nbytes, Kind::DeviceToHost);
  } else {
    std::vector<unsigned char> staging(nbytes);
    from.copy(src.device().index(), staging.data(), src.raw_data(), nbytes, Kind::DeviceToHost);
    to.copy(dst.device().index(), dst.raw_data(), staging.data(), nbytes, Kind::HostToDevice);
  }
  return dst;
}

Tensor type_as(const Tensor& self, const Tensor& other) { return self.to(other.dtype()); }

}  // namespace composite
}  // namespace ember
