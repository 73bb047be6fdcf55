#include "ember/dispatcher/backend_loader.h"

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

#include "ember/dispatcher/dispatcher.h"
#include "ember/schema/variants.h"
#include "cpu_fallback.h"
#include "plugin_device.h"
#include "structured_kernel.h"

namespace ember {
namespace {

namespace fs = std::filesystem;
constexpr const char* kFilePrefix = "libember_backend_";

// One loaded plugin: its device, its operators and kernels, and the registrations that put
// them in the table.
struct LoadedPlugin {
  std::string path;
  BackendSlot slot = -1;
  bool cpu_fallback = false;
  IntrusivePtr<PluginDevice> device;
  std::deque<StructuredKernel> kernels;  // stable addresses: the table points at them
  std::vector<RegistrationHandle> definitions;    // its custom operators
  std::vector<RegistrationHandle> registrations;  // kernels and fallback, on any operator

  // Takes everything out of the dispatcher: kernels first, then the operators they serve.
  void unregister() {
    registrations.clear();
    definitions.clear();
  }
};

struct LoaderState {
  std::recursive_mutex mutex;
  std::vector<std::unique_ptr<LoadedPlugin>> plugins;
  std::vector<BackendDiagnostic> diagnostics;
  bool defaults_loaded = false;
};

LoaderState& state() {
  // Plugins hold registrations in the dispatcher, so it must outlive this state: statics are
  // destroyed in the reverse order of their construction, hence the dispatcher first.
  Dispatcher::singleton();
  static LoaderState instance;
  return instance;
}

LoadedPlugin* find_plugin(LoaderState& s, const std::string& name) {
  for (const auto& p : s.plugins) {
    if (p->device->name() == name) return p.get();
  }
  return nullptr;
}

void write_message(char* buffer, size_t capacity, const std::string& text) {
  if (!buffer || capacity == 0) return;
  std::snprintf(buffer, capacity, "%s", text.c_str());
}

// Registers `fn` for `name` and for the in-place and out= variants derived from it.
void register_structured(LoadedPlugin& plugin, const std::string& name, ember_kernel_fn fn, void* user_data) {
  Dispatcher& dispatcher = Dispatcher::singleton();
  const OperatorHandle& functional = dispatcher.get(name);
  const std::string owner = plugin.device->name() + " plugin";
  std::vector<const OperatorHandle*> targets = {&functional};
  for (auto derive : {&schema::make_inplace_variant, &schema::make_out_variant}) {
    try {
      if (const OperatorHandle* v = dispatcher.find(derive(functional.schema()).full_name())) {
        if (v->structured_kind() == functional.structured_kind()) targets.push_back(v);
      }
    } catch (const std::invalid_argument&) {
      // This schema has no such variant.
    }
  }
  std::vector<RegistrationHandle> added;
  for (const OperatorHandle* op : targets) {
    plugin.kernels.push_back(make_structured_kernel(*op, fn, user_data, owner, plugin.cpu_fallback));
    added.push_back(dispatcher.impl(*op, plugin.slot,
                                    KernelFunction::from_boxed(&call_structured_kernel, &plugin.kernels.back()),
                                    owner));
  }
  for (RegistrationHandle& h : added) plugin.registrations.push_back(std::move(h));
}

ember_status host_register_kernel(void* host_context, const char* op_name, ember_kernel_fn fn,
                                  void* user_data, char* error_message, size_t error_capacity) {
  auto& plugin = *static_cast<LoadedPlugin*>(host_context);
  try {
    EMBER_CHECK(op_name && fn, "[register_kernel] {}: expected an operator name and a kernel",
                plugin.device->name());
    register_structured(plugin, op_name, fn, user_data);
    return EMBER_STATUS_OK;
  } catch (const std::exception& e) {
    write_message(error_message, error_capacity, e.what());
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
}

ember_status host_define_operator(void* host_context, const char* schema, const char* shape_rule,
                                  char* error_message, size_t error_capacity) {
  auto& plugin = *static_cast<LoadedPlugin*>(host_context);
  try {
    EMBER_CHECK(schema && shape_rule, "[define_operator] {}: expected a schema and a shape rule",
                plugin.device->name());
    plugin.definitions.push_back(
        Dispatcher::singleton().def(schema, plugin.device->name() + " plugin", shape_rule));
    return EMBER_STATUS_OK;
  } catch (const std::exception& e) {
    write_message(error_message, error_capacity, e.what());
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
}

void host_log(void* host_context, int32_t level, const char* message) {
  auto& plugin = *static_cast<LoadedPlugin*>(host_context);
  const char* log = std::getenv("EMBER_LOG");
  if (level >= EMBER_LOG_WARNING || (log && std::strstr(log, "plugins"))) {
    std::fprintf(stderr, "[%s plugin] %s\n", plugin.device->name().c_str(), message ? message : "");
  }
}

// Reads the plugin's table through its own struct_size, zero-filling what an older plugin lacks.
ember_plugin_api read_plugin_api(const ember_plugin_api* raw) {
  EMBER_CHECK(raw->struct_size >= offsetof(ember_plugin_api, device) + sizeof(ember_device_api),
              "plugin table is {} bytes, smaller than any ABI {} table", raw->struct_size,
              EMBER_PLUGIN_API_MAJOR);
  ember_plugin_api api{};
  std::memcpy(&api, raw, std::min<size_t>(raw->struct_size, sizeof api));
  return api;
}

std::string probe_failure(const ember_plugin_api& api) {
  if (!api.probe) return "";
  ember_probe_result result{};
  result.struct_size = sizeof result;
  const ember_status status = api.probe(api.plugin_context, &result);
  result.reason[sizeof result.reason - 1] = '\0';
  if (status != EMBER_STATUS_OK) return std::string("probe failed: ") + result.reason;
  if (result.score <= 0) return std::string("unavailable: ") + result.reason;
  return "";
}

std::string name_from_file(const std::string& path) {
  std::string stem = fs::path(path).stem().string();
  if (stem.rfind(kFilePrefix, 0) == 0) stem = stem.substr(std::strlen(kFilePrefix));
  return stem;
}

// Note [Plugin requirements]
// A plugin may ship libember_backend_<name>.requires beside its library: device files, one per
// line ('#' starts a comment), of which at least one must exist. Without one the library is not
// opened at all: opening the CUDA plugin maps cuBLAS, 150 ms and 200 MiB on a machine with no
// NVIDIA driver, only for its probe to say there is no device. Returns why the plugin cannot run
// here, or "" when it may be opened.
std::string missing_requirement(const std::string& path) {
  const fs::path requires_file = fs::path(path).replace_extension(".requires");
  std::ifstream in(requires_file);
  if (!in) return "";
  std::vector<std::string> wanted;
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    line.erase(std::remove_if(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); }), line.end());
    if (line.empty()) continue;
    std::error_code ec;
    if (fs::exists(line, ec)) return "";
    wanted.push_back(line);
  }
  if (wanted.empty()) return "";
  return fmt::format("unavailable: none of {} exists ({}; the library was not opened)", fmt::join(wanted, ", "),
                     requires_file.filename().string());
}

// Note [Backend load sequence]
// requirements (Note [Plugin requirements]) -> open (rtld_now | rtld_local) -> entry point -> version check -> probe -> slot -> init, which
// registers kernels. Any failure undoes what the steps before it did and leaves the host alive.
BackendSlot load_plugin(const std::string& path, BackendDiagnostic& diag) {
  if (std::string reason = missing_requirement(path); !reason.empty()) {
    diag.status = BackendDiagnostic::Status::Skipped;
    EMBER_FAIL("{}", reason);
  }
  boost::dll::shared_library library;
  try {
    library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    EMBER_FAIL("cannot open the library: {}", e.what());
  }
  EMBER_CHECK(library.has(EMBER_PLUGIN_ENTRY_SYMBOL), "the library exports no '{}' entry point",
              EMBER_PLUGIN_ENTRY_SYMBOL);
  auto entry = library.get<const ember_plugin_api*(uint16_t, uint16_t)>(EMBER_PLUGIN_ENTRY_SYMBOL);
  const ember_plugin_api* raw = entry(EMBER_PLUGIN_API_MAJOR, EMBER_PLUGIN_API_MINOR);
  EMBER_CHECK(raw != nullptr, "the entry point returned no table for host ABI {}.{}",
              EMBER_PLUGIN_API_MAJOR, EMBER_PLUGIN_API_MINOR);
  const ember_plugin_api api = read_plugin_api(raw);
  EMBER_CHECK(api.abi_major == EMBER_PLUGIN_API_MAJOR,
              "plugin ABI {}.{} does not match host ABI {}.{} (majors must be equal)", api.abi_major,
              api.abi_minor, EMBER_PLUGIN_API_MAJOR, EMBER_PLUGIN_API_MINOR);
  EMBER_CHECK(api.name && api.init && api.device.allocate && api.device.deallocate && api.device.copy &&
                  api.device.device_count,
              "the plugin table lacks a name, init or a device function");
  diag.name = api.name;
  diag.version = api.version ? api.version : "";
  if (std::string reason = probe_failure(api); !reason.empty()) {
    diag.status = BackendDiagnostic::Status::Skipped;
    EMBER_FAIL("{}", reason);
  }
  LoaderState& s = state();
  if (const LoadedPlugin* loaded = find_plugin(s, api.name)) {
    EMBER_FAIL("backend '{}' is already loaded from {}", api.name, loaded->path);
  }

  auto plugin = std::make_unique<LoadedPlugin>();
  plugin->path = path;
  // The CPU backend is where the fallback goes, so it has none itself.
  plugin->cpu_fallback = !(api.flags & EMBER_PLUGIN_FLAG_NO_CPU_FALLBACK) && std::string(api.name) != "cpu";
  plugin->device = IntrusivePtr<PluginDevice>::adopt(new PluginDevice(library, api));
  plugin->slot = register_backend_name(api.name);
  set_device_interface(plugin->slot, plugin->device.get());

  ember_host_api host{};
  host.struct_size = sizeof host;
  host.abi_major = EMBER_PLUGIN_API_MAJOR;
  host.abi_minor = EMBER_PLUGIN_API_MINOR;
  host.host_context = plugin.get();
  host.register_kernel = &host_register_kernel;
  host.log = &host_log;
  host.define_operator = &host_define_operator;
  char message[512] = "";
  const ember_status status = api.init(api.plugin_context, &host, message, sizeof message);
  if (status != EMBER_STATUS_OK) {
    plugin->unregister();
    set_device_interface(plugin->slot, nullptr);
    message[sizeof message - 1] = '\0';
    EMBER_FAIL("init failed (status {}): {}", static_cast<int>(status), message[0] ? message : "no message");
  }
  plugin->device->mark_initialised();
  if (plugin->cpu_fallback) plugin->registrations.push_back(register_cpu_fallback(plugin->slot));
  diag.device_count = plugin->device->device_count();
  diag.kernel_count = static_cast<int>(plugin->kernels.size());
  const BackendSlot slot = plugin->slot;
  s.plugins.push_back(std::move(plugin));
  return slot;
}

std::vector<std::string> split(const char* text, char separator) {
  std::vector<std::string> out;
  if (!text) return out;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, separator)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// Plugin files in one search-path entry: a file itself, or the plugins in a folder.
std::vector<std::string> plugin_files(const std::string& entry) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_regular_file(entry, ec)) return {entry};
  if (!fs::is_directory(entry, ec)) return files;
  for (const auto& file : fs::directory_iterator(entry, ec)) {
    const std::string name = file.path().filename().string();
    if (name.rfind(kFilePrefix, 0) == 0 && file.path().extension() == ".so") {
      files.push_back(file.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

BackendSlot load_backend(const std::string& path) {
  LoaderState& s = state();
  std::lock_guard lock(s.mutex);
  BackendDiagnostic diag;
  diag.path = path;
  diag.name = name_from_file(path);
  try {
    const BackendSlot slot = load_plugin(path, diag);
    diag.status = BackendDiagnostic::Status::Loaded;
    s.diagnostics.push_back(diag);
    return slot;
  } catch (const std::exception& e) {
    if (diag.status != BackendDiagnostic::Status::Skipped) diag.status = BackendDiagnostic::Status::Failed;
    diag.reason = e.what();
    s.diagnostics.push_back(diag);
    EMBER_FAIL("[backend_loader] {} ({}): {}", diag.name, path, diag.reason);
  }
}

// Note [Backend discovery]
// Search order: each entry of EMBER_BACKEND_PATH (folders or files, ':'-separated), then the
// folder ember/backends beside libember. EMBER_BACKENDS=cpu,cuda loads only those names;
// EMBER_DISABLE_BACKENDS=cuda skips names. The first file found for a name wins.
std::vector<std::string> backend_search_path() {
  std::vector<std::string> path = split(std::getenv("EMBER_BACKEND_PATH"), ':');
  const fs::path self = boost::dll::this_line_location().string();
  path.push_back((self.parent_path() / "ember" / "backends").string());
  return path;
}

void load_default_backends() {
  LoaderState& s = state();
  std::lock_guard lock(s.mutex);
  if (s.defaults_loaded) return;
  s.defaults_loaded = true;
  const std::vector<std::string> only = split(std::getenv("EMBER_BACKENDS"), ',');
  const std::vector<std::string> disabled = split(std::getenv("EMBER_DISABLE_BACKENDS"), ',');
  std::vector<std::string> seen;
  for (const std::string& entry : backend_search_path()) {
    for (const std::string& file : plugin_files(entry)) {
      const std::string name = name_from_file(file);
      if (contains(seen, name) || find_plugin(s, name)) continue;
      seen.push_back(name);
      const char* excluded_by = !only.empty() && !contains(only, name) ? "not listed in EMBER_BACKENDS"
                                : contains(disabled, name)               ? "disabled by EMBER_DISABLE_BACKENDS"
                                                                         : nullptr;
      if (excluded_by) {
        BackendDiagnostic diag;
        diag.path = file;
        diag.name = name;
        diag.status = BackendDiagnostic::Status::Skipped;
        diag.reason = excluded_by;
        s.diagnostics.push_back(diag);
        continue;
      }
      try {
        load_backend(file);
      } catch (const Error&) {
        // Recorded in the diagnostics; a backend nobody asked for by name is only skipped.
      }
    }
  }
}

BackendSlot require_backend(const std::string& name) {
  load_default_backends();
  LoaderState& s = state();
  std::lock_guard lock(s.mutex);
  if (LoadedPlugin* p = find_plugin(s, name)) return p->slot;
  std::string why;
  for (const BackendDiagnostic& d : s.diagnostics) {
    if (d.name == name) why += "\n  " + d.path + ": " + d.reason;
  }
  if (why.empty()) {
    why = "\n  no file " + std::string(kFilePrefix) + name + ".so in the search path:";
    for (const std::string& entry : backend_search_path()) why += " " + entry;
  }
  EMBER_FAIL("[backend_loader] backend '{}' is not available:{}", name, why);
}

void unload_backend(const std::string& name) {
  LoaderState& s = state();
  std::lock_guard lock(s.mutex);
  auto it = std::find_if(s.plugins.begin(), s.plugins.end(),
                         [&](const auto& p) { return p->device->name() == name; });
  EMBER_CHECK(it != s.plugins.end(), "[backend_loader] unload: no backend named '{}' is loaded", name);
  (*it)->unregister();
  set_device_interface((*it)->slot, nullptr);
  s.plugins.erase(it);
}

std::vector<BackendDiagnostic> backend_diagnostics() {
  LoaderState& s = state();
  std::lock_guard lock(s.mutex);
  return s.diagnostics;
}

}  // namespace ember
