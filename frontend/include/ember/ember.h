// The Ember C++ frontend: include this one header.
#pragma once

#include <vector>

#include "ember/autograd/anomaly_mode.h"
#include "ember/autograd/checkpoint.h"
#include "ember/autograd/engine.h"
#include "ember/autograd/function.h"
#include "ember/autograd/functional.h"
#include "ember/autograd/grad_mode.h"
#include "ember/autocast.h"
#include "ember/call_by_name.h"
#include "ember/core/quantizer.h"
#include "ember/core/tensor.h"
#include "ember/dispatcher/random_state.h"
#include "ember/generated/functions.h"
#include "ember/indexing.h"
#include "ember/runtime.h"

namespace ember {

// A 0-dim tensor holding `value` (dtype from the value unless given).
Tensor scalar_tensor(const Scalar& value, std::optional<DType> dtype = std::nullopt,
                    std::optional<Device> device = std::nullopt);

// A C++ number as an operand of a tensor operator: float64, int64 or bool, so no precision is lost;
// being 0-dim, it never widens the tensor's dtype (Note [Result type]).
Tensor wrapped_number(const Scalar& value, Device device);
// Waits until the work queued on `device` is done (a no-op on the CPU): for timing, or before
// reading device memory through other means.
void synchronize(Device device);

// A tensor of `sizes` holding a copy of `count` host elements of `dtype` at `data`.
Tensor from_host(const void* data, size_t count, DType dtype, IntArrayRef sizes,
                 std::optional<Device> device = std::nullopt);

// tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}): a copy of host values; a 1-D shape by default.
template <typename T>
Tensor tensor(ArrayRef<T> values, IntArrayRef sizes, std::optional<Device> device = std::nullopt) {
  return from_host(values.data(), values.size(), dtype_of<T>(), sizes, device);
}
template <typename T>
Tensor tensor(std::initializer_list<T> values, IntArrayRef sizes = {}, std::optional<Device> device = std::nullopt) {
  const int64_t n = static_cast<int64_t>(values.size());
  return tensor(ArrayRef<T>(values), sizes.empty() ? IntArrayRef(n) : sizes, device);
}

// Tensors shaped as `like`, on its device, of its dtype unless one is given (torch.zeros_like
// and its kin). Always contiguous: the layout of `like` is not copied.
Tensor empty_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
Tensor zeros_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
Tensor ones_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
Tensor full_like(const Tensor& like, const Scalar& fill_value, std::optional<DType> dtype = std::nullopt);
Tensor rand_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
Tensor randn_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);

// Views of `self` along `dim`, as torch.split, torch.chunk and torch.unbind give them: pieces of
// `split_size` elements (the last one shorter when it does not divide), pieces of the sizes
// listed, `chunks` pieces of ceil(size / chunks) elements (so fewer where that divides badly), or
// one per index; an empty dimension splits into one empty piece. Made of narrow and select, so
// autograd records each piece. They are functions here rather than registry operators: an
// operator returns a fixed number of tensors.
std::vector<Tensor> split(const Tensor& self, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split_with_sizes(const Tensor& self, IntArrayRef split_sizes, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& self, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& self, int64_t dim = 0);
// torch.tensor_split: `sections` pieces whose sizes differ by at most one (the first ones the
// larger), or pieces cut before each of `indices` (clamped to the dimension, so pieces may be
// empty). hsplit, vsplit and dsplit cut along dimension 1 (0 for a vector), 0 and 2.
std::vector<Tensor> tensor_split(const Tensor& self, int64_t sections, int64_t dim = 0);
std::vector<Tensor> tensor_split(const Tensor& self, IntArrayRef indices, int64_t dim = 0);
std::vector<Tensor> hsplit(const Tensor& self, int64_t sections);
std::vector<Tensor> vsplit(const Tensor& self, int64_t sections);
std::vector<Tensor> dsplit(const Tensor& self, int64_t sections);
// The tensors expanded to their common broadcast shape (views), as torch.broadcast_tensors.
std::vector<Tensor> broadcast_tensors(TensorList tensors);

// One answer for whole tensors: every element isclose (torch.allclose; broadcasting as isclose),
// or the same shape and equal elements (torch.equal; dtypes promoted as eq's).
bool allclose(const Tensor& self, const Tensor& other, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false);
bool equal(const Tensor& self, const Tensor& other);

// Coordinate grids of 0-dim or 1-D tensors, as torch.meshgrid: with "ij" indexing tensors[i]
// varies along dimension i; "xy" swaps the first two (NumPy's Cartesian grids). Expanded views.
std::vector<Tensor> meshgrid(TensorList tensors, std::string_view indexing = "ij");

// torch.gradient: the derivative of the samples `self` along each of `dims` (every dimension when
// none are given), one tensor of self's shape per dimension. Second-order central differences
// inside, one-sided differences of order `edge_order` (1 or 2) at the ends (Note [Finite
// differences]). The samples lie `spacing` apart (one step for every dimension, or one per
// dimension), or at `coordinates`, a 1-D tensor of points per dimension. Made of narrow,
// arithmetic and cat, so autograd differentiates it.
std::vector<Tensor> gradient(const Tensor& self, double spacing = 1, OptionalIntArrayRef dims = std::nullopt,
                             int64_t edge_order = 1);
std::vector<Tensor> gradient(const Tensor& self, ArrayRef<double> spacing, OptionalIntArrayRef dims = std::nullopt,
                             int64_t edge_order = 1);
std::vector<Tensor> gradient(const Tensor& self, TensorList coordinates, OptionalIntArrayRef dims = std::nullopt,
                             int64_t edge_order = 1);

// The elements of `t` in row-major order, converted to T, copied to the host.
template <typename T>
std::vector<T> to_vector(const Tensor& t) {
  const Tensor host = t.to(default_device()).to(dtype_of<T>()).contiguous();
  const T* data = host.data_ptr<T>();
  return std::vector<T>(data, data + host.numel());
}

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
inline Tensor operator+(const Scalar& a, const Tensor& b) { return add(wrapped_number(a, b.device()), b); }
inline Tensor operator-(const Scalar& a, const Tensor& b) { return sub(wrapped_number(a, b.device()), b); }
inline Tensor operator*(const Scalar& a, const Tensor& b) { return mul(wrapped_number(a, b.device()), b); }
inline Tensor operator/(const Scalar& a, const Tensor& b) { return div(wrapped_number(a, b.device()), b); }
// Comparisons give bool tensors, as in PyTorch (so `a == b` is elementwise, not identity).
inline Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
inline Tensor operator==(const Tensor& a, const Scalar& b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, const Scalar& b) { return ne(a, b); }
inline Tensor operator<(const Tensor& a, const Scalar& b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, const Scalar& b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, const Scalar& b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, const Scalar& b) { return ge(a, b); }
inline Tensor operator==(const Scalar& a, const Tensor& b) { return b == a; }
inline Tensor operator!=(const Scalar& a, const Tensor& b) { return b != a; }
inline Tensor operator<(const Scalar& a, const Tensor& b) { return b > a; }
inline Tensor operator<=(const Scalar& a, const Tensor& b) { return b >= a; }
inline Tensor operator>(const Scalar& a, const Tensor& b) { return b < a; }
inline Tensor operator>=(const Scalar& a, const Tensor& b) { return b <= a; }
// Logical operators on truth values (nonzero is true), as torch's ~, & and | on bool tensors.
inline Tensor operator!(const Tensor& a) { return logical_not(a); }
inline Tensor operator&&(const Tensor& a, const Tensor& b) { return logical_and(a, b); }
inline Tensor operator||(const Tensor& a, const Tensor& b) { return logical_or(a, b); }
inline Tensor operator%(const Tensor& a, const Tensor& b) { return remainder(a, b); }
inline Tensor operator%(const Tensor& a, const Scalar& b) { return remainder(a, b); }
// Bitwise operators on integer and bool tensors, as torch's &, |, ^, ~, << and >>.
inline Tensor operator&(const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }
inline Tensor operator|(const Tensor& a, const Tensor& b) { return bitwise_or(a, b); }
inline Tensor operator^(const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }
inline Tensor operator<<(const Tensor& a, const Tensor& b) { return bitwise_left_shift(a, b); }
inline Tensor operator>>(const Tensor& a, const Tensor& b) { return bitwise_right_shift(a, b); }
inline Tensor operator&(const Tensor& a, const Scalar& b) { return bitwise_and(a, b); }
inline Tensor operator|(const Tensor& a, const Scalar& b) { return bitwise_or(a, b); }
inline Tensor operator^(const Tensor& a, const Scalar& b) { return bitwise_xor(a, b); }
inline Tensor operator<<(const Tensor& a, const Scalar& b) { return bitwise_left_shift(a, b); }
inline Tensor operator>>(const Tensor& a, const Scalar& b) { return bitwise_right_shift(a, b); }
inline Tensor operator~(const Tensor& a) { return bitwise_not(a); }
// A number as the base (pow(x, 2) and x.pow(2) are generated with the other .Scalar overloads).
inline Tensor pow(const Scalar& self, const Tensor& exponent) { return pow(wrapped_number(self, exponent.device()), exponent); }

inline Tensor& operator+=(Tensor& a, const Tensor& b) { a.add_(b); return a; }
inline Tensor& operator-=(Tensor& a, const Tensor& b) { a.sub_(b); return a; }
inline Tensor& operator*=(Tensor& a, const Tensor& b) { a.mul_(b); return a; }
inline Tensor& operator/=(Tensor& a, const Tensor& b) { a.div_(b); return a; }
inline Tensor& operator+=(Tensor& a, const Scalar& b) { a.add_(b); return a; }
inline Tensor& operator-=(Tensor& a, const Scalar& b) { a.sub_(b); return a; }
inline Tensor& operator*=(Tensor& a, const Scalar& b) { a.mul_(b); return a; }
inline Tensor& operator/=(Tensor& a, const Scalar& b) { a.div_(b); return a; }
inline Tensor& operator&=(Tensor& a, const Tensor& b) { a.bitwise_and_(b); return a; }
inline Tensor& operator|=(Tensor& a, const Tensor& b) { a.bitwise_or_(b); return a; }
inline Tensor& operator^=(Tensor& a, const Tensor& b) { a.bitwise_xor_(b); return a; }
inline Tensor& operator<<=(Tensor& a, const Tensor& b) { a.bitwise_left_shift_(b); return a; }
inline Tensor& operator>>=(Tensor& a, const Tensor& b) { a.bitwise_right_shift_(b); return a; }
inline Tensor& operator&=(Tensor& a, const Scalar& b) { a.bitwise_and_(b); return a; }
inline Tensor& operator|=(Tensor& a, const Scalar& b) { a.bitwise_or_(b); return a; }
inline Tensor& operator^=(Tensor& a, const Scalar& b) { a.bitwise_xor_(b); return a; }
inline Tensor& operator<<=(Tensor& a, const Scalar& b) { a.bitwise_left_shift_(b); return a; }
inline Tensor& operator>>=(Tensor& a, const Scalar& b) { a.bitwise_right_shift_(b); return a; }

}  // namespace ember
