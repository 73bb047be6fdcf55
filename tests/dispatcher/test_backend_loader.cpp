// Loading plugins: misbehaving plugins are reported with their reason and the host runs on;
// errors from a plugin's kernels and allocator come back as ember::Error.
#include <doctest/doctest.h>

#include <cmath>
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
  CHECK(contains(load_error("bad_version"), "plugin ABI 2.0 does not match host ABI 1.1 (majors must be equal)"));
  CHECK(contains(load_error("no_entry"), "the library exports no 'ember_plugin_entry' entry point"));
  CHECK(contains(load_error("init_fails"), "init failed (status 4): simulated driver failure"));
  CHECK(contains(load_error("unavailable"), "unavailable: no device found"));
  CHECK(contains(load_error("does_not_exist"), "cannot open the library"));
  // Its .requires file names a device file that is not there: skipped without being opened
  // (opening it would abort the process).
  CHECK(contains(load_error("requires_device"),
                 "unavailable: none of /nonexistent/ember-test-device exists "
                 "(libember_backend_requires_device.requires; the library was not opened)"));
  // The failed init's kernel registration was undone: neg still runs on the CPU alone.
  CHECK(Dispatcher::singleton().get("neg").backends_with_kernels() == "cpu");
  CHECK(to_vector<float>(neg(ones({2}))) == std::vector<float>{-1.f, -1.f});

  const auto diagnostics = backend_diagnostics();
  const auto skipped = std::find_if(diagnostics.begin(), diagnostics.end(), [](const auto& d) { return d.name == "unavailable"; });
  REQUIRE(skipped != diagnostics.end());
  CHECK(skipped->status == BackendDiagnostic::Status::Skipped);
  const auto not_opened = std::find_if(diagnostics.begin(), diagnostics.end(),
                                       [](const auto& d) { return d.name == "requires_device"; });
  REQUIRE(not_opened != diagnostics.end());
  CHECK(not_opened->status == BackendDiagnostic::Status::Skipped);
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
  // exp has no faulty kernel and relu's declines: both run on the CPU (Note [CPU fallback]).
  CHECK(exp(x).device() == faulty);
  CHECK(to_vector<float>(exp(x)) == to_vector<float>(exp(ones({3}))));
  CHECK(to_vector<float>(relu(neg(ones({3})).to(faulty))) == std::vector<float>{0.f, 0.f, 0.f});
  {
    set_cpu_fallback_mode(CpuFallbackMode::Error);
    CHECK_THROWS_WITH(exp(x), "[exp] the faulty backend has no kernel for it, and the CPU fallback is off "
                              "(EMBER_CPU_FALLBACK=error)");
    CHECK_THROWS_WITH(relu(x), "[relu] the faulty kernel declined: faulty relu serves no dtype, and the CPU "
                               "fallback is off (EMBER_CPU_FALLBACK=error)");
    set_cpu_fallback_mode(CpuFallbackMode::Warn);
  }
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
  CHECK_THROWS_WITH(neg(x), doctest::Contains("[neg] no kernel for dispatch key faulty"));
}

TEST_CASE("the CPU fallback writes back what the schema marks written, through views and out=") {
  init();
  const Device old(load_backend(plugin_path("old_abi")), 0);  // no kernels: everything falls back
  set_cpu_fallback_mode(CpuFallbackMode::Silent);
  const Tensor host = arange(12, DType::Float32).reshape({3, 4});
  const Tensor m = host.to(old);

  // In place through a transposed, offset view: only the viewed elements change.
  const Tensor column = m.transpose(0, 1).select(0, 1);  // elements 1, 5, 9
  const Tensor returned = column.mul_(wrapped_number(10, old));
  CHECK(returned.is_same(column));
  CHECK(to_vector<float>(m) == std::vector<float>{0, 10, 2, 3, 4, 50, 6, 7, 8, 90, 10, 11});

  // out= receives the result; the returned tensor is `out` itself.
  const Tensor out = empty({3, 4}, DType::Float32, old);
  CHECK(add_out(out, m, m).is_same(out));
  CHECK(to_vector<float>(out) == to_vector<float>(add(m.to(Device("cpu")), m.to(Device("cpu")))));

  // Several results, each moved to the device.
  const auto [values, indices] = max(m, 1);
  CHECK(values.device() == old);
  CHECK(to_vector<float>(values) == std::vector<float>{10, 50, 90});
  CHECK(to_vector<int64_t>(indices) == std::vector<int64_t>{1, 1, 1});

  // Random operators draw from the CPU's generator: the same seed gives the same values.
  manual_seed(7);
  const std::vector<float> on_device = to_vector<float>(rand({5}, DType::Float32, old));
  manual_seed(7);
  CHECK(on_device == to_vector<float>(rand({5})));

  // Gradients flow through fallback kernels.
  const Tensor w = ones({3}).to(old).requires_grad_();
  sum(exp(w) * w).backward();
  const float e = std::exp(1.f);
  CHECK(to_vector<float>(w.grad()) == std::vector<float>{2 * e, 2 * e, 2 * e});

  CHECK_THROWS_WITH(add(m, host), "[add.Tensor] the arguments are on different backends {old_abi, cpu}; move them to "
                                  "one device with .to(device)");
  set_cpu_fallback_mode(CpuFallbackMode::Warn);
}

TEST_CASE("plugins of an older and of a newer minor ABI load into this host") {
  init();
  // 1.0: the table ends before `flags`; the value past its struct_size is not read, so the
  // fallback is on (the plugin has no kernels, yet neg runs).
  const Device old(require_backend("old_abi"), 0);
  CHECK(to_vector<float>(neg(ones({2}).to(old))) == std::vector<float>{-1.f, -1.f});

  // 1.7: a longer table; the host reads what it knows. This plugin opts out of the fallback and
  // defines an operator, callable by name.
  const Device future(load_backend(plugin_path("future_abi")), 0);
  const Tensor x = tensor({1.f, -2.f, 3.f}).to(future);
  const Tensor y = ops::call("future_abi::twice", x);
  CHECK(y.device() == future);
  CHECK(to_vector<float>(y) == std::vector<float>{2.f, -4.f, 6.f});
  CHECK_THROWS_WITH(exp(x), doctest::Contains("[exp] no kernel for dispatch key future_abi"));
  CHECK_THROWS_WITH(ops::call("future_abi::twice", x.to(Device("cpu"))),
                    doctest::Contains("[future_abi::twice] no kernel for dispatch key cpu"));

  // The operator leaves with its plugin.
  unload_backend("future_abi");
  CHECK(Dispatcher::singleton().find("future_abi::twice") == nullptr);
  CHECK_THROWS_WITH(ops::call("future_abi::twice", x), "[dispatcher] no operator named 'future_abi::twice'");
}
