// Gradient clipping, as torch::nn::utils (run between backward() and the optimizer's step()),
// parameters as one vector, checkpointing a Sequential's activations, and the weight and spectral
// normalisation of a layer's parameter.
#pragma once

#include <optional>
#include <string>
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

// Re-parametrises `module`'s parameter `name` as torch.nn.utils.weight_norm: it becomes
// name_g * name_v / ||name_v||, the norm over every dimension but `dim` (over all of them with
// nullopt; a negative dim counts from the end, where PyTorch's -1 meant all), recomputed before
// every forward from the new parameters name_g (the norms, initially the weight's) and name_v
// (initially the weight), which take its place in parameters() and state_dict(). An optimizer
// must be given the new parameters. The parameter's member keeps the computed weight.
void weight_norm(UnaryModule& module, const std::string& name = "weight", std::optional<int64_t> dim = 0);
// Makes the parameter a parameter again, holding the weight the norm computes.
void remove_weight_norm(UnaryModule& module, const std::string& name = "weight");

// Re-parametrises `module`'s parameter `name` as torch.nn.utils.spectral_norm: it becomes
// name_orig / sigma, sigma the largest singular value of name_orig as a matrix [size(dim), rest]
// (dim 0, or 1 for the ConvTranspose layers, by default), estimated by power iteration: vectors
// kept as the buffers name_u and name_v, `n_power_iterations` steps before every forward in
// training mode (15 at the start), none in evaluation mode. name_orig is the same tensor the
// parameter was, so an optimizer given it before keeps stepping it.
void spectral_norm(UnaryModule& module, const std::string& name = "weight", int64_t n_power_iterations = 1,
                   double eps = 1e-12, std::optional<int64_t> dim = std::nullopt);
// Makes the parameter a parameter again, holding name_orig / sigma for the vectors it has.
void remove_spectral_norm(UnaryModule& module, const std::string& name = "weight");

}  // namespace ember::nn::utils
