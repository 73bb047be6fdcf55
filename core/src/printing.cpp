// Tensor printing in PyTorch's layout: tensor([[1., 2.], [3., 4.]], dtype=float64).
//
// Note [Printing like PyTorch]
// As torch._tensor_str does: one format serves the whole tensor, chosen from the values that are
// printed (the edges of a summarised tensor). Floats whose finite non-zero values are all whole
// print as "3."; the rest with four decimals, or in scientific notation when those values span
// more than a factor of 1000, exceed 1e8, or (not whole) fall below 1e-4. Every element is
// right-aligned to the widest, and rows wrap at 80 columns.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/core/host_copy.h"
#include "ember/core/quantizer.h"
#include "ember/core/tensor.h"

namespace ember {
namespace {

constexpr int64_t kEdgeItems = 3;     // elements shown at each end of a long dimension
constexpr int64_t kSummarize = 1000;  // tensors larger than this print summarised
constexpr size_t kLineWidth = 80;

// The format shared by every element of one tensor.
class ElementFormat {
 public:
  explicit ElementFormat(bool floating) : floating_(floating) {}

  // Called with every value that will be printed, before any is formatted.
  void observe(const Scalar& v) {
    if (!floating_) {
      width_ = std::max(width_, plain(v).size());
    } else if (const double x = v.to_double(); std::isfinite(x) && x != 0) {
      finite_nonzero_.push_back(x);
    }
  }

  void finish() {
    if (finite_nonzero_.empty()) return;
    double lowest = INFINITY, highest = 0;
    for (double x : finite_nonzero_) {
      lowest = std::min(lowest, std::abs(x));
      highest = std::max(highest, std::abs(x));
      whole_ = whole_ && x == std::ceil(x);
    }
    scientific_ = highest / lowest > 1000.0 || highest > 1e8 || (!whole_ && lowest < 1e-4);
    for (double x : finite_nonzero_) width_ = std::max(width_, unpadded(x).size());
  }

  size_t width() const { return width_; }

  std::string format(const Scalar& v) const {
    const std::string text = floating_ ? unpadded(v.to_double()) : plain(v);
    return std::string(width_ > text.size() ? width_ - text.size() : 0, ' ') + text;
  }

 private:
  static std::string plain(const Scalar& v) {
    if (v.is_bool()) return v.to_bool() ? "True" : "False";
    return std::to_string(v.to_int());
  }

  std::string unpadded(double x) const {
    if (scientific_) return fmt::format("{:.4e}", x);
    if (whole_) return fmt::format("{:.0f}", x) + (std::isfinite(x) ? "." : "");
    return fmt::format("{:.4f}", x);
  }

  const bool floating_;
  std::vector<double> finite_nonzero_;
  bool whole_ = true;
  bool scientific_ = false;
  size_t width_ = 1;
};

class Printer {
 public:
  explicit Printer(const Tensor& t)
      : t_(t), format_(is_floating(t.dtype()) || t.impl()->quantizer() != nullptr) {
    const size_t item = itemsize(t.dtype());
    bytes_.resize(t.impl()->storage()->nbytes());
    if (!bytes_.empty()) read_to_host(t.impl()->storage(), 0, bytes_.size(), bytes_.data());
    item_ = item;
    summarize_ = t.numel() > kSummarize;
  }

  std::string run() {
    std::string out = "tensor(";
    if (t_.numel() == 0) {
      out += "[]";
    } else if (t_.dim() == 0) {
      format_.observe(value(t_.storage_offset()));
      format_.finish();
      out += format_.format(value(t_.storage_offset()));
    } else {
      visit(0, t_.storage_offset(), [&](int64_t element) { format_.observe(value(element)); });
      format_.finish();
      out += print_dim(0, t_.storage_offset(), 7);
    }
    if (t_.device().backend_name() != "cpu") out += fmt::format(", device='{}'", t_.device().str());
    if (t_.numel() == 0 && t_.dim() != 1) out += fmt::format(", size=({})", fmt::join(t_.sizes(), ", "));
    const DType d = t_.dtype();
    if (d != DType::Float32 && d != DType::Int64 && d != DType::Bool) {
      out += fmt::format(", dtype={}", dtype_name(d));
    }
    if (quantizer_) out += ", " + quantizer_->str();
    return out + ")";
  }

 private:
  // The positions printed along dimension `d`: all of them, or the edges of a summarised one.
  std::vector<int64_t> shown(int64_t d) const {
    const int64_t n = t_.sizes()[d];
    std::vector<int64_t> indices;
    for (int64_t i = 0; i < n; ++i) {
      if (summarize_ && n > 2 * kEdgeItems && i == kEdgeItems) i = n - kEdgeItems;
      indices.push_back(i);
    }
    return indices;
  }
  bool elided(int64_t d) const { return summarize_ && t_.sizes()[d] > 2 * kEdgeItems; }

  // The element at position i of dimension d below `offset`; tracks the quantizer's channel.
  int64_t step_into(int64_t d, int64_t offset, int64_t i) {
    if (quantizer_ && d == quantizer_->axis) channel_ = i;
    return offset + i * t_.strides()[d];
  }

  // Calls f(element) for every printed element, in order.
  template <typename F>
  void visit(int64_t d, int64_t offset, const F& f) {
    for (int64_t i : shown(d)) {
      const int64_t element = step_into(d, offset, i);
      if (d + 1 == t_.dim()) {
        f(element);
      } else {
        visit(d + 1, element, f);
      }
    }
  }

  std::string print_dim(int64_t d, int64_t offset, size_t indent) {
    std::vector<std::string> parts;
    for (int64_t i : shown(d)) {
      if (elided(d) && i == t_.sizes()[d] - kEdgeItems) parts.push_back(d + 1 == t_.dim() ? " ..." : "...");
      const int64_t element = step_into(d, offset, i);
      parts.push_back(d + 1 == t_.dim() ? format_.format(value(element)) : print_dim(d + 1, element, indent + 1));
    }
    if (d + 1 < t_.dim()) {
      const std::string separator = "," + std::string(t_.dim() - d - 1, '\n') + std::string(indent + 1, ' ');
      return "[" + fmt::format("{}", fmt::join(parts, separator)) + "]";
    }
    // The innermost dimension wraps: as many elements per line as fit in the line width.
    const size_t per_line = std::max<size_t>(1, (kLineWidth - std::min(indent, kLineWidth)) / (format_.width() + 2));
    std::string out = "[";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += i % per_line == 0 ? ",\n" + std::string(indent + 1, ' ') : ", ";
      out += parts[i];
    }
    return out + "]";
  }

  // The element's value; a quantized one's real value, as PyTorch shows.
  Scalar value(int64_t element) const {
    const Scalar v = scalar_from_bytes(t_.dtype(), bytes_.data() + element * item_);
    return quantizer_ ? Scalar(quantizer_->dequantize(v.to_int(), channel_)) : v;
  }

  const Tensor& t_;
  const std::shared_ptr<const Quantizer>& quantizer_ = t_.impl()->quantizer();
  ElementFormat format_;
  int64_t channel_ = 0;  // the index along the quantizer's axis of the element being printed
  std::vector<unsigned char> bytes_;
  size_t item_ = 1;
  bool summarize_ = false;
};

}  // namespace

std::string Tensor::str() const {
  if (!defined()) return "tensor(undefined)";
  return Printer(*this).run();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace ember
