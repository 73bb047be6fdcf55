#include "ember/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>

#include "ember/core/error.h"

namespace ember::optim {

void LRScheduler::step() {
  ++epoch_;
  apply();
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  EMBER_CHECK(step_size > 0, "[StepLR] step_size: expected a positive number of epochs, got {}", step_size);
  apply();
}

double StepLR::lr_at(int64_t epoch) const {
  return base_lr_ * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
  EMBER_CHECK(gamma > 0 && std::isfinite(gamma), "[ExponentialLR] gamma: expected a positive finite factor, got {}",
              gamma);
  apply();
}

double ExponentialLR::lr_at(int64_t epoch) const { return base_lr_ * std::pow(gamma_, static_cast<double>(epoch)); }

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters)
    : LRScheduler(optimizer), start_factor_(start_factor), end_factor_(end_factor), total_iters_(total_iters) {
  EMBER_CHECK(start_factor > 0 && start_factor <= 1, "[LinearLR] start_factor: expected a value in (0, 1], got {}",
              start_factor);
  EMBER_CHECK(end_factor >= 0 && end_factor <= 1, "[LinearLR] end_factor: expected a value in [0, 1], got {}",
              end_factor);
  EMBER_CHECK(total_iters > 0, "[LinearLR] total_iters: expected a positive number of epochs, got {}", total_iters);
  apply();
}

double LinearLR::lr_at(int64_t epoch) const {
  const double progress = static_cast<double>(std::min(epoch, total_iters_)) / static_cast<double>(total_iters_);
  return base_lr_ * (start_factor_ + (end_factor_ - start_factor_) * progress);
}

LambdaLR::LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda)
    : LRScheduler(optimizer), lr_lambda_(std::move(lr_lambda)) {
  EMBER_CHECK(static_cast<bool>(lr_lambda_), "[LambdaLR] lr_lambda: expected a function, got an empty one");
  apply();
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min)
    : LRScheduler(optimizer), t_max_(t_max), eta_min_(eta_min) {
  EMBER_CHECK(t_max > 0, "[CosineAnnealingLR] t_max: expected a positive number of epochs, got {}", t_max);
  apply();
}

double CosineAnnealingLR::lr_at(int64_t epoch) const {
  const double progress = static_cast<double>(std::min(epoch, t_max_)) / static_cast<double>(t_max_);
  return eta_min_ + (base_lr_ - eta_min_) * (1 + std::cos(M_PI * progress)) / 2;
}

}  // namespace ember::optim
