// Gradient clipping, as torch::nn::utils (run between backward() and the optimizer's step()),
// parameters as one vector, and checkpointing a Sequential's activations.
#pragma once

#include <vector>

#include "ember/core/tensor.h"
#include "ember/nn/modules/container.h"

namespace ember::nn::utils {

// Scales the gradients of `parameters` together so that their total norm of order `norm_type`
// (positive, or infinity for the largest magnitude) is at most `max_norm`, and returns the
// total norm before clipping. Parameters without a gradient are skipped. A non-finite total
// norm throws when `error_if_nonfinite`; otherwise the gradients are scaled by NaN, as PyTorch's.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every gradient of `parameters` into [-clip_value, clip_value] in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

// Every parameter flattened and joined into one 1-D tensor, in order; differentiable.
Tensor parameters_to_vector(const std::vector<Tensor>& parameters);

// Copies consecutive pieces of the 1-D `vector` into `parameters` (each reshaped to its
// parameter), in place and unrecorded; the inverse of parameters_to_vector.
void vector_to_parameters(const Tensor& vector, const std::vector<Tensor>& parameters);

// Runs `model` as `segments` consecutive groups of its modules (the first ones one module longer
// when they do not divide evenly), checkpointing each group but the last
// (torch.utils.checkpoint.checkpoint_sequential): only the groups' inputs are kept for backward,
// which runs each group's forward again (autograd::checkpoint).
Tensor checkpoint_sequential(const Sequential& model, int64_t segments, const Tensor& input,
                             bool preserve_random_state = true);

}  // namespace ember::nn::utils
