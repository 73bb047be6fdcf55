#include "strong_wolfe.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/ember.h"

namespace ember::optim {
namespace {

constexpr double kDecrease = 1e-4;  // c1: the sufficient-decrease (Armijo) factor
constexpr double kCurvature = 0.9;  // c2: how much the directional derivative must shrink

// A step along the line with its loss, gradient and directional derivative.
struct Point {
  double t, f;
  Tensor g;
  double gtd;
};

// The minimiser of the cubic through two points with their slopes, clamped to [low, high]; the
// middle of the bounds where the cubic has no minimum.
double cubic_minimum(const Point& a, const Point& b, double low, double high) {
  const double d1 = a.gtd + b.gtd - 3 * (a.f - b.f) / (a.t - b.t);
  const double d2_square = d1 * d1 - a.gtd * b.gtd;
  if (d2_square < 0) return (low + high) / 2;
  const double d2 = std::sqrt(d2_square);
  const double at = a.t <= b.t ? b.t - (b.t - a.t) * ((b.gtd + d2 - d1) / (b.gtd - a.gtd + 2 * d2))
                               : a.t - (a.t - b.t) * ((a.gtd + d2 - d1) / (a.gtd - b.gtd + 2 * d2));
  return std::clamp(at, low, high);
}

}  // namespace

LineSearchResult strong_wolfe(const LineFunction& at, const Tensor& direction, double t, double f, const Tensor& g,
                              double gtd, double tolerance_change, int64_t max_evaluations) {
  const double direction_size = direction.abs().max().item<double>();
  int64_t evaluations = 0;
  const auto evaluate = [&](double step) {
    auto [loss, grad] = at(step);
    ++evaluations;
    const double slope = (grad * direction).sum().item<double>();
    return Point{step, loss, grad, slope};
  };
  const Point start{0, f, g, gtd};
  const auto too_high = [&](const Point& p) { return p.f > f + kDecrease * p.t * gtd; };
  const auto flat_enough = [&](const Point& p) { return std::abs(p.gtd) <= -kCurvature * gtd; };

  // Bracketing: grow the step until it overshoots (the loss rises or the slope turns) or the
  // strong Wolfe conditions hold.
  Point previous = start, current = evaluate(t);
  std::vector<Point> bracket;
  bool done = false;
  while (evaluations < max_evaluations) {
    if (too_high(current) || (evaluations > 1 && current.f >= previous.f)) {
      bracket = {previous, current};
      break;
    }
    if (flat_enough(current)) {
      bracket = {current};
      done = true;
      break;
    }
    if (current.gtd >= 0) {  // past the minimum along the line
      bracket = {previous, current};
      break;
    }
    const double next = cubic_minimum(previous, current, current.t + 0.01 * (current.t - previous.t), current.t * 10);
    previous = current;
    current = evaluate(next);
  }
  if (bracket.empty()) bracket = {start, current};

  // Zoom: shrink the bracket around a point that satisfies both conditions. `low` holds the lower
  // loss of the two ends.
  bool insufficient_progress = false;
  while (!done && evaluations < max_evaluations) {
    size_t low = bracket[0].f <= bracket[1].f ? 0 : 1, high = 1 - low;
    const double left = std::min(bracket[0].t, bracket[1].t), right = std::max(bracket[0].t, bracket[1].t);
    if ((right - left) * direction_size < tolerance_change) break;
    double next = cubic_minimum(bracket[0], bracket[1], left, right);
    // A step too close to an end makes little progress; twice running, it moves a tenth inside.
    const double margin = 0.1 * (right - left);
    if (std::min(right - next, next - left) < margin) {
      if (insufficient_progress || next >= right || next <= left) {
        next = std::abs(next - right) < std::abs(next - left) ? right - margin : left + margin;
        insufficient_progress = false;
      } else {
        insufficient_progress = true;
      }
    } else {
      insufficient_progress = false;
    }
    const Point p = evaluate(next);
    if (too_high(p) || p.f >= bracket[low].f) {
      bracket[high] = p;
    } else {
      if (flat_enough(p)) {
        done = true;
      } else if (p.gtd * (bracket[high].t - bracket[low].t) >= 0) {
        bracket[high] = bracket[low];
      }
      bracket[low] = p;
    }
  }
  const Point& best = bracket.size() == 1 || bracket[0].f <= bracket[1].f ? bracket[0] : bracket[1];
  return {best.f, best.g, best.t, evaluations};
}

}  // namespace ember::optim
