// What the float and int8 convolutions share: the geometry arguments, the tensors' oneDNN
// descriptions, and the walk over every product a convolution sums.
#pragma once

#include <unordered_map>
#include <utility>

#include "conv_geometry.h"
#include "dnnl_engine.h"

namespace ember::cpu {

using Geometry = backends::ConvGeometry;
using backends::read_conv_geometry;

// The three tensors in their forward roles: src [N, C, H, W], weights [O, C / groups, kH, kW] and
// dst [N, O, OH, OW].
struct Roles {
  sdk::TensorView src, weights, dst;
};

// oneDNN's strides, gaps between taps (dilation - 1) and padding on each side; the right padding
// is what makes the output size come out (it may be less than the left).
struct DnnlGeometry {
  dnnl::memory::dims strides, dilates, pad_l, pad_r;
};

inline DnnlGeometry dnnl_geometry(const Roles& r, const Geometry& g) {
  DnnlGeometry d;
  for (int i = 0; i < 2; ++i) {
    const int64_t span = g.dilation[i] * (r.weights.size(2 + i) - 1) + 1;
    d.strides.push_back(g.stride[i]);
    d.dilates.push_back(g.dilation[i] - 1);
    d.pad_l.push_back(g.padding[i]);
    d.pad_r.push_back((r.dst.size(2 + i) - 1) * g.stride[i] + span - r.src.size(2 + i) - g.padding[i]);
  }
  return d;
}

// The geometry as text: part of a cache key.
inline std::string geometry_key(const Geometry& g) {
  std::string key;
  for (const int64_t v : {g.stride[0], g.stride[1], g.padding[0], g.padding[1], g.dilation[0], g.dilation[1], g.groups}) {
    key += '|';
    key += std::to_string(v);
  }
  return key;
}

// Grouped weights are [groups, O / groups, C / groups, kH, kW] to oneDNN: the same memory.
inline dnnl::memory::desc describe_weights(const sdk::TensorView& w, int64_t groups, dnnl::memory::data_type type) {
  const int64_t per_group = w.size(0) / groups;
  if (groups == 1) {
    return dnnl::memory::desc({w.size(0), w.size(1), w.size(2), w.size(3)}, type,
                              {w.stride(0), w.stride(1), w.stride(2), w.stride(3)});
  }
  return dnnl::memory::desc({groups, per_group, w.size(1), w.size(2), w.size(3)}, type,
                            {w.stride(0) * per_group, w.stride(0), w.stride(1), w.stride(2), w.stride(3)});
}

inline dnnl::memory::desc describe_image(const sdk::TensorView& t, dnnl::memory::data_type type) {
  return dnnl::memory::desc({t.size(0), t.size(1), t.size(2), t.size(3)}, type,
                            {t.stride(0), t.stride(1), t.stride(2), t.stride(3)});
}

// A primitive's arguments, each tensor in the layout the primitive wants: used as it is when it
// already is, else reordered (inputs before the run, the output after it).
class LayoutBinder {
 public:
  LayoutBinder() : stream_(dnnl_engine()) {}

  void input(int arg, const sdk::TensorView& t, const dnnl::memory::desc& own, const dnnl::memory::desc& wanted) {
    dnnl::memory user(own, dnnl_engine(), t.bytes());
    dnnl::memory internal = own == wanted ? user : dnnl::memory(wanted, dnnl_engine());
    if (internal != user) dnnl::reorder(user, internal).execute(stream_, user, internal);
    args_.emplace(arg, internal);
  }
  void output(int arg, const sdk::TensorView& t, const dnnl::memory::desc& own, const dnnl::memory::desc& wanted) {
    out_user_ = dnnl::memory(own, dnnl_engine(), t.bytes());
    out_internal_ = own == wanted ? out_user_ : dnnl::memory(wanted, dnnl_engine());
    args_.emplace(arg, out_internal_);
  }
  // An argument that needs no layout: a bias, a zero point.
  void add(int arg, const dnnl::memory& memory) { args_.emplace(arg, memory); }

  // Runs a cached primitive (Note [oneDNN across threads]), then reorders its output if needed;
  // once per binder.
  void run(const dnnl::primitive& primitive) {
    execute(primitive, stream_, std::move(args_));  // the last use: the arguments need no copy
    if (out_internal_ != out_user_) dnnl::reorder(out_internal_, out_user_).execute(stream_, out_internal_, out_user_);
    stream_.wait();
  }

 private:
  dnnl::stream stream_;
  std::unordered_map<int, dnnl::memory> args_;
  dnnl::memory out_user_, out_internal_;
};

template <typename T>
T& at(const sdk::TensorView& t, int64_t a, int64_t b, int64_t c, int64_t d) {
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

}  // namespace ember::cpu
