// ember-plugin-check run as a vendor runs it, against plugins that pass and plugins that break
// the rules, and its sample arguments checked against the CPU backend.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "ember/ember.h"
#include "op_samples.h"

using namespace ember;

namespace {

struct Run {
  int status = -1;
  std::string output;
};

Run run_check(const std::string& arguments) {
  Run run;
  const std::string command = std::string(EMBER_PLUGIN_CHECK) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) run.output.append(buffer, n);
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string test_plugin(const std::string& name) {
  return std::string(EMBER_TEST_PLUGIN_DIR) + "/libember_backend_" + name + ".so";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a plugin whose kernels misbehave fails each broken kernel, and a decline is not a failure") {
  const Run run = run_check(test_plugin("faulty"));
  INFO(run.output);
  CHECK(run.status == 1);
  CHECK(contains(run.output, "copies of 65539 B          ok"));
  CHECK(contains(run.output, "neg                        FAIL  float32, contiguous, sample 0: [neg] faulty plugin "
                             "kernel failed (status 1): faulty neg refuses this input"));
  CHECK(contains(run.output, "neg.out                    FAIL"));
  CHECK(contains(run.output, "abs_                       FAIL  float32, contiguous, sample 0: [abs_] faulty plugin "
                             "kernel failed (status 5): abs kernel threw"));
  // fill_ writes zeros: a wrong answer, found by comparison with the CPU.
  CHECK(contains(run.output, "fill_.Scalar               FAIL  float32, contiguous, sample 0: result 0: element 0: "
                             "cpu 3, plugin 0"));
  CHECK(contains(run.output, "relu                       -     every call; declined bfloat16, float16, float32, "
                             "float64, int32, int64 (the CPU fallback runs those)"));
  CHECK(contains(run.output, "threads                    -     nothing to run: no kernel passed alone"));
  CHECK(contains(run.output, "faulty: 7 failure(s)"));
}

TEST_CASE("a kernel that passes alone but races with itself fails the concurrency check") {
  const Run run = run_check(test_plugin("racy"));
  INFO(run.output);
  CHECK(run.status == 1);
  CHECK(contains(run.output, "neg                        ok    1 call, 1 gradient; declined"));
  CHECK(contains(run.output, "threads                    FAIL  thread "));
  CHECK(contains(run.output, ", plugin 0"));
  CHECK(contains(run.output, "racy: 1 failure(s)"));
}

TEST_CASE("a device that breaks the memory rules fails the device checks") {
  const Run run = run_check(test_plugin("sloppy_device"));
  INFO(run.output);
  CHECK(run.status == 1);
  CHECK(contains(run.output, "copies of 1 B              FAIL  block 0x"));
  CHECK(contains(run.output, "is not aligned to 8 bytes"));
  CHECK(contains(run.output, "copies of 4096 B           FAIL  byte 4095 came back as 0, sent as 255"));
  CHECK(contains(run.output, "impossible allocation      FAIL  4 PiB were granted"));
  CHECK(contains(run.output, "kernels                    -     none registered: the CPU fallback runs every operator"));
  CHECK(contains(run.output, "sloppy_device: 5 failure(s)"));
}

TEST_CASE("a plugin without a usable device is a skip; one that cannot load is a failure") {
  const Run unavailable = run_check(test_plugin("unavailable"));
  CHECK(unavailable.status == 77);
  CHECK(contains(unavailable.output, "skipped: [backend_loader] unavailable"));
  CHECK(contains(unavailable.output, "unavailable: no device found"));

  const Run absent_device = run_check(test_plugin("requires_device"));
  CHECK(absent_device.status == 77);
  CHECK(contains(absent_device.output, "none of /nonexistent/ember-test-device exists"));

  const Run bad_version = run_check(test_plugin("bad_version"));
  CHECK(bad_version.status == 1);
  CHECK(contains(bad_version.output, "FAIL: [backend_loader] bad_version"));
  CHECK(contains(bad_version.output, "majors must be equal"));

  const Run missing = run_check("/nonexistent/libember_backend_x.so");
  CHECK(missing.status == 1);
  CHECK(contains(missing.output, "cannot open the library"));

  const Run usage = run_check("");
  CHECK(usage.status == 1);
  CHECK(contains(usage.output, "usage: ember-plugin-check PLUGIN.so [--device INDEX] [--op NAME]... [--timings]"));
}

TEST_CASE("the CPU backend is the reference: only its device functions are checked") {
  const Run run = run_check(EMBER_CPU_PLUGIN);
  INFO(run.output);
  CHECK(run.status == 0);
  CHECK(contains(run.output, "impossible allocation      ok    4 PiB refused"));
  CHECK(contains(run.output, "the reference every other backend is checked against"));
}

TEST_CASE("the toy device passes, forward and backward; --op narrows the run, --timings times it") {
  const std::string toy = std::string(EMBER_TOY_DEVICE_DIR) + "/libember_backend_toy.so";
  if (!std::filesystem::exists(toy)) {
    MESSAGE("skipped: the toy device was not built (toy_device_build needs clang++ and libc++)");
    return;
  }
  const Run run = run_check(toy);
  INFO(run.output);
  CHECK(run.status == 0);
  CHECK(contains(run.output, "add.Tensor                 ok    48 calls, 16 gradients"));
  CHECK(contains(run.output, "mm                         ok    4 calls, 2 gradients; declined bfloat16, float16, "
                             "float64, int32, int64"));
  // Its own operator, which the CPU cannot run, against repeats of its own calls.
  CHECK(contains(run.output, "toy::fused_gelu            ok    12 calls (no CPU kernel: each against a repeat of itself)"));
  CHECK(contains(run.output, "threads                    ok    4 threads at once, 8 rounds of 13 calls each"));

  const Run one = run_check(toy + " --op relu --timings");
  CHECK(one.status == 0);
  CHECK(contains(one.output, "relu                       ok"));
  CHECK_FALSE(contains(one.output, "add.Tensor"));
  CHECK(contains(one.output, "timings (float32 samples, microseconds per call, on toy and on the CPU):\n"
                             "  relu                       -     "));
  CHECK(contains(one.output, " us: "));
  CHECK(contains(one.output, "x the CPU's speed"));
}

TEST_CASE("a copy of the CPU backend under another name passes every check: forward, backward, threads") {
  // The copy differs from the original in the name its table gives ("cpx" for "cpu"): a full
  // backend for every sample to run through, on the same CPU kernels.
  std::ifstream in(EMBER_CPU_PLUGIN, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string name("\0cpu\0", 5);
  const size_t at = bytes.find(name);
  if (at == std::string::npos || bytes.find(name, at + 1) != std::string::npos) {
    MESSAGE("skipped: the CPU plugin's name is not one separate string in its binary");
    return;
  }
  bytes.replace(at, name.size(), std::string("\0cpx\0", 5));
  const std::string copy = std::string(EMBER_TEST_OUTPUT_DIR) + "/libember_backend_cpx.so";
  std::ofstream(copy, std::ios::binary) << bytes;
  const Run run = run_check(copy);
  INFO(run.output);
  CHECK(run.status == 0);
  CHECK(contains(run.output, "conv2d                     ok    36 calls, 12 gradients"));
  CHECK(contains(run.output, "normal_                    ok    8 calls"));
  CHECK(contains(run.output, "int8_conv2d                ok    4 calls"));
  CHECK(contains(run.output, "threads                    ok    4 threads at once"));
  CHECK(contains(run.output, "cpx: 0 failure(s)"));
}

TEST_CASE("every operator with a CPU kernel has samples, and the CPU runs them as they expect") {
  using plugin_check::Compare;
  init();
  const Dispatcher& dispatcher = Dispatcher::singleton();
  const BackendSlot cpu = find_backend_slot("cpu");
  int operators = 0;
  for (size_t id = 0; id < dispatcher.num_operators(); ++id) {
    const OperatorHandle& op = dispatcher.op(static_cast<int>(id));
    if (op.kernel_source(cpu) != OperatorHandle::KernelSource::Own || op.schema().is_out()) continue;
    CAPTURE(op.name());
    ++operators;
    const auto samples = plugin_check::samples_for(op, DType::Float32);
    REQUIRE(!samples.empty());
    int accepted = 0;
    for (const auto& sample : samples) {
      if (sample.compare() == Compare::Error) {
        CHECK_THROWS_AS(ops::call_boxed(op.name(), sample.args(), sample.named()), Error);
        continue;
      }
      try {
        ops::call_boxed(op.name(), sample.args(), sample.named());
        ++accepted;
      } catch (const Error& e) {
        // An in-place operator refuses what would change its output's shape; others take all.
        CHECK_MESSAGE(op.schema().is_inplace(), std::string(e.what()));
      }
    }
    CHECK(accepted > 0);
  }
  CHECK(operators > 60);
}

TEST_CASE("in-place and out= operators take the samples of their functional form") {
  const Dispatcher& dispatcher = (init(), Dispatcher::singleton());
  CHECK(plugin_check::functional_name(dispatcher.get("add_.Tensor").schema()) == "add.Tensor");
  CHECK(plugin_check::functional_name(dispatcher.get("add.Tensor_out").schema()) == "add.Tensor");
  CHECK(plugin_check::functional_name(dispatcher.get("neg.out").schema()) == "neg");
  CHECK(plugin_check::functional_name(dispatcher.get("neg_").schema()) == "neg");
  CHECK(plugin_check::functional_name(dispatcher.get("softmax.int_out").schema()) == "softmax.int");
  CHECK(plugin_check::functional_name(dispatcher.get("copy_").schema()) == "copy");
}
