// conv2d, its two backward convolutions and max_pool2d_with_indices on the GPU, as direct
// loops: one thread per element of the tensor being written, summing its taps in the
// accumulation type (float for the 16-bit floats, double for float64).
#include "conv_geometry.h"
#include "gpu_kernels.h"

namespace ember::gpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

// An NCHW tensor's sizes and element strides.
struct Image {
  int64_t size[4], stride[4];
  explicit Image(const TensorView& t) {
    for (int d = 0; d < 4; ++d) {
      size[d] = t.size(d);
      stride[d] = t.stride(d);
    }
  }
  __device__ int64_t offset(int64_t a, int64_t b, int64_t c, int64_t d) const {
    return a * stride[0] + b * stride[1] + c * stride[2] + d * stride[3];
  }
  __device__ void coordinates(int64_t linear, int64_t (&c)[4]) const {
    for (int d = 3; d >= 0; --d) {
      c[d] = linear % size[d];
      linear /= size[d];
    }
  }
};

using Geometry = backends::ConvGeometry;

template <typename T>
using acc_t = std::conditional_t<std::is_same_v<T, double>, double, float>;

template <typename T>
__device__ __forceinline__ acc_t<T> value(const T* p, int64_t at) {
  return static_cast<acc_t<T>>(static_cast<compute_t<T>>(p[at]));
}

// src [N, C, H, W], weights [O, C / groups, kH, kW], dst [N, O, OH, OW]; `kind` says which one
// is written (the other two are read).
template <typename T>
void convolution_typed(Conv kind, const TensorView& src_v, const TensorView& w_v, const TensorView& dst_v,
                       const Geometry g) {
  using A = acc_t<T>;
  const Image src(src_v), w(w_v), dst(dst_v);
  T* src_p = src_v.data<T>();
  T* w_p = w_v.data<T>();
  T* dst_p = dst_v.data<T>();
  const TensorView& written = kind == Conv::Forward ? dst_v : kind == Conv::BackwardInput ? src_v : w_v;
  const int64_t per_group_in = w.size[1], per_group_out = w.size[0] / g.groups;
  launch_index(written.view->device_index, written.numel(), [=] __device__(int64_t linear) {
    int64_t c[4];
    A sum = 0;
    if (kind == Conv::Forward) {
      dst.coordinates(linear, c);  // n, o, oh, ow
      const int64_t c0 = c[1] / per_group_out * per_group_in;
      for (int64_t ci = 0; ci < per_group_in; ++ci)
        for (int64_t kh = 0; kh < w.size[2]; ++kh) {
          const int64_t ih = c[2] * g.stride[0] - g.padding[0] + kh * g.dilation[0];
          if (ih < 0 || ih >= src.size[2]) continue;
          for (int64_t kw = 0; kw < w.size[3]; ++kw) {
            const int64_t iw = c[3] * g.stride[1] - g.padding[1] + kw * g.dilation[1];
            if (iw < 0 || iw >= src.size[3]) continue;
            sum += value(src_p, src.offset(c[0], c0 + ci, ih, iw)) * value(w_p, w.offset(c[1], ci, kh, kw));
          }
        }
      dst_p[dst.offset(c[0], c[1], c[2], c[3])] = static_cast<T>(static_cast<compute_t<T>>(sum));
    } else if (kind == Conv::BackwardInput) {
      src.coordinates(linear, c);  // n, ci (absolute), ih, iw
      const int64_t group = c[1] / per_group_in, cg = c[1] % per_group_in;
      for (int64_t o = group * per_group_out; o < (group + 1) * per_group_out; ++o)
        for (int64_t kh = 0; kh < w.size[2]; ++kh) {
          const int64_t th = c[2] + g.padding[0] - kh * g.dilation[0];
          if (th < 0 || th % g.stride[0] != 0 || th / g.stride[0] >= dst.size[2]) continue;
          for (int64_t kw = 0; kw < w.size[3]; ++kw) {
            const int64_t tw = c[3] + g.padding[1] - kw * g.dilation[1];
            if (tw < 0 || tw % g.stride[1] != 0 || tw / g.stride[1] >= dst.size[3]) continue;
            sum += value(dst_p, dst.offset(c[0], o, th / g.stride[0], tw / g.stride[1])) * value(w_p, w.offset(o, cg, kh, kw));
          }
        }
      src_p[src.offset(c[0], c[1], c[2], c[3])] = static_cast<T>(static_cast<compute_t<T>>(sum));
    } else {
      w.coordinates(linear, c);  // o, cg, kh, kw
      const int64_t ci = c[0] / per_group_out * per_group_in + c[1];  // the input channel this tap reads
      for (int64_t n = 0; n < src.size[0]; ++n)
        for (int64_t oh = 0; oh < dst.size[2]; ++oh) {
          const int64_t ih = oh * g.stride[0] - g.padding[0] + c[2] * g.dilation[0];
          if (ih < 0 || ih >= src.size[2]) continue;
          for (int64_t ow = 0; ow < dst.size[3]; ++ow) {
            const int64_t iw = ow * g.stride[1] - g.padding[1] + c[3] * g.dilation[1];
            if (iw < 0 || iw >= src.size[3]) continue;
            sum += value(dst_p, dst.offset(n, c[0], oh, ow)) * value(src_p, src.offset(n, ci, ih, iw));
          }
        }
      w_p[w.offset(c[0], c[1], c[2], c[3])] = static_cast<T>(static_cast<compute_t<T>>(sum));
    }
  }, "convolution kernel");
}

void convolution_kernel(const KernelArgs& args, void* user_data) {
  const Conv kind = untag<Conv>(user_data);
  const Geometry g = backends::read_conv_geometry(args, kind == Conv::Forward ? 2 : 3);
  const TensorView out = args.output();
  const TensorView src = kind == Conv::Forward ? args.tensor(0) : kind == Conv::BackwardInput ? out : args.tensor(1);
  const TensorView weights = kind == Conv::BackwardWeight ? out : args.tensor(1);
  const TensorView dst = kind == Conv::Forward ? out : args.tensor(0);
  dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (is_floating_v<T>) {
      convolution_typed<T>(kind, src, weights, dst, g);
    } else {
      sdk::check(false, "convolution needs a floating-point dtype");
    }
  });
}

template <typename T>
void max_pool_typed(const TensorView& out_v, const TensorView& idx_v, const TensorView& in_v, const Geometry g,
                    const int64_t (&kernel)[2]) {
  using C = compute_t<T>;
  const Image out(out_v), idx(idx_v), in(in_v);
  T* out_p = out_v.data<T>();
  int64_t* idx_p = idx_v.data<int64_t>();
  const T* in_p = in_v.data<T>();
  const int64_t kh_n = kernel[0], kw_n = kernel[1];
  launch_index(out_v.view->device_index, out_v.numel(), [=] __device__(int64_t linear) {
    int64_t c[4];
    out.coordinates(linear, c);
    C best = 0;
    int64_t best_at = -1;
    for (int64_t kh = 0; kh < kh_n; ++kh) {
      const int64_t ih = c[2] * g.stride[0] - g.padding[0] + kh * g.dilation[0];
      if (ih < 0 || ih >= in.size[2]) continue;
      for (int64_t kw = 0; kw < kw_n; ++kw) {
        const int64_t iw = c[3] * g.stride[1] - g.padding[1] + kw * g.dilation[1];
        if (iw < 0 || iw >= in.size[3]) continue;
        const C v = static_cast<C>(in_p[in.offset(c[0], c[1], ih, iw)]);
        if (best_at < 0 || v > best || v != v) {
          best = v;
          best_at = ih * in.size[3] + iw;
          if (v != v) {  // NaN wins: leave both loops
            kh = kh_n;
            break;
          }
        }
      }
    }
    out_p[out.offset(c[0], c[1], c[2], c[3])] = static_cast<T>(best);
    idx_p[idx.offset(c[0], c[1], c[2], c[3])] = best_at;
  }, "max pooling kernel");
}

void max_pool_kernel(const KernelArgs& args, void*) {
  Geometry g{};
  int64_t kernel[2];
  const auto stride_arg = args.to_int_list(2);
  for (int d = 0; d < 2; ++d) {
    kernel[d] = args.to_int_list(1).first[d];
    g.stride[d] = stride_arg.second == 0 ? kernel[d] : stride_arg.first[d];  // empty: the kernel size
    g.padding[d] = args.to_int_list(3).first[d];
    g.dilation[d] = args.to_int_list(4).first[d];
  }
  dispatch_dtype(args.tensor(0).dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (!std::is_same_v<T, bool>) {  // integers too: quantized tensors pool their integers
      max_pool_typed<T>(args.output(0), args.output(1), args.tensor(0), g, kernel);
    } else {
      sdk::check(false, "max pooling needs a numeric dtype, got bool");
    }
  });
}

}  // namespace

void register_convolution_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  register_family(host, backends::kConvOps, &guarded_kernel<&convolution_kernel>);
  sdk::register_kernel(host, "max_pool2d_with_indices", &guarded_kernel<&max_pool_kernel>, nullptr);
}

}  // namespace ember::gpu
