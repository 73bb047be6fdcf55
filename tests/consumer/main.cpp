// Built against the installed Ember: one operator through the runtime-loaded CPU backend.
#include <cstdio>

#include "ember/ember.h"

int main() {
  const ember::Tensor x = ember::tensor({1.f, 2.f, 3.f});
  const float total = (x * x).sum().item<float>();
  std::printf("consumer: sum of squares = %g\n", total);
  return total == 14.f ? 0 : 1;
}
