// conv2d and its two backward operators. float32 and bfloat16 run on oneDNN's convolution
// primitives, created once per geometry in the memory layouts oneDNN prefers, with reorders from
// and to the tensors' own strides; other dtypes (and geometries oneDNN refuses) take a direct loop.
#include <string>
#include <unordered_map>
#include <vector>

#include "dnnl_engine.h"
#include "kernels.h"
#include "parallel.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

struct Geometry {
  int64_t stride[2], padding[2], dilation[2], groups;
};

// The three tensors in their forward roles: src [N, C, H, W], weights [O, C / groups, kH, kW] and
// dst [N, O, OH, OW]. Each kind reads two of them and writes the third.
struct Roles {
  TensorView src, weights, dst;
};

Geometry read_geometry(const KernelArgs& args, int first) {
  Geometry g{};
  for (int d = 0; d < 2; ++d) {
    g.stride[d] = args.to_int_list(first).first[d];
    g.padding[d] = args.to_int_list(first + 1).first[d];
    g.dilation[d] = args.to_int_list(first + 2).first[d];
  }
  g.groups = args.to_int(first + 3);
  return g;
}

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

template <typename T>
T& at(const TensorView& t, int64_t a, int64_t b, int64_t c, int64_t d) {
  return t.data<T>()[a * t.stride(0) + b * t.stride(1) + c * t.stride(2) + d * t.stride(3)];
}

// Every product the convolution sums, as f(n, o, c, oh, ow, ih, iw, kh, kw), for images n and
// output channels o in the given ranges.
template <typename F>
void for_each_tap(const Roles& r, const Geometry& g, int64_t n0, int64_t n1, int64_t o0, int64_t o1, F&& f) {
  const int64_t H = r.src.size(2), W = r.src.size(3);
  const int64_t channels_per_group = r.weights.size(1), outputs_per_group = r.weights.size(0) / g.groups;
  const int64_t KH = r.weights.size(2), KW = r.weights.size(3), OH = r.dst.size(2), OW = r.dst.size(3);
  for (int64_t n = n0; n < n1; ++n) {
    for (int64_t o = o0; o < o1; ++o) {
      const int64_t c0 = o / outputs_per_group * channels_per_group;
      for (int64_t c = c0; c < c0 + channels_per_group; ++c) {
        for (int64_t kh = 0; kh < KH; ++kh) {
          for (int64_t kw = 0; kw < KW; ++kw) {
            for (int64_t oh = 0; oh < OH; ++oh) {
              const int64_t ih = oh * g.stride[0] - g.padding[0] + kh * g.dilation[0];
              if (ih < 0 || ih >= H) continue;
              for (int64_t ow = 0; ow < OW; ++ow) {
                const int64_t iw = ow * g.stride[1] - g.padding[1] + kw * g.dilation[1];
                if (iw >= 0 && iw < W) f(n, o, c, oh, ow, ih, iw, kh, kw);
              }
            }
          }
        }
      }
    }
  }
}

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

// Grouped weights are [groups, O / groups, C / groups, kH, kW] to oneDNN: the same memory.
dnnl::memory::desc describe_weights(const TensorView& w, int64_t groups, dnnl::memory::data_type type) {
  const int64_t per_group = w.size(0) / groups;
  if (groups == 1) {
    return dnnl::memory::desc({w.size(0), w.size(1), w.size(2), w.size(3)}, type,
                              {w.stride(0), w.stride(1), w.stride(2), w.stride(3)});
  }
  return dnnl::memory::desc({groups, per_group, w.size(1), w.size(2), w.size(3)}, type,
                            {w.stride(0) * per_group, w.stride(0), w.stride(1), w.stride(2), w.stride(3)});
}

dnnl::memory::desc describe_image(const TensorView& t, dnnl::memory::data_type type) {
  return dnnl::memory::desc({t.size(0), t.size(1), t.size(2), t.size(3)}, type,
                            {t.stride(0), t.stride(1), t.stride(2), t.stride(3)});
}

DnnlConvolution create(Conv kind, const Roles& r, const Geometry& g, dnnl::memory::data_type type) {
  using tag = dnnl::memory::format_tag;
  auto any = [&](const dnnl::memory::desc& md) { return dnnl::memory::desc(md.dims(), type, tag::any); };
  const dnnl::memory::desc src = any(describe_image(r.src, type));
  const dnnl::memory::desc weights = any(describe_weights(r.weights, g.groups, type));
  const dnnl::memory::desc dst = any(describe_image(r.dst, type));
  dnnl::memory::dims strides, dilates, pad_l, pad_r;
  for (int d = 0; d < 2; ++d) {
    const int64_t span = g.dilation[d] * (r.weights.size(2 + d) - 1) + 1;
    strides.push_back(g.stride[d]);
    dilates.push_back(g.dilation[d] - 1);  // oneDNN counts the gaps between taps
    pad_l.push_back(g.padding[d]);
    pad_r.push_back((r.dst.size(2 + d) - 1) * g.stride[d] + span - r.src.size(2 + d) - g.padding[d]);
  }
  const auto algorithm = dnnl::algorithm::convolution_direct;
  try {
    const dnnl::convolution_forward::primitive_desc forward(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algorithm, src, weights, dst, strides,
                                        dilates, pad_l, pad_r),
        dnnl_engine());
    switch (kind) {
      case Conv::Forward:
        return {dnnl::convolution_forward(forward), forward.src_desc(), forward.weights_desc(), forward.dst_desc()};
      case Conv::BackwardInput: {
        const dnnl::convolution_backward_data::primitive_desc pd(
            dnnl::convolution_backward_data::desc(algorithm, src, weights, dst, strides, dilates, pad_l, pad_r),
            dnnl_engine(), forward);
        return {dnnl::convolution_backward_data(pd), pd.diff_src_desc(), pd.weights_desc(), pd.diff_dst_desc()};
      }
      case Conv::BackwardWeight: {
        const dnnl::convolution_backward_weights::primitive_desc pd(
            dnnl::convolution_backward_weights::desc(algorithm, src, weights, dst, strides, dilates, pad_l, pad_r),
            dnnl_engine(), forward);
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
  std::string key = std::to_string(static_cast<int>(kind)) + "|" + view_key(r.src) + "|" + view_key(r.weights) +
                    "|" + view_key(r.dst);
  for (const int64_t v : {g.stride[0], g.stride[1], g.padding[0], g.padding[1], g.dilation[0], g.dilation[1], g.groups}) {
    key += '|';
    key += std::to_string(v);
  }
  const DnnlConvolution conv = cache().get(key, [&] { return create(kind, r, g, type); });
  if (!conv.primitive) return false;

  dnnl::stream stream(dnnl_engine());
  const TensorView& out = written(kind, r);
  std::unordered_map<int, dnnl::memory> args;
  dnnl::memory out_user, out_internal;
  // Each tensor in the layout the primitive wants: used as it is when it already is, else
  // reordered (inputs before the run, the output after it).
  auto bind = [&](int arg, const TensorView& t, const dnnl::memory::desc& user_md, const dnnl::memory::desc& wanted) {
    dnnl::memory user(user_md, dnnl_engine(), t.bytes());
    dnnl::memory internal = user_md == wanted ? user : dnnl::memory(wanted, dnnl_engine());
    if (&t == &out) {
      out_user = user;
      out_internal = internal;
    } else if (internal != user) {
      dnnl::reorder(user, internal).execute(stream, user, internal);
    }
    args.emplace(arg, internal);
  };
  const bool forward = kind == Conv::Forward, backward_input = kind == Conv::BackwardInput;
  bind(forward ? DNNL_ARG_SRC : backward_input ? DNNL_ARG_DIFF_SRC : DNNL_ARG_SRC, r.src, describe_image(r.src, type),
       conv.src);
  bind(kind == Conv::BackwardWeight ? DNNL_ARG_DIFF_WEIGHTS : DNNL_ARG_WEIGHTS, r.weights,
       describe_weights(r.weights, g.groups, type), conv.weights);
  bind(forward ? DNNL_ARG_DST : DNNL_ARG_DIFF_DST, r.dst, describe_image(r.dst, type), conv.dst);
  conv.primitive->execute(stream, args);
  if (out_internal != out_user) dnnl::reorder(out_internal, out_user).execute(stream, out_internal, out_user);
  stream.wait();
  return true;
}

void convolution_kernel(const KernelArgs& args, void* user_data) {
  const Conv kind = untag<Conv>(user_data);
  const Roles roles = read_roles(kind, args);
  const Geometry geometry = read_geometry(args, kind == Conv::Forward ? 2 : 3);
  const TensorView& out = written(kind, roles);
  if (out.numel() == 0) return;
  const auto type = dnnl_type(out.dtype());
  const bool has_work = roles.src.numel() > 0 && roles.dst.numel() > 0;
  if (type && has_work && run_dnnl(kind, roles, geometry, *type)) return;
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
