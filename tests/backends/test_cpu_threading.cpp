// Tensors above the threading grain: the OpenMP paths give the same results as a reference
// loop, and the same random numbers whatever the thread count; kernels called from several
// threads at once agree with one call.
#include <omp.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

#include "../../backends/cpu/parallel.h"
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

TEST_CASE("parallel_for splits any length into contiguous chunks that cover it once") {
  for (const int64_t n : {int64_t{100'000}, int64_t{100'001}, std::numeric_limits<int64_t>::max()}) {
    CAPTURE(n);
    std::mutex mutex;
    std::vector<std::pair<int64_t, int64_t>> chunks;
    with_threads(2, [&] {
      cpu::parallel_for(n, cpu::kParallelGrain, [&](int64_t begin, int64_t end) {
        std::lock_guard lock(mutex);
        chunks.emplace_back(begin, end);
      });
      return 0;
    });
    std::sort(chunks.begin(), chunks.end());
    REQUIRE(chunks.size() == 2);
    CHECK(chunks[0].first == 0);
    CHECK(chunks[0].second == chunks[1].first);
    CHECK(chunks[1].second == n);
  }
}

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

TEST_CASE("large contiguous unary math (oneDNN eltwise) matches the C library") {
  const Tensor x = reference::random_tensor({200, 100}, 44);  // above the oneDNN threshold
  const auto xv = to_vector<double>(x);
  auto expect = [&](const Tensor& result, double (*f)(double), double tol) {
    std::vector<double> e(xv.size());
    for (size_t i = 0; i < e.size(); ++i) e[i] = f(xv[i]);
    check_close(to_vector<double>(result), e, tol);
  };
  expect(exp(x), [](double v) { return std::exp(v); }, 1e-5);
  expect(log(abs(x)), [](double v) { return std::log(std::fabs(v)); }, 1e-5);
  expect(sqrt(abs(x)), [](double v) { return std::sqrt(std::fabs(v)); }, 1e-5);
  expect(tanh(x), [](double v) { return std::tanh(v); }, 1e-5);
  expect(sigmoid(x), [](double v) { return 1 / (1 + std::exp(-v)); }, 1e-5);
  expect(silu(x), [](double v) { return v / (1 + std::exp(-v)); }, 1e-5);
  expect(relu(x), [](double v) { return v > 0 ? v : 0.0; }, 0);
  expect(gelu(x), [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }, 1e-5);
  expect(gelu(x, "tanh"), [](double v) {
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  }, 1e-5);
  // A non-contiguous input takes the plain loop and agrees.
  check_close(to_vector<double>(exp(x.transpose(0, 1)).transpose(0, 1)), to_vector<double>(exp(x)), 1e-6);
}

TEST_CASE("cached oneDNN primitives run from several threads at once, each on its own scratchpad") {
  // Created here, on this thread; run below on others, four at a time (Note [oneDNN across threads]).
  const Tensor image = reference::random_tensor({4, 8, 20, 20}, 11), weight = reference::random_tensor({16, 8, 3, 3}, 12);
  const Tensor a = reference::random_tensor({96, 200}, 13), b = reference::random_tensor({200, 64}, 14);
  const Tensor x = reference::random_tensor({1 << 16}, 15);
  // Primitives of different scratchpad sizes, so that a shared scratchpad would be regrown under
  // a running one.
  auto compute = [&] {
    const Tensor convolved = conv2d(image, weight, {1, 1}, {1, 1});
    return std::vector<Tensor>{
        convolved,
        conv2d(image, weight.slice(1, 0, 4), {2, 1}, {1, 1}, {1, 1}, 2),
        conv2d_backward_input(convolved, weight, {4, 8, 20, 20}, {1, 1}, {1, 1}, {1, 1}, 1),
        conv2d_backward_weight(convolved, image, {16, 8, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1),
        mm(a, b),
        exp(x)};
  };
  const std::vector<Tensor> expected = compute();
  std::vector<std::vector<Tensor>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] {
      for (int round = 0; round < 10; ++round) result = compute();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& result : results) {
    for (size_t i = 0; i < expected.size(); ++i) {
      CAPTURE(i);
      check_close(to_vector<double>(result[i]), to_vector<double>(expected[i]), 1e-5);
    }
  }
}
