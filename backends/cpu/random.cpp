// uniform_, normal_ and random_ from the SDK's counter-based generator (ember/philox.h): results
// depend on the seed and the draw order only, never on threads or devices.
#include "ember/philox.h"
#include "kernels.h"
#include "parallel.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

using sdk::Distribution;

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
          const double value = sdk::random_value(dist, seed, offset + static_cast<uint64_t>(linear), a, b);
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
