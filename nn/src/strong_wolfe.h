// A line search for the strong Wolfe conditions (Nocedal and Wright, Algorithms 3.5 and 3.6):
// bracket a step with sufficient decrease, then zoom in by safeguarded cubic interpolation until
// the directional derivative has shrunk enough too.
#pragma once

#include <functional>
#include <utility>

#include "ember/core/tensor.h"

namespace ember::optim {

// The loss and gradient at step t along the search direction.
using LineFunction = std::function<std::pair<double, Tensor>(double t)>;

struct LineSearchResult {
  double loss;
  Tensor grad;
  double step;
  int64_t evaluations;
};

// From loss f with gradient g (directional derivative gtd < 0) at step 0, first trying step t.
LineSearchResult strong_wolfe(const LineFunction& at, const Tensor& direction, double t, double f, const Tensor& g,
                              double gtd, double tolerance_change, int64_t max_evaluations = 25);

}  // namespace ember::optim
