// A plugin's ember_device_api seen through core's DeviceInterface. It owns a handle on the
// plugin's library, so the code stays mapped while any storage allocated by it lives, and it
// shuts the plugin down when the last of those is gone.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <string>

#include "ember/core/device_interface.h"
#include "ember/plugin_api.h"

namespace ember {

class PluginDevice final : public DeviceInterface {
 public:
  PluginDevice(boost::dll::shared_library library, const ember_plugin_api& api);
  ~PluginDevice() override;

  void* allocate(int index, size_t nbytes) override;
  void deallocate(int index, void* ptr, size_t nbytes) noexcept override;
  void copy(int index, void* dst, const void* src, size_t nbytes, CopyKind kind) override;
  void synchronize(int index) override;
  int device_count() const override { return device_count_; }
  bool host_accessible() const override { return api_.device.host_accessible != 0; }

  const ember_plugin_api& api() const { return api_; }
  const std::string& name() const { return name_; }
  // Set once init succeeded: only then does destruction call the plugin's shutdown.
  void mark_initialised() { initialised_ = true; }

 private:
  void check_index(int index, const char* what) const;

  boost::dll::shared_library library_;
  ember_plugin_api api_;
  std::string name_;
  int device_count_ = 0;
  bool initialised_ = false;
};

}  // namespace ember
