#include "ember/autograd/anomaly_mode.h"

#include <atomic>

#include "ember/ember.h"

namespace ember::autograd {
namespace {
std::atomic<bool> g_detect_anomaly{false};
}

bool anomaly_mode_enabled() { return g_detect_anomaly.load(std::memory_order_relaxed); }

void set_detect_anomaly(bool enabled) { g_detect_anomaly.store(enabled); }

DetectAnomalyGuard::DetectAnomalyGuard() : saved_(anomaly_mode_enabled()) { set_detect_anomaly(true); }

DetectAnomalyGuard::~DetectAnomalyGuard() { set_detect_anomaly(saved_); }

void check_for_nan(const Node& node, const TensorVector& gradients) {
  for (size_t i = 0; i < gradients.size(); ++i) {
    const Tensor& g = gradients[i];
    if (!g.defined() || !is_floating(g.dtype())) continue;
    EMBER_CHECK(isnan(g).any().item().to_int() == 0,
                "[backward] {}: returned NaN in the gradient for its input {}; anomaly detection stopped at the "
                "first node that made one", node.name(), i);
  }
}

}  // namespace ember::autograd
