// Activation checkpointing (torch.utils.checkpoint): memory traded for a second forward.
#pragma once

#include <functional>

#include "ember/autograd/node.h"

namespace ember::autograd {

using CheckpointedFunction = std::function<TensorVector(const TensorVector&)>;

// Runs `function` on `inputs` keeping none of the tensors its backward needs; backward runs it
// again with grad mode on and differentiates that run. With `preserve_random_state` the random
// stream is set back to where it stood, so dropout draws the masks it drew the first time.
// Parameters `function` reads besides its inputs get their gradients accumulated into grad()
// during that backward, as a backward() would, also when the checkpoint is reached through
// autograd::grad. `function` must give the same result twice and leave its inputs unmodified.
// Gradients of gradients (create_graph) do not pass through it.
TensorVector checkpoint(CheckpointedFunction function, const TensorVector& inputs, bool preserve_random_state = true);

}  // namespace ember::autograd
