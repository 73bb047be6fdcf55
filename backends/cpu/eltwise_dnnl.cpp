#include "eltwise_dnnl.h"

#include <bit>
#include <cstdint>
#include <optional>
#include <string>

#include "dnnl_engine.h"

namespace ember::cpu {

bool run_dnnl_eltwise(const EltwiseAlgorithm& alg, const sdk::TensorView& out, const sdk::TensorView& in) {
  const int64_t n = out.numel();
  if (n < kDnnlEltwiseMinElements || out.dtype() != in.dtype() || !out.is_contiguous() || !in.is_contiguous() ||
      in.numel() != n || (out.dtype() != EMBER_DTYPE_FLOAT32 && out.dtype() != EMBER_DTYPE_BFLOAT16)) {
    return false;
  }
  const dnnl::memory::desc md({n}, *dnnl_type(out.dtype()), dnnl::memory::format_tag::a);
  // Primitives are created once per algorithm, alpha, size and dtype: creation costs far more
  // than a call. One this oneDNN build has no implementation for is remembered as such, and left
  // to the loop.
  static PrimitiveCache<std::optional<dnnl::eltwise_forward>> cache;
  const std::string key = std::to_string(static_cast<int>(alg.algorithm)) + "/" +
                          std::to_string(std::bit_cast<uint32_t>(alg.alpha)) + "/" + std::to_string(n) + "/" +
                          std::to_string(out.dtype());
  const std::optional<dnnl::eltwise_forward> primitive = cache.get(key, [&] {
    return primitive_if_implemented([&] {
      const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, alg.algorithm, md, alg.alpha, 0.f);
      return dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(desc, user_scratchpad(), dnnl_engine()));
    });
  });
  if (!primitive) return false;
  dnnl::memory src(md, dnnl_engine(), in.bytes());
  dnnl::memory dst(md, dnnl_engine(), out.bytes());
  dnnl::stream stream(dnnl_engine());
  execute(*primitive, stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  return true;
}

}  // namespace ember::cpu
