// Tensor printing in PyTorch's layout: tensor([[1., 2.], [3., 4.]], dtype=float64).
#include <fmt/format.h>

#include <vector>

#include "ember/core/host_copy.h"
#include "ember/core/quantizer.h"
#include "ember/core/tensor.h"

namespace ember {
namespace {

constexpr int64_t kEdgeItems = 3;     // elements shown at each end of a long dimension
constexpr int64_t kSummarize = 1000;  // tensors larger than this print summarised

class Printer {
 public:
  explicit Printer(const Tensor& t) : t_(t) {
    const size_t item = itemsize(t.dtype());
    bytes_.resize(t.impl()->storage()->nbytes());
    if (!bytes_.empty()) read_to_host(t.impl()->storage(), 0, bytes_.size(), bytes_.data());
    item_ = item;
    summarize_ = t.numel() > kSummarize;
  }

  std::string run() {
    std::string out = "tensor(";
    if (t_.dim() == 0) {
      out += format_element(t_.storage_offset());
    } else {
      print_dim(out, 0, t_.storage_offset(), 7);
    }
    const DType d = t_.dtype();
    if (d != DType::Float32 && d != DType::Int64 && d != DType::Bool) {
      out += fmt::format(", dtype={}", dtype_name(d));
    }
    if (quantizer_) out += ", " + quantizer_->str();
    if (t_.device().backend_name() != "cpu") out += fmt::format(", device='{}'", t_.device().str());
    return out + ")";
  }

 private:
  void print_dim(std::string& out, int64_t d, int64_t offset, size_t indent) {
    out += "[";
    const int64_t n = t_.sizes()[d];
    for (int64_t i = 0; i < n; ++i) {
      if (summarize_ && n > 2 * kEdgeItems && i == kEdgeItems) {
        out += "...";
        i = n - kEdgeItems - 1;
        out += d + 1 == t_.dim() ? ", " : ",\n" + std::string(indent + 1, ' ');
        continue;
      }
      const int64_t element = offset + i * t_.strides()[d];
      if (quantizer_ && d == quantizer_->axis) channel_ = i;
      if (d + 1 == t_.dim()) {
        out += format_element(element);
      } else {
        print_dim(out, d + 1, element, indent + 1);
      }
      if (i + 1 < n) {
        out += d + 1 == t_.dim() ? ", " : "," + std::string(t_.dim() - d - 1, '\n') +
                                              std::string(indent + 1, ' ');
      }
    }
    out += "]";
  }

  std::string format_element(int64_t element) {
    Scalar v = scalar_from_bytes(t_.dtype(), bytes_.data() + element * item_);
    if (quantizer_) v = Scalar(quantizer_->dequantize(v.to_int(), channel_));  // the real value, as PyTorch shows
    if (v.is_bool()) return v.to_bool() ? "True" : "False";
    if (v.is_integral()) return std::to_string(v.to_int());
    const double x = v.to_double();
    if (x == static_cast<double>(static_cast<int64_t>(x)) && std::abs(x) < 1e15) {
      return fmt::format("{}.", static_cast<int64_t>(x));
    }
    return fmt::format("{:.4f}", x);
  }

  const Tensor& t_;
  const std::shared_ptr<const Quantizer>& quantizer_ = t_.impl()->quantizer();
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
