// A plugin built against a newer minor (1.7) than the host's: its table is longer than the host
// knows, and it asks for features by EMBER_HOST_HAS before using them. It opts out of the CPU
// fallback and defines one operator of its own, future_abi::twice.
#include "test_plugin.h"

namespace {

// What a 1.7 table might hold past the fields this host knows.
struct FutureTable {
  ember_plugin_api known;
  void (*reserved_for_1_7)(void*);
};

void twice(const ember::sdk::KernelArgs& args, void*) {
  const auto in = args.tensor(0);
  const auto out = args.output();
  ember::sdk::check(in.dtype() == EMBER_DTYPE_FLOAT32 && in.is_contiguous(), "twice: contiguous float32 only");
  for (int64_t i = 0; i < in.numel(); ++i) out.data<float>()[i] = 2 * in.data<float>()[i];
}

ember_status init(void*, const ember_host_api* host, char* message, size_t capacity) {
  if (!EMBER_HOST_HAS(host, define_operator)) {
    std::snprintf(message, capacity, "this host cannot define operators");
    return EMBER_STATUS_VERSION_MISMATCH;
  }
  const ember_status status = host->define_operator(host->host_context, "future_abi::twice(Tensor self) -> Tensor",
                                                    "elementwise_unary", message, capacity);
  if (status != EMBER_STATUS_OK) return status;
  ember::sdk::register_kernel(host, "future_abi::twice", &ember::sdk::guarded_kernel<&twice>);
  return EMBER_STATUS_OK;
}

}  // namespace

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_api* ember_plugin_entry(uint16_t, uint16_t) {
  static FutureTable table = [] {
    FutureTable t{test_plugin::make_api("future_abi", &test_plugin::ready, &init), nullptr};
    t.known.abi_minor = 7;
    t.known.struct_size = sizeof t;
    t.known.flags = EMBER_PLUGIN_FLAG_NO_CPU_FALLBACK;
    return t;
  }();
  return &table.known;
}
