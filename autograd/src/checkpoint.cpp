#include "ember/autograd/checkpoint.h"

#include <optional>

#include "ember/autograd/engine.h"
#include "ember/autograd/function.h"
#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/dispatcher/random_state.h"

namespace ember::autograd {
namespace {

// Sets the random stream to `replayed` for a scope, then back to where it stood.
class RandomStateReplay {
 public:
  explicit RandomStateReplay(const std::optional<RandomDraw>& replayed) : now_(random_state()), replayed_(replayed) {
    if (replayed_) set_random_state(*replayed_);
  }
  ~RandomStateReplay() {
    if (replayed_) set_random_state(now_);
  }
  RandomStateReplay(const RandomStateReplay&) = delete;
  RandomStateReplay& operator=(const RandomStateReplay&) = delete;

 private:
  RandomDraw now_;
  std::optional<RandomDraw> replayed_;
};

// Arguments: the function (one gradient position), the inputs (one each), the flag (one).
struct Checkpoint : Function<Checkpoint> {
  // The parameters the function reads are not arguments: it records whenever grad mode is on.
  static constexpr bool kRecordsAlways = true;

  static TensorVector forward(AutogradContext* ctx, const CheckpointedFunction& function, const TensorVector& inputs,
                              bool preserve_random_state) {
    ctx->save_for_backward(inputs);
    ctx->saved_data["function"] = function;
    ctx->saved_data["random_state"] =
        preserve_random_state ? std::optional<RandomDraw>(random_state()) : std::optional<RandomDraw>();
    ctx->set_materialize_grads(false);  // outputs no gradient reached are left out of the second backward
    return function(inputs);
  }

  static TensorVector backward(AutogradContext* ctx, TensorVector grads) {
    // The second forward runs on detached inputs, so gradients of the gradients would not reach them.
    EMBER_CHECK(!grad_mode_enabled(),
                "[checkpoint] backward: create_graph cannot pass through a checkpoint, whose second forward is "
                "differentiated once; leave the part that needs higher-order gradients unchecked");
    TensorVector inputs = ctx->get_saved_variables();
    for (Tensor& input : inputs) {
      if (!input.defined()) continue;
      const bool requires_grad = input.requires_grad();
      input = input.detach();
      if (requires_grad) input.requires_grad_();
    }
    TensorVector outputs;
    {
      RandomStateReplay replay(std::any_cast<std::optional<RandomDraw>>(ctx->saved_data["random_state"]));
      EnableGradGuard enable_grad;
      outputs = std::any_cast<CheckpointedFunction&>(ctx->saved_data["function"])(inputs);
    }
    TensorVector reached, reached_grads;
    for (size_t i = 0; i < outputs.size() && i < grads.size(); ++i) {
      if (!grads[i].defined() || !outputs[i].defined() || !outputs[i].requires_grad()) continue;
      reached.push_back(outputs[i]);
      reached_grads.push_back(grads[i]);
    }
    // A backward(), not autograd::grad: the parameters the function read get their gradients too.
    if (!reached.empty()) autograd::backward(reached, reached_grads);
    TensorVector gradients = {Tensor()};
    for (const Tensor& input : inputs) gradients.push_back(input.defined() && input.requires_grad() ? input.grad() : Tensor());
    gradients.emplace_back();
    return gradients;
  }
};

}  // namespace

TensorVector checkpoint(CheckpointedFunction function, const TensorVector& inputs, bool preserve_random_state) {
  return Checkpoint::apply(function, inputs, preserve_random_state);
}

}  // namespace ember::autograd
