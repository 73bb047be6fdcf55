#include "concurrency_check.h"

#include <fmt/format.h>

#include <mutex>
#include <thread>

#include "sample_calls.h"

namespace ember::plugin_check {
namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 8;

// A passed call with its CPU results, shared read-only by the threads.
struct ExpectedCall {
  const OperatorHandle* op;
  Sample sample;
  std::vector<IValue> outs;
  std::vector<IValue> results;
};

ExpectedCall expect(const PassedCall& passed, Device device) {
  ExpectedCall e{passed.op, sample_of(passed), {}, {}};
  e.outs = functional_results(*e.op, e.sample);
  e.results = call(*e.op, place_arguments(*e.op, e.sample, e.outs, reference_device(*e.op, device), Layout::Contiguous));
  return e;
}

// "" when the call on `device` gives its expected results; else what differs.
std::string run(const ExpectedCall& e, Device device) {
  try {
    const auto got = call(*e.op, place_arguments(*e.op, e.sample, e.outs, device, Layout::Contiguous));
    return compare_results(e.results, got, device, Compare::Elements);
  } catch (const Error& error) {
    return error.what();
  }
}

}  // namespace

void check_concurrency(const std::vector<PassedCall>& calls, Device device, Report& report) {
  report.section("concurrency");
  if (calls.empty()) {
    report.note("threads", "nothing to run: no kernel passed alone");
    return;
  }
  std::vector<ExpectedCall> expected;
  for (const PassedCall& passed : calls) expected.push_back(expect(passed, device));
  std::mutex mutex;
  std::string failure;  // the first, with its thread, round and operator
  auto worker = [&](int thread) {
    for (int round = 0; round < kRounds; ++round) {
      for (const ExpectedCall& e : expected) {
        const std::string diff = run(e, device);
        if (diff.empty()) continue;
        std::lock_guard lock(mutex);
        if (failure.empty()) failure = fmt::format("thread {}, round {}, {}: {}", thread, round, e.op->name(), diff);
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (std::thread& t : threads) t.join();
  if (!failure.empty()) {
    report.fail("threads", failure);
  } else {
    report.ok("threads", fmt::format("{} threads at once, {} rounds of {} calls each: the results of each call alone",
                                     kThreads, kRounds, expected.size()));
  }
}

}  // namespace ember::plugin_check
