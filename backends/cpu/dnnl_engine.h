// The one oneDNN CPU engine this plugin's primitives run on.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

namespace ember::cpu {

inline dnnl::engine& dnnl_engine() {
  static dnnl::engine instance(dnnl::engine::kind::cpu, 0);
  return instance;
}

}  // namespace ember::cpu
