// int8_conv2d: uint8 images (with a zero point) convolved with int8 weights, accumulated in
// int32, finished by the int8 epilogue (Note [Int8 epilogue]) into float32 or uint8. oneDNN's int8
// convolution runs it where it is exact (as int8_matmul); its padding reads as the zero point, a
// real zero. oneDNN 2.x takes a convolution's scales when the primitive is created, so they are
// part of the cache key: a quantized layer's scales never change, so each layer creates one.
//
// oneDNN wants the weights blocked, with the source zero point's compensation beside them: that
// reorder costs 4x the convolution itself at batch 1. A quantized layer's weight does not change
// either, so the packed copy is kept with the bytes it was packed from, and reused while they match.
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "convolution_geometry.h"
#include "int8_product.h"
#include "kernels.h"
#include "parallel.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;
using dt = dnnl::memory::data_type;

// The last weight packed for a primitive: the bytes it came from, and oneDNN's layout of them.
class PackedWeights {
 public:
  dnnl::memory get(const TensorView& w, const dnnl::memory::desc& own, const dnnl::memory::desc& wanted) {
    dnnl::memory user(own, dnnl_engine(), w.bytes());
    if (own == wanted) return user;
    const size_t span = own.get_size();  // the bytes the weight's strides reach
    std::lock_guard lock(mutex_);
    if (source_.size() != span || std::memcmp(source_.data(), w.bytes(), span) != 0) {
      packed_ = dnnl::memory(wanted, dnnl_engine());  // new memory: calls still running keep theirs
      dnnl::stream stream(dnnl_engine());
      dnnl::reorder(user, packed_).execute(stream, user, packed_);
      stream.wait();
      source_.assign(w.bytes(), w.bytes() + span);
    }
    return packed_;
  }

 private:
  std::mutex mutex_;
  std::vector<char> source_;
  dnnl::memory packed_;
};

struct Int8Convolution {
  std::optional<dnnl::convolution_forward> primitive;
  dnnl::memory::desc src, weights, dst;
  std::shared_ptr<PackedWeights> packed = std::make_shared<PackedWeights>();
};

PrimitiveCache<Int8Convolution>& cache() {
  static PrimitiveCache<Int8Convolution> instance;
  return instance;
}

Int8Convolution create(const Roles& r, const Geometry& g, const Int8Epilogue& epilogue,
                       const std::vector<float>& scales, const dnnl::memory::desc& bias_desc) {
  using tag = dnnl::memory::format_tag;
  auto any = [](const dnnl::memory::desc& md) { return dnnl::memory::desc(md.dims(), md.data_type(), tag::any); };
  const dnnl::primitive_attr attr = user_scratchpad(epilogue.dnnl_attributes(scales));
  const auto [strides, dilates, pad_l, pad_r] = dnnl_geometry(r, g);
  const dnnl::memory::desc bias = epilogue.has_bias() ? bias_desc : dnnl::memory::desc();
  try {
    const dnnl::convolution_forward::primitive_desc pd(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                        any(describe_image(r.src, dt::u8)),
                                        any(describe_weights(r.weights, g.groups, dt::s8)), bias,
                                        any(describe_image(r.dst, epilogue.dnnl_output_type())), strides, dilates,
                                        pad_l, pad_r),
        attr, dnnl_engine());
    return {dnnl::convolution_forward(pd), pd.src_desc(), pd.weights_desc(), pd.dst_desc()};
  } catch (const dnnl::error&) {
    return {};  // no int8 implementation for this geometry: the loop runs it
  }
}

// Runs the cached primitive; false when oneDNN has none for this case.
bool run_dnnl(const Roles& r, const Geometry& g, int32_t zero_point, const Int8Epilogue& epilogue,
              const std::vector<float>& bias) {
  const std::vector<float> scales = epilogue.scale_values();
  std::string key = view_key(r.src) + "|" + view_key(r.weights) + "|" + view_key(r.dst) + geometry_key(g) +
                    epilogue.dnnl_key() + "|";
  key.append(reinterpret_cast<const char*>(scales.data()), scales.size() * sizeof(float));
  const dnnl::memory::desc bias_desc({r.weights.size(0)}, dt::f32, {1});
  const Int8Convolution conv = cache().get(key, [&] { return create(r, g, epilogue, scales, bias_desc); });
  if (!conv.primitive) return false;

  std::array<int32_t, 2> zero_points{zero_point, 0};
  LayoutBinder binder;
  binder.input(DNNL_ARG_SRC, r.src, describe_image(r.src, dt::u8), conv.src);
  binder.add(DNNL_ARG_WEIGHTS, conv.packed->get(r.weights, describe_weights(r.weights, g.groups, dt::s8), conv.weights));
  binder.output(DNNL_ARG_DST, r.dst, describe_image(r.dst, epilogue.dnnl_output_type()), conv.dst);
  for (const auto& [arg, memory] : epilogue.dnnl_arguments(zero_points, bias, bias_desc)) binder.add(arg, memory);
  binder.run(*conv.primitive);
  return true;
}

// Exact sums in int64, image by image.
void reference(const Roles& r, const Geometry& g, int32_t zero_point, const Int8Epilogue& epilogue) {
  const TensorView& out = r.dst;
  const int64_t O = out.size(1), OH = out.size(2), OW = out.size(3);
  parallel_for(out.size(0), 1, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> sums(static_cast<size_t>(O * OH * OW));
    for (int64_t n = begin; n < end; ++n) {
      std::fill(sums.begin(), sums.end(), 0);
      for_each_tap(r, g, n, n + 1, 0, O, [&](int64_t, int64_t o, int64_t c, int64_t oh, int64_t ow, int64_t ih,
                                             int64_t iw, int64_t kh, int64_t kw) {
        const int64_t x = at<uint8_t>(r.src, n, c, ih, iw) - zero_point;
        sums[(o * OH + oh) * OW + ow] += x * at<int8_t>(r.weights, o, c % r.weights.size(1), kh, kw);
      });
      // Padding is a real zero, the zero point: the taps it hides add nothing, as skipped above.
      for (int64_t o = 0; o < O; ++o)
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            const int64_t offset = n * out.stride(0) + o * out.stride(1) + oh * out.stride(2) + ow * out.stride(3);
            epilogue.store(out, offset, o, sums[(o * OH + oh) * OW + ow]);
          }
    }
  });
}

// self, self_zero_point, weight, scales, bias, stride, padding, dilation, groups, output_zero_point,
// output_max.
void int8_convolution_kernel(const KernelArgs& args, void*) {
  const Roles roles{args.tensor(0), args.tensor(2), args.output()};
  const auto zero_point = static_cast<int32_t>(args.to_int(1));
  const Geometry geometry = read_conv_geometry(args, 5);
  const Int8Epilogue epilogue(args, 3, 4, 9, 10);
  if (roles.dst.numel() == 0) return;
  const std::optional<std::vector<float>> bias = epilogue.dnnl_bias();
  if (bias && roles.src.numel() > 0 && (!pairs_saturate() || all_below_128(roles.src)) &&
      run_dnnl(roles, geometry, zero_point, epilogue, *bias)) {
    return;
  }
  reference(roles, geometry, zero_point, epilogue);
}

}  // namespace

void register_int8_convolution_kernel(const ember_host_api* host) {
  sdk::register_kernel(host, "int8_conv2d", &sdk::guarded_kernel<&int8_convolution_kernel>);
}

}  // namespace ember::cpu
