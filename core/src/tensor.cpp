#include "ember/core/tensor.h"

#include "ember/core/quantizer.h"

#include <cstring>
#include <vector>

#include "ember/core/host_copy.h"

namespace ember {

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t n = ndim == 0 ? 1 : ndim;  // a 0-dim tensor accepts dim 0 and -1
  EMBER_CHECK(dim >= -n && dim < n, "[{}] dim: expected a value in [{}, {}], got {}", op, -n,
              n - 1, dim);
  return dim < 0 ? dim + n : dim;
}

std::string shape_str(IntArrayRef sizes) { return fmt::format("[{}]", fmt::join(sizes, ", ")); }

namespace {

// wrap_dim lets a 0-dim tensor take dim 0 (as reductions over it do); a size has no such case.
int64_t existing_dim(int64_t d, int64_t ndim, const char* op) {
  EMBER_CHECK(ndim > 0, "[{}] dim: a 0-dim tensor has no dimensions, got {}", op, d);
  return wrap_dim(d, ndim, op);
}

}  // namespace

int64_t Tensor::size(int64_t d) const { return sizes()[existing_dim(d, dim(), "size")]; }
int64_t Tensor::stride(int64_t d) const { return strides()[existing_dim(d, dim(), "stride")]; }

void Tensor::throw_undefined(const char* what) {
  EMBER_FAIL("[{}] tensor: expected a defined tensor, got an undefined (default-constructed) one", what);
}

void* Tensor::raw_data() const {
  return static_cast<char*>(impl_->storage()->data()) + impl_->storage_offset() * itemsize(dtype());
}

void Tensor::check_host_data(DType expected, const char* op) const {
  EMBER_CHECK(defined(), "[{}] tensor: expected a defined tensor", op);
  EMBER_CHECK(dtype() == expected, "[{}] T: expected the tensor's dtype {}, got {}", op, dtype_name(dtype()),
              dtype_name(expected));
  EMBER_CHECK(impl_->storage()->device_interface().host_accessible(),
              "[{}] tensor on {}: expected host-accessible memory; copy it with .to(\"cpu\")", op, device().str());
}

Scalar Tensor::item() const {
  EMBER_CHECK(defined(), "[item] tensor: expected a defined tensor");
  EMBER_CHECK(numel() == 1, "[item] tensor: expected one element, got {}", numel());
  alignas(8) unsigned char bytes[8];
  read_to_host(impl_->storage(), storage_offset() * itemsize(dtype()), itemsize(dtype()), bytes);
  const Scalar value = scalar_from_bytes(dtype(), bytes);
  if (const auto& quantizer = impl_->quantizer()) return Scalar(quantizer->dequantize(value.to_int()));
  return value;
}

Tensor make_tensor(Storage storage, DType dtype, IntArrayRef sizes, IntArrayRef strides,
                   int64_t offset) {
  return Tensor(IntrusivePtr<TensorImpl>::adopt(
      new TensorImpl(std::move(storage), dtype, sizes, strides, offset)));
}

Tensor empty_on(IntArrayRef sizes, DType dtype, Device device) {
  EMBER_CHECK(!is_quantized(dtype), "[empty] dtype: a {} tensor needs a scale and zero point; make it with "
              "quantize_per_tensor or quantize_per_channel", dtype_name(dtype));
  const int64_t numel = checked_numel(sizes, "empty");
  // Kernels compute byte offsets in int64, so the bytes must fit one as well as the elements.
  int64_t nbytes = 0;
  EMBER_CHECK(!__builtin_mul_overflow(numel, static_cast<int64_t>(itemsize(dtype)), &nbytes),
              "[empty] size: {} elements of {} take more bytes than int64 counts", numel, dtype_name(dtype));
  Storage storage = Storage::adopt(new StorageImpl(device, static_cast<size_t>(nbytes)));
  return Tensor(IntrusivePtr<TensorImpl>::adopt(new TensorImpl(std::move(storage), dtype, sizes, numel)));
}

Tensor make_view(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  return make_view(base, sizes, strides, offset, base.dtype());
}

Tensor make_view(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset, DType dtype) {
  Tensor view = make_alias(base, sizes, strides, offset, dtype);
  const IntrusivePtr<TensorImpl>& root = base.impl()->view_base();
  view.impl()->set_view_base(root ? root : base.impl_ptr());
  return view;
}

Tensor make_alias(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  return make_alias(base, sizes, strides, offset, base.dtype());
}

Tensor make_alias(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset, DType dtype) {
  Tensor alias = make_tensor(base.impl()->storage(), dtype, sizes, strides, offset);
  alias.impl()->add_keys(base.key_set());
  alias.impl()->set_quantizer(base.impl()->quantizer());
  return alias;
}

}  // namespace ember
