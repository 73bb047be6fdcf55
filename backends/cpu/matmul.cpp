// mm, bmm and addmm through oneDNN's matmul primitive, created once per shape/stride/dtype; small
// products and the dtypes oneDNN lacks through a loop; half precision without oneDNN kernels for
// it through float32 copies.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "dnnl_engine.h"
#include "kernels.h"
#include "strided.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

// A product oneDNN has no implementation for on this CPU (f16 without AVX-512 FP16, say) is
// remembered as such, so that its loop runs without a failed primitive creation every call.
PrimitiveCache<std::optional<dnnl::matmul>>& cache() {
  static PrimitiveCache<std::optional<dnnl::matmul>> instance;
  return instance;
}

// out = alpha * a @ b + beta * out, through a cached primitive; false where there is none.
bool run_dnnl(const TensorView& out, const TensorView& a, const TensorView& b, float alpha, float beta,
              dnnl::memory::data_type type) {
  const std::string key = view_key(out) + "|" + view_key(a) + "|" + view_key(b) + "|" +
                          std::to_string(alpha) + "|" + std::to_string(beta);
  const std::optional<dnnl::matmul> primitive = cache().get(key, [&] {
    return primitive_if_implemented([&] {
      dnnl::primitive_attr attr = user_scratchpad();
      if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
      if (beta != 0.0f) {
        dnnl::post_ops ops;
        ops.append_sum(beta);
        attr.set_post_ops(ops);
      }
      const dnnl::matmul::desc desc(describe(a, type), describe(b, type), describe(out, type));
      return dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, dnnl_engine()));
    });
  });
  if (!primitive) return false;
  dnnl::memory a_mem(describe(a, type), dnnl_engine(), a.bytes());
  dnnl::memory b_mem(describe(b, type), dnnl_engine(), b.bytes());
  dnnl::memory out_mem(describe(out, type), dnnl_engine(), out.bytes());
  dnnl::stream stream(dnnl_engine());
  execute(*primitive, stream, {{DNNL_ARG_SRC, a_mem}, {DNNL_ARG_WEIGHTS, b_mem}, {DNNL_ARG_DST, out_mem}});
  return true;
}

// The looped product, for dtypes oneDNN lacks (float64, integers) and small products:
// out = alpha*a@b + beta*out.
template <typename T>
void reference_matmul(const TensorView& out, const TensorView& a, const TensorView& b, double alpha, double beta) {
  using C = std::conditional_t<std::is_floating_point_v<sdk::compute_t<T>>, double, int64_t>;
  const bool batched = out.ndim() == 3;
  const int64_t batches = batched ? out.size(0) : 1;
  const int64_t n = out.size(out.ndim() - 2), m = out.size(out.ndim() - 1), k = a.size(a.ndim() - 1);
  auto stride = [&](const TensorView& t, int d) { return t.stride(t.ndim() + d); };
  const int64_t a_col = stride(a, -1), b_row = stride(b, -2), b_col = stride(b, -1);
  // Rows enough for ~32K multiply-adds per thread: a small product is not worth waking threads for.
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(m * k, 1));
  parallel_for(batches * n, grain, [&](int64_t begin, int64_t end) {
    std::vector<C> acc(static_cast<size_t>(m));
    for (int64_t row = begin; row < end; ++row) {
      const int64_t bi = row / n, i = row % n;
      const T* pa = a.data<T>() + (batched ? bi * a.stride(0) : 0) + i * stride(a, -2);
      const T* pb = b.data<T>() + (batched ? bi * b.stride(0) : 0);
      T* po = out.data<T>() + (batched ? bi * out.stride(0) : 0) + i * stride(out, -2);
      // Row i of a times b, a row of b at a time: with b's rows dense the inner loop vectorises.
      std::fill(acc.begin(), acc.end(), C(0));
      for (int64_t p = 0; p < k; ++p) {
        const C ap = static_cast<C>(pa[p * a_col]);
        const T* bp = pb + p * b_row;
        if (b_col == 1) {
          for (int64_t j = 0; j < m; ++j) acc[j] += ap * static_cast<C>(bp[j]);
        } else {
          for (int64_t j = 0; j < m; ++j) acc[j] += ap * static_cast<C>(bp[j * b_col]);
        }
      }
      for (int64_t j = 0; j < m; ++j) {
        T& dst = po[j * stride(out, -1)];
        const C prior = beta != 0 ? static_cast<C>(beta) * static_cast<C>(dst) : C(0);
        dst = static_cast<T>(static_cast<C>(alpha) * acc[j] + prior);
      }
    }
  });
}

// Below this many multiply-adds the loop beats oneDNN, whose memory objects, stream and cache key
// cost ~7 us a call whatever the size (an [8, 8] product: 7 us through oneDNN, 0.5 us looped).
constexpr int64_t kLoopedProductMacs = 4096;

// A half-precision product through float32 copies (Note [Float32 staging]).
void product_in_float32(const TensorView& out, const TensorView& a, const TensorView& b, float alpha, float beta) {
  const DenseTensor a32(a, EMBER_DTYPE_FLOAT32, true), b32(b, EMBER_DTYPE_FLOAT32, true);
  const DenseTensor out32(out, EMBER_DTYPE_FLOAT32, /*load=*/beta != 0.0f);
  if (!run_dnnl(out32.view(), a32.view(), b32.view(), alpha, beta, dnnl::memory::data_type::f32)) {
    reference_matmul<float>(out32.view(), a32.view(), b32.view(), alpha, beta);
  }
  copy_converting(out, out32.view());
}

void product(const TensorView& out, const TensorView& a, const TensorView& b, double alpha, double beta) {
  const auto type = dnnl_type(out.dtype());
  const bool small = out.numel() * a.size(a.ndim() - 1) <= kLoopedProductMacs;
  if (type && !small && out.numel() > 0) {
    const auto alpha_f = static_cast<float>(alpha), beta_f = static_cast<float>(beta);
    if (dense_matrix(a) && dense_matrix(b) && dense_matrix(out) && run_dnnl(out, a, b, alpha_f, beta_f, *type)) return;
    if (stages_in_float32(*type)) return product_in_float32(out, a, b, alpha_f, beta_f);
  }
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, bool>) {
      sdk::check(false, "matrix products need a numeric dtype, got bool");
    } else {
      reference_matmul<T>(out, a, b, alpha, beta);
    }
  });
}

void matmul_kernel(const KernelArgs& args, void* user_data) {
  const Product op = untag<Product>(user_data);
  const TensorView out = args.output();
  if (op != Product::Addmm) return product(out, args.tensor(0), args.tensor(1), 1.0, 0.0);
  const double beta = args.to_double(3), alpha = args.to_double(4);
  if (beta != 0) copy_strided(out, args.tensor(0));  // the starting value beta scales
  product(out, args.tensor(1), args.tensor(2), alpha, beta);
}

}  // namespace

void register_matmul_kernels(const ember_host_api* host) {
  register_family(host, backends::kProductOps, &sdk::guarded_kernel<&matmul_kernel>);
}

}  // namespace ember::cpu
