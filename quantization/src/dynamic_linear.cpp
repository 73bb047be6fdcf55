#include "ember/quantization/dynamic_linear.h"

#include <fmt/format.h>

#include "ember/ember.h"

namespace ember::quantization {

Tensor DynamicLinear::forward(const Tensor& input) {
  const DynamicInput x = quantize_dynamic_input(type_name(), input, weight.size(1));
  DimVector shape(input.sizes());
  shape[shape.size() - 1] = weight.size(0);
  return product(x.integers, x.qparams, std::nullopt).reshape(shape);
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
