// conv3d, conv_transpose3d (and conv_transpose1d), max_pool3d and the average poolings of every rank against direct
// loops, their gradients by finite differences, the layers, and errors on bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"
#include "ember/nn.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {

// Element (n, c, d, h, w) of a contiguous 5-D tensor's values.
struct Volume {
  std::vector<double> v;
  std::vector<int64_t> s;
  explicit Volume(const Tensor& t) : v(to_vector<double>(t.contiguous())), s(t.sizes().begin(), t.sizes().end()) {}
  double operator()(int64_t n, int64_t c, int64_t d, int64_t h, int64_t w) const {
    return v[static_cast<size_t>(((((n * s[1] + c) * s[2] + d) * s[3] + h) * s[4]) + w)];
  }
};

struct Window {
  F::Triple stride, padding, dilation;
};

int64_t out_size(int64_t size, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation) {
  return (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

// Every output element of a 3-D window operation: `reduce` sees the window's values (padding
// as nullopt) and returns the output.
template <typename Reduce>
std::vector<double> over_windows(const Volume& x, int64_t channels_out, F::Triple kernel, const Window& g,
                                 Reduce reduce) {
  std::vector<double> out;
  int64_t o[3];
  for (int i = 0; i < 3; ++i) o[i] = out_size(x.s[2 + i], kernel[i], g.stride[i], g.padding[i], g.dilation[i]);
  for (int64_t n = 0; n < x.s[0]; ++n)
    for (int64_t c = 0; c < channels_out; ++c)
      for (int64_t od = 0; od < o[0]; ++od)
        for (int64_t oh = 0; oh < o[1]; ++oh)
          for (int64_t ow = 0; ow < o[2]; ++ow) {
            std::vector<std::array<int64_t, 6>> taps;  // input d, h, w (or -1 outside) and kernel kd, kh, kw
            for (int64_t kd = 0; kd < kernel[0]; ++kd)
              for (int64_t kh = 0; kh < kernel[1]; ++kh)
                for (int64_t kw = 0; kw < kernel[2]; ++kw) {
                  const int64_t d = od * g.stride[0] - g.padding[0] + kd * g.dilation[0];
                  const int64_t h = oh * g.stride[1] - g.padding[1] + kh * g.dilation[1];
                  const int64_t w = ow * g.stride[2] - g.padding[2] + kw * g.dilation[2];
                  const bool inside = d >= 0 && d < x.s[2] && h >= 0 && h < x.s[3] && w >= 0 && w < x.s[4];
                  taps.push_back({inside ? d : -1, h, w, kd, kh, kw});
                }
            out.push_back(reduce(n, c, taps));
          }
  return out;
}

void check_close(const Tensor& actual, const std::vector<double>& expected, double tol = 1e-4) {
  const auto got = to_vector<double>(actual.contiguous());
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(expected[i]).epsilon(tol).scale(1));
  }
}

struct Transposed {
  F::Triple stride, padding, output_padding, dilation;
  int64_t groups;
};

// A transposed convolution by its definition: input element (i, j, l) of channel ci adds
// x * weight[ci, co, kd, kh, kw] to output (i s + kd d - p, ...) of each channel co of its group.
std::vector<double> transposed_reference(const Volume& x, const Volume& w, const Transposed& g, int64_t (&o)[3]) {
  const int64_t in_per_group = x.s[1] / g.groups, out_per_group = w.s[1], channels_out = out_per_group * g.groups;
  for (int i = 0; i < 3; ++i) {
    o[i] = (x.s[2 + i] - 1) * g.stride[i] - 2 * g.padding[i] + g.dilation[i] * (w.s[2 + i] - 1) + g.output_padding[i] + 1;
  }
  std::vector<double> out(static_cast<size_t>(x.s[0] * channels_out * o[0] * o[1] * o[2]), 0.0);
  for (int64_t n = 0; n < x.s[0]; ++n)
    for (int64_t ci = 0; ci < x.s[1]; ++ci)
      for (int64_t i = 0; i < x.s[2]; ++i)
        for (int64_t j = 0; j < x.s[3]; ++j)
          for (int64_t l = 0; l < x.s[4]; ++l)
            for (int64_t c = 0; c < out_per_group; ++c)
              for (int64_t kd = 0; kd < w.s[2]; ++kd)
                for (int64_t kh = 0; kh < w.s[3]; ++kh)
                  for (int64_t kw = 0; kw < w.s[4]; ++kw) {
                    const int64_t od = i * g.stride[0] + kd * g.dilation[0] - g.padding[0];
                    const int64_t oh = j * g.stride[1] + kh * g.dilation[1] - g.padding[1];
                    const int64_t ow = l * g.stride[2] + kw * g.dilation[2] - g.padding[2];
                    if (od < 0 || od >= o[0] || oh < 0 || oh >= o[1] || ow < 0 || ow >= o[2]) continue;
                    const int64_t co = ci / in_per_group * out_per_group + c;
                    out[static_cast<size_t>((((n * channels_out + co) * o[0] + od) * o[1] + oh) * o[2] + ow)] +=
                        x(n, ci, i, j, l) * w(ci, c, kd, kh, kw);
                  }
  return out;
}

}  // namespace

TEST_CASE("conv3d matches a direct loop with strides, padding, dilation, groups and bias") {
  manual_seed(1);
  const Tensor x = randn({2, 4, 5, 6, 7}), weight = randn({6, 2, 3, 2, 3}), bias = randn({6});
  const Window g = {{2, 1, 2}, {1, 0, 2}, {1, 2, 1}};
  const Tensor out = F::conv3d(x, weight, bias, {.stride = g.stride, .padding = g.padding, .dilation = g.dilation, .groups = 2});
  CHECK(out.sizes().equals(IntArrayRef{2, 6, 3, 4, 5}));
  const Volume vx(x), vw(weight);
  const auto b = to_vector<double>(bias);
  const auto expected = over_windows(vx, 6, {3, 2, 3}, g, [&](int64_t n, int64_t o, const auto& taps) {
    double sum = b[static_cast<size_t>(o)];
    const int64_t group = o / 3;
    for (const auto& t : taps) {
      if (t[0] < 0) continue;
      for (int64_t c = 0; c < 2; ++c) sum += vx(n, group * 2 + c, t[0], t[1], t[2]) * vw(o, c, t[3], t[4], t[5]);
    }
    return sum;
  });
  check_close(out, expected);
  // Unbatched [C, D, H, W].
  check_close(F::conv3d(x[1], weight, bias, {.stride = g.stride, .padding = g.padding, .dilation = g.dilation, .groups = 2}),
              std::vector<double>(expected.begin() + static_cast<long>(expected.size() / 2), expected.end()));
}

TEST_CASE("conv_transpose3d and conv_transpose1d match a direct loop, and conv_transpose3d is conv3d's adjoint") {
  manual_seed(7);
  const Tensor x = randn({2, 4, 3, 4, 3}, DType::Float64), weight = randn({4, 3, 3, 2, 2}, DType::Float64);
  const Transposed g = {{2, 1, 2}, {1, 0, 1}, {1, 0, 1}, {1, 2, 1}, 2};
  const Tensor out = F::conv_transpose3d(x, weight, Tensor(), {.stride = g.stride, .padding = g.padding,
                                                               .output_padding = g.output_padding, .groups = g.groups,
                                                               .dilation = g.dilation});
  int64_t o[3];
  const std::vector<double> expected = transposed_reference(Volume(x), Volume(weight), g, o);
  CHECK(out.sizes().equals(IntArrayRef{2, 6, o[0], o[1], o[2]}));
  check_close(out, expected, 1e-12);
  // <conv3d(v, w), x> = <v, conv_transpose3d(x, w)> for a weight read both ways.
  const Tensor v = randn({2, 3, 6, 5, 6}, DType::Float64), w = randn({4, 3, 2, 2, 3}, DType::Float64);
  const Tensor forward = F::conv3d(v, w, Tensor(), {.stride = {2, 1, 2}, .padding = {1, 0, 1}});  // [2, 4, 4, 4, 3]
  const Tensor y = randn(forward.sizes(), DType::Float64);
  // The output padding restores the width the stride rounded away: (3 - 1) 2 - 2 + 2 + 1 + 1 = 6.
  const Tensor back = F::conv_transpose3d(y, w, Tensor(), {.stride = {2, 1, 2}, .padding = {1, 0, 1}, .output_padding = {0, 0, 1}});
  CHECK(back.sizes().equals(v.sizes()));
  CHECK((forward * y).sum().item<double>() == doctest::Approx((v * back).sum().item<double>()));
  // conv_transpose1d: the same loop over a depth and height of 1, with a bias.
  const Tensor x1 = randn({2, 4, 5}, DType::Float64), w1 = randn({4, 1, 3}, DType::Float64), b1 = randn({2}, DType::Float64);
  const Tensor out1 = F::conv_transpose1d(x1, w1, b1, {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2, .dilation = 2});
  const Transposed g1 = {{1, 1, 2}, {0, 0, 1}, {0, 0, 1}, {1, 1, 2}, 2};
  std::vector<double> expected1 = transposed_reference(Volume(x1.reshape({2, 4, 1, 1, 5})), Volume(w1.reshape({4, 1, 1, 1, 3})), g1, o);
  CHECK(out1.sizes().equals(IntArrayRef{2, 2, o[2]}));
  const auto bias = to_vector<double>(b1);
  for (size_t i = 0; i < expected1.size(); ++i) expected1[i] += bias[(i / static_cast<size_t>(o[2])) % 2];
  check_close(out1, expected1, 1e-12);
  CHECK(F::conv_transpose1d(x1[0], w1).sizes().equals(IntArrayRef{1, 7}));  // unbatched
}

TEST_CASE("max_pool3d and avg_pool3d match direct loops, padding and ceil_mode included") {
  manual_seed(2);
  const Tensor x = randn({2, 3, 5, 6, 5});
  const Volume vx(x);
  const Window g = {{2, 2, 1}, {1, 1, 0}, {1, 1, 1}};
  const auto window_max = [&](int64_t n, int64_t c, const auto& taps) {
    double best = -std::numeric_limits<double>::infinity();
    for (const auto& t : taps) {
      if (t[0] >= 0) best = std::max(best, vx(n, c, t[0], t[1], t[2]));
    }
    return best;
  };
  check_close(F::max_pool3d(x, {3, 2, 2}, {.stride = g.stride, .padding = g.padding}),
              over_windows(vx, 3, {3, 2, 2}, g, window_max));
  const Window dilated = {{1, 1, 2}, {0, 0, 0}, {2, 1, 1}};
  check_close(F::max_pool3d(x, {2, 2, 3}, {.stride = dilated.stride, .dilation = dilated.dilation}),
              over_windows(vx, 3, {2, 2, 3}, dilated, window_max));
  const auto window_mean = [&](int64_t n, int64_t c, const auto& taps) {
    double sum = 0;  // padded positions count as zeros
    for (const auto& t : taps) {
      if (t[0] >= 0) sum += vx(n, c, t[0], t[1], t[2]);
    }
    return sum / static_cast<double>(taps.size());
  };
  check_close(F::avg_pool3d(x, {3, 2, 2}, {.stride = g.stride, .padding = g.padding}),
              over_windows(vx, 3, {3, 2, 2}, g, window_mean));
  // ceil_mode: a depth of 5 with kernel 2 and stride 2 gives 3 windows, the last one partial.
  const Tensor ceiled = F::max_pool3d(x, {2, 2, 2}, {.ceil_mode = true});
  CHECK(ceiled.sizes().equals(IntArrayRef{2, 3, 3, 3, 3}));
  CHECK(allclose(ceiled.select(2, 2), F::max_pool2d(x.select(2, 4), {2, 2}, {.ceil_mode = true})));
}

namespace {

struct Averaging {
  F::Triple kernel, stride, padding;
  bool ceil_mode = false, count_include_pad = true;
  std::optional<int64_t> divisor_override;
};

// PyTorch's average pooling by its loops: output length (with ceil_mode's rule), each window
// clipped to the padded input for its count with padding, to the input for its sum (and for the
// count without padding).
std::vector<double> average_reference(const Volume& x, const Averaging& a, int64_t (&o)[3]) {
  for (int i = 0; i < 3; ++i) {
    const int64_t room = x.s[2 + i] + 2 * a.padding[i] - a.kernel[i];
    o[i] = (room + (a.ceil_mode ? a.stride[i] - 1 : 0)) / a.stride[i] + 1;
    if (a.ceil_mode && (o[i] - 1) * a.stride[i] >= x.s[2 + i] + a.padding[i]) --o[i];
  }
  std::vector<double> out;
  for (int64_t n = 0; n < x.s[0]; ++n)
    for (int64_t c = 0; c < x.s[1]; ++c)
      for (int64_t od = 0; od < o[0]; ++od)
        for (int64_t oh = 0; oh < o[1]; ++oh)
          for (int64_t ow = 0; ow < o[2]; ++ow) {
            int64_t lo[3], hi[3], padded_count = 1, count = 1;
            const int64_t at[3] = {od, oh, ow};
            for (int i = 0; i < 3; ++i) {
              lo[i] = at[i] * a.stride[i] - a.padding[i];
              hi[i] = std::min(lo[i] + a.kernel[i], x.s[2 + i] + a.padding[i]);
              padded_count *= hi[i] - lo[i];
              lo[i] = std::max<int64_t>(lo[i], 0);
              hi[i] = std::min(hi[i], x.s[2 + i]);
              count *= hi[i] - lo[i];
            }
            double sum = 0;
            for (int64_t d = lo[0]; d < hi[0]; ++d)
              for (int64_t h = lo[1]; h < hi[1]; ++h)
                for (int64_t w = lo[2]; w < hi[2]; ++w) sum += x(n, c, d, h, w);
            const int64_t divisor = a.divisor_override ? *a.divisor_override : a.count_include_pad ? padded_count : count;
            out.push_back(sum / static_cast<double>(divisor));
          }
  return out;
}

}  // namespace

TEST_CASE("average pooling of every rank: ceil_mode, count_include_pad and divisor_override as PyTorch's loops") {
  // 1 2 3 4 5 6, kernel 3, stride 2, padding 1, ceil_mode: windows from -1, 1, 3 and 5, the last
  // one [6, pad] inside the padded input (count 2 with padding, 1 without).
  const Tensor line = arange(1, 7, 1, DType::Float32).reshape({1, 1, 6});
  const F::AvgPool1dOptions ceiled = {.stride = 2, .padding = 1, .ceil_mode = true};
  check_close(F::avg_pool1d(line, 3, ceiled), {1, 3, 5, 3});
  check_close(F::avg_pool1d(line, 3, {.stride = 2, .padding = 1, .ceil_mode = true, .count_include_pad = false}),
              {1.5, 3, 5, 6});
  check_close(F::avg_pool2d(line.unsqueeze(2), {1, 3}, {.stride = F::Pair{1, 2}, .padding = {0, 1}, .ceil_mode = true,
                                                        .divisor_override = 2}),
              {1.5, 4.5, 7.5, 3});
  check_close(F::avg_pool1d(line, 3, {.stride = 2, .padding = 1}), {1, 3, 5});  // floor: three windows

  manual_seed(4);
  const Tensor x = randn({2, 3, 5, 6, 7}, DType::Float64);
  const Volume vx(x);
  const std::vector<Averaging> cases = {
      {{3, 2, 2}, {2, 2, 1}, {1, 1, 0}},
      {{3, 2, 3}, {2, 2, 2}, {1, 1, 1}, true, true},
      {{3, 2, 3}, {2, 2, 2}, {1, 1, 1}, true, false},
      {{2, 3, 2}, {2, 2, 3}, {1, 1, 0}, false, false},
      {{2, 2, 3}, {3, 3, 2}, {0, 1, 1}, true, false, -3},
  };
  for (const Averaging& a : cases) {
    CAPTURE(a.kernel);
    CAPTURE(a.ceil_mode);
    CAPTURE(a.count_include_pad);
    int64_t o[3];
    const std::vector<double> expected = average_reference(vx, a, o);
    const Tensor volume = F::avg_pool3d(x, a.kernel, {.stride = a.stride, .padding = a.padding, .ceil_mode = a.ceil_mode,
                                                      .count_include_pad = a.count_include_pad,
                                                      .divisor_override = a.divisor_override});
    CHECK(volume.sizes().equals(IntArrayRef{2, 3, o[0], o[1], o[2]}));
    check_close(volume, expected, 1e-10);
    // The 2-D pooling of each depth plane: the same loops with a depth kernel of 1.
    const Averaging plane = {{1, a.kernel[1], a.kernel[2]}, {1, a.stride[1], a.stride[2]}, {0, a.padding[1], a.padding[2]},
                             a.ceil_mode, a.count_include_pad, a.divisor_override};
    const Tensor planes = F::avg_pool2d(x.transpose(1, 2).flatten(0, 1), {a.kernel[1], a.kernel[2]},
                                        {.stride = F::Pair{a.stride[1], a.stride[2]}, .padding = {a.padding[1], a.padding[2]},
                                         .ceil_mode = a.ceil_mode, .count_include_pad = a.count_include_pad,
                                         .divisor_override = a.divisor_override});
    check_close(planes.unflatten(0, {2, 5}).transpose(1, 2), average_reference(vx, plane, o), 1e-10);
  }
  CHECK_THROWS_WITH(F::avg_pool2d(x.select(2, 0), {2, 2}, {.divisor_override = 0}),
                    "[avg_pool2d] divisor_override: expected a non-zero divisor, got 0");
  CHECK_THROWS_WITH(F::avg_pool3d(x, {2, 2, 2}, {.divisor_override = 0}),
                    "[avg_pool3d] divisor_override: expected a non-zero divisor, got 0");
}

TEST_CASE("3-D convolutions (plain and transposed) and pooling differentiate by finite differences") {
  const auto f = [](const autograd::TensorVector& t) {
    const Tensor conv = F::conv3d(t[0], t[1], t[2], {.stride = {2, 1, 1}, .padding = {1, 0, 1}, .dilation = {1, 2, 1}});
    const Tensor max = F::max_pool3d(t[0], {2, 2, 2}, {.stride = F::Triple{1, 2, 1}, .padding = {1, 0, 1}});
    const Tensor mean = F::avg_pool3d(t[0], {3, 1, 2}, {.stride = F::Triple{2, 1, 1}, .padding = {1, 0, 1}});
    const Tensor ceiled = F::avg_pool3d(t[0], {2, 2, 2}, {.stride = F::Triple{2, 3, 2}, .padding = {1, 1, 0}, .ceil_mode = true,
                                                          .count_include_pad = false});
    const Tensor transposed = F::conv_transpose3d(t[0], t[1].transpose(0, 1), t[2],
                                                  {.stride = {2, 1, 2}, .padding = {1, 0, 0}, .output_padding = {1, 0, 1}});
    return cat({conv.flatten(), max.flatten(), mean.flatten(), ceiled.flatten(), transposed.flatten()});
  };
  manual_seed(3);
  autograd::TensorVector inputs = {randn({1, 2, 4, 4, 3}, DType::Float64), randn({3, 2, 2, 2, 2}, DType::Float64),
                                   randn({3}, DType::Float64)};
  for (Tensor& t : inputs) t.requires_grad_();
  CHECK_NOTHROW(autograd::gradcheck(f, inputs));
}

TEST_CASE("Conv3d, ConvTranspose3d, ConvTranspose1d, MaxPool3d and AvgPool3d layers") {
  manual_seed(4);
  nn::Conv3d conv(2, 4, {3, 3, 1}, {.padding = {1, 1, 0}});
  CHECK(conv.weight.sizes().equals(IntArrayRef{4, 2, 3, 3, 1}));
  CHECK(conv.str() == "Conv3d(2, 4, kernel_size=(3, 3, 1), stride=(1, 1, 1), padding=(1, 1, 0))");
  const Tensor x = randn({1, 2, 4, 5, 6});
  CHECK(conv(x).sizes().equals(IntArrayRef{1, 4, 4, 5, 6}));
  CHECK(nn::MaxPool3d({2, 2, 2}).str() == "MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  CHECK(nn::AvgPool3d({2, 1, 2}).str() == "AvgPool3d(kernel_size=(2, 1, 2), stride=(2, 1, 2), padding=0)");
  CHECK(nn::MaxPool3d({2, 2, 2})(x).sizes().equals(IntArrayRef{1, 2, 2, 2, 3}));
  nn::ConvTranspose3d up(2, 4, {2, 2, 2}, {.stride = {2, 2, 2}}, false);
  CHECK(up.weight.sizes().equals(IntArrayRef{2, 4, 2, 2, 2}));
  CHECK(!up.bias.defined());
  CHECK(up.str() == "ConvTranspose3d(2, 4, kernel_size=(2, 2, 2), stride=(2, 2, 2), bias=False)");
  CHECK(up(x).sizes().equals(IntArrayRef{1, 4, 8, 10, 12}));
  nn::ConvTranspose1d up1(2, 6, 3, {.stride = 2, .output_padding = 1, .groups = 2});
  CHECK(up1.weight.sizes().equals(IntArrayRef{2, 3, 3}));
  CHECK(up1.str() == "ConvTranspose1d(2, 6, kernel_size=(3,), stride=(2,), output_padding=(1,), groups=2)");
  CHECK(up1(randn({1, 2, 5})).sizes().equals(IntArrayRef{1, 6, 12}));
}

TEST_CASE("BatchNorm3d and InstanceNorm3d normalise each channel over its volume") {
  manual_seed(6);
  const Tensor x = randn({2, 3, 4, 5, 6}, DType::Float64) * 3 + 1;
  nn::BatchNorm3d batch(3);
  const Tensor b = batch(x.to(DType::Float32)).detach().to(DType::Float64);
  const auto [var, mean] = var_mean(b, IntArrayRef{0, 2, 3, 4}, 0);
  CHECK(allclose(mean, zeros({3}, DType::Float64), 0, 1e-5));
  CHECK(allclose(var, ones({3}, DType::Float64), 1e-3, 1e-3));
  nn::InstanceNorm3d instance(3);
  const Tensor i = instance(x);
  const auto [ivar, imean] = var_mean(i, IntArrayRef{2, 3, 4}, 0);
  CHECK(allclose(imean, zeros({2, 3}, DType::Float64), 0, 1e-9));
  CHECK(allclose(ivar, ones({2, 3}, DType::Float64), 1e-4, 1e-4));
  CHECK(instance(x[0]).sizes().equals(IntArrayRef{3, 4, 5, 6}));
  CHECK(instance.str() == "InstanceNorm3d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)");
  // Tracked: training keeps the batch's mean of the instances' means and unbiased variances;
  // evaluation normalises every instance by them.
  nn::InstanceNorm3d tracked(3, {.momentum = 0.25, .track_running_stats = true});
  CHECK(tracked.str() == "InstanceNorm3d(3, eps=1e-05, momentum=0.25, affine=False, track_running_stats=True)");
  CHECK(tracked.named_buffers().size() == 3);
  CHECK(allclose(tracked(x), i));  // training: the instances' own statistics
  const Tensor instance_mean = x.mean(IntArrayRef{2, 3, 4}).mean(0), instance_var = x.var(IntArrayRef{2, 3, 4}).mean(0);
  CHECK(allclose(tracked.running_mean.to(DType::Float64), instance_mean * 0.25, 1e-5, 1e-6));
  CHECK(allclose(tracked.running_var.to(DType::Float64), instance_var * 0.25 + 0.75, 1e-5, 1e-6));
  CHECK(tracked.num_batches_tracked.item<int64_t>() == 1);
  tracked.eval();
  const Tensor by_running = (x - tracked.running_mean.view({1, 3, 1, 1, 1})) * rsqrt(tracked.running_var.view({1, 3, 1, 1, 1}) + 1e-5);
  CHECK(allclose(tracked(x).to(DType::Float64), by_running.to(DType::Float64), 1e-5, 1e-5));
  CHECK(tracked.num_batches_tracked.item<int64_t>() == 1);
  CHECK_THROWS_WITH(batch(x.to(DType::Float32)[0]), "[BatchNorm3d] input: expected 5 dimensions, got shape [3, 4, 5, 6]");
}

TEST_CASE("3-D operations refuse bad shapes and options with clear errors") {
  const Tensor x = zeros({1, 2, 4, 4, 4}), w = zeros({3, 2, 2, 2, 2});
  CHECK_THROWS_WITH(F::conv3d(zeros({2, 4, 4}), w), "[conv3d] input: expected a [N, C, D, H, W] or [C, D, H, W] tensor, got [2, 4, 4]");
  CHECK_THROWS_WITH(F::conv3d(x, zeros({3, 2, 2, 2})), "[conv3d] weight: expected [out_channels, in_channels / groups, kD, kH, kW], got [3, 2, 2, 2]");
  CHECK_THROWS_WITH(F::conv3d(x, zeros({3, 1, 2, 2, 2})),
                    "[conv3d] weight: expected 2 input channels per group for an input with 2 channels and groups=1, got weight shape [3, 1, 2, 2, 2]");
  CHECK_THROWS_WITH(F::conv3d(x, w, Tensor(), {.stride = {0, 1, 1}}), "[conv3d] stride: expected values of at least 1, got [0, 1, 1]");
  CHECK_THROWS_WITH(F::conv3d(x, zeros({3, 2, 6, 2, 2})),
                    "[conv3d] input: a depth of 4 padded by 0 on each side is smaller than the kernel's span 6");
  CHECK_THROWS_WITH(F::conv3d(x, w, zeros({2})), "[conv3d] bias: expected shape [3], got [2]");
  CHECK_THROWS_WITH(F::max_pool3d(x, {2, 2, 2}, {.padding = {2, 0, 0}}),
                    "[max_pool3d] padding: expected values from 0 to half the kernel size [2, 2, 2], got [2, 0, 0]");
  CHECK_THROWS_WITH(F::avg_pool3d(x, {0, 2, 2}), "[avg_pool3d] kernel_size: expected values of at least 1, got [0, 2, 2]");
  CHECK_THROWS_WITH(nn::Conv3d(2, 4, {3, 0, 1}), "[Conv3d] kernel_size: expected values of at least 1, got [3, 0, 1]");
  CHECK_THROWS_WITH(F::conv3d(x, zeros({3, 2, 0, 2, 2})),
                    "[conv3d] weight: expected a kernel of at least 1 in every dimension, got shape [3, 2, 0, 2, 2]");
  CHECK_THROWS_WITH(F::conv_transpose3d(x, zeros({2, 3, 2, 2, 2}), Tensor(), {.stride = {2, 2, 2}, .output_padding = {2, 0, 0}}),
                    "[conv_transpose3d] output_padding: expected values from 0 to below the stride [2, 2, 2], got [2, 0, 0]");
  CHECK_THROWS_WITH(F::conv_transpose3d(x, zeros({3, 3, 2, 2, 2})),
                    "[conv_transpose3d] input: expected 3 channels (the weight's first dimension), got 2");
  CHECK_THROWS_WITH(F::conv_transpose3d(x, zeros({2, 3, 2, 2, 2}), Tensor(), {.padding = {3, 0, 0}}),
                    "[conv_transpose3d] input: the output depth would be -1; expected a positive size that int64 holds");
  CHECK_THROWS_WITH(F::conv_transpose3d(x, zeros({2, 3, 2, 2, 2}), Tensor(), {.groups = 3}),
                    "[conv_transpose3d] groups: expected a positive divisor of the weight's 2 input channels, got 3");
  CHECK_THROWS_WITH(F::conv_transpose1d(zeros({2, 3, 4, 5}), zeros({3, 1, 2})),
                    "[conv_transpose1d] input: expected a [N, C, L] or [C, L] tensor, got [2, 3, 4, 5]");
}

TEST_CASE("max_pool3d_with_indices gives each window's first maximum, padding never winning, and max_unpool3d undoes it") {
  // Small integers tie often; -inf planes tie with the padding: the index is the first maximum in
  // depth, height, width order inside the input, as PyTorch's.
  manual_seed(9);
  Tensor x = randint(0, 3, {2, 2, 5, 4, 5}).to(DType::Float32);
  x.narrow(2, 0, 1).fill_(-std::numeric_limits<double>::infinity());
  const Volume vx(x);
  const Window g = {{2, 1, 2}, {1, 1, 1}, {1, 1, 1}};
  const F::Triple kernel = {3, 2, 3};
  std::vector<double> expected_values, expected_positions;
  over_windows(vx, 2, kernel, g, [&](int64_t n, int64_t c, const auto& taps) {
    double best = 0;
    int64_t at = -1;
    for (const auto& t : taps) {
      if (t[0] < 0) continue;
      const double v = vx(n, c, t[0], t[1], t[2]);
      if (at < 0 || v > best) {
        best = v;
        at = (t[0] * vx.s[3] + t[1]) * vx.s[4] + t[2];
      }
    }
    expected_values.push_back(best);
    expected_positions.push_back(static_cast<double>(at));
    return best;
  });
  const F::MaxPool3dOptions options = {.stride = g.stride, .padding = g.padding};
  const auto [values, indices] = F::max_pool3d_with_indices(x, kernel, options);
  CHECK(indices.dtype() == DType::Int64);
  CHECK(indices.sizes().equals(values.sizes()));
  CHECK(to_vector<double>(values) == expected_values);
  CHECK(to_vector<double>(indices) == expected_positions);
  // Integers pad with their own minimum, which ties with it the same way.
  const auto [int_values, int_indices] = F::max_pool3d_with_indices(x.select(0, 1).clamp(0, 2).to(DType::Int64), kernel, options);
  CHECK(int_values.dtype() == DType::Int64);
  CHECK(int_indices.sizes().equals(IntArrayRef{2, 3, 5, 3}));  // unbatched
  const Tensor finite = x.select(0, 1).clamp(0, 2);
  CHECK(equal(std::get<1>(F::max_pool3d_with_indices(finite, kernel, options)), int_indices));

  // 2x2x2 windows of an arange: each maximum is its block's last element.
  const Tensor block = arange(32, DType::Float32).reshape({1, 1, 2, 4, 4});
  const auto [pooled, positions] = F::max_pool3d_with_indices(block, {2, 2, 2});
  CHECK(to_vector<int64_t>(positions) == std::vector<int64_t>{21, 23, 29, 31});
  const Tensor restored = F::max_unpool3d(pooled, positions, {2, 2, 2});
  CHECK(restored.sizes().equals(IntArrayRef{1, 1, 2, 4, 4}));
  CHECK(equal(restored.flatten().index_select(0, positions.flatten()), pooled.flatten()));
  CHECK(restored.sum().item<float>() == 21 + 23 + 29 + 31);
  nn::MaxUnpool3d layer({2, 2, 2});
  CHECK(equal(layer(pooled, positions), restored));
  CHECK(layer.str() == "MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))");
  // The unpooled input of the first case, at its own size: every maximum back at its place.
  const Tensor unpooled = F::max_unpool3d(values, indices, kernel,
                                          {.stride = g.stride, .padding = g.padding, .output_size = F::Triple{5, 4, 5}});
  CHECK(equal(unpooled.flatten(2).gather(2, indices.flatten(2)), values.flatten(2)));

  CHECK_THROWS_WITH(F::max_unpool3d(pooled, positions + 11, {2, 2, 2}),
                    "[max_unpool3d] indices: expected positions in [0, 32) (the 2x4x4 output volumes), got 42");
  CHECK_THROWS_WITH(F::max_unpool3d(pooled, positions, {2, 2, 2}, {.output_size = F::Triple{2, 4, 6}}),
                    "[max_unpool3d] output_size: expected sizes from 3 to 5 at dimension 2, got 6");
  CHECK_THROWS_WITH(F::max_unpool3d(pooled, positions.squeeze(0), {2, 2, 2}),
                    "[max_unpool3d] indices: expected the input's shape [1, 1, 1, 2, 2], got [1, 1, 2, 2]");
  CHECK_THROWS_WITH(F::max_unpool3d(pooled.flatten(), positions.flatten(), {2, 2, 2}),
                    "[max_unpool3d] input: expected a [N, C, D, H, W] or [C, D, H, W] tensor, got [4]");

  // Gradients by finite differences: the pooled values' gradient reaches the maxima, the
  // unpooled one comes back from the indices.
  const Tensor distinct = randn({1, 2, 4, 3, 4}, DType::Float64);
  CHECK_NOTHROW(autograd::gradcheck([&](const autograd::TensorVector& t) {
    return std::get<0>(F::max_pool3d_with_indices(t[0], {2, 2, 2}, {.padding = {1, 1, 0}}));
  }, {distinct.clone().requires_grad_()}));
  const auto [distinct_values, distinct_positions] = F::max_pool3d_with_indices(distinct, {2, 2, 2});
  CHECK_NOTHROW(autograd::gradcheck([&](const autograd::TensorVector& t) {
    return F::max_unpool3d(t[0], distinct_positions, {2, 2, 2}, {.output_size = F::Triple{4, 3, 4}});
  }, {distinct_values.detach().requires_grad_()}));
}
