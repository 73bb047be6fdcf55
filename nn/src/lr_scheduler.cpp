#include "ember/optim/lr_scheduler.h"

#include <cmath>

#include "ember/core/error.h"

namespace ember::optim {

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : optimizer_(optimizer), base_lr_(optimizer.lr()), step_size_(step_size), gamma_(gamma) {
  EMBER_CHECK(step_size > 0, "[StepLR] step_size: expected a positive number of epochs, got {}", step_size);
}

void StepLR::step() {
  ++epoch_;
  optimizer_.set_lr(base_lr_ * std::pow(gamma_, static_cast<double>(epoch_ / step_size_)));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min)
    : optimizer_(optimizer), base_lr_(optimizer.lr()), t_max_(t_max), eta_min_(eta_min) {
  EMBER_CHECK(t_max > 0, "[CosineAnnealingLR] t_max: expected a positive number of epochs, got {}", t_max);
}

void CosineAnnealingLR::step() {
  ++epoch_;
  const double progress = static_cast<double>(std::min(epoch_, t_max_)) / static_cast<double>(t_max_);
  optimizer_.set_lr(eta_min_ + (base_lr_ - eta_min_) * (1 + std::cos(M_PI * progress)) / 2);
}

}  // namespace ember::optim
