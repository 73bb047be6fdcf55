// A working device whose kernels misbehave: neg reports an error, abs throws a C++ exception
// (caught by the SDK's guard), relu declines. Allocations above 1 MiB fail.
#include <stdexcept>

#include "test_plugin.h"

namespace {

ember_status neg_reports_error(void*, const ember_kernel_call* call) {
  std::snprintf(call->error_message, call->error_capacity, "faulty neg refuses this input");
  return EMBER_STATUS_INVALID_ARGUMENT;
}

void abs_throws(const ember::sdk::KernelArgs&, void*) { throw std::logic_error("abs kernel threw"); }

void relu_declines(const ember::sdk::KernelArgs&, void*) { ember::sdk::decline("faulty relu serves no dtype"); }

void fill_zeroes(const ember::sdk::KernelArgs& args, void*) {
  const auto out = args.output();
  std::memset(out.bytes(), 0, static_cast<size_t>(out.numel()) * ember::sdk::dtype_size(out.dtype()));
}

ember_status init(void*, const ember_host_api* host, char*, size_t) {
  ember::sdk::register_kernel(host, "neg", &neg_reports_error);
  ember::sdk::register_kernel(host, "abs", &ember::sdk::guarded_kernel<&abs_throws>);
  ember::sdk::register_kernel(host, "fill_.Scalar", &ember::sdk::guarded_kernel<&fill_zeroes>);
  ember::sdk::register_kernel(host, "relu", &ember::sdk::guarded_kernel<&relu_declines>);
  return EMBER_STATUS_OK;
}

}  // namespace

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t, uint16_t) {
  static ember_plugin_api api = test_plugin::make_api("faulty", &test_plugin::ready, &init);
  return &api;
}
