#include "ember/autograd/checkpoint.h"
#include "ember/core/error.h"
#include "ember/nn/utils.h"

namespace ember::nn::utils {

Tensor checkpoint_sequential(const Sequential& model, int64_t segments, const Tensor& input,
                             bool preserve_random_state) {
  const auto modules = static_cast<int64_t>(model.size());
  EMBER_CHECK(segments >= 1 && segments <= modules,
              "[checkpoint_sequential] segments: expected 1 to {} (the model's modules), got {}", modules, segments);
  Tensor x = input;
  int64_t start = 0;
  for (int64_t segment = 0; segment < segments; ++segment) {
    const int64_t end = start + modules / segments + (segment < modules % segments ? 1 : 0);
    const auto run_group = [&model, start, end](const autograd::TensorVector& in) {
      Tensor y = in[0];
      for (int64_t i = start; i < end; ++i) y = (*model[static_cast<size_t>(i)])(y);
      return autograd::TensorVector{y};
    };
    // The last group's activations are needed for backward at once: it runs as it is.
    x = segment + 1 < segments ? autograd::checkpoint(run_group, {x}, preserve_random_state)[0] : run_group({x})[0];
    start = end;
  }
  return x;
}

}  // namespace ember::nn::utils
