// Anomaly detection (torch.autograd.detect_anomaly): backward checks every gradient a node
// returns for NaN and stops at the first node that makes one, naming it. Off by default: it
// costs a reduction and a host read per gradient.
#pragma once

#include "ember/autograd/node.h"

namespace ember::autograd {

// Process-wide, like PyTorch's.
bool anomaly_mode_enabled();
void set_detect_anomaly(bool enabled);

// Detects anomalies for its lifetime (libtorch's DetectAnomalyGuard).
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard();
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool saved_;
};

// Throws, naming `node`, when one of the gradients it returned holds a NaN.
void check_for_nan(const Node& node, const TensorVector& gradients);

}  // namespace ember::autograd
