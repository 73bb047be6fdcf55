// Built against the installed Ember: an operator through the runtime-loaded CPU backend, and a
// Linear layer trained one step and round-tripped through safetensors.
#include <cstdio>
#include <filesystem>

#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/nn/safetensors.h"
#include "ember/optim/sgd.h"

int main() {
  using namespace ember;
  const Tensor x = tensor({1.f, 2.f, 3.f});
  const float total = (x * x).sum().item<float>();
  std::printf("consumer: sum of squares = %g\n", total);

  nn::Linear layer(3, 1);
  optim::SGD sgd(layer.parameters(), {.lr = 0.1});
  const Tensor loss = nn::functional::mse_loss(layer(x.reshape({1, 3})), ones({1, 1}));
  loss.backward();
  sgd.step();
  const std::string path = (std::filesystem::temp_directory_path() / "ember_consumer.safetensors").string();
  nn::save(layer, path);
  nn::Linear copy(3, 1);
  nn::load(copy, path);
  const bool same = to_vector<float>(copy.weight) == to_vector<float>(layer.weight);
  std::printf("consumer: trained layer saved and reloaded %s\n", same ? "intact" : "CHANGED");
  return total == 14.f && same ? 0 : 1;
}
