#include "softmax_dnnl.h"

#include <optional>

#include "dnnl_engine.h"

namespace ember::cpu {

bool run_dnnl_softmax(bool log, const sdk::TensorView& out, const sdk::TensorView& in, int64_t axis) {
  if (out.numel() < kDnnlSoftmaxMinElements || out.dtype() != in.dtype() || !out.is_contiguous() ||
      !in.is_contiguous() || (out.dtype() != EMBER_DTYPE_FLOAT32 && out.dtype() != EMBER_DTYPE_BFLOAT16)) {
    return false;
  }
  const dnnl::memory::desc md = describe(in, *dnnl_type(in.dtype()));
  // Primitives are created once per shape, axis and kind: creation costs far more than a call.
  // A shape this oneDNN build has no implementation for (bfloat16 without the ISA for it) is
  // remembered as such, and left to the loop.
  static PrimitiveCache<std::optional<dnnl::softmax_v2_forward>> cache;
  const std::string key = view_key(in) + (log ? "/log/" : "/exp/") + std::to_string(axis);
  const std::optional<dnnl::softmax_v2_forward> primitive = cache.get(key, [&] {
    return primitive_if_implemented([&] {
      const dnnl::softmax_v2_forward::desc desc(dnnl::prop_kind::forward_inference,
                                                log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate,
                                                md, md, static_cast<int>(axis));
      return dnnl::softmax_v2_forward(dnnl::softmax_v2_forward::primitive_desc(desc, user_scratchpad(), dnnl_engine()));
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
