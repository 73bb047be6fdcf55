// int8_matmul: uint8 activations (with a zero point) times int8 weights, accumulated in int32
// and scaled per output column into float32 — through oneDNN's int8 matmul where it is exact
// (any input with VNNI; activations below 128 without), else a plain loop.
#include <string>

#include "dnnl_engine.h"
#include "kernels.h"
#include "parallel.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;
using dt = dnnl::memory::data_type;

PrimitiveCache<dnnl::matmul>& cache() {
  static PrimitiveCache<dnnl::matmul> instance;
  return instance;
}

// The zero point and the per-column scales are run-time arguments, so one primitive per shape
// and layout serves every call.
void run_dnnl(const TensorView& out, const TensorView& a, int32_t zero_point, const TensorView& w,
              const TensorView& scales) {
  const std::string key = view_key(out) + "|" + view_key(a) + "|" + view_key(w);
  const dnnl::matmul primitive = cache().get(key, [&] {
    dnnl::primitive_attr attr;
    attr.set_output_scales(/*mask: per column of dst*/ 1 << 1, {DNNL_RUNTIME_F32_VAL});
    attr.set_zero_points(DNNL_ARG_SRC, /*mask: one value*/ 0, {DNNL_RUNTIME_S32_VAL});
    const dnnl::matmul::desc desc(describe(a, dt::u8), describe(w, dt::s8), describe(out, dt::f32));
    return dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, dnnl_engine()));
  });
  dnnl::memory a_mem(describe(a, dt::u8), dnnl_engine(), a.bytes());
  dnnl::memory w_mem(describe(w, dt::s8), dnnl_engine(), w.bytes());
  dnnl::memory out_mem(describe(out, dt::f32), dnnl_engine(), out.bytes());
  dnnl::memory scales_mem({{scales.size(0)}, dt::f32, {1}}, dnnl_engine(), scales.bytes());
  dnnl::memory zero_point_mem({{1}, dt::s32, {1}}, dnnl_engine(), &zero_point);
  dnnl::stream stream(dnnl_engine());
  primitive.execute(stream, {{DNNL_ARG_SRC, a_mem},
                             {DNNL_ARG_WEIGHTS, w_mem},
                             {DNNL_ARG_DST, out_mem},
                             {DNNL_ARG_ATTR_OUTPUT_SCALES, scales_mem},
                             {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, zero_point_mem}});
  stream.wait();
}

void reference(const TensorView& out, const TensorView& a, int32_t zero_point, const TensorView& w,
               const TensorView& scales) {
  const int64_t m = out.size(0), n = out.size(1), k = a.size(1);
  parallel_for(m, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        int32_t acc = 0;
        for (int64_t p = 0; p < k; ++p) {
          acc += (static_cast<int32_t>(a.data<uint8_t>()[i * a.stride(0) + p * a.stride(1)]) - zero_point) *
                 static_cast<int32_t>(w.data<int8_t>()[p * w.stride(0) + j * w.stride(1)]);
        }
        out.data<float>()[i * out.stride(0) + j * out.stride(1)] =
            static_cast<float>(acc) * scales.data<float>()[j * scales.stride(0)];
      }
    }
  });
}

// Without VNNI, oneDNN multiplies u8 by s8 and adds pairs of products in saturating int16
// (vpmaddubsw): exact only while the activations stay below 128.
bool pairs_saturate() {
  static const bool saturate = [] {
    using isa = dnnl::cpu_isa;
    switch (dnnl::get_effective_cpu_isa()) {
      case isa::avx512_core_vnni: case isa::avx512_core_bf16: case isa::avx512_core_amx: case isa::avx2_vnni:
        return false;
      default:
        return true;
    }
  }();
  return saturate;
}

bool below_128(const TensorView& a) {
  for (int64_t i = 0; i < a.size(0); ++i) {
    for (int64_t j = 0; j < a.size(1); ++j) {
      if (a.data<uint8_t>()[i * a.stride(0) + j * a.stride(1)] > 127) return false;
    }
  }
  return true;
}

void int8_matmul_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output(), a = args.tensor(0), w = args.tensor(2), scales = args.tensor(3);
  const auto zero_point = static_cast<int32_t>(args.to_int(1));
  const bool dense = dense_matrix(a) && dense_matrix(w) && dense_matrix(out) && scales.is_contiguous();
  if (dense && out.numel() > 0 && (!pairs_saturate() || below_128(a))) {
    try {
      return run_dnnl(out, a, zero_point, w, scales);
    } catch (const dnnl::error&) {
      // No int8 matmul implementation for this CPU or layout: the loop below serves.
    }
  }
  reference(out, a, zero_point, w, scales);
}

}  // namespace

void register_int8_matmul_kernel(const ember_host_api* host) {
  sdk::register_kernel(host, "int8_matmul", &sdk::guarded_kernel<&int8_matmul_kernel>);
}

}  // namespace ember::cpu
