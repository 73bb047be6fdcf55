#include "ember/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>

#include "ember/core/error.h"

namespace ember::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (size_t g = 0; g < optimizer.num_groups(); ++g) base_lrs_.push_back(optimizer.lr(g));
}

void LRScheduler::apply() {
  for (size_t g = 0; g < base_lrs_.size(); ++g) optimizer_.set_lr(g, lr_at(base_lrs_[g], epoch_));
  apply_besides_lr(optimizer_, epoch_);
}

void LRScheduler::step() {
  ++epoch_;
  apply();
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  EMBER_CHECK(step_size > 0, "[StepLR] step_size: expected a positive number of epochs, got {}", step_size);
  apply();
}

double StepLR::lr_at(double base_lr, int64_t epoch) const {
  return base_lr * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
  EMBER_CHECK(gamma > 0 && std::isfinite(gamma), "[ExponentialLR] gamma: expected a positive finite factor, got {}",
              gamma);
  apply();
}

double ExponentialLR::lr_at(double base_lr, int64_t epoch) const {
  return base_lr * std::pow(gamma_, static_cast<double>(epoch));
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters)
    : LRScheduler(optimizer), start_factor_(start_factor), end_factor_(end_factor), total_iters_(total_iters) {
  EMBER_CHECK(start_factor > 0 && start_factor <= 1, "[LinearLR] start_factor: expected a value in (0, 1], got {}",
              start_factor);
  EMBER_CHECK(end_factor >= 0 && end_factor <= 1, "[LinearLR] end_factor: expected a value in [0, 1], got {}",
              end_factor);
  EMBER_CHECK(total_iters > 0, "[LinearLR] total_iters: expected a positive number of epochs, got {}", total_iters);
  apply();
}

double LinearLR::lr_at(double base_lr, int64_t epoch) const {
  const double progress = static_cast<double>(std::min(epoch, total_iters_)) / static_cast<double>(total_iters_);
  return base_lr * (start_factor_ + (end_factor_ - start_factor_) * progress);
}

LambdaLR::LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda)
    : LRScheduler(optimizer), lr_lambda_(std::move(lr_lambda)) {
  EMBER_CHECK(static_cast<bool>(lr_lambda_), "[LambdaLR] lr_lambda: expected a function, got an empty one");
  apply();
}

ConstantLR::ConstantLR(Optimizer& optimizer, double factor, int64_t total_iters)
    : LRScheduler(optimizer), factor_(factor), total_iters_(total_iters) {
  EMBER_CHECK(factor >= 0 && factor <= 1, "[ConstantLR] factor: expected a value in [0, 1], got {}", factor);
  EMBER_CHECK(total_iters >= 0, "[ConstantLR] total_iters: expected a non-negative number of epochs, got {}", total_iters);
  apply();
}

double ConstantLR::lr_at(double base_lr, int64_t epoch) const { return epoch < total_iters_ ? base_lr * factor_ : base_lr; }

MultiplicativeLR::MultiplicativeLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda)
    : LRScheduler(optimizer), lr_lambda_(std::move(lr_lambda)) {
  EMBER_CHECK(static_cast<bool>(lr_lambda_), "[MultiplicativeLR] lr_lambda: expected a function, got an empty one");
  apply();
}

double MultiplicativeLR::lr_at(double base_lr, int64_t epoch) const {
  double lr = base_lr;
  for (int64_t e = 1; e <= epoch; ++e) lr *= lr_lambda_(e);
  return lr;
}

CyclicLR::CyclicLR(Optimizer& optimizer, double base_lr, double max_lr, CyclicLROptions options)
    : LRScheduler(optimizer), base_lr_(base_lr), max_lr_(max_lr), options_(std::move(options)) {
  EMBER_CHECK(std::isfinite(base_lr) && std::isfinite(max_lr) && base_lr >= 0 && max_lr >= 0,
              "[CyclicLR] max_lr: expected non-negative rates, got base_lr {} and max_lr {}", base_lr, max_lr);
  if (options_.step_size_down == 0) options_.step_size_down = options_.step_size_up;
  EMBER_CHECK(options_.step_size_up > 0 && options_.step_size_down > 0,
              "[CyclicLR] step_size_up: expected positive step counts, got {} and {}", options_.step_size_up,
              options_.step_size_down);
  EMBER_CHECK(options_.mode == "triangular" || options_.mode == "triangular2" || options_.mode == "exp_range",
              "[CyclicLR] mode: expected \"triangular\", \"triangular2\" or \"exp_range\", got \"{}\"", options_.mode);
  for (size_t g = 0; options_.cycle_momentum && g < optimizer.num_groups(); ++g) {
    EMBER_CHECK(optimizer.momentum(g).has_value(), "[CyclicLR] cycle_momentum: the optimizer has no momentum or "
                "beta1 to cycle; pass cycle_momentum = false");
  }
  apply();
}

// PyTorch's closed form: cycle = floor(1 + step / total), x = 1 + step / total - cycle the place
// in it, rising over the first step_size_up / total of it.
double CyclicLR::height(int64_t step) const {
  const double total = static_cast<double>(options_.step_size_up + options_.step_size_down);
  const double up = static_cast<double>(options_.step_size_up) / total;
  const double at = static_cast<double>(step);
  const double cycle = std::floor(1 + at / total), x = 1 + at / total - cycle;
  const double rise = x <= up ? x / up : (x - 1) / (up - 1);
  if (options_.mode == "triangular2") return rise / std::pow(2.0, cycle - 1);
  if (options_.mode == "exp_range") return rise * std::pow(options_.gamma, at);
  return rise;
}

double CyclicLR::lr_at(double, int64_t step) const { return base_lr_ + (max_lr_ - base_lr_) * height(step); }

void CyclicLR::apply_besides_lr(Optimizer& optimizer, int64_t step) const {
  if (!options_.cycle_momentum) return;
  const double momentum = options_.max_momentum - (options_.max_momentum - options_.base_momentum) * height(step);
  for (size_t g = 0; g < optimizer.num_groups(); ++g) optimizer.set_momentum(g, momentum);
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min)
    : LRScheduler(optimizer), t_max_(t_max), eta_min_(eta_min) {
  EMBER_CHECK(t_max > 0, "[CosineAnnealingLR] t_max: expected a positive number of epochs, got {}", t_max);
  apply();
}

// PyTorch's closed form: past t_max the cosine carries on, rising back towards the base rate.
double CosineAnnealingLR::lr_at(double base_lr, int64_t epoch) const {
  const double progress = static_cast<double>(epoch) / static_cast<double>(t_max_);
  return eta_min_ + (base_lr - eta_min_) * (1 + std::cos(M_PI * progress)) / 2;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  EMBER_CHECK(std::is_sorted(milestones_.begin(), milestones_.end()),
              "[MultiStepLR] milestones: expected them in increasing order, got [{}]", fmt::join(milestones_, ", "));
  apply();
}

double MultiStepLR::lr_at(double base_lr, int64_t epoch) const {
  const auto reached = std::upper_bound(milestones_.begin(), milestones_.end(), epoch) - milestones_.begin();
  return base_lr * std::pow(gamma_, static_cast<double>(reached));
}

PolynomialLR::PolynomialLR(Optimizer& optimizer, int64_t total_iters, double power)
    : LRScheduler(optimizer), total_iters_(total_iters), power_(power) {
  EMBER_CHECK(total_iters > 0, "[PolynomialLR] total_iters: expected a positive number of epochs, got {}", total_iters);
  EMBER_CHECK(std::isfinite(power) && power >= 0, "[PolynomialLR] power: expected a non-negative power, got {}", power);
  apply();
}

double PolynomialLR::lr_at(double base_lr, int64_t epoch) const {
  const double left = 1 - static_cast<double>(std::min(epoch, total_iters_)) / static_cast<double>(total_iters_);
  return base_lr * std::pow(left, power_);
}

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t t_0, int64_t t_mult, double eta_min)
    : LRScheduler(optimizer), t_0_(t_0), t_mult_(t_mult), eta_min_(eta_min) {
  EMBER_CHECK(t_0 > 0, "[CosineAnnealingWarmRestarts] t_0: expected a positive number of epochs, got {}", t_0);
  EMBER_CHECK(t_mult >= 1, "[CosineAnnealingWarmRestarts] t_mult: expected an integer of at least 1, got {}", t_mult);
  apply();
}

double CosineAnnealingWarmRestarts::lr_at(double base_lr, int64_t epoch) const {
  // The position in the current period: whole periods are taken off, each t_mult times the last.
  int64_t into = epoch, period = t_0_;
  if (t_mult_ == 1) {
    into = epoch % t_0_;
  } else {
    while (into >= period) {
      into -= period;
      if (__builtin_mul_overflow(period, t_mult_, &period)) break;
    }
  }
  const double progress = static_cast<double>(into) / static_cast<double>(period);
  return eta_min_ + (base_lr - eta_min_) * (1 + std::cos(M_PI * progress)) / 2;
}

OneCycleLR::OneCycleLR(Optimizer& optimizer, double max_lr, int64_t total_steps, OneCycleOptions options)
    : LRScheduler(optimizer), total_steps_(total_steps), linear_(options.anneal_strategy == "linear"),
      cycle_momentum_(options.cycle_momentum) {
  EMBER_CHECK(total_steps > 0, "[OneCycleLR] total_steps: expected a positive number of steps, got {}", total_steps);
  EMBER_CHECK(std::isfinite(max_lr) && max_lr > 0, "[OneCycleLR] max_lr: expected a positive rate, got {}", max_lr);
  EMBER_CHECK(options.pct_start > 0 && options.pct_start < 1, "[OneCycleLR] pct_start: expected a value in (0, 1), got {}",
              options.pct_start);
  EMBER_CHECK(options.anneal_strategy == "cos" || options.anneal_strategy == "linear",
              "[OneCycleLR] anneal_strategy: expected \"cos\" or \"linear\", got \"{}\"", options.anneal_strategy);
  EMBER_CHECK(options.div_factor > 0 && options.final_div_factor > 0,
              "[OneCycleLR] div_factor: expected positive factors, got {} and {}", options.div_factor, options.final_div_factor);
  for (size_t g = 0; cycle_momentum_ && g < optimizer.num_groups(); ++g) {
    EMBER_CHECK(optimizer.momentum(g).has_value(), "[OneCycleLR] cycle_momentum: the optimizer has no momentum or "
                "beta1 to cycle; pass cycle_momentum = false");
  }
  const double initial = max_lr / options.div_factor, lowest = initial / options.final_div_factor;
  const double rise_end = options.pct_start * static_cast<double>(total_steps) - 1, last = static_cast<double>(total_steps) - 1;
  const double low = options.base_momentum, high = options.max_momentum;
  if (options.three_phase) {
    phases_ = {{rise_end, initial, max_lr, high, low},
               {2 * options.pct_start * static_cast<double>(total_steps) - 2, max_lr, initial, low, high},
               {last, initial, lowest, high, high}};
  } else {
    phases_ = {{rise_end, initial, max_lr, high, low}, {last, max_lr, lowest, low, high}};
  }
  apply();
}

// PyTorch's phases: the first whose end the step has not passed (the last takes the rest).
std::pair<const OneCycleLR::Phase*, double> OneCycleLR::locate(int64_t step) const {
  EMBER_CHECK(step <= total_steps_, "[OneCycleLR] step: stepped {} times, past total_steps {}", step, total_steps_);
  const double at = static_cast<double>(step);
  double start_step = 0;
  size_t i = 0;
  while (i + 1 < phases_.size() && at > phases_[i].end_step) start_step = phases_[i++].end_step;
  return {&phases_[i], (at - start_step) / (phases_[i].end_step - start_step)};
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (linear_) return (end - start) * pct + start;
  return end + (start - end) / 2 * (std::cos(M_PI * pct) + 1);
}

double OneCycleLR::lr_at(double, int64_t step) const {
  const auto [phase, pct] = locate(step);
  return anneal(phase->start_lr, phase->end_lr, pct);
}

void OneCycleLR::apply_besides_lr(Optimizer& optimizer, int64_t step) const {
  if (!cycle_momentum_) return;
  const auto [phase, pct] = locate(step);
  for (size_t g = 0; g < optimizer.num_groups(); ++g) {
    optimizer.set_momentum(g, anneal(phase->start_momentum, phase->end_momentum, pct));
  }
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options)
    : optimizer_(optimizer), options_(std::move(options)) {
  EMBER_CHECK(options_.mode == "min" || options_.mode == "max",
              "[ReduceLROnPlateau] mode: expected \"min\" or \"max\", got \"{}\"", options_.mode);
  EMBER_CHECK(options_.threshold_mode == "rel" || options_.threshold_mode == "abs",
              "[ReduceLROnPlateau] threshold_mode: expected \"rel\" or \"abs\", got \"{}\"", options_.threshold_mode);
  EMBER_CHECK(options_.factor >= 0 && options_.factor < 1, "[ReduceLROnPlateau] factor: expected a value in [0, 1), got {}",
              options_.factor);
  EMBER_CHECK(options_.patience >= 0 && options_.cooldown >= 0,
              "[ReduceLROnPlateau] patience: expected non-negative patience and cooldown, got {} and {}", options_.patience,
              options_.cooldown);
  best_ = options_.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

bool ReduceLROnPlateau::better(double metric) const {
  const bool relative = options_.threshold_mode == "rel";
  if (options_.mode == "min") return metric < (relative ? best_ * (1 - options_.threshold) : best_ - options_.threshold);
  return metric > (relative ? best_ * (1 + options_.threshold) : best_ + options_.threshold);
}

void ReduceLROnPlateau::step(double metric) {
  if (better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // epochs in cooldown do not count
  }
  if (num_bad_epochs_ > options_.patience) {
    for (size_t g = 0; g < optimizer_.num_groups(); ++g) {
      const double old_lr = optimizer_.lr(g), new_lr = std::max(old_lr * options_.factor, options_.min_lr);
      if (old_lr - new_lr > options_.eps) optimizer_.set_lr(g, new_lr);
    }
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
}

}  // namespace ember::optim
