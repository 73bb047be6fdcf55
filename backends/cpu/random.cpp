// uniform_, normal_ and random_ (ember/random_draws.h), and Poisson, gamma and binomial draws (samplers.h)
// from the SDK's counter-based generator: results depend on the seed and the draw order only,
// never on threads or devices.
#include <algorithm>
#include <type_traits>

#include "ember/random_draws.h"
#include "gamma_tile.h"
#include "kernels.h"
#include "normal_tile.h"
#include "parallel.h"
#include "philox_tile.h"
#include "samplers.h"

namespace ember::cpu {
namespace {

using sdk::Distribution;
using sdk::KernelArgs;
using sdk::TensorView;

// Normal draws in float take the vector Box-Muller where the processor has it.
template <typename V>
bool vector_normals(const sdk::RandomFill& draws, const uint32_t (&words)[4][kPhiloxTile], int64_t count,
                    V (&values)[2 * kPhiloxTile]) {
  if constexpr (std::is_same_v<V, float>) {
    if (draws.dist == Distribution::Normal) {
      return normal_tile(words, count, static_cast<float>(draws.a), static_cast<float>(draws.b), values);
    }
  }
  return false;
}

template <typename T>
void fill(const TensorView& out, const sdk::RandomFill& draws) {
  using C = sdk::compute_t<T>;
  using V = std::conditional_t<std::is_floating_point_v<C>, C, int64_t>;
  if constexpr (!std::is_floating_point_v<C>) {
    sdk::check(draws.dist == Distribution::Integers, "uniform_ and normal_ need a floating-point tensor");
  }
  V top{};
  if constexpr (std::is_floating_point_v<V>) top = static_cast<V>(draws.uniform_top(out.dtype()));
  const TensorView ops[1] = {out};
  const sdk::StridedLoop<1> loop(ops);
  const int64_t n = out.numel(), blocks = n / 2 + n % 2;
  // Tiles of blocks: the generator fills their words in bulk, then the values go out through the
  // strided loop, which a tile's size amortises.
  parallel_for(blocks, kParallelGrain / 2, [&](int64_t begin, int64_t end) {
    for (int64_t tile = begin; tile < end; tile += kPhiloxTile) {
      const int64_t tile_blocks = std::min(kPhiloxTile, end - tile);
      uint32_t words[4][kPhiloxTile];
      philox_tile(draws.seed, draws.offset + static_cast<uint64_t>(tile), tile_blocks, words);
      V values[2 * kPhiloxTile];
      if (!vector_normals(draws, words, tile_blocks, values)) {
        for (int64_t j = 0; j < tile_blocks; ++j) {
          const uint32_t block[4] = {words[0][j], words[1][j], words[2][j], words[3][j]};
          V pair[2];
          draws.values(block, top, pair);
          values[2 * j] = pair[0];
          values[2 * j + 1] = pair[1];
        }
      }
      const V* next = values;
      loop.run(2 * tile, std::min(2 * (tile + tile_blocks), n), [&](char** p, const int64_t* s, int64_t count) {
        for (int64_t i = 0; i < count; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = static_cast<T>(static_cast<C>(*next++));
      });
    }
  });
}

void random_kernel(const KernelArgs& args, void* user_data) {
  const sdk::RandomFill draws(args, untag<Distribution>(user_data));
  const TensorView out = args.output();
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) { fill<decltype(zero)>(out, draws); });
}

// The draws for `count` consecutive counters from `first`, element j's parameters in params[k][j]:
// the gamma sampler forms its first round in bulk (gamma_tile.h), the others go element by element.
void sample_tile(Sampler sampler, const double (&params)[kMaxSamplerInputs][kPhiloxTile], int64_t count, uint64_t seed,
                 uint64_t first, double* draws) {
  if (sampler == Sampler::Gamma) return gamma_tile(seed, first, count, params[0], draws);
  for (int64_t j = 0; j < count; ++j) {
    const double x[kMaxSamplerInputs] = {params[0][j], params[1][j]};
    draws[j] = sample(sampler, x, seed, first + static_cast<uint64_t>(j));
  }
}

// A sampler's draws into ops[0] from its parameter tensors ops[1 .. M - 1]: element i from
// counter offset + i, computed in double.
template <int M>
void draw_samples(Sampler sampler, const TensorView (&ops)[M], uint64_t seed, uint64_t offset) {
  constexpr int N = M - 1;
  const double floor = sample_floor(sampler, ops[0].dtype());
  sdk::dispatch_dtype(ops[0].dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = sdk::compute_t<T>;
    if constexpr (std::is_floating_point_v<C>) {
      const sdk::StridedLoop<M> loop(ops);
      parallel_for(loop.numel(), kParallelGrain / 16, [&](int64_t begin, int64_t end) {
        auto counter = offset + static_cast<uint64_t>(begin);
        loop.run(begin, end, [&](char** p, const int64_t* s, int64_t count) {
          for (int64_t start = 0; start < count; start += kPhiloxTile) {
            const int64_t n = std::min(kPhiloxTile, count - start);
            double params[kMaxSamplerInputs][kPhiloxTile], draws[kPhiloxTile];
            for (int k = 0; k < kMaxSamplerInputs; ++k) {
              for (int64_t j = 0; j < n; ++j) {
                params[k][j] = k < N ? static_cast<C>(*reinterpret_cast<const T*>(p[k + 1] + (start + j) * s[k + 1])) : 0;
              }
            }
            sample_tile(sampler, params, n, seed, counter, draws);
            for (int64_t j = 0; j < n; ++j) {
              *reinterpret_cast<T*>(p[0] + (start + j) * s[0]) = static_cast<T>(static_cast<C>(draws[j] < floor ? floor : draws[j]));
            }
            counter += static_cast<uint64_t>(n);
          }
        });
      });
    }
  });
}

// _poisson_counts, _standard_gamma and binomial (samplers.h).
void sampling_kernel(const KernelArgs& args, void* user_data) {
  with_sampling_call(args, user_data, [](Sampler sampler, const auto& ops, uint64_t seed, uint64_t offset) {
    draw_samples(sampler, ops, seed, offset);
  });
}

}  // namespace

void register_random_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  sdk::register_kernel(host, "uniform_", &guarded_kernel<&random_kernel>, tag(Distribution::Uniform));
  sdk::register_kernel(host, "normal_", &guarded_kernel<&random_kernel>, tag(Distribution::Normal));
  sdk::register_kernel(host, "random_.from", &guarded_kernel<&random_kernel>, tag(Distribution::Integers));
  for (const auto& [name, sampler] : kSamplerOps) {
    sdk::register_kernel(host, name, &guarded_kernel<&sampling_kernel>, tag(sampler));
  }
}

}  // namespace ember::cpu
