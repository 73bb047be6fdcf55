// Adaptive average and max pooling of every rank, unfold and fold, against direct loops; their
// gradients by finite differences, the layers, and errors on bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ember/autograd/gradcheck.h"
#include "ember/ember.h"
#include "ember/nn.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {

void check_close_values(const std::vector<double>& actual, const std::vector<double>& expected) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    CAPTURE(i);
    CHECK(actual[i] == doctest::Approx(expected[i]).epsilon(1e-12));
  }
}

// Adaptive pooling over the trailing out.size() dimensions of a contiguous tensor, window i of n
// positions spanning [floor(i n / out), ceil((i + 1) n / out)), every window visited in full.
std::vector<double> adaptive_reference(const Tensor& x, const std::vector<int64_t>& out, bool max) {
  const std::vector<double> v = to_vector<double>(x);
  const size_t k = out.size();
  const std::vector<int64_t> in(x.sizes().end() - static_cast<int64_t>(k), x.sizes().end());
  int64_t plane = 1, out_plane = 1;
  for (size_t d = 0; d < k; ++d) {
    plane *= in[d];
    out_plane *= out[d];
  }
  std::vector<double> result;
  for (int64_t lead = 0; lead < x.numel() / plane; ++lead) {
    for (int64_t o = 0; o < out_plane; ++o) {
      // The window's bounds in each dimension, from the output position's coordinates.
      std::vector<int64_t> lo(k), hi(k), at(k);
      for (int64_t rest = o, d = static_cast<int64_t>(k) - 1; d >= 0; --d) {
        const int64_t i = rest % out[d];
        rest /= out[d];
        lo[d] = i * in[d] / out[d];
        hi[d] = ((i + 1) * in[d] + out[d] - 1) / out[d];
        at[d] = lo[d];
      }
      double acc = max ? -std::numeric_limits<double>::infinity() : 0;
      int64_t count = 0;
      while (true) {
        int64_t offset = 0;
        for (size_t d = 0; d < k; ++d) offset = offset * in[d] + at[d];
        const double e = v[static_cast<size_t>(lead * plane + offset)];
        acc = max ? std::max(acc, e) : acc + e;
        ++count;
        size_t d = k;
        while (d > 0 && ++at[d - 1] == hi[d - 1]) {
          at[d - 1] = lo[d - 1];
          --d;
        }
        if (d == 0) break;
      }
      result.push_back(max ? acc : acc / static_cast<double>(count));
    }
  }
  return result;
}

// unfold by its definition: column (c, ki, kj), block (bi, bj) reads the zero-padded input.
std::vector<double> unfold_reference(const Tensor& x, F::Pair k, const F::FoldOptions& o, F::Pair blocks) {
  const std::vector<double> v = to_vector<double>(x);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  std::vector<double> out;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t ki = 0; ki < k[0]; ++ki)
        for (int64_t kj = 0; kj < k[1]; ++kj)
          for (int64_t bi = 0; bi < blocks[0]; ++bi)
            for (int64_t bj = 0; bj < blocks[1]; ++bj) {
              const int64_t r = bi * o.stride[0] + ki * o.dilation[0] - o.padding[0];
              const int64_t q = bj * o.stride[1] + kj * o.dilation[1] - o.padding[1];
              const bool inside = r >= 0 && r < h && q >= 0 && q < w;
              out.push_back(inside ? v[static_cast<size_t>(((b * c + ch) * h + r) * w + q)] : 0);
            }
  return out;
}

}  // namespace

TEST_CASE("adaptive average and max pooling of every rank take PyTorch's windows") {
  manual_seed(11);
  const Tensor x1 = randn({2, 3, 7}, DType::Float64), x2 = randn({2, 3, 5, 7}, DType::Float64);
  const Tensor x3 = randn({2, 2, 5, 4, 6}, DType::Float64);
  for (bool max : {false, true}) {
    CAPTURE(max);
    for (int64_t size : {1, 3, 7, 9}) {
      CAPTURE(size);
      const Tensor out = max ? F::adaptive_max_pool1d(x1, size) : F::adaptive_avg_pool1d(x1, size);
      CHECK(out.sizes().equals({2, 3, size}));
      check_close_values(to_vector<double>(out), adaptive_reference(x1, {size}, max));
    }
    for (const F::Pair size : {F::Pair{1, 1}, F::Pair{3, 4}, F::Pair{5, 1}, F::Pair{8, 9}}) {
      const Tensor out = max ? F::adaptive_max_pool2d(x2, size) : F::adaptive_avg_pool2d(x2, size);
      check_close_values(to_vector<double>(out), adaptive_reference(x2, {size[0], size[1]}, max));
    }
    for (const F::Triple size : {F::Triple{1, 1, 1}, F::Triple{2, 3, 4}, F::Triple{5, 4, 6}, F::Triple{3, 5, 4}}) {
      const Tensor out = max ? F::adaptive_max_pool3d(x3, size) : F::adaptive_avg_pool3d(x3, size);
      CHECK(out.sizes().equals({2, 2, size[0], size[1], size[2]}));
      check_close_values(to_vector<double>(out), adaptive_reference(x3, {size[0], size[1], size[2]}, max));
    }
  }
  CHECK(F::adaptive_max_pool3d(x3.select(0, 0), {2, 2, 2}).sizes().equals({2, 2, 2, 2}));  // unbatched
  // NaN wins a max window, as PyTorch's.
  const auto with_nan = to_vector<double>(F::adaptive_max_pool1d(tensor<double>({1, NAN, 3, 4}, {1, 1, 4}), 2));
  CHECK((std::isnan(with_nan[0]) && with_nan[1] == 4));
  CHECK_THROWS_WITH(F::adaptive_max_pool2d(x1.select(0, 0), {2, 2}),
                    "[adaptive_max_pool2d] input: expected a [N, C, H, W] or [C, H, W] tensor, got [3, 7]");
  CHECK_THROWS_WITH(F::adaptive_avg_pool3d(zeros({1, 1, 2, 0, 2}), {1, 1, 1}),
                    "[adaptive_avg_pool3d] input: expected a non-empty depth, height and width, got [1, 1, 2, 0, 2]");
  CHECK_THROWS_WITH(F::adaptive_max_pool1d(x1, 0), "[adaptive_max_pool1d] output_size: expected values of at least 1, got [0]");
  CHECK_THROWS_WITH(F::adaptive_max_pool1d(x1.to(DType::Int64), 2),
                    "[adaptive_max_pool1d] input: expected a floating-point tensor, got int64");
}

TEST_CASE("adaptive pooling differentiates: the mean's share, the maximum's element") {
  manual_seed(12);
  const autograd::TensorVector inputs = {randn({1, 2, 5, 7}, DType::Float64).requires_grad_()};
  CHECK_NOTHROW(autograd::gradcheck([](const autograd::TensorVector& x) {
    return cat({F::adaptive_avg_pool2d(x[0], {3, 4}).flatten(), F::adaptive_max_pool2d(x[0], {3, 4}).flatten(),
                F::adaptive_max_pool1d(x[0].select(2, 0), 3).flatten()});
  }, inputs));
}

TEST_CASE("unfold reads every block of the padded plane; fold adds the columns back") {
  manual_seed(13);
  const Tensor x = randn({2, 3, 6, 7}, DType::Float64);
  for (const F::FoldOptions& o : {F::FoldOptions{}, F::FoldOptions{.dilation = {2, 1}, .padding = {1, 2}, .stride = {2, 3}}}) {
    const F::Pair kernel = {2, 3};
    const int64_t bh = (6 + 2 * o.padding[0] - o.dilation[0] * (kernel[0] - 1) - 1) / o.stride[0] + 1;
    const int64_t bw = (7 + 2 * o.padding[1] - o.dilation[1] * (kernel[1] - 1) - 1) / o.stride[1] + 1;
    const Tensor columns = F::unfold(x, kernel, o);
    CHECK(columns.sizes().equals({2, 3 * 6, bh * bw}));
    check_close_values(to_vector<double>(columns), unfold_reference(x, kernel, o, {bh, bw}));
    // fold is unfold's adjoint: <unfold(x), y> = <x, fold(y)> for every y.
    const Tensor y = randn(columns.sizes(), DType::Float64);
    const Tensor folded = F::fold(y, {6, 7}, kernel, o);
    CHECK(folded.sizes().equals({2, 3, 6, 7}));
    CHECK((columns * y).sum().item<double>() == doctest::Approx((x * folded).sum().item<double>()).epsilon(1e-12));
  }
  // Non-overlapping blocks: fold undoes unfold; overlapping ones count each pixel's blocks.
  CHECK(allclose(F::fold(F::unfold(x, {2, 7}, {.stride = {2, 7}}), {6, 7}, {2, 7}, {.stride = {2, 7}}), x));
  const Tensor ones_image = ones({1, 1, 3, 3}, DType::Float64);
  CHECK(to_vector<double>(F::fold(F::unfold(ones_image, {2, 2}), {3, 3}, {2, 2})) ==
        std::vector<double>{1, 2, 1, 2, 4, 2, 1, 2, 1});
  CHECK(F::unfold(x.select(0, 0), {2, 2}).sizes().equals({12, 30}));  // unbatched
  const autograd::TensorVector inputs = {randn({1, 2, 4, 5}, DType::Float64).requires_grad_()};
  CHECK_NOTHROW(autograd::gradcheck([](const autograd::TensorVector& t) {
    const Tensor columns = F::unfold(t[0], {2, 2}, {.padding = {1, 0}, .stride = {1, 2}});
    return F::fold(columns * columns, {4, 5}, {2, 2}, {.padding = {1, 0}, .stride = {1, 2}});
  }, inputs));
  CHECK_THROWS_WITH(F::unfold(x, {7, 1}), "[unfold] kernel_size: blocks of 7x1 with dilation [1, 1] do not fit in the padded 6x7 plane");
  CHECK_THROWS_WITH(F::unfold(x, {2, 2}, {.stride = {0, 1}}), "[unfold] stride: expected values of at least 1, got [0, 1]");
  CHECK_THROWS_WITH(F::unfold(x, {2, 2}, {.padding = {INT64_MAX / 2, 0}}),
                    "[unfold] padding: [4611686018427387903, 0] makes a plane larger than int64 sizes hold");
  CHECK_THROWS_WITH(F::fold(ones({1, 4, 1}), {int64_t{1} << 40, int64_t{1} << 40}, {2, 2}, {.stride = {int64_t{1} << 40, int64_t{1} << 40}}),
                    "[fold] size: the number of elements overflows int64");
  CHECK_THROWS_WITH(F::fold(ones({1, 12, 5}), {4, 5}, {2, 2}), "[fold] input: expected 12 blocks (the 4x5 output's), got 5 in shape [1, 12, 5]");
  CHECK_THROWS_WITH(F::fold(ones({1, 10, 12}), {4, 5}, {2, 2}),
                    "[fold] input: expected a multiple of kH kW = 4 in dimension 1, got shape [1, 10, 12]");
}

TEST_CASE("the adaptive pooling, Unfold and Fold layers print as PyTorch's") {
  CHECK(nn::AdaptiveMaxPool2d({2, 3}).str() == "AdaptiveMaxPool2d(output_size=(2, 3))");
  CHECK(nn::AdaptiveAvgPool1d(4).str() == "AdaptiveAvgPool1d(output_size=4)");
  CHECK(nn::AdaptiveMaxPool3d({2, 2, 2}).str() == "AdaptiveMaxPool3d(output_size=2)");
  CHECK(nn::Unfold({2, 3}).str() == "Unfold(kernel_size=(2, 3), dilation=1, padding=0, stride=1)");
  CHECK(nn::Fold({4, 5}, {2, 2}, {.stride = {2, 1}}).str() ==
        "Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=(2, 1))");
  const Tensor x = arange(16, DType::Float64).reshape({1, 1, 4, 4});
  CHECK(to_vector<double>(nn::AdaptiveMaxPool2d({2, 2})(x)) == std::vector<double>{5, 7, 13, 15});
  CHECK(allclose(nn::Fold({4, 4}, {2, 2}, {.stride = {2, 2}})(nn::Unfold({2, 2}, {.stride = {2, 2}})(x)), x));
  CHECK_THROWS_WITH(nn::AdaptiveMaxPool1d(0), "[AdaptiveMaxPool1d] output_size: expected values of at least 1, got [0]");
}
