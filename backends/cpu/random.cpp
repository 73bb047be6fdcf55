// uniform_, normal_ and random_ from a counter-based generator (Philox 4x32-10): element i of
// a call draws from counter offset + i under the call's seed, so results depend on the seed and
// the draw order only, never on threads or devices.
#include <cmath>

#include "kernels.h"
#include "parallel.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

struct Philox {
  uint32_t out[4];
  Philox(uint64_t seed, uint64_t counter) {
    uint32_t c[4] = {static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0, 0};
    uint32_t k[2] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
    for (int round = 0; round < 10; ++round) {
      const uint64_t p0 = uint64_t{0xD2511F53} * c[0];
      const uint64_t p1 = uint64_t{0xCD9E8D57} * c[2];
      const uint32_t next[4] = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<uint32_t>(p1),
                                static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<uint32_t>(p0)};
      for (int i = 0; i < 4; ++i) c[i] = next[i];
      k[0] += 0x9E3779B9;
      k[1] += 0xBB67AE85;
    }
    for (int i = 0; i < 4; ++i) out[i] = c[i];
  }
  // A double in [0, 1) from two words.
  double uniform(int i) const {
    const uint64_t bits = (uint64_t{out[i]} << 21) ^ (out[i + 1] >> 11);
    return static_cast<double>(bits & ((uint64_t{1} << 53) - 1)) * 0x1.0p-53;
  }
};

enum class Distribution { Uniform, Normal, Integers };

void random_kernel(const KernelArgs& args, void* user_data) {
  const Distribution dist = untag<Distribution>(user_data);
  const TensorView out = args.output();
  const double a = args.to_double(1), b = args.to_double(2);
  const uint64_t seed = static_cast<uint64_t>(args.to_int(3));
  const uint64_t offset = static_cast<uint64_t>(args.to_int(4));
  const int64_t n = out.numel();
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = sdk::compute_t<T>;
    if (dist != Distribution::Integers && !std::is_floating_point_v<C>) {
      sdk::check(false, "uniform_ and normal_ need a floating-point tensor");
    }
    const TensorView ops[1] = {out};
    const sdk::StridedLoop<1> loop(ops);
    parallel_for(n, kParallelGrain, [&](int64_t begin, int64_t end) {
      int64_t linear = begin;
      loop.run(begin, end, [&](char** p, const int64_t* s, int64_t count) {
        for (int64_t i = 0; i < count; ++i, ++linear) {
          const Philox r(seed, offset + static_cast<uint64_t>(linear));
          double value;
          if (dist == Distribution::Uniform) {
            value = a + (b - a) * r.uniform(0);
          } else if (dist == Distribution::Normal) {
            const double u1 = 1.0 - r.uniform(0), u2 = r.uniform(2);  // u1 in (0, 1]
            value = a + b * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
          } else {
            const uint64_t range = static_cast<uint64_t>(static_cast<int64_t>(b) - static_cast<int64_t>(a));
            const uint64_t bits = (uint64_t{r.out[0]} << 32) | r.out[1];
            value = static_cast<double>(static_cast<int64_t>(a) + static_cast<int64_t>(bits % range));
          }
          *reinterpret_cast<T*>(p[0] + i * s[0]) = static_cast<T>(static_cast<C>(value));
        }
      });
    });
  });
}

}  // namespace

void register_random_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  sdk::register_kernel(host, "uniform_", &guarded_kernel<&random_kernel>, tag(Distribution::Uniform));
  sdk::register_kernel(host, "normal_", &guarded_kernel<&random_kernel>, tag(Distribution::Normal));
  sdk::register_kernel(host, "random_.from", &guarded_kernel<&random_kernel>, tag(Distribution::Integers));
}

}  // namespace ember::cpu
