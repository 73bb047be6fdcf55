// The samplers that draw each element from its own Philox counter, as many rounds as the element
// needs (plugins_sdk poisson_draw.h and gamma_draw.h), and the operators they register under: one
// list for the CPU and GPU backends.
#pragma once

#include <cstdint>

#include "ember/gamma_draw.h"
#include "ember/host_device.h"
#include "ember/poisson_draw.h"
#include "kernel_families.h"

namespace ember::backends {

enum class Sampler { Poisson, Gamma };
inline constexpr Member<Sampler> kSamplerOps[] = {{"_poisson_counts", Sampler::Poisson}, {"_standard_gamma", Sampler::Gamma}};

// The draw for parameter x (a rate, a shape) of the element at `counter`, in double.
EMBER_HOST_DEVICE inline double sample(Sampler sampler, double x, uint64_t seed, uint64_t counter) {
  return sampler == Sampler::Poisson ? sdk::poisson_draw(x, seed, counter) : sdk::gamma_draw(x, seed, counter);
}

// The least value a sampler writes in `dtype`: gamma draws rise to the dtype's smallest normal
// value (Note [Gamma draws]); counts are never below 0 anyway.
inline double sample_floor(Sampler sampler, int32_t dtype) {
  return sampler == Sampler::Gamma ? sdk::smallest_normal(dtype) : 0;
}

}  // namespace ember::backends
