// The samplers that draw each element from its own Philox counter, as many rounds as the element
// needs (plugins_sdk poisson_draw.h, gamma_draw.h, binomial_draw.h), and the operators they
// register under: one list for the CPU and GPU backends.
#pragma once

#include <cstdint>

#include "ember/binomial_draw.h"
#include "ember/gamma_draw.h"
#include "ember/host_device.h"
#include "ember/poisson_draw.h"
#include "kernel_families.h"

namespace ember::backends {

enum class Sampler { Poisson, Gamma, Binomial };
inline constexpr Member<Sampler> kSamplerOps[] = {
    {"_poisson_counts", Sampler::Poisson}, {"_standard_gamma", Sampler::Gamma}, {"binomial", Sampler::Binomial}};

// How many tensors of parameters a sampler takes, elementwise: a rate, a shape, or trials and a
// probability.
constexpr int kMaxSamplerInputs = 2;
constexpr int sampler_inputs(Sampler sampler) { return sampler == Sampler::Binomial ? 2 : 1; }

// The draw for the parameters x of the element at `counter`, in double.
EMBER_HOST_DEVICE inline double sample(Sampler sampler, const double (&x)[kMaxSamplerInputs], uint64_t seed,
                                       uint64_t counter) {
  switch (sampler) {
    case Sampler::Poisson: return sdk::poisson_draw(x[0], seed, counter);
    case Sampler::Gamma: return sdk::gamma_draw(x[0], seed, counter);
    default: return sdk::binomial_draw(x[0], x[1], seed, counter);
  }
}

// One sampling call as every backend's kernel reads it: calls draw(sampler, ops, seed, offset)
// with ops the output and the sampler's parameter tensors, an array of 1 + sampler_inputs.
template <typename F>
void with_sampling_call(const sdk::KernelArgs& args, void* user_data, F&& draw) {
  const auto sampler = untag<Sampler>(user_data);
  const int n = sampler_inputs(sampler);
  const auto seed = static_cast<uint64_t>(args.to_int(n)), offset = static_cast<uint64_t>(args.to_int(n + 1));
  if (n == 2) {
    const sdk::TensorView ops[3] = {args.output(), args.tensor(0), args.tensor(1)};
    return draw(sampler, ops, seed, offset);
  }
  const sdk::TensorView ops[2] = {args.output(), args.tensor(0)};
  draw(sampler, ops, seed, offset);
}

// The least value a sampler writes in `dtype`: gamma draws rise to the dtype's smallest normal
// value (Note [Gamma draws]); counts are never below 0 anyway.
inline double sample_floor(Sampler sampler, int32_t dtype) {
  return sampler == Sampler::Gamma ? sdk::smallest_normal(dtype) : 0;
}

}  // namespace ember::backends
