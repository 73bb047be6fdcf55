#include "ember/quantization/static_quantization.h"

#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"
#include "ember/nn/modules/activation.h"
#include "ember/nn/modules/dropout.h"
#include "ember/nn/modules/flatten.h"
#include "ember/nn/modules/pooling.h"

namespace ember::quantization {
namespace {

template <typename... Layers>
bool is_one_of(const nn::UnaryModule& layer) {
  return (dynamic_cast<const Layers*>(&layer) || ...);
}

bool supported(const nn::UnaryModule& layer) {
  return is_one_of<nn::Linear, nn::Conv2d, nn::ReLU, nn::MaxPool2d, nn::Flatten, nn::Dropout>(layer);
}

const MinMaxObserver& observer_at(const nn::Sequential& prepared, size_t i) {
  const auto* observer = i < prepared.size() ? dynamic_cast<const MinMaxObserver*>(prepared[i].get()) : nullptr;
  EMBER_CHECK(observer != nullptr, "[convert] layer {}: expected an observer, got {}; convert takes what prepare made",
              i, i < prepared.size() ? prepared[i]->type_name() : std::string("the end of the model"));
  return *observer;
}

QParams observed(const nn::Sequential& prepared, size_t i) { return observer_at(prepared, i).qparams(); }

}  // namespace

std::shared_ptr<nn::Conv2d> fold_batch_norm(const nn::Conv2d& conv, const nn::BatchNorm2d& batch_norm) {
  const int64_t channels = conv.weight.size(0);
  EMBER_CHECK(batch_norm.running_mean.defined() && batch_norm.running_mean.size(0) == channels,
              "[fold_batch_norm] batch_norm: expected running statistics for {} channels (the conv's outputs)",
              channels);
  autograd::NoGradGuard no_grad;
  const Tensor inverse_std = rsqrt(batch_norm.running_var.detach() + batch_norm.options.eps);
  const Tensor gamma = batch_norm.weight.defined() ? batch_norm.weight.detach() : ones({channels});
  const Tensor beta = batch_norm.bias.defined() ? batch_norm.bias.detach() : zeros({channels});
  const Tensor factor = gamma * inverse_std;
  const Tensor bias = conv.bias.defined() ? conv.bias.detach() : zeros({channels});

  auto folded = std::make_shared<nn::Conv2d>(conv.weight.size(1) * conv.options.groups, channels,
                                             nn::functional::Pair{conv.weight.size(2), conv.weight.size(3)},
                                             conv.options, /*bias=*/true);
  folded->to(conv.weight.device());
  folded->weight.copy_(conv.weight.detach() * factor.reshape({channels, 1, 1, 1}));
  folded->bias.copy_((bias - batch_norm.running_mean.detach()) * factor + beta);
  return folded;
}

std::shared_ptr<nn::Sequential> prepare(const nn::Sequential& model, ObserverOptions activations) {
  auto prepared = std::make_shared<nn::Sequential>();
  prepared->push_back(std::make_shared<MinMaxObserver>(activations));
  for (size_t i = 0; i < model.size(); ++i) {
    std::shared_ptr<nn::UnaryModule> layer = model[i];
    const auto* conv = dynamic_cast<const nn::Conv2d*>(layer.get());
    const auto* batch_norm = i + 1 < model.size() ? dynamic_cast<const nn::BatchNorm2d*>(model[i + 1].get()) : nullptr;
    if (conv && batch_norm) {
      layer = fold_batch_norm(*conv, *batch_norm);
      ++i;
    }
    EMBER_CHECK(supported(*layer),
                "[prepare] layer {}: {} layers cannot be quantized statically (Linear, Conv2d with an optional "
                "BatchNorm2d after it, ReLU, MaxPool2d, Flatten, Dropout)", i, layer->type_name());
    prepared->push_back(layer);
    prepared->push_back(std::make_shared<MinMaxObserver>(activations));
  }
  prepared->eval();
  return prepared;
}

std::shared_ptr<nn::Sequential> convert(const nn::Sequential& prepared) {
  EMBER_CHECK(prepared.size() % 2 == 1, "[convert] expected a model made by prepare, got {} layers", prepared.size());
  auto quantized = std::make_shared<nn::Sequential>();
  quantized->push_back(std::make_shared<Quantize>(observed(prepared, 0)));
  for (size_t i = 1; i < prepared.size(); i += 2) {
    const std::shared_ptr<nn::UnaryModule>& layer = prepared[i];
    if (!is_one_of<nn::Linear, nn::Conv2d>(*layer)) {
      quantized->push_back(layer);  // keeps its input's quantization parameters
      continue;
    }
    // A ReLU after the layer: its observer's range starts at 0, so the zero point is 0 and
    // quantizing the layer's output saturates negative values to 0, which is the ReLU.
    QuantizedOutput output{observed(prepared, i + 1)};
    if (i + 2 < prepared.size() && dynamic_cast<const nn::ReLU*>(prepared[i + 2].get())) {
      output = {observed(prepared, i + 3), true};
      EMBER_CHECK(output.qparams.zero_point == 0, "[convert] layer {}: expected zero point 0 after a ReLU, got {}",
                  i + 2, output.qparams.zero_point);
      i += 2;
    }
    if (const auto* linear = dynamic_cast<const nn::Linear*>(layer.get())) {
      quantized->push_back(std::make_shared<QuantizedLinear>(*linear, output));
    } else {
      quantized->push_back(std::make_shared<QuantizedConv2d>(dynamic_cast<const nn::Conv2d&>(*layer), output));
    }
  }
  quantized->push_back(std::make_shared<DeQuantize>());
  quantized->eval();
  return quantized;
}

}  // namespace ember::quantization
