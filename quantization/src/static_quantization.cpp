#include "ember/quantization/static_quantization.h"

#include <fmt/format.h>

#include "ember/core/quantizer.h"
#include "ember/ember.h"
#include "ember/nn/modules/activation.h"

namespace ember::quantization {
namespace {

bool supported(const nn::UnaryModule& layer) {
  return dynamic_cast<const nn::Linear*>(&layer) || dynamic_cast<const nn::ReLU*>(&layer);
}

const MinMaxObserver& observer_at(const nn::Sequential& prepared, size_t i) {
  const auto* observer = dynamic_cast<const MinMaxObserver*>(prepared[i].get());
  EMBER_CHECK(observer != nullptr, "[convert] layer {}: expected an observer, got {}; convert takes what prepare made",
              i, prepared[i]->type_name());
  return *observer;
}

}  // namespace

Quantize::Quantize(double scale_, int64_t zero_point_) : UnaryModule("Quantize"), scale(scale_), zero_point(zero_point_) {}

Tensor Quantize::forward(const Tensor& input) { return quantize_per_tensor(input, scale, zero_point, DType::QUInt8); }

Tensor DeQuantize::forward(const Tensor& input) { return dequantize(input); }

std::string Quantize::extra_repr() const {
  return fmt::format("scale={}, zero_point={}, dtype=quint8", scale, zero_point);
}

QuantizedLinear::QuantizedLinear(const nn::Linear& linear, double output_scale_, int64_t output_zero_point_)
    : Int8Linear("QuantizedLinear", linear), output_scale(output_scale_), output_zero_point(output_zero_point_) {}

Tensor QuantizedLinear::forward(const Tensor& input) {
  EMBER_CHECK(input.dtype() == DType::QUInt8 && input.dim() == 2 && input.size(1) == weight.size(1),
              "[QuantizedLinear] input: expected a quint8 [batch, {}] tensor, got {} of shape {}", weight.size(1),
              dtype_name(input.dtype()), shape_str(input.sizes()));
  const Quantizer& quantizer = *input.impl()->quantizer();
  EMBER_CHECK(quantizer.scheme == Quantizer::Scheme::PerTensorAffine,
              "[QuantizedLinear] input: expected per-tensor quantization");
  const Tensor y = product(integers_of(input), quantizer.zero_point(), quantizer.scale());
  return quantize_per_tensor(y, output_scale, output_zero_point, DType::QUInt8);
}

std::string QuantizedLinear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, scale={}, zero_point={}", weight.size(1), weight.size(0),
                     output_scale, output_zero_point);
}

std::shared_ptr<nn::Sequential> prepare(const nn::Sequential& model, ObserverOptions activations) {
  auto prepared = std::make_shared<nn::Sequential>();
  prepared->push_back(std::make_shared<MinMaxObserver>(activations));
  for (size_t i = 0; i < model.size(); ++i) {
    EMBER_CHECK(supported(*model[i]), "[prepare] layer {}: {} layers cannot be quantized statically yet (Linear, ReLU)",
                i, model[i]->type_name());
    prepared->push_back(model[i]);
    prepared->push_back(std::make_shared<MinMaxObserver>(activations));
  }
  prepared->eval();
  return prepared;
}

std::shared_ptr<nn::Sequential> convert(const nn::Sequential& prepared) {
  EMBER_CHECK(prepared.size() % 2 == 1, "[convert] expected a model made by prepare, got {} layers", prepared.size());
  auto quantized = std::make_shared<nn::Sequential>();
  const auto [scale, zero_point] = observer_at(prepared, 0).qparams();
  quantized->push_back(std::make_shared<Quantize>(scale, zero_point));
  for (size_t i = 1; i < prepared.size(); i += 2) {
    const std::shared_ptr<nn::UnaryModule>& layer = prepared[i];
    if (const auto* linear = dynamic_cast<const nn::Linear*>(layer.get())) {
      const auto [out_scale, out_zero_point] = observer_at(prepared, i + 1).qparams();
      quantized->push_back(std::make_shared<QuantizedLinear>(*linear, out_scale, out_zero_point));
    } else {
      quantized->push_back(layer);  // ReLU: max(q, zero_point) keeps its input's parameters
    }
  }
  quantized->push_back(std::make_shared<DeQuantize>());
  quantized->eval();
  return quantized;
}

}  // namespace ember::quantization
