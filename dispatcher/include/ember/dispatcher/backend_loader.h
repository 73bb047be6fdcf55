// Loading backends: shared libraries that export ember_plugin_entry (plugins_sdk/plugin_api.h).
#pragma once

#include <string>
#include <vector>

#include "ember/core/device.h"

namespace ember {

// What happened to one plugin the loader tried: shown by ember-info, and in errors.
struct BackendDiagnostic {
  enum class Status { Loaded, Skipped, Failed };
  std::string path;
  std::string name;  // the backend's name, or the one its file name suggests
  Status status = Status::Failed;
  std::string reason;
  std::string version;
  int device_count = 0;
  int kernel_count = 0;
};

// Loads the plugin at `path` and registers its kernels; throws ember::Error with the reason.
BackendSlot load_backend(const std::string& path);

// Loads every plugin found in the search order (Note [Backend discovery]); failures are
// recorded in backend_diagnostics() and skipped. Runs once; later calls do nothing.
void load_default_backends();

// Makes sure the backend named `name` is loaded (searching for it if needed); throws an
// ember::Error carrying the diagnostics when it cannot be.
BackendSlot require_backend(const std::string& name);

// Unloads the backend named `name`: its kernels leave the dispatcher at once; the library
// stays mapped until the last tensor on its devices is gone.
void unload_backend(const std::string& name);

// Every load attempt so far, in order.
std::vector<BackendDiagnostic> backend_diagnostics();

// The folders searched, in order.
std::vector<std::string> backend_search_path();

}  // namespace ember
