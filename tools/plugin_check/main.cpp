// ember-plugin-check: the conformance suite a device vendor runs against a plugin. It loads the
// plugin beside the CPU backend and checks its device functions and every kernel it registers
// against the CPU's (Note [Plugin conformance]).
//   ember-plugin-check PLUGIN.so [--device INDEX] [--op NAME]... [--timings]
// Exit status: 0 when every check passes, 1 on a failure or a plugin that does not load, 77 when
// the plugin loads but has no usable device here (its probe's reason is printed).
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "concurrency_check.h"
#include "device_checks.h"
#include "kernel_checks.h"
#include "timings.h"

// Note [Plugin conformance]
// The loader already enforces the ABI rules (entry point, major version, struct sizes, probe,
// init) and reports a violation as the load's error; this tool adds what only running the
// plugin shows. Operators run by name with sample arguments (op_samples.cpp) on the CPU and on
// the plugin's device, in six dtypes and two layouts; the plugin's kernels run with the CPU
// fallback off so a decline is seen as one, and everything around them (moving data, backward
// formulas) may fall back. The kernels that pass then run again from several threads at once.
// The CPU backend is the reference, so checking it runs only the device half.

namespace {

using namespace ember;

constexpr int kExitSkip = 77;

struct Options {
  std::string plugin;
  int16_t device_index = 0;
  std::vector<std::string> only;
  bool timings = false;
};

constexpr const char* kUsage = "usage: ember-plugin-check PLUGIN.so [--device INDEX] [--op NAME]... [--timings]";

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--device") == 0 && has_value) {
      options.device_index = static_cast<int16_t>(std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--op") == 0 && has_value) {
      options.only.emplace_back(argv[++i]);
    } else if (std::strcmp(argv[i], "--timings") == 0) {
      options.timings = true;
    } else if (argv[i][0] != '-' && options.plugin.empty()) {
      options.plugin = argv[i];
    } else {
      EMBER_FAIL("[ember-plugin-check] unexpected argument '{}'; {}", argv[i], kUsage);
    }
  }
  EMBER_CHECK(!options.plugin.empty(), "[ember-plugin-check] {}", kUsage);
  return options;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

const BackendDiagnostic* diagnostic_for(const std::vector<BackendDiagnostic>& diagnostics, const std::string& path) {
  for (auto it = diagnostics.rbegin(); it != diagnostics.rend(); ++it) {
    if (same_file(it->path, path)) return &*it;
  }
  return nullptr;
}

int run(const Options& options) {
  setenv("EMBER_BACKENDS", "cpu", 1);  // the plugin under test is loaded by path, nothing else
  const BackendSlot cpu = require_backend("cpu");
  // Only the CPU backend is loaded yet: a plugin already loaded from this file is the CPU's.
  const auto before = backend_diagnostics();
  const BackendDiagnostic* earlier = diagnostic_for(before, options.plugin);
  const bool is_reference = earlier && earlier->status == BackendDiagnostic::Status::Loaded;
  BackendSlot slot = cpu;
  if (!is_reference) {
    try {
      slot = load_backend(options.plugin);
    } catch (const Error& e) {
      const auto diagnostics = backend_diagnostics();
      const BackendDiagnostic* d = diagnostic_for(diagnostics, options.plugin);
      const bool skipped = d && d->status == BackendDiagnostic::Status::Skipped;
      std::printf("%s: %s\n", skipped ? "skipped" : "FAIL", e.what());
      return skipped ? kExitSkip : 1;
    }
  }
  const auto diagnostics = backend_diagnostics();
  const BackendDiagnostic& d = *diagnostic_for(diagnostics, options.plugin);
  std::printf("plugin %s (%s), version %s: %d device(s), %d kernels; host plugin ABI %d.%d\n", d.name.c_str(),
              d.path.c_str(), d.version.c_str(), d.device_count, d.kernel_count, EMBER_PLUGIN_API_MAJOR,
              EMBER_PLUGIN_API_MINOR);
  plugin_check::Report report;
  const Device device(slot, options.device_index);
  plugin_check::check_device(device, report);
  if (is_reference) {
    report.section("kernels");
    report.note("cpu", "the reference every other backend is checked against");
  } else {
    const std::vector<plugin_check::PassedCall> passed = plugin_check::check_kernels(device, options.only, report);
    plugin_check::check_concurrency(passed, device, report);
    if (options.timings) plugin_check::report_timings(passed, device, report);
  }
  std::printf("\n%s: %d failure(s)\n", d.name.c_str(), report.failures());
  return report.failures() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const ember::Error& e) {
    std::fprintf(stderr, "ember-plugin-check: %s\n", e.what());
    return 1;
  }
}
