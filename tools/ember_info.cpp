// ember-info: the version, the backend search path, every plugin found (loaded, or skipped and
// why), the devices, and which backend serves which operator.
//   ember-info            summary and the op x backend coverage matrix
//   ember-info OPERATOR   the dispatch table of one operator ("add.Tensor")
#include <cstdio>
#include <iostream>

#include "ember/ember.h"

namespace {

const char* status_name(ember::BackendDiagnostic::Status s) {
  switch (s) {
    case ember::BackendDiagnostic::Status::Loaded: return "loaded";
    case ember::BackendDiagnostic::Status::Skipped: return "skipped";
    case ember::BackendDiagnostic::Status::Failed: return "failed";
  }
  return "?";
}

void print_summary() {
  std::printf("Ember %s (plugin ABI %d.%d)\n\n", EMBER_VERSION, EMBER_PLUGIN_API_MAJOR, EMBER_PLUGIN_API_MINOR);
  std::printf("backend search path:\n");
  for (const std::string& entry : ember::backend_search_path()) std::printf("  %s\n", entry.c_str());
  std::printf("\nplugins:\n");
  const auto diagnostics = ember::backend_diagnostics();
  if (diagnostics.empty()) std::printf("  none found\n");
  for (const auto& d : diagnostics) {
    std::printf("  %-10s %-8s %s\n", d.name.c_str(), status_name(d.status), d.path.c_str());
    if (d.status == ember::BackendDiagnostic::Status::Loaded) {
      std::printf("             version %s, %d device(s), %d kernels\n", d.version.c_str(), d.device_count,
                  d.kernel_count);
    } else {
      std::printf("             %s\n", d.reason.c_str());
    }
  }
}

void print_coverage() {
  const ember::Dispatcher& dispatcher = ember::Dispatcher::singleton();
  std::vector<std::string> loaded;
  for (const auto& d : ember::backend_diagnostics()) {
    if (d.status == ember::BackendDiagnostic::Status::Loaded) loaded.push_back(d.name);
  }
  if (loaded.empty()) return;
  std::printf("\noperator coverage (K = own kernel, C = composite, F = CPU fallback, . = none):\n  %-28s",
              "operator");
  for (const std::string& b : loaded) std::printf(" %-8s", b.c_str());
  std::printf("\n");
  for (size_t id = 0; id < dispatcher.num_operators(); ++id) {
    const ember::OperatorHandle& op = dispatcher.op(static_cast<int>(id));
    std::printf("  %-28s", op.name().c_str());
    for (const std::string& b : loaded) {
      static constexpr const char* kMarks[] = {".", "K", "C", "F"};  // by KernelSource
      auto source = op.kernel_source(ember::find_backend_slot(b));
      // The fallback serves only what the CPU can run.
      const int cpu = ember::find_backend_slot("cpu");
      if (source == ember::OperatorHandle::KernelSource::Fallback && (cpu < 0 || !op.table_entry(cpu).valid())) {
        source = ember::OperatorHandle::KernelSource::None;
      }
      const char* mark = kMarks[static_cast<int>(source)];
      std::printf(" %-8s", mark);
    }
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    ember::init();
    if (argc == 2) {
      std::cout << ember::Dispatcher::singleton().get(argv[1]).dump();
      return 0;
    }
    print_summary();
    print_coverage();
  } catch (const ember::Error& e) {
    std::fprintf(stderr, "ember-info: %s\n", e.what());
    return 1;
  }
  return 0;
}
