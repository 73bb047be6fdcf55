#include "structured_meta.h"

#include <algorithm>
#include <unordered_map>

namespace ember::structured {
namespace {

int arg_index(const OperatorHandle& op, const char* name) {
  const auto& args = op.schema().arguments;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// Borrowed from the stack, which holds a reference for the whole call.
const TensorImpl& tensor_arg(const OperatorHandle& op, const IValue* args, int i) {
  EMBER_CHECK(!args[i].is_none(), "[{}] {}: expected a tensor, got None", op.name(),
              op.schema().arguments[i].name);
  return *args[i].tensor_impl();
}

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
  for (int64_t d : m.reduced_dims) {
    EMBER_CHECK(self.sizes()[d] > 0 || op.schema().name == "sum" || op.schema().name == "mean",
                "[{}] self: cannot reduce over dimension {} of size 0", op.name(), d);
  }
}

Meta reduction(const OperatorHandle& op, const IValue* args, bool to_floating) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  const int dim_i = arg_index(op, "dim"), keep_i = arg_index(op, "keepdim"), dtype_i = arg_index(op, "dtype");
  Meta m;
  const std::optional<DType> requested =
      dtype_i >= 0 && !args[dtype_i].is_none() ? std::optional(args[dtype_i].to_dtype()) : std::nullopt;
  DType out = requested.value_or(self.dtype());
  if (!requested && op.schema().name == "sum" && is_integral(out, true)) out = DType::Int64;
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

Meta value_index_reduction(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  Meta m;
  m.num_outputs = 2;
  m.compute_dtype = m.dtypes[0] = self.dtype();
  m.dtypes[1] = DType::Int64;
  const int64_t dim = args[1].to_int();
  reduce_shape(m, op, self, IntArrayRef(dim), args[2].to_bool());
  m.sizes[1] = m.sizes[0];
  m.dim_arg = 1;
  return m;
}

Meta softmax(const OperatorHandle& op, const IValue* args, size_t) {
  Meta m = unary(op, args, false);
  EMBER_CHECK(is_floating(m.compute_dtype), "[{}] self: expected a floating-point tensor, got {}",
              op.name(), dtype_name(m.compute_dtype));
  const TensorImpl& self = *args[0].tensor_impl();
  m.reduced_dims.push_back(wrap_dim(args[1].to_int(), self.dim(), op.name().c_str()));
  m.dim_arg = 1;
  return m;
}

void check_matrix(const OperatorHandle& op, const TensorImpl& t, int64_t ndim, const char* arg) {
  EMBER_CHECK(t.dim() == ndim, "[{}] {}: expected a {}-D tensor, got {}-D with shape {}", op.name(),
              arg, ndim, t.dim(), fmt::format("[{}]", fmt::join(t.sizes(), ", ")));
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
  const DimVector target = broadcast_shapes(self.sizes(), m.sizes[0], op.name(), "self");
  EMBER_CHECK(target.ref().equals(m.sizes[0]),
              "[{}] self: expected a shape that broadcasts to [{}, {}]", op.name(), m.sizes[0][0],
              m.sizes[0][1]);
  m.compute_dtype = m.dtypes[0] = promote_types(m.compute_dtype, self.dtype());
  m.cast_mask = 0b111;
  return m;
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
  if (op.structured_kind() == "random" && op.schema().overload == "from") {
    EMBER_CHECK(args[1].to_int() < args[2].to_int(),
                "[{}] to: expected from < to, got from={} to={}", op.name(), args[1].to_int(),
                args[2].to_int());
  }
  return m;
}

const TensorImpl& index_arg(const OperatorHandle& op, const IValue* args, int i) {
  const TensorImpl& index = tensor_arg(op, args, i);
  EMBER_CHECK(index.dtype() == DType::Int64 || index.dtype() == DType::Int32,
              "[{}] index: expected dtype int64 or int32, got {}", op.name(), dtype_name(index.dtype()));
  return index;
}

Meta index_select(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  const TensorImpl& index = index_arg(op, args, 2);
  EMBER_CHECK(index.dim() <= 1, "[{}] index: expected a 0-D or 1-D tensor, got {}-D", op.name(),
              index.dim());
  Meta m;
  m.compute_dtype = m.dtypes[0] = self.dtype();
  m.sizes[0].assign(self.sizes());
  const int64_t dim = wrap_dim(args[1].to_int(), self.dim(), op.name().c_str());
  if (self.dim() > 0) m.sizes[0][dim] = index.numel();
  m.reduced_dims.push_back(dim);
  m.dim_arg = 1;
  return m;
}

Meta gather(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
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

// index_add and scatter_add: the result has self's shape and dtype; the added tensor (argument 3)
// is cast to it.
Meta accumulate_into_self(const OperatorHandle& op, const IValue* args, size_t) {
  const TensorImpl& self = tensor_arg(op, args, 0);
  const TensorImpl& index = index_arg(op, args, 2);
  const TensorImpl& added = tensor_arg(op, args, 3);
  const char* added_name = op.schema().arguments[3].name.c_str();
  const int64_t dim = wrap_dim(args[1].to_int(), self.dim(), op.name().c_str());
  EMBER_CHECK(added.dim() == self.dim(), "[{}] {}: expected {} dimensions like self, got {}", op.name(), added_name,
              self.dim(), added.dim());
  const bool is_index_add = op.structured_kind() == "index_add";
  if (is_index_add) {
    EMBER_CHECK(index.dim() <= 1, "[{}] index: expected a 0-D or 1-D tensor, got {}-D", op.name(), index.dim());
  } else {
    EMBER_CHECK(index.dim() == self.dim(), "[{}] index: expected {} dimensions like self, got {}", op.name(),
                self.dim(), index.dim());
  }
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (is_index_add) {
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

const std::unordered_map<std::string, MetaFn>& meta_functions() {
  static const std::unordered_map<std::string, MetaFn> table = {
      {"elementwise_binary", &binary},
      {"elementwise_binary_float", &binary_float},
      {"comparison", &comparison},
      {"where", &where},
      {"elementwise_unary", &unary_same},
      {"elementwise_unary_float", &unary_float},
      {"reduction", &reduction_same},
      {"reduction_float", &reduction_float},
      {"arg_reduction", &arg_reduction},
      {"value_index_reduction", &value_index_reduction},
      {"softmax", &softmax},
      {"mm", &mm},
      {"bmm", &bmm},
      {"addmm", &addmm},
      {"copy", &in_place},
      {"fill", &in_place},
      {"random", &in_place},
      {"index_select", &index_select},
      {"gather", &gather},
      {"index_add", &accumulate_into_self},
      {"scatter_add", &accumulate_into_self},
  };
  return table;
}

}  // namespace

MetaFn find_meta(const std::string& kind) {
  const auto& table = meta_functions();
  auto it = table.find(kind);
  return it == table.end() ? nullptr : it->second;
}

}  // namespace ember::structured
