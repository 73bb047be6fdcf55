// A device whose neg kernel is right when called alone and wrong when called from two threads at
// once: it stages its results in one static buffer, pauses, copies them out and clears the
// buffer, so a concurrent call can copy out what another call already cleared.
#include <chrono>
#include <thread>

#include "test_plugin.h"

namespace {

constexpr int64_t kStaged = 4096;

void neg_staged(const ember::sdk::KernelArgs& args, void*) {
  const auto in = args.tensor(0);
  const auto out = args.output();
  if (in.dtype() != EMBER_DTYPE_FLOAT32 || !in.is_contiguous() || !out.is_contiguous() || in.numel() > kStaged) {
    ember::sdk::decline("racy neg serves contiguous float32 only");
  }
  static float staged[kStaged];
  const int64_t n = in.numel();
  for (int64_t i = 0; i < n; ++i) staged[i] = -in.data<float>()[i];
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::memcpy(out.data<float>(), staged, static_cast<size_t>(n) * sizeof(float));
  std::memset(staged, 0, sizeof staged);
}

ember_status init(void*, const ember_host_api* host, char*, size_t) {
  ember::sdk::register_kernel(host, "neg", &ember::sdk::guarded_kernel<&neg_staged>);
  return EMBER_STATUS_OK;
}

}  // namespace

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t, uint16_t) {
  static ember_plugin_api api = test_plugin::make_api("racy", &test_plugin::ready, &init);
  return &api;
}
