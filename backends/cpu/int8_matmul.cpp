// int8_matmul: uint8 activations (with a zero point) times int8 weights, accumulated in int32,
// finished by the int8 epilogue (Note [Int8 epilogue]) into float32 or uint8 — through oneDNN's
// int8 matmul where it is exact (any input with VNNI; activations below 128 without), else a loop.
#include <optional>
#include <string>

#include "int8_product.h"
#include "kernels.h"
#include "parallel.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;
using dt = dnnl::memory::data_type;

// A case with no int8 implementation on this CPU or layout is remembered as such.
PrimitiveCache<std::optional<dnnl::matmul>>& cache() {
  static PrimitiveCache<std::optional<dnnl::matmul>> instance;
  return instance;
}

// The zero points, the per-column scales and the bias are run-time arguments, so one primitive
// per shape, layout and output serves every call. False where oneDNN has none for the case.
bool run_dnnl(const TensorView& out, const TensorView& a, int32_t zero_point, const TensorView& w,
              const Int8Epilogue& epilogue, const std::vector<float>& bias) {
  const int64_t n = w.size(1);
  const dnnl::memory::desc bias_desc({1, n}, dt::f32, {n, 1});
  const std::string key = view_key(out) + "|" + view_key(a) + "|" + view_key(w) + epilogue.dnnl_key();
  const std::optional<dnnl::matmul> primitive = cache().get(key, [&] {
    return primitive_if_implemented([&] {
      const dnnl::primitive_attr attr = user_scratchpad(epilogue.dnnl_attributes(/*scales at run time*/ {}));
      const dnnl::matmul::desc desc(describe(a, dt::u8), describe(w, dt::s8),
                                    epilogue.has_bias() ? bias_desc : dnnl::memory::desc(),
                                    describe(out, epilogue.dnnl_output_type()));
      return dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, dnnl_engine()));
    });
  });
  if (!primitive) return false;
  const std::vector<float> scales = epilogue.scale_values();
  std::array<int32_t, 2> zero_points{zero_point, 0};
  const dnnl::engine& engine = dnnl_engine();
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, dnnl::memory(describe(a, dt::u8), engine, a.bytes())},
      {DNNL_ARG_WEIGHTS, dnnl::memory(describe(w, dt::s8), engine, w.bytes())},
      {DNNL_ARG_DST, dnnl::memory(describe(out, epilogue.dnnl_output_type()), engine, out.bytes())},
      {DNNL_ARG_ATTR_OUTPUT_SCALES, dnnl::memory({{n}, dt::f32, {1}}, engine, const_cast<float*>(scales.data()))}};
  for (const auto& [arg, memory] : epilogue.dnnl_arguments(zero_points, bias, bias_desc)) args.emplace(arg, memory);
  dnnl::stream stream(engine);
  execute(*primitive, stream, args);
  return true;
}

void reference(const TensorView& out, const TensorView& a, int32_t zero_point, const TensorView& w,
               const Int8Epilogue& epilogue) {
  const int64_t m = out.size(0), n = out.size(1), k = a.size(1);
  parallel_for(m, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        int32_t acc = 0;
        for (int64_t p = 0; p < k; ++p) {
          acc += (static_cast<int32_t>(a.data<uint8_t>()[i * a.stride(0) + p * a.stride(1)]) - zero_point) *
                 static_cast<int32_t>(w.data<int8_t>()[p * w.stride(0) + j * w.stride(1)]);
        }
        epilogue.store(out, i * out.stride(0) + j * out.stride(1), j, acc);
      }
    }
  });
}

// self, self_zero_point, weight, scales, bias, output_zero_point, output_max.
void int8_matmul_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output(), a = args.tensor(0), w = args.tensor(2);
  const auto zero_point = static_cast<int32_t>(args.to_int(1));
  const Int8Epilogue epilogue(args, 3, 4, 5, 6);
  const std::optional<std::vector<float>> bias = epilogue.dnnl_bias();
  const bool dense = dense_matrix(a) && dense_matrix(w) && dense_matrix(out);
  if (dense && bias && out.numel() > 0 && (!pairs_saturate() || all_below_128(a)) &&
      run_dnnl(out, a, zero_point, w, epilogue, *bias)) {
    return;
  }
  reference(out, a, zero_point, w, epilogue);
}

}  // namespace

void register_int8_matmul_kernel(const ember_host_api* host) {
  sdk::register_kernel(host, "int8_matmul", &sdk::guarded_kernel<&int8_matmul_kernel>);
}

}  // namespace ember::cpu
