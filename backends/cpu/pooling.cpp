// max_pool2d_with_indices: the largest value of each window and its flat position (h * W + w) in
// the input plane; NaN wins, as in PyTorch. Planes (image, channel) are split across threads.
#include <cmath>
#include <limits>

#include "kernels.h"
#include "parallel.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

template <typename T>
void max_pool(const TensorView& out, const TensorView& indices, const TensorView& self, const int64_t kernel[2],
              const int64_t stride[2], const int64_t padding[2], const int64_t dilation[2]) {
  using C = sdk::compute_t<T>;
  const int64_t channels = self.size(1), H = self.size(2), W = self.size(3), OH = out.size(2), OW = out.size(3);
  parallel_for(self.size(0) * channels, std::max<int64_t>(1, kParallelGrain / (H * W + 1)), [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      const int64_t n = plane / channels, c = plane % channels;
      const T* in = self.data<T>() + n * self.stride(0) + c * self.stride(1);
      T* o = out.data<T>() + n * out.stride(0) + c * out.stride(1);
      int64_t* idx = indices.data<int64_t>() + n * indices.stride(0) + c * indices.stride(1);
      for (int64_t oh = 0; oh < OH; ++oh) {
        for (int64_t ow = 0; ow < OW; ++ow) {
          C best = -std::numeric_limits<C>::infinity();
          int64_t best_at = -1;
          for (int64_t kh = 0; kh < kernel[0]; ++kh) {
            const int64_t ih = oh * stride[0] - padding[0] + kh * dilation[0];
            if (ih < 0 || ih >= H) continue;
            for (int64_t kw = 0; kw < kernel[1]; ++kw) {
              const int64_t iw = ow * stride[1] - padding[1] + kw * dilation[1];
              if (iw < 0 || iw >= W) continue;
              const C v = static_cast<C>(in[ih * self.stride(2) + iw * self.stride(3)]);
              if (best_at < 0 || v > best || std::isnan(v)) {
                best = v;
                best_at = ih * W + iw;
                if (std::isnan(v)) break;
              }
            }
          }
          o[oh * out.stride(2) + ow * out.stride(3)] = static_cast<T>(best);
          idx[oh * indices.stride(2) + ow * indices.stride(3)] = best_at;
        }
      }
    }
  });
}

void max_pool_kernel(const KernelArgs& args, void*) {
  const TensorView self = args.tensor(0);
  int64_t kernel[2], stride[2], padding[2], dilation[2];
  const auto stride_arg = args.to_int_list(2);
  for (int d = 0; d < 2; ++d) {
    kernel[d] = args.to_int_list(1).first[d];
    stride[d] = stride_arg.second == 0 ? kernel[d] : stride_arg.first[d];  // empty: the kernel size
    padding[d] = args.to_int_list(3).first[d];
    dilation[d] = args.to_int_list(4).first[d];
  }
  sdk::dispatch_dtype(self.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (!std::is_same_v<T, bool>) {  // integers too: quantized tensors pool their integers
      max_pool<T>(args.output(0), args.output(1), self, kernel, stride, padding, dilation);
    } else {
      sdk::check(false, "max pooling needs a numeric dtype, got bool");
    }
  });
}

}  // namespace

void register_pooling_kernels(const ember_host_api* host) {
  sdk::register_kernel(host, "max_pool2d_with_indices", &sdk::guarded_kernel<&max_pool_kernel>, nullptr);
}

}  // namespace ember::cpu
