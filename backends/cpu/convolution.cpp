// conv2d and its two backward operators. float32, bfloat16 and float16 run on oneDNN's convolution
// primitives, created once per geometry in the memory layouts oneDNN prefers, with reorders from
// and to the tensors' own strides (half precision through float32 copies where this CPU has no
// kernels for it); other dtypes (and geometries oneDNN refuses) take a direct loop.
#include <string>
#include <vector>

#include "convolution_geometry.h"
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

Roles read_roles(Conv kind, const KernelArgs& args) {
  switch (kind) {
    case Conv::Forward: return {args.tensor(0), args.tensor(1), args.output()};
    case Conv::BackwardInput: return {args.output(), args.tensor(1), args.tensor(0)};
    case Conv::BackwardWeight: return {args.tensor(1), args.output(), args.tensor(0)};
  }
  sdk::check(false, "unknown convolution kind");
  return {args.output(), args.output(), args.output()};
}

const TensorView& written(Conv kind, const Roles& r) {
  return kind == Conv::Forward ? r.dst : kind == Conv::BackwardInput ? r.src : r.weights;
}

// ---- the direct loop ---------------------------------------------------------------------------

// Sums in double into a scratch copy of the written tensor, split so that no two threads write
// the same element: by image for dst and src, by output channel for weights.
template <typename T>
void reference_convolution(Conv kind, const Roles& r, const Geometry& g) {
  const TensorView& out = written(kind, r);
  const int64_t s1 = out.size(1) * out.size(2) * out.size(3), s2 = out.size(2) * out.size(3), s3 = out.size(3);
  std::vector<double> sums(static_cast<size_t>(out.numel()), 0.0);
  auto value = [](const TensorView& t, int64_t a, int64_t b, int64_t c, int64_t d) {
    return static_cast<double>(at<T>(t, a, b, c, d));
  };
  const int64_t N = r.src.size(0), O = r.weights.size(0);
  const bool by_image = kind != Conv::BackwardWeight;
  parallel_for(by_image ? N : O, 1, [&](int64_t begin, int64_t end) {
    const int64_t n0 = by_image ? begin : 0, n1 = by_image ? end : N;
    const int64_t o0 = by_image ? 0 : begin, o1 = by_image ? O : end;
    for_each_tap(r, g, n0, n1, o0, o1, [&](int64_t n, int64_t o, int64_t c, int64_t oh, int64_t ow, int64_t ih,
                                          int64_t iw, int64_t kh, int64_t kw) {
      const int64_t cg = c % r.weights.size(1);
      switch (kind) {
        case Conv::Forward:
          sums[n * s1 + o * s2 + oh * s3 + ow] += value(r.src, n, c, ih, iw) * value(r.weights, o, cg, kh, kw);
          break;
        case Conv::BackwardInput:
          sums[n * s1 + c * s2 + ih * s3 + iw] += value(r.dst, n, o, oh, ow) * value(r.weights, o, cg, kh, kw);
          break;
        case Conv::BackwardWeight:
          sums[o * s1 + cg * s2 + kh * s3 + kw] += value(r.dst, n, o, oh, ow) * value(r.src, n, c, ih, iw);
          break;
      }
    });
  });
  for (int64_t a = 0; a < out.size(0); ++a)
    for (int64_t b = 0; b < out.size(1); ++b)
      for (int64_t c = 0; c < out.size(2); ++c)
        for (int64_t d = 0; d < out.size(3); ++d) at<T>(out, a, b, c, d) = static_cast<T>(sums[a * s1 + b * s2 + c * s3 + d]);
}

// ---- oneDNN ------------------------------------------------------------------------------------

// A created primitive and the layouts it wants its src, weights and dst in (null if oneDNN has no
// implementation for this geometry).
struct DnnlConvolution {
  std::optional<dnnl::primitive> primitive;
  dnnl::memory::desc src, weights, dst;
};

DnnlConvolution create(Conv kind, const Roles& r, const Geometry& g, dnnl::memory::data_type type) {
  using tag = dnnl::memory::format_tag;
  auto any = [&](const dnnl::memory::desc& md) { return dnnl::memory::desc(md.dims(), type, tag::any); };
  const dnnl::memory::desc src = any(describe_image(r.src, type));
  const dnnl::memory::desc weights = any(describe_weights(r.weights, g.groups, type));
  const dnnl::memory::desc dst = any(describe_image(r.dst, type));
  const auto [strides, dilates, pad_l, pad_r] = dnnl_geometry(r, g);
  const auto algorithm = dnnl::algorithm::convolution_direct;
  try {
    const dnnl::convolution_forward::primitive_desc forward(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algorithm, src, weights, dst, strides,
                                        dilates, pad_l, pad_r),
        user_scratchpad(), dnnl_engine());
    switch (kind) {
      case Conv::Forward:
        return {dnnl::convolution_forward(forward), forward.src_desc(), forward.weights_desc(), forward.dst_desc()};
      case Conv::BackwardInput: {
        const dnnl::convolution_backward_data::primitive_desc pd(
            dnnl::convolution_backward_data::desc(algorithm, src, weights, dst, strides, dilates, pad_l, pad_r),
            user_scratchpad(), dnnl_engine(), forward);
        return {dnnl::convolution_backward_data(pd), pd.diff_src_desc(), pd.weights_desc(), pd.diff_dst_desc()};
      }
      case Conv::BackwardWeight: {
        const dnnl::convolution_backward_weights::primitive_desc pd(
            dnnl::convolution_backward_weights::desc(algorithm, src, weights, dst, strides, dilates, pad_l, pad_r),
            user_scratchpad(), dnnl_engine(), forward);
        return {dnnl::convolution_backward_weights(pd), pd.src_desc(), pd.diff_weights_desc(), pd.diff_dst_desc()};
      }
    }
  } catch (const dnnl::error&) {
    // No implementation for this geometry (negative right padding, say): the direct loop runs it.
  }
  return {};
}

PrimitiveCache<DnnlConvolution>& cache() {
  static PrimitiveCache<DnnlConvolution> instance;
  return instance;
}

// Runs the cached primitive; false when oneDNN has none for this case.
bool run_dnnl(Conv kind, const Roles& r, const Geometry& g, dnnl::memory::data_type type) {
  const std::string key = std::to_string(static_cast<int>(kind)) + "|" + view_key(r.src) + "|" +
                          view_key(r.weights) + "|" + view_key(r.dst) + geometry_key(g);
  const DnnlConvolution conv = cache().get(key, [&] { return create(kind, r, g, type); });
  if (!conv.primitive) return false;

  LayoutBinder binder;
  // The written tensor is the primitive's output; the other two are its inputs.
  auto bind = [&](int arg, const TensorView& t, const dnnl::memory::desc& own, const dnnl::memory::desc& wanted) {
    if (&t == &written(kind, r)) binder.output(arg, t, own, wanted);
    else binder.input(arg, t, own, wanted);
  };
  const bool forward = kind == Conv::Forward, backward_input = kind == Conv::BackwardInput;
  bind(forward ? DNNL_ARG_SRC : backward_input ? DNNL_ARG_DIFF_SRC : DNNL_ARG_SRC, r.src, describe_image(r.src, type),
       conv.src);
  bind(kind == Conv::BackwardWeight ? DNNL_ARG_DIFF_WEIGHTS : DNNL_ARG_WEIGHTS, r.weights,
       describe_weights(r.weights, g.groups, type), conv.weights);
  bind(forward ? DNNL_ARG_DST : DNNL_ARG_DIFF_DST, r.dst, describe_image(r.dst, type), conv.dst);
  binder.run(*conv.primitive);
  return true;
}

// A half-precision convolution through float32 copies of its roles (Note [Float32 staging]); the
// role it writes is only copied back.
void convolve_in_float32(Conv kind, const Roles& r, const Geometry& g) {
  const TensorView& out = written(kind, r);
  auto load = [&](const TensorView& role) { return &role != &out; };
  const DenseTensor src(r.src, EMBER_DTYPE_FLOAT32, load(r.src));
  const DenseTensor weights(r.weights, EMBER_DTYPE_FLOAT32, load(r.weights));
  const DenseTensor dst(r.dst, EMBER_DTYPE_FLOAT32, load(r.dst));
  const Roles staged{src.view(), weights.view(), dst.view()};
  if (!run_dnnl(kind, staged, g, dnnl::memory::data_type::f32)) reference_convolution<float>(kind, staged, g);
  copy_converting(out, written(kind, staged));
}

void convolution_kernel(const KernelArgs& args, void* user_data) {
  const Conv kind = untag<Conv>(user_data);
  const Roles roles = read_roles(kind, args);
  const Geometry geometry = read_conv_geometry(args, kind == Conv::Forward ? 2 : 3);
  const TensorView& out = written(kind, roles);
  if (out.numel() == 0) return;
  const auto type = dnnl_type(out.dtype());
  const bool has_work = roles.src.numel() > 0 && roles.dst.numel() > 0;
  if (type && has_work) {
    if (run_dnnl(kind, roles, geometry, *type)) return;
    if (stages_in_float32(*type)) return convolve_in_float32(kind, roles, geometry);
  }
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_floating_point_v<sdk::compute_t<T>>) {
      reference_convolution<T>(kind, roles, geometry);
    } else {
      sdk::check(false, "convolution needs a floating-point dtype");
    }
  });
}

}  // namespace

void register_convolution_kernels(const ember_host_api* host) {
  register_family(host, backends::kConvOps, &sdk::guarded_kernel<&convolution_kernel>);
}

}  // namespace ember::cpu
