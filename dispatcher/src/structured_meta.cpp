#include "structured_meta.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace ember::structured {

int arg_index(const OperatorHandle& op, const char* name) {
  const auto& args = op.schema().arguments;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

const TensorImpl& tensor_arg(const OperatorHandle& op, const IValue* args, int i) {
  EMBER_CHECK(!args[i].is_none(), "[{}] {}: expected a tensor, got None", op.name(),
              op.schema().arguments[i].name);
  return *args[i].tensor_impl();
}

namespace {

// Note [Result type]
// Tensors with dimensions decide the dtype; zero-dimensional tensors (wrapped numbers) only
// raise its category (bool < integral < floating), as in PyTorch: float32 + 0-dim float64
// stays float32, int64 + 0-dim float64 gives float32.
DType result_type(const TensorImpl& a, const TensorImpl& b) {
  if (a.dtype() == b.dtype()) return a.dtype();
  auto category = [](DType d) { return is_floating(d) ? 2 : d == DType::Bool ? 0 : 1; };
  const bool a_dims = a.dim() > 0, b_dims = b.dim() > 0;
  if (a_dims == b_dims) return promote_types(a.dtype(), b.dtype());
  const TensorImpl& dimmed = a_dims ? a : b;
  const TensorImpl& wrapped = a_dims ? b : a;
  if (category(wrapped.dtype()) <= category(dimmed.dtype())) return dimmed.dtype();
  return is_floating(wrapped.dtype()) ? DType::Float32 : wrapped.dtype();
}

DType to_float(DType d) { return is_floating(d) ? d : DType::Float32; }


Meta elementwise(const OperatorHandle& op, const IValue* args, DType (*out_dtype)(DType)) {
  const TensorImpl& a = tensor_arg(op, args, 0);
  const TensorImpl& b = tensor_arg(op, args, 1);
  Meta m;
  m.compute_dtype = result_type(a, b);
  if (out_dtype == &to_float) m.compute_dtype = to_float(m.compute_dtype);
  m.dtypes[0] = out_dtype ? out_dtype(m.compute_dtype) : m.compute_dtype;
  if (a.sizes().equals(b.sizes())) {
    m.sizes[0].assign(a.sizes());  // the common case needs no broadcasting
  } else {
    m.sizes[0] = broadcast_shapes(a.sizes(), b.sizes(), op.name(), op.schema().arguments[1].name.c_str());
  }
  m.cast_mask = 0b11;
  return m;
}

Meta binary(const OperatorHandle& op, const IValue* args, size_t) { return elementwise(op, args, nullptr); }
Meta binary_float(const OperatorHandle& op, const IValue* args, size_t) { return elementwise(op, args, &to_float); }
// The bitwise operators, shifts, gcd and lcm: integers, and bools where a kernel takes them.
void check_integral(const OperatorHandle& op, const Meta& m) {
  EMBER_CHECK(is_integral(m.compute_dtype, true), "[{}] self: expected integral or bool tensors, got {}", op.name(),
              dtype_name(m.compute_dtype));
}
Meta binary_integral(const OperatorHandle& op, const IValue* args, size_t) {
  Meta m = elementwise(op, args, nullptr);
  check_integral(op, m);
  return m;
}
Meta comparison(const OperatorHandle& op, const IValue* args, size_t) {
  return elementwise(op, args, [](DType) { return DType::Bool; });
}

Meta where(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& cond = tensor_arg(op, args, 0);
  EMBER_CHECK(cond.dtype() == DType::Bool, "[{}] condition: expected dtype bool, got {}", op.name(),
              dtype_name(cond.dtype()));
  Meta m = elementwise(op, args + 1, nullptr);
  m.sizes[0] = broadcast_shapes(cond.sizes(), m.sizes[0], op.name(), "condition");
  m.cast_mask = 0b110;
  return m;
}

Meta unary(const OperatorHandle& op, const IValue* args, bool to_floating) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  Meta m;
  m.compute_dtype = to_floating ? to_float(self.dtype()) : self.dtype();
  m.dtypes[0] = m.compute_dtype;
  m.sizes[0].assign(self.sizes());
  m.cast_mask = 0b1;
  return m;
}
Meta unary_same(const OperatorHandle& op, const IValue* args, size_t) { return unary(op, args, false); }
Meta unary_float(const OperatorHandle& op, const IValue* args, size_t) { return unary(op, args, true); }
// One draw for each element of the parameters' broadcast shape, in their promoted floating dtype:
// poisson's rates, gamma's shapes, binomial's trials and probabilities.
Meta sampling(const OperatorHandle& op, const IValue* args, size_t n) {
  const Meta m = n == 2 ? elementwise(op, args, nullptr) : unary(op, args, false);
  EMBER_CHECK(is_floating(m.compute_dtype), "[{}] {}: expected a floating-point tensor, got {}", op.name(),
              op.schema().arguments[0].name, dtype_name(m.compute_dtype));
  return m;
}
Meta unary_integral(const OperatorHandle& op, const IValue* args, size_t) {
  Meta m = unary(op, args, false);
  check_integral(op, m);
  return m;
}
// polygamma(n, self): its order first, as PyTorch's, then a floating unary operator.
Meta polygamma(const OperatorHandle& op, const IValue* args, size_t) {
  const int64_t n = args[0].to_int();
  EMBER_CHECK(n >= 0, "[{}] n: expected a non-negative order of derivative, got {}", op.name(), n);
  // The derivative is polygamma of order n + 1, which int64 must hold.
  EMBER_CHECK(n < std::numeric_limits<int64_t>::max(), "[{}] n: expected an order below {}, got {}", op.name(),
              std::numeric_limits<int64_t>::max(), n);
  Meta m = unary(op, args + 1, true);
  m.cast_mask <<= 1;
  return m;
}

// Normalises the reduced dims (None or [] means all) and fills the kept and squeezed shapes.
void reduce_shape(Meta& m, const OperatorHandle& op, const TensorImpl& self,
                  OptionalIntArrayRef dims, bool keepdim) {
  const int64_t n = self.dim();
  // None or [] reduces every dimension; a 0-dim tensor accepts dim 0 or -1 and has none to mark.
  std::vector<bool> reduced(n, !dims || dims->empty());
  for (int64_t d : dims ? *dims : IntArrayRef()) {
    const int64_t w = wrap_dim(d, n, op.name().c_str());
    if (n == 0) continue;
    EMBER_CHECK(!reduced[w], "[{}] dim: dimension {} appears more than once", op.name(), d);
    reduced[w] = true;
  }
  m.keepdim_view = true;
  for (int64_t d = 0; d < n; ++d) {
    if (reduced[d]) {
      m.reduced_dims.push_back(d);
      if (keepdim) m.sizes[0].push_back(1);
    } else {
      m.sizes[0].push_back(self.sizes()[d]);
    }
  }
  // Sums, products and means of nothing have a value (0, 1, NaN); extremes and variances have none.
  const std::string& name = op.schema().name;
  const bool empty_has_value = name == "sum" || name == "prod" || name == "mean";
  for (int64_t d : m.reduced_dims) {
    EMBER_CHECK(self.sizes()[d] > 0 || empty_has_value, "[{}] self: cannot reduce over dimension {} of size 0",
                op.name(), d);
  }
}

Meta reduction(const OperatorHandle& op, const IValue* args, bool to_floating) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  const int dim_i = arg_index(op, "dim"), keep_i = arg_index(op, "keepdim"), dtype_i = arg_index(op, "dtype");
  Meta m;
  const std::optional<DType> requested =
      dtype_i >= 0 && !args[dtype_i].is_none() ? std::optional(args[dtype_i].to_dtype()) : std::nullopt;
  DType out = requested.value_or(self.dtype());
  const bool widens_integers = op.schema().name == "sum" || op.schema().name == "prod";
  if (!requested && widens_integers && is_integral(out, true)) out = DType::Int64;
  if (to_floating) {
    EMBER_CHECK(is_floating(out),
                "[{}] self: expected a floating-point tensor or an explicit floating dtype, got {}",
                op.name(), dtype_name(out));
  }
  m.compute_dtype = m.dtypes[0] = out;
  m.cast_mask = 0b1;
  OptionalIntArrayRef dims;
  if (!args[dim_i].is_none()) dims = args[dim_i].to_int_list();
  reduce_shape(m, op, self, dims, args[keep_i].to_bool());
  m.dim_arg = dim_i;
  return m;
}
Meta reduction_same(const OperatorHandle& op, const IValue* args, size_t) { return reduction(op, args, false); }
Meta reduction_float(const OperatorHandle& op, const IValue* args, size_t) { return reduction(op, args, true); }

Meta arg_reduction(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  Meta m;
  m.compute_dtype = self.dtype();
  m.dtypes[0] = DType::Int64;
  int64_t dim = 0;
  OptionalIntArrayRef dims;
  if (!args[1].is_none()) {
    dim = args[1].to_int();
    dims = IntArrayRef(dim);
  }
  EMBER_CHECK(self.numel() > 0, "[{}] self: expected a non-empty tensor", op.name());
  reduce_shape(m, op, self, dims, args[2].to_bool());
  m.dim_arg = 1;
  return m;
}

// Two outputs: values in self's dtype and their int64 indices.
Meta values_and_indices(const TensorImpl& self) {
  Meta m;
  m.num_outputs = 2;
  m.compute_dtype = m.dtypes[0] = self.dtype();
  m.dtypes[1] = DType::Int64;
  return m;
}

Meta value_index_reduction(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  Meta m = values_and_indices(self);
  const int64_t dim = args[1].to_int();
  reduce_shape(m, op, self, IntArrayRef(dim), args[2].to_bool());
  m.sizes[1] = m.sizes[0];
  m.dim_arg = 1;
  return m;
}

// topk: values and int64 indices shaped as self with `k` along `dim`; the kernel sees `dim` as
// the one reduced dimension (none for a 0-dim tensor, a row of one).
Meta top_k(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  Meta m = values_and_indices(self);
  const int64_t dim = wrap_dim(args[2].to_int(), self.dim(), op.name().c_str());
  const int64_t n = self.dim() == 0 ? 1 : self.sizes()[dim], k = args[1].to_int();
  const int64_t fewest = self.dim() == 0 ? 1 : 0;  // a 0-dim result holds one element
  EMBER_CHECK(k >= fewest && k <= n, "[{}] k: expected a value in [{}, {}] (the size of dimension {}), got {}",
              op.name(), fewest, n, dim, k);
  m.sizes[0].assign(self.sizes());
  if (self.dim() > 0) {
    m.sizes[0][dim] = k;
    m.reduced_dims.push_back(dim);
  }
  m.sizes[1] = m.sizes[0];
  m.dim_arg = 2;
  return m;
}

Meta softmax(const OperatorHandle& op, const IValue* args, size_t) {
  Meta m = unary(op, args, false);
  EMBER_CHECK(is_floating(m.compute_dtype), "[{}] self: expected a floating-point tensor, got {}",
              op.name(), dtype_name(m.compute_dtype));
  const TensorImpl& self = *args[0].tensor_impl();
  const int64_t dim = wrap_dim(args[1].to_int(), self.dim(), op.name().c_str());
  if (self.dim() > 0) m.reduced_dims.push_back(dim);  // a 0-dim tensor is its own one-element row
  m.dim_arg = 1;
  return m;
}

// cumsum, cumprod: the input's shape; integers and bool accumulate in int64 (as PyTorch's), or in `dtype`
// when given. The kernel sees `dim` as the one reduced dimension (none for a 0-dim tensor).
Meta cumulative(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  Meta m;
  const int dtype_i = arg_index(op, "dtype");
  const DType natural = is_integral(self.dtype(), true) ? DType::Int64 : self.dtype();
  m.compute_dtype = m.dtypes[0] = args[dtype_i].is_none() ? natural : args[dtype_i].to_dtype();
  EMBER_CHECK(m.compute_dtype != DType::Bool, "[{}] dtype: expected a numeric dtype, got bool", op.name());
  m.sizes[0].assign(self.sizes());
  m.cast_mask = 0b1;
  const int64_t dim = wrap_dim(args[1].to_int(), self.dim(), op.name().c_str());
  if (self.dim() > 0) m.reduced_dims.push_back(dim);
  m.dim_arg = 1;
  return m;
}

void check_matrix(const OperatorHandle& op, const TensorImpl& t, int64_t ndim, const char* arg) {
  EMBER_CHECK(t.dim() == ndim, "[{}] {}: expected a {}-D tensor, got {}-D with shape {}", op.name(),
              arg, ndim, t.dim(), shape_str(t.sizes()));
}

Meta mm(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& a = tensor_arg(op, args, 0);
  const TensorImpl& b = tensor_arg(op, args, 1);
  check_matrix(op, a, 2, "self");
  check_matrix(op, b, 2, "mat2");
  EMBER_CHECK(a.sizes()[1] == b.sizes()[0],
              "[{}] mat2: expected {} rows to match self's columns, got shapes [{}, {}] and [{}, {}]",
              op.name(), a.sizes()[1], a.sizes()[0], a.sizes()[1], b.sizes()[0], b.sizes()[1]);
  Meta m;
  m.compute_dtype = m.dtypes[0] = promote_types(a.dtype(), b.dtype());
  m.sizes[0] = DimVector({a.sizes()[0], b.sizes()[1]});
  m.cast_mask = 0b11;
  return m;
}

Meta bmm(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& a = tensor_arg(op, args, 0);
  const TensorImpl& b = tensor_arg(op, args, 1);
  check_matrix(op, a, 3, "self");
  check_matrix(op, b, 3, "mat2");
  EMBER_CHECK(a.sizes()[0] == b.sizes()[0] && a.sizes()[2] == b.sizes()[1],
              "[{}] mat2: expected shape [{}, {}, m], got [{}, {}, {}]", op.name(), a.sizes()[0],
              a.sizes()[2], b.sizes()[0], b.sizes()[1], b.sizes()[2]);
  Meta m;
  m.compute_dtype = m.dtypes[0] = promote_types(a.dtype(), b.dtype());
  m.sizes[0] = DimVector({a.sizes()[0], a.sizes()[1], b.sizes()[2]});
  m.cast_mask = 0b11;
  return m;
}

Meta addmm(const OperatorHandle& op, const IValue* args, size_t n) {
  Meta m = mm(op, args + 1, n - 1);
  const TensorImpl& self = tensor_arg(op, args, 0);
  check_broadcasts_to(self.sizes(), m.sizes[0], op.name(), "self");
  m.compute_dtype = m.dtypes[0] = promote_types(m.compute_dtype, self.dtype());
  m.cast_mask = 0b111;
  return m;
}

// What both int8 products check past their shapes: the uint8 / int8 operands, the zero points
// and output_max (the argument after output_zero_point), and one float32 scale (and bias) per
// output channel. The result is float32, or uint8 given an
// output zero point (Note [Int8 epilogue]).
DType int8_product(const OperatorHandle& op, const IValue* args, const TensorImpl& self, const TensorImpl& weight,
                   int64_t channels, const char* channel_name, int output_zero_point) {
  EMBER_CHECK(self.dtype() == DType::UInt8 && weight.dtype() == DType::Int8,
              "[{}] expected uint8 self and int8 weight, got {} and {}", op.name(), dtype_name(self.dtype()),
              dtype_name(weight.dtype()));
  for (const int i : {3, 4}) {
    if (args[i].is_none()) continue;
    const TensorImpl& t = *args[i].tensor_impl();
    EMBER_CHECK(t.dtype() == DType::Float32 && t.dim() == 1 && t.sizes()[0] == channels,
                "[{}] {}: expected {} float32 values, one per {}, got {} of shape {}", op.name(),
                op.schema().arguments[i].name, channels, channel_name, dtype_name(t.dtype()), shape_str(t.sizes()));
  }
  for (const int i : {1, output_zero_point, output_zero_point + 1}) {
    if (args[i].is_none()) continue;
    const int64_t zp = args[i].to_int();
    EMBER_CHECK(zp >= 0 && zp <= 255, "[{}] {}: expected in [0, 255], got {}", op.name(),
                op.schema().arguments[i].name, zp);
  }
  return args[output_zero_point].is_none() ? DType::Float32 : DType::UInt8;
}

Meta int8_matmul(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& a = tensor_arg(op, args, 0);
  const TensorImpl& w = tensor_arg(op, args, 2);
  check_matrix(op, a, 2, "self");
  check_matrix(op, w, 2, "weight");
  Meta m;
  m.compute_dtype = m.dtypes[0] = int8_product(op, args, a, w, w.sizes()[1], "column of weight", 5);
  EMBER_CHECK(a.sizes()[1] == w.sizes()[0], "[{}] weight: expected {} rows to match self's columns, got shape [{}, {}]",
              op.name(), a.sizes()[1], w.sizes()[0], w.sizes()[1]);
  m.sizes[0] = DimVector({a.sizes()[0], w.sizes()[1]});
  return m;
}

// random_(from, to) draws integers in [from, to): each must be a value `dtype` holds exactly
// (the SDK's integer_pair works in int64, so an int64 tensor takes its whole range).
void check_integer_range(const OperatorHandle& op, DType dtype, int64_t from, int64_t to) {
  EMBER_CHECK(from < to, "[{}] to: expected from < to, got from={} to={}", op.name(), from, to);
  int64_t lowest = -(int64_t{1} << 53), highest = (int64_t{1} << 53) - 1;
  switch (dtype) {
    case DType::Float16: lowest = -2048, highest = 2048; break;  // integers a half holds exactly
    case DType::BFloat16: lowest = -256, highest = 256; break;
    case DType::Float32: lowest = -(1 << 24), highest = 1 << 24; break;
    case DType::Int64: lowest = INT64_MIN, highest = INT64_MAX; break;
    case DType::Int32: lowest = INT32_MIN, highest = INT32_MAX; break;
    case DType::Int8: lowest = INT8_MIN, highest = INT8_MAX; break;
    case DType::UInt8: lowest = 0, highest = UINT8_MAX; break;
    case DType::Bool: lowest = 0, highest = 1; break;
    default: break;
  }
  EMBER_CHECK(from >= lowest && to - 1 <= highest,
              "[{}] from, to: expected values in [{}, {}] for dtype {}, got from={} to={}", op.name(), lowest,
              highest + 1, dtype_name(dtype), from, to);
}

// uniform_(from, to) needs a finite range with from <= to; normal_(mean, std) a non-negative std.
void check_distribution(const OperatorHandle& op, double a, double b) {
  if (op.schema().name == "uniform_") {
    EMBER_CHECK(a <= b && std::isfinite(b - a), "[{}] to: expected a finite range with from <= to, got from={} to={}",
                op.name(), a, b);
  } else {
    EMBER_CHECK(b >= 0, "[{}] std: expected a non-negative value, got {}", op.name(), b);
  }
}

// fill_'s value must be one the dtype holds, as PyTorch's checked conversion asks: an integer
// dtype takes finite values in its range (a fraction is truncated), a floating one any value but
// a finite one past its largest (infinity and NaN are values it holds).
void check_fill_value(const OperatorHandle& op, DType dtype, const IValue& value) {
  if (dtype == DType::Bool || value.tag() == IValue::Tag::Bool) return;
  double highest = 0, lowest = 0;
  switch (dtype) {
    case DType::Int64:
      if (value.tag() == IValue::Tag::Int) return;
      lowest = -0x1p63, highest = 0x1p63;  // the double just past INT64_MAX, excluded below
      break;
    case DType::Int32: lowest = INT32_MIN, highest = INT32_MAX; break;
    case DType::Int8: lowest = INT8_MIN, highest = INT8_MAX; break;
    case DType::UInt8: lowest = 0, highest = UINT8_MAX; break;
    case DType::Float16:
    case DType::BFloat16:
    case DType::Float32: highest = largest_finite(dtype); break;
    default: return;
  }
  const double v = value.to_double();
  const bool fits = is_floating(dtype) ? !std::isfinite(v) || std::fabs(v) <= highest
                                       : v >= lowest && (dtype == DType::Int64 ? v < highest : v < highest + 1);
  EMBER_CHECK(fits, "[{}] value: {} cannot be converted to {} without overflow", op.name(),
              value.tag() == IValue::Tag::Int ? fmt::format("{}", value.to_int()) : fmt::format("{}", v),
              dtype_name(dtype));
}

Meta in_place(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  Meta m;
  m.compute_dtype = m.dtypes[0] = self.dtype();
  m.sizes[0].assign(self.sizes());
  if (op.structured_kind() == "copy") {
    const TensorImpl& src = tensor_arg(op, args, 1);
    EMBER_CHECK(src.device() == self.device(),
                "[{}] src: expected a tensor on {}, got {}; move it with .to(device) first",
                op.name(), self.device().str(), src.device().str());
    const DimVector b = broadcast_shapes(self.sizes(), src.sizes(), op.name(), "src");
    EMBER_CHECK(b.ref().equals(self.sizes()), "[{}] src: shape [{}] does not broadcast to [{}]",
                op.name(), fmt::join(src.sizes(), ", "), fmt::join(self.sizes(), ", "));
  }
  if (op.schema().name == "fill_") check_fill_value(op, self.dtype(), args[1]);
  if (op.structured_kind() == "random") {
    if (op.schema().overload == "from") {
      check_integer_range(op, self.dtype(), args[1].to_int(), args[2].to_int());
    } else {
      EMBER_CHECK(is_floating(self.dtype()), "[{}] self: expected a floating-point tensor, got {}", op.name(),
                  dtype_name(self.dtype()));
      check_distribution(op, args[1].to_double(), args[2].to_double());
    }
  }
  return m;
}

const TensorImpl& index_arg(const OperatorHandle& op, const IValue* args, int i) {
  const TensorImpl& index = tensor_arg(op, args, i);
  EMBER_CHECK(index.dtype() == DType::Int64 || index.dtype() == DType::Int32,
              "[{}] index: expected dtype int64 or int32, got {}", op.name(), dtype_name(index.dtype()));
  return index;
}

// The tensor that the indexing operators (index_select, gather and the writes) address along `dim`: kernels
// index its sizes by dim, so it needs one.
const TensorImpl& indexed_arg(const OperatorHandle& op, const IValue* args) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  EMBER_CHECK(self.dim() > 0, "[{}] self: expected a tensor with at least one dimension, got a 0-dim one; "
              "unsqueeze(0) it first", op.name());
  return self;
}

Meta index_select(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = indexed_arg(op, args);
  const TensorImpl& index = index_arg(op, args, 2);
  EMBER_CHECK(index.dim() <= 1, "[{}] index: expected a 0-D or 1-D tensor, got {}-D", op.name(),
              index.dim());
  Meta m;
  m.compute_dtype = m.dtypes[0] = self.dtype();
  m.sizes[0].assign(self.sizes());
  const int64_t dim = wrap_dim(args[1].to_int(), self.dim(), op.name().c_str());
  m.sizes[0][dim] = index.numel();
  m.reduced_dims.push_back(dim);
  m.dim_arg = 1;
  return m;
}

Meta gather(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = indexed_arg(op, args);
  const TensorImpl& index = index_arg(op, args, 2);
  EMBER_CHECK(index.dim() == self.dim(), "[{}] index: expected {} dimensions like self, got {}",
              op.name(), self.dim(), index.dim());
  const int64_t dim = wrap_dim(args[1].to_int(), self.dim(), op.name().c_str());
  for (int64_t d = 0; d < self.dim(); ++d) {
    EMBER_CHECK(d == dim || index.sizes()[d] <= self.sizes()[d],
                "[{}] index: size {} of dimension {} exceeds self's {}", op.name(), index.sizes()[d],
                d, self.sizes()[d]);
  }
  Meta m;
  m.compute_dtype = m.dtypes[0] = self.dtype();
  m.sizes[0].assign(index.sizes());
  m.reduced_dims.push_back(dim);
  m.dim_arg = 1;
  return m;
}

// searchsorted: a position per value of self, shaped as self, int64 (int32 with out_int32); the
// rows and the values are compared in their promoted dtype. A 1-D sorted_sequence serves every
// value, a longer one holds a row per row of self (their leading dimensions agree); a sorter lists
// the order of each row's entries. `side` may repeat `right` as a word, never contradict it.
Meta searchsorted(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& sorted = tensor_arg(op, args, 0);
  const TensorImpl& self = tensor_arg(op, args, 1);
  EMBER_CHECK(sorted.dim() >= 1, "[{}] sorted_sequence: expected at least one dimension, got a 0-dim tensor", op.name());
  if (sorted.dim() > 1) {
    EMBER_CHECK(self.dim() == sorted.dim() && IntArrayRef(self.sizes().data(), self.dim() - 1)
                                                  .equals(IntArrayRef(sorted.sizes().data(), sorted.dim() - 1)),
                "[{}] self: expected the leading dimensions of sorted_sequence {}, got {}", op.name(),
                shape_str(sorted.sizes()), shape_str(self.sizes()));
  }
  if (!args[4].is_none()) {
    const std::string_view side = args[4].to_string();
    EMBER_CHECK(side == "left" || side == "right", "[{}] side: expected 'left' or 'right', got '{}'", op.name(), side);
    EMBER_CHECK(side == "right" || !args[3].to_bool(), "[{}] side: 'left' contradicts right=True", op.name());
  }
  if (!args[5].is_none()) {
    const TensorImpl& sorter = *args[5].tensor_impl();
    EMBER_CHECK(sorter.dtype() == DType::Int64, "[{}] sorter: expected int64 indices, got {}", op.name(),
                dtype_name(sorter.dtype()));
    EMBER_CHECK(sorter.sizes().equals(sorted.sizes()), "[{}] sorter: expected the shape {} of sorted_sequence, got {}",
                op.name(), shape_str(sorted.sizes()), shape_str(sorter.sizes()));
  }
  Meta m;
  m.compute_dtype = promote_types(sorted.dtype(), self.dtype());
  m.dtypes[0] = args[2].to_bool() ? DType::Int32 : DType::Int64;
  m.sizes[0].assign(self.sizes());
  m.cast_mask = 0b11;
  return m;
}

// index_add, index_copy, scatter_add and scatter: the result has self's shape and dtype; the
// written tensor (argument 3) is cast to it.
Meta write_into_self(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = indexed_arg(op, args);
  const TensorImpl& index = index_arg(op, args, 2);
  const TensorImpl& added = tensor_arg(op, args, 3);
  const char* added_name = op.schema().arguments[3].name.c_str();
  const int64_t dim = wrap_dim(args[1].to_int(), self.dim(), op.name().c_str());
  EMBER_CHECK(added.dim() == self.dim(), "[{}] {}: expected {} dimensions like self, got {}", op.name(), added_name,
              self.dim(), added.dim());
  const bool along_index = op.structured_kind() == "index_add" || op.structured_kind() == "index_copy";
  if (along_index) {
    EMBER_CHECK(index.dim() <= 1, "[{}] index: expected a 0-D or 1-D tensor, got {}-D", op.name(), index.dim());
  } else {
    EMBER_CHECK(index.dim() == self.dim(), "[{}] index: expected {} dimensions like self, got {}", op.name(),
                self.dim(), index.dim());
  }
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (along_index) {
      const int64_t want = d == dim ? index.numel() : self.sizes()[d];
      EMBER_CHECK(added.sizes()[d] == want, "[{}] {}: expected size {} at dimension {}, got {}", op.name(),
                  added_name, want, d, added.sizes()[d]);
    } else {
      EMBER_CHECK(index.sizes()[d] <= added.sizes()[d] && (d == dim || index.sizes()[d] <= self.sizes()[d]),
                  "[{}] index: size {} at dimension {} exceeds {} or self", op.name(), index.sizes()[d], d, added_name);
    }
  }
  Meta m;
  m.compute_dtype = m.dtypes[0] = self.dtype();
  m.sizes[0].assign(self.sizes());
  m.cast_mask = 0b1000;
  m.reduced_dims.push_back(dim);
  m.dim_arg = 1;
  return m;
}

// scatter_reduce: scatter's shapes, a reduction named, and numbers to reduce.
Meta scatter_reduce(const OperatorHandle& op, const IValue* args, size_t n) {
  const std::string_view reduce = args[4].to_string();
  EMBER_CHECK(reduce == "sum" || reduce == "prod" || reduce == "mean" || reduce == "amax" || reduce == "amin",
              "[{}] reduce: expected 'sum', 'prod', 'mean', 'amax' or 'amin', got '{}'", op.name(), reduce);
  EMBER_CHECK(tensor_arg(op, args, 0).dtype() != DType::Bool, "[{}] self: expected a numeric tensor, got bool",
              op.name());
  return write_into_self(op, args, n);
}

// An int[2] argument (stride, padding, ...): two values, each at least `min`.
std::array<int64_t, 2> pair_arg(const OperatorHandle& op, const IValue* args, int i, int64_t min) {
  const IntArrayRef v = args[i].to_int_list();
  const std::string& name = op.schema().arguments[i].name;
  EMBER_CHECK(v.size() == 2, "[{}] {}: expected 2 values (height, width), got {}", op.name(), name, v.size());
  EMBER_CHECK(v[0] >= min && v[1] >= min, "[{}] {}: expected values of at least {}, got [{}, {}]", op.name(),
              name, min, v[0], v[1]);
  return {v[0], v[1]};
}

// The output shape of a 2-D convolution of `input` by `weight` (PyTorch's formula), after checking
// both shapes and the stride, padding, dilation and groups at args[first_geometry...].
DimVector conv_output_shape(const OperatorHandle& op, IntArrayRef input, IntArrayRef weight, const IValue* args,
                            int first_geometry) {
  EMBER_CHECK(input.size() == 4, "[{}] input: expected a 4-D [N, C, H, W] shape, got {}", op.name(),
              shape_str(input));
  EMBER_CHECK(weight.size() == 4, "[{}] weight: expected a 4-D [out_channels, in_channels / groups, kH, kW] "
              "shape, got {}", op.name(), shape_str(weight));
  const auto stride = pair_arg(op, args, first_geometry, 1);
  const auto padding = pair_arg(op, args, first_geometry + 1, 0);
  const auto dilation = pair_arg(op, args, first_geometry + 2, 1);
  const int64_t groups = args[first_geometry + 3].to_int();
  EMBER_CHECK(groups >= 1 && input[1] % groups == 0 && weight[0] % groups == 0,
              "[{}] groups: expected a positive divisor of in_channels ({}) and out_channels ({}), got {}",
              op.name(), input[1], weight[0], groups);
  EMBER_CHECK(weight[1] * groups == input[1],
              "[{}] weight: expected {} input channels per group for an input with {} channels and groups={}, "
              "got weight shape {}", op.name(), input[1] / groups, input[1], groups, shape_str(weight));
  DimVector out({input[0], weight[0], 0, 0});
  for (int d = 0; d < 2; ++d) {
    const int64_t span = dilation[d] * (weight[2 + d] - 1) + 1;
    const int64_t padded = input[2 + d] + 2 * padding[d];
    EMBER_CHECK(padded >= span, "[{}] input: padded spatial size {}x{} is smaller than the kernel's span", op.name(),
                input[2] + 2 * padding[0], input[3] + 2 * padding[1]);
    out[2 + d] = (padded - span) / stride[d] + 1;
  }
  return out;
}

Meta convolution(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& input = tensor_arg(op, args, 0);
  const TensorImpl& weight = tensor_arg(op, args, 1);
  Meta m;
  m.compute_dtype = m.dtypes[0] = to_float(promote_types(input.dtype(), weight.dtype()));
  m.sizes[0] = conv_output_shape(op, input.sizes(), weight.sizes(), args, 2);
  m.cast_mask = 0b11;
  return m;
}

Meta int8_convolution(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& input = tensor_arg(op, args, 0);
  const TensorImpl& weight = tensor_arg(op, args, 2);
  Meta m;
  m.sizes[0] = conv_output_shape(op, input.sizes(), weight.sizes(), args, 5);
  m.compute_dtype = m.dtypes[0] = int8_product(op, args, input, weight, weight.sizes()[0], "output channel", 9);
  return m;
}

// The backward convolutions produce the shape their int[4] argument names (the input's or the
// weight's); grad_output must be what the forward convolution would have produced.
Meta convolution_backward(const OperatorHandle& op, const IValue* args, bool for_input) {
  const TensorImpl& grad = tensor_arg(op, args, 0);
  const TensorImpl& other = tensor_arg(op, args, 1);
  const IntArrayRef wanted = args[2].to_int_list();
  const IntArrayRef input = for_input ? wanted : other.sizes();
  const IntArrayRef weight = for_input ? other.sizes() : wanted;
  const DimVector expected = conv_output_shape(op, input, weight, args, 3);
  EMBER_CHECK(grad.sizes().equals(expected), "[{}] grad_output: expected shape {}, got {}", op.name(),
              shape_str(expected), shape_str(grad.sizes()));
  Meta m;
  m.compute_dtype = m.dtypes[0] = to_float(promote_types(grad.dtype(), other.dtype()));
  m.sizes[0].assign(wanted);
  m.cast_mask = 0b11;
  return m;
}
Meta convolution_backward_input(const OperatorHandle& op, const IValue* args, size_t) {
  return convolution_backward(op, args, true);
}
Meta convolution_backward_weight(const OperatorHandle& op, const IValue* args, size_t) {
  return convolution_backward(op, args, false);
}

// Max pooling: an empty stride means the kernel size; ceil_mode rounds the output size up while
// every window still starts inside the input or its left padding (PyTorch's rule).
Meta max_pool2d(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  EMBER_CHECK(self.dim() == 4, "[{}] self: expected a 4-D [N, C, H, W] tensor, got shape {}", op.name(),
              shape_str(self.sizes()));
  const auto kernel = pair_arg(op, args, 1, 1);
  const auto stride = args[2].to_int_list().empty() ? kernel : pair_arg(op, args, 2, 1);
  const auto padding = pair_arg(op, args, 3, 0);
  const auto dilation = pair_arg(op, args, 4, 1);
  const bool ceil_mode = args[5].to_bool();
  Meta m;
  m.num_outputs = 2;
  m.compute_dtype = m.dtypes[0] = self.dtype();
  m.dtypes[1] = DType::Int64;
  m.sizes[0] = DimVector({self.sizes()[0], self.sizes()[1], 0, 0});
  for (int d = 0; d < 2; ++d) {
    EMBER_CHECK(padding[d] * 2 <= kernel[d], "[{}] padding: expected at most half the kernel size, got {} for a "
                "kernel of {}", op.name(), padding[d], kernel[d]);
    const int64_t span = dilation[d] * (kernel[d] - 1) + 1;
    const int64_t room = self.sizes()[2 + d] + 2 * padding[d] - span;
    EMBER_CHECK(room >= 0, "[{}] self: padded spatial size is smaller than the kernel's span {}", op.name(), span);
    int64_t size = (room + (ceil_mode ? stride[d] - 1 : 0)) / stride[d] + 1;
    if (ceil_mode && (size - 1) * stride[d] >= self.sizes()[2 + d] + padding[d]) --size;
    m.sizes[0][2 + d] = size;
  }
  m.sizes[1] = m.sizes[0];
  return m;
}

const std::unordered_map<std::string, MetaFn>& meta_functions() {
  static const std::unordered_map<std::string, MetaFn> table = {
      {"elementwise_binary", &binary},
      {"elementwise_binary_float", &binary_float},
      {"elementwise_binary_integral", &binary_integral},
      {"comparison", &comparison},
      {"where", &where},
      {"elementwise_unary", &unary_same},
      {"elementwise_unary_float", &unary_float},
      {"elementwise_unary_integral", &unary_integral},
      {"polygamma", &polygamma},
      {"reduction", &reduction_same},
      {"reduction_float", &reduction_float},
      {"arg_reduction", &arg_reduction},
      {"value_index_reduction", &value_index_reduction},
      {"softmax", &softmax},
      {"cumulative", &cumulative},
      {"top_k", &top_k},
      {"mm", &mm},
      {"bmm", &bmm},
      {"addmm", &addmm},
      {"int8_matmul", &int8_matmul},
      {"int8_convolution", &int8_convolution},
      {"copy", &in_place},
      {"fill", &in_place},
      {"random", &in_place},
      {"sampling", &sampling},
      {"index_select", &index_select},
      {"gather", &gather},
      {"searchsorted", &searchsorted},
      {"index_add", &write_into_self},
      {"index_copy", &write_into_self},
      {"scatter_add", &write_into_self},
      {"scatter", &write_into_self},
      {"scatter_reduce", &scatter_reduce},
      {"convolution", &convolution},
      {"convolution_backward_input", &convolution_backward_input},
      {"convolution_backward_weight", &convolution_backward_weight},
      {"max_pool2d", &max_pool2d},
      {"linalg_solve", &linalg_solve},
      {"linalg_solve_triangular", &linalg_solve_triangular},
      {"linalg_slogdet", &linalg_slogdet},
      {"linalg_qr", &linalg_qr},
      {"linalg_cholesky", &linalg_cholesky},
      {"linalg_lu_factor", &linalg_lu_factor},
      {"linalg_eigh", &linalg_eigh},
      {"linalg_svd", &linalg_svd},
  };
  return table;
}

}  // namespace

MetaFn find_meta(const std::string& kind) {
  const auto& table = meta_functions();
  auto it = table.find(kind);
  return it == table.end() ? nullptr : it->second;
}

std::vector<std::string> meta_kinds() {
  std::vector<std::string> kinds;
  for (const auto& entry : meta_functions()) kinds.push_back(entry.first);
  std::sort(kinds.begin(), kinds.end());
  return kinds;
}

}  // namespace ember::structured
