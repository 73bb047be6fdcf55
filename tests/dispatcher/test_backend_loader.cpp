// Loading plugins: misbehaving plugins are reported with their reason and the host runs on;
// errors from a plugin's kernels and allocator come back as ember::Error.
#include <doctest/doctest.h>

#include <string>

#include "ember/ember.h"

using namespace ember;

namespace {

std::string plugin_path(const char* name) {
  return std::string(EMBER_TEST_PLUGIN_DIR) + "/libember_backend_" + name + ".so";
}

std::string load_error(const char* name) {
  try {
    load_backend(plugin_path(name));
  } catch (const Error& e) {
    return e.what();
  }
  return "loaded without error";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the CPU backend is found beside libember and loaded from its .so") {
  init();
  const auto diagnostics = backend_diagnostics();
  const auto cpu = std::find_if(diagnostics.begin(), diagnostics.end(), [](const auto& d) { return d.name == "cpu"; });
  REQUIRE(cpu != diagnostics.end());
  CHECK(cpu->status == BackendDiagnostic::Status::Loaded);
  CHECK(contains(cpu->path, "ember/backends/libember_backend_cpu.so"));
  CHECK(cpu->kernel_count > 50);
  CHECK(cpu->device_count == 1);
}

TEST_CASE("misbehaving plugins are reported with their reason and the host stays alive") {
  init();
  CHECK(contains(load_error("bad_version"), "plugin ABI 2.0 does not match host ABI 1.0 (majors must be equal)"));
  CHECK(contains(load_error("no_entry"), "the library exports no 'ember_plugin_entry' entry point"));
  CHECK(contains(load_error("init_fails"), "init failed (status 4): simulated driver failure"));
  CHECK(contains(load_error("unavailable"), "unavailable: no device found"));
  CHECK(contains(load_error("does_not_exist"), "cannot open the library"));
  // The failed init's kernel registration was undone: neg still runs on the CPU alone.
  CHECK(Dispatcher::singleton().get("neg").backends_with_kernels() == "cpu");
  CHECK(to_vector<float>(neg(ones({2}))) == std::vector<float>{-1.f, -1.f});

  const auto diagnostics = backend_diagnostics();
  const auto skipped = std::find_if(diagnostics.begin(), diagnostics.end(), [](const auto& d) { return d.name == "unavailable"; });
  REQUIRE(skipped != diagnostics.end());
  CHECK(skipped->status == BackendDiagnostic::Status::Skipped);
}

TEST_CASE("asking for a backend that is not there says why") {
  init();
  const std::string error = [] {
    try {
      require_backend("nonexistent");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  CHECK(contains(error, "[backend_loader] backend 'nonexistent' is not available:"));
  CHECK(contains(error, "no file libember_backend_nonexistent.so in the search path"));
  CHECK_THROWS_WITH(Device("nonexistent:0"), doctest::Contains("no backend named 'nonexistent' is loaded"));
}

TEST_CASE("a plugin's kernel errors and exceptions become ember::Error; the host runs on") {
  init();
  const BackendSlot slot = load_backend(plugin_path("faulty"));
  const Device faulty(slot, 0);
  CHECK_THROWS_WITH(load_backend(plugin_path("faulty")), doctest::Contains("backend 'faulty' is already loaded"));

  const Tensor x = ones({3}).to(faulty);
  CHECK(x.device() == faulty);
  CHECK(to_vector<float>(x) == std::vector<float>{1.f, 1.f, 1.f});
  CHECK_THROWS_WITH(neg(x), "[neg] faulty plugin kernel failed (status 1): faulty neg refuses this input");
  CHECK_THROWS_WITH(abs(x), "[abs] faulty plugin kernel failed (status 5): abs kernel threw");
  CHECK_THROWS_WITH(exp(x), "[exp] no kernel for dispatch key faulty (key set {faulty}); kernels exist for: cpu");
  CHECK_THROWS_WITH(add(x, ones({3})),
                    "[add.Tensor] the arguments are on different backends {faulty, cpu}; move them to one device "
                    "with .to(device)");
  CHECK_THROWS_WITH(empty({1 << 20}, DType::Float32, faulty),
                    doctest::Contains("[allocate] faulty:0: could not allocate 4194304 bytes (status 2)"));
  CHECK_THROWS_WITH(empty({1}, DType::Float32, Device(slot, 3)),
                    "[allocate] device index 3: the faulty backend has 1 device(s)");

  unload_backend("faulty");
  // Its tensor outlives the unload: the memory is still readable and freed by its own plugin.
  CHECK(to_vector<float>(x) == std::vector<float>{1.f, 1.f, 1.f});
  CHECK_THROWS_WITH(neg(x), "[neg] no kernel for dispatch key faulty (key set {faulty}); kernels exist for: cpu");
}
