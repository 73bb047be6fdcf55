// Timing shared by the Ember bench and its libtorch twin, so both measure the same way:
// warm up, then the median over several batches of calls.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

// Nothing to wait for: host work is done when the call returns.
struct NoWait {
  void operator()() const {}
};

// Median nanoseconds per call of `fn` over `batches` batches of `calls` calls; `wait` runs
// inside each timed batch, after its calls (a device synchronisation for asynchronous work).
template <typename F, typename Wait = NoWait>
double ns_per_call(F&& fn, int calls, int batches = 9, Wait wait = {}) {
  for (int i = 0; i < std::max(1, calls / 10); ++i) fn();  // warm-up: caches, first-call setup
  wait();
  std::vector<double> samples;
  for (int b = 0; b < batches; ++b) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) fn();
    wait();
    const auto stop = std::chrono::steady_clock::now();
    samples.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / calls);
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

// One result line: "name value unit", read back by the Ember bench from the twin.
inline void report(const std::string& name, double value, const char* unit) {
  std::printf("%s %.6g %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

// Keeps the optimiser from dropping a computation whose result is unused.
template <typename T>
void keep(const T& value) {
  asm volatile("" : : "g"(&value) : "memory");
}

}  // namespace bench
