// Splitting loops across the OpenMP threads, only where the work pays for the fork.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace ember::cpu {

// Elements below which a loop stays on the calling thread.
constexpr int64_t kParallelGrain = 32768;

// Calls f(begin, end) over [0, n) in contiguous chunks, one per thread.
template <typename F>
void parallel_for(int64_t n, int64_t grain, F&& f) {
  // The grain test comes first: small loops never pay for asking OpenMP anything.
  if (n <= grain) {
    if (n > 0) f(int64_t{0}, n);
    return;
  }
  const int threads = omp_get_max_threads();
  if (threads == 1 || omp_in_parallel()) {
    f(int64_t{0}, n);
    return;
  }
  // Written so that no step overflows, whatever n (a view expanded to 2^63 elements has it).
  const int64_t chunks = std::min<int64_t>(threads, n / grain + (n % grain != 0));
  const int64_t share = n / chunks, extra = n % chunks;
#pragma omp parallel num_threads(static_cast<int>(chunks))
  {
    const int64_t t = omp_get_thread_num();
    const int64_t begin = t * share + std::min(t, extra);
    const int64_t end = begin + share + (t < extra);
    if (begin < end) f(begin, end);
  }
}

}  // namespace ember::cpu
