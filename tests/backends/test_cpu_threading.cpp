// Tensors above the threading grain: the OpenMP paths give the same results as a reference
// loop, and the same random numbers whatever the thread count.
#include <omp.h>

#include <numeric>

#include "reference.h"

using namespace ember;
using reference::check_close;

namespace {

// Runs `f` with OpenMP limited to `threads`, restoring the previous limit.
template <typename F>
auto with_threads(int threads, F&& f) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  auto result = f();
  omp_set_num_threads(saved);
  return result;
}

}  // namespace

TEST_CASE("large elementwise, copy and broadcast work split across threads match the reference") {
  const Tensor a = reference::random_tensor({300, 400}, 41), b = reference::random_tensor({400}, 42);
  const auto av = to_vector<double>(a), bv = to_vector<double>(b);
  std::vector<double> expected(av.size());
  for (size_t i = 0; i < av.size(); ++i) expected[i] = av[i] * bv[i % 400];
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    check_close(with_threads(threads, [&] { return to_vector<double>(a * b); }), expected, 1e-6);
    check_close(with_threads(threads, [&] { return to_vector<double>(a.transpose(0, 1).contiguous().transpose(0, 1)); }), av, 0);
    check_close(with_threads(threads, [&] { return to_vector<double>(a.to(DType::Float64)); }), av, 0);
  }
}

TEST_CASE("large reductions and softmax split over their outer dims match the reference") {
  const Tensor x = reference::random_tensor({2000, 50}, 43);
  const auto v = to_vector<double>(x);
  std::vector<double> rows(2000), cols(50, 0.0);
  for (size_t i = 0; i < 2000; ++i) {
    rows[i] = std::accumulate(v.begin() + i * 50, v.begin() + (i + 1) * 50, 0.0);
    for (size_t j = 0; j < 50; ++j) cols[j] += v[i * 50 + j];
  }
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    check_close(with_threads(threads, [&] { return to_vector<double>(x.sum(1)); }), rows, 1e-5);
    check_close(with_threads(threads, [&] { return to_vector<double>(x.sum(0)); }), cols, 1e-5);
    const auto sums = with_threads(threads, [&] { return to_vector<double>(x.softmax(1).sum(1)); });
    for (double s : sums) CHECK(s == doctest::Approx(1.0).epsilon(1e-5));
  }
}

TEST_CASE("random streams do not depend on the number of threads") {
  const auto draw = [](int threads) {
    return with_threads(threads, [] {
      manual_seed(99);
      return to_vector<float>(randn({100000}));
    });
  };
  CHECK(draw(1) == draw(2));
}
