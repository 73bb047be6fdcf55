#include "eltwise_dnnl.h"

#include <map>
#include <mutex>
#include <tuple>

#include "dnnl_engine.h"

namespace ember::cpu {
namespace {

using Key = std::tuple<int, float, int64_t, int32_t>;  // algorithm, alpha, elements, dtype

// Primitives are created once per key: creation costs far more than a call.
dnnl::eltwise_forward cached_primitive(const EltwiseAlgorithm& alg, int64_t n, dnnl::memory::data_type type,
                                       int32_t dtype) {
  static std::mutex mutex;
  static std::map<Key, dnnl::eltwise_forward> cache;
  const Key key{static_cast<int>(alg.algorithm), alg.alpha, n, dtype};
  std::lock_guard lock(mutex);
  auto it = cache.find(key);
  if (it == cache.end()) {
    const dnnl::memory::desc md({n}, type, dnnl::memory::format_tag::a);
    const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, alg.algorithm, md, alg.alpha, 0.f);
    it = cache.emplace(key, dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(desc, user_scratchpad(), dnnl_engine()))).first;
  }
  return it->second;
}

}  // namespace

bool run_dnnl_eltwise(const EltwiseAlgorithm& alg, const sdk::TensorView& out, const sdk::TensorView& in) {
  const int64_t n = out.numel();
  if (n < kDnnlEltwiseMinElements || out.dtype() != in.dtype() || !out.is_contiguous() || !in.is_contiguous() ||
      in.numel() != n) {
    return false;
  }
  dnnl::memory::data_type type;
  if (out.dtype() == EMBER_DTYPE_FLOAT32) {
    type = dnnl::memory::data_type::f32;
  } else if (out.dtype() == EMBER_DTYPE_BFLOAT16) {
    type = dnnl::memory::data_type::bf16;
  } else {
    return false;
  }
  const dnnl::eltwise_forward primitive = cached_primitive(alg, n, type, out.dtype());
  const dnnl::memory::desc md({n}, type, dnnl::memory::format_tag::a);
  dnnl::memory src(md, dnnl_engine(), in.bytes());
  dnnl::memory dst(md, dnnl_engine(), out.bytes());
  dnnl::stream stream(dnnl_engine());
  execute(primitive, stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  return true;
}

}  // namespace ember::cpu
