// The losses as modules, called as loss(input, target) like torch.nn's: each holds the options
// of its functional form. Weights in the options stay where they were made; put them on the
// model's device.
#pragma once

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

// A module mapping an input and a target to a loss.
class Loss : public Module {
 public:
  using Module::Module;
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
};

// A loss that is its functional form applied with stored options.
template <typename Options, Tensor (*Fn)(const Tensor&, const Tensor&, const Options&)>
class LossWithOptions : public Loss {
 public:
  LossWithOptions(const char* type_name, Options options) : Loss(type_name), options(std::move(options)) {}
  Tensor forward(const Tensor& input, const Tensor& target) override { return Fn(input, target, options); }
  const Options options;
};

class CrossEntropyLoss final : public LossWithOptions<functional::CrossEntropyOptions, &functional::cross_entropy> {
 public:
  explicit CrossEntropyLoss(functional::CrossEntropyOptions options = {})
      : LossWithOptions("CrossEntropyLoss", std::move(options)) {}
};

class NLLLoss final : public LossWithOptions<functional::NLLLossOptions, &functional::nll_loss> {
 public:
  explicit NLLLoss(functional::NLLLossOptions options = {}) : LossWithOptions("NLLLoss", std::move(options)) {}
};

class BCEWithLogitsLoss final
    : public LossWithOptions<functional::BCEWithLogitsOptions, &functional::binary_cross_entropy_with_logits> {
 public:
  explicit BCEWithLogitsLoss(functional::BCEWithLogitsOptions options = {})
      : LossWithOptions("BCEWithLogitsLoss", std::move(options)) {}
};

// A loss whose one option is its reduction.
template <Tensor (*Fn)(const Tensor&, const Tensor&, functional::Reduction)>
class ReducedLoss : public Loss {
 public:
  ReducedLoss(const char* type_name, functional::Reduction reduction) : Loss(type_name), reduction(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override { return Fn(input, target, reduction); }
  const functional::Reduction reduction;
};

class MSELoss final : public ReducedLoss<&functional::mse_loss> {
 public:
  explicit MSELoss(functional::Reduction reduction = functional::Reduction::Mean) : ReducedLoss("MSELoss", reduction) {}
};

class L1Loss final : public ReducedLoss<&functional::l1_loss> {
 public:
  explicit L1Loss(functional::Reduction reduction = functional::Reduction::Mean) : ReducedLoss("L1Loss", reduction) {}
};

class SmoothL1Loss final : public LossWithOptions<functional::SmoothL1LossOptions, &functional::smooth_l1_loss> {
 public:
  explicit SmoothL1Loss(functional::SmoothL1LossOptions options = {}) : LossWithOptions("SmoothL1Loss", options) {}
};

class HuberLoss final : public LossWithOptions<functional::HuberLossOptions, &functional::huber_loss> {
 public:
  explicit HuberLoss(functional::HuberLossOptions options = {}) : LossWithOptions("HuberLoss", options) {}
};

class BCELoss final : public LossWithOptions<functional::BCELossOptions, &functional::binary_cross_entropy> {
 public:
  explicit BCELoss(functional::BCELossOptions options = {}) : LossWithOptions("BCELoss", std::move(options)) {}
};

class KLDivLoss final : public LossWithOptions<functional::KLDivOptions, &functional::kl_div> {
 public:
  explicit KLDivLoss(functional::KLDivOptions options = {}) : LossWithOptions("KLDivLoss", options) {}
};

class SoftMarginLoss final : public ReducedLoss<&functional::soft_margin_loss> {
 public:
  explicit SoftMarginLoss(functional::Reduction reduction = functional::Reduction::Mean)
      : ReducedLoss("SoftMarginLoss", reduction) {}
};

class MultiLabelSoftMarginLoss final
    : public LossWithOptions<functional::MultilabelSoftMarginOptions, &functional::multilabel_soft_margin_loss> {
 public:
  explicit MultiLabelSoftMarginLoss(functional::MultilabelSoftMarginOptions options = {})
      : LossWithOptions("MultiLabelSoftMarginLoss", std::move(options)) {}
};

class HingeEmbeddingLoss final : public LossWithOptions<functional::MarginOptions, &functional::hinge_embedding_loss> {
 public:
  explicit HingeEmbeddingLoss(functional::MarginOptions options = {}) : LossWithOptions("HingeEmbeddingLoss", options) {}
};

class PoissonNLLLoss final : public LossWithOptions<functional::PoissonNLLOptions, &functional::poisson_nll_loss> {
 public:
  explicit PoissonNLLLoss(functional::PoissonNLLOptions options = {}) : LossWithOptions("PoissonNLLLoss", options) {}
};

class MultiMarginLoss final : public LossWithOptions<functional::MultiMarginOptions, &functional::multi_margin_loss> {
 public:
  explicit MultiMarginLoss(functional::MultiMarginOptions options = {}) : LossWithOptions("MultiMarginLoss", std::move(options)) {}
};

class MultiLabelMarginLoss final : public ReducedLoss<&functional::multilabel_margin_loss> {
 public:
  explicit MultiLabelMarginLoss(functional::Reduction reduction = functional::Reduction::Mean)
      : ReducedLoss("MultiLabelMarginLoss", reduction) {}
};

// A loss of three tensors: two inputs and a target (margin ranking, cosine embedding), an input,
// a target and a variance (Gaussian NLL), or an anchor, a positive and a negative (triplet).
template <typename Options, Tensor (*Fn)(const Tensor&, const Tensor&, const Tensor&, const Options&)>
class TripleLoss : public Module {
 public:
  TripleLoss(const char* type_name, Options options) : Module(type_name), options(std::move(options)) {}
  Tensor forward(const Tensor& a, const Tensor& b, const Tensor& c) { return Fn(a, b, c, options); }
  Tensor operator()(const Tensor& a, const Tensor& b, const Tensor& c) { return forward(a, b, c); }
  const Options options;
};

// PyTorch's margin defaults to 0 for these two.
class MarginRankingLoss final : public TripleLoss<functional::MarginOptions, &functional::margin_ranking_loss> {
 public:
  explicit MarginRankingLoss(functional::MarginOptions options = {.margin = 0}) : TripleLoss("MarginRankingLoss", options) {}
};

class CosineEmbeddingLoss final : public TripleLoss<functional::MarginOptions, &functional::cosine_embedding_loss> {
 public:
  explicit CosineEmbeddingLoss(functional::MarginOptions options = {.margin = 0})
      : TripleLoss("CosineEmbeddingLoss", options) {}
};

class TripletMarginLoss final : public TripleLoss<functional::TripletMarginOptions, &functional::triplet_margin_loss> {
 public:
  explicit TripletMarginLoss(functional::TripletMarginOptions options = {}) : TripleLoss("TripletMarginLoss", options) {}
};

class TripletMarginWithDistanceLoss final
    : public TripleLoss<functional::TripletMarginWithDistanceOptions, &functional::triplet_margin_with_distance_loss> {
 public:
  explicit TripletMarginWithDistanceLoss(functional::TripletMarginWithDistanceOptions options = {})
      : TripleLoss("TripletMarginWithDistanceLoss", std::move(options)) {}
};

class GaussianNLLLoss final : public TripleLoss<functional::GaussianNLLOptions, &functional::gaussian_nll_loss> {
 public:
  explicit GaussianNLLLoss(functional::GaussianNLLOptions options = {}) : TripleLoss("GaussianNLLLoss", options) {}
};

// forward(log_probs, targets, input_lengths, target_lengths), as functional::ctc_loss.
class CTCLoss final : public Module {
 public:
  explicit CTCLoss(functional::CTCLossOptions options = {}) : Module("CTCLoss"), options(options) {}
  Tensor forward(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                 const Tensor& target_lengths) {
    return functional::ctc_loss(log_probs, targets, input_lengths, target_lengths, options);
  }
  Tensor operator()(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                    const Tensor& target_lengths) {
    return forward(log_probs, targets, input_lengths, target_lengths);
  }
  const functional::CTCLossOptions options;
};

}  // namespace ember::nn
