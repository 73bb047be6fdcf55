#include "ember/quantization/dynamic_linear.h"

#include <fmt/format.h>

#include "ember/core/quantizer.h"
#include "ember/ember.h"
#include "ember/quantization/observer.h"

namespace ember::quantization {

Tensor DynamicLinear::forward(const Tensor& input) {
  const int64_t in_features = weight.size(1), out_features = weight.size(0);
  EMBER_CHECK(input.dim() >= 1 && input.size(-1) == in_features,
              "[DynamicQuantizedLinear] input: expected a last dimension of {} (in_features), got shape {}", in_features,
              shape_str(input.sizes()));
  const Tensor x = input.reshape({input.numel() / in_features, in_features}).to(DType::Float32);
  // Seven bits, as PyTorch's dynamic Linear (reduce_range): exact int8 products on any CPU.
  const QParams input_qparams = range_qparams(amin(x).item<double>(), amax(x).item<double>(), {.reduce_range = true});
  const Tensor q = quantize_per_tensor(x, input_qparams.scale, input_qparams.zero_point, DType::QUInt8);
  const Tensor y = product(integers_of(q), input_qparams, std::nullopt);
  DimVector shape(input.sizes());
  shape[shape.size() - 1] = out_features;
  return y.reshape(shape);
}

std::string DynamicLinear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, dtype=qint8, qscheme=per_channel_affine", weight.size(1),
                     weight.size(0));
}

int quantize_dynamic(nn::Sequential& model) {
  int replaced = 0;
  for (size_t i = 0; i < model.size(); ++i) {
    nn::UnaryModule* child = model[i].get();
    if (const auto* linear = dynamic_cast<const nn::Linear*>(child)) {
      model.replace(i, std::make_shared<DynamicLinear>(*linear));
      ++replaced;
    } else if (auto* nested = dynamic_cast<nn::Sequential*>(child)) {
      replaced += quantize_dynamic(*nested);
    }
  }
  return replaced;
}

}  // namespace ember::quantization
