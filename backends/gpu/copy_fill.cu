// copy_ (any dtype to any dtype, broadcasting src), fill_, arange_fill_, the random fills (the
// SDK's random_draws.h) and the Poisson, gamma and binomial samplers (samplers.h): the same
// values as the CPU backend for the same seed.
#include "ember/random_draws.h"
#include "gpu_kernels.h"
#include "samplers.h"

namespace ember::gpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

template <typename To, typename From>
void convert_typed(const TensorView (&ops)[2]) {
  launch_map<To, From>(ops, [] __device__(From v) { return convert<To>(v); });
}

template <typename To>
void convert_from(const TensorView (&ops)[2]) {
  dispatch_dtype(ops[1].dtype(), [&](auto from) { convert_typed<To, decltype(from)>(ops); });
}

void copy_kernel(const KernelArgs& args, void*) {
  const TensorView ops[2] = {args.output(), args.tensor(1)};
  if (ops[0].dtype() == ops[1].dtype()) return copy_same_dtype(ops[0], ops[1]);
  dispatch_dtype(ops[0].dtype(), [&](auto to) { convert_from<decltype(to)>(ops); });
}

template <typename T>
void fill_typed(const TensorView& out, double value) {
  const TensorView ops[1] = {out};
  const T v = static_cast<T>(static_cast<compute_t<T>>(value));
  launch_elementwise<1>(ops, [v] __device__(char* (&p)[1]) { *reinterpret_cast<T*>(p[0]) = v; });
}

void fill_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output();
  const ember_value& v = args.arg(1);
  const double value = v.tag == EMBER_VALUE_DOUBLE ? v.u.d : static_cast<double>(args.to_int(1));
  dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, bool>) {
      fill_typed<T>(out, value != 0);
    } else {
      fill_typed<T>(out, value);
    }
  });
}

template <typename T>
void arange_typed(const TensorView& out, double start, double step) {
  const int64_t n = out.size(0);
  T* base = out.data<T>();
  const int64_t stride = out.stride(0);
  auto fill = [=] __device__(int64_t i) {
    base[i * stride] = static_cast<T>(static_cast<compute_t<T>>(start + static_cast<double>(i) * step));
  };
  launch_index(out.view->device_index, n, fill, "arange kernel");
}

void arange_fill_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output();
  sdk::check(out.ndim() == 1, "arange_fill_ writes a 1-D tensor");
  dispatch_dtype(out.dtype(), [&](auto zero) { arange_typed<decltype(zero)>(out, args.to_double(1), args.to_double(2)); });
}

template <typename T>
void random_typed(const TensorView& out, const sdk::RandomFill& draws) {
  using V = std::conditional_t<is_floating_v<T>, compute_t<T>, int64_t>;
  if constexpr (!is_floating_v<T>) {
    sdk::check(draws.dist == sdk::Distribution::Integers, "uniform_ and normal_ need a floating-point tensor");
  }
  V top{};
  if constexpr (is_floating_v<T>) top = static_cast<V>(draws.uniform_top(out.dtype()));
  const TensorView ops[1] = {out};
  const sdk::StridedGeometry<1> g(ops);
  const int64_t n = g.numel();
  // One thread per block of the generator, writing its two elements.
  auto draw = [=] __device__(int64_t block) {
    V pair[2];
    draws.block_values(static_cast<uint64_t>(block), top, pair);
    for (int half = 0; half < 2 && 2 * block + half < n; ++half) {
      char* p[1];
      operand_pointers(g, 2 * block + half, p);
      *reinterpret_cast<T*>(p[0]) = static_cast<T>(static_cast<compute_t<T>>(pair[half]));
    }
  };
  launch_index(out.view->device_index, n / 2 + n % 2, draw, "random kernel");
}

void random_kernel(const KernelArgs& args, void* user_data) {
  const sdk::RandomFill draws(args, untag<sdk::Distribution>(user_data));
  const TensorView out = args.output();
  dispatch_dtype(out.dtype(), [&](auto zero) { random_typed<decltype(zero)>(out, draws); });
}

template <typename T, int M>
void sampling_typed(Sampler sampler, const TensorView (&ops)[M], uint64_t seed, uint64_t offset) {
  const sdk::StridedGeometry<M> g(ops);
  const double floor = sample_floor(sampler, ops[0].dtype());
  auto draw = [=] __device__(int64_t i) {
    char* p[M];
    operand_pointers(g, i, p);
    double x[kMaxSamplerInputs] = {};
    for (int k = 0; k + 1 < M; ++k) x[k] = static_cast<compute_t<T>>(*reinterpret_cast<const T*>(p[k + 1]));
    const double value = sample(sampler, x, seed, offset + i);
    *reinterpret_cast<T*>(p[0]) = static_cast<T>(static_cast<compute_t<T>>(value < floor ? floor : value));
  };
  launch_index(ops[0].view->device_index, g.numel(), draw, "sampling kernel");
}

// _poisson_counts, _standard_gamma and binomial: element i from counter offset + i (samplers.h).
void sampling_kernel(const KernelArgs& args, void* user_data) {
  with_sampling_call(args, user_data, [](Sampler sampler, const auto& ops, uint64_t seed, uint64_t offset) {
    dispatch_dtype(ops[0].dtype(), [&](auto zero) {
      using T = decltype(zero);
      if constexpr (is_floating_v<T>) sampling_typed<T>(sampler, ops, seed, offset);
    });
  });
}

}  // namespace

void copy_same_dtype(const TensorView& out, const TensorView& src) {
  const int device = out.view->device_index;
  if (out.is_contiguous() && src.is_contiguous() && out.numel() == src.numel()) {
    if (out.numel() == 0) return;
    DeviceGuard guard(device);
    check(gpuMemcpyAsync(out.bytes(), src.bytes(), out.numel() * sdk::dtype_size(out.dtype()),
                         gpuMemcpyDeviceToDevice, stream(device)),
          "copying on the device");
    return;
  }
  const TensorView ops[2] = {out, src};
  switch (sdk::dtype_size(out.dtype())) {
    case 1: return convert_typed<uint8_t, uint8_t>(ops);
    case 2: return convert_typed<uint16_t, uint16_t>(ops);
    case 4: return convert_typed<uint32_t, uint32_t>(ops);
    default: return convert_typed<uint64_t, uint64_t>(ops);
  }
}

void register_copy_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  sdk::register_kernel(host, "copy_", &guarded_kernel<&copy_kernel>);
  sdk::register_kernel(host, "fill_.Scalar", &guarded_kernel<&fill_kernel>);
  sdk::register_kernel(host, "arange_fill_", &guarded_kernel<&arange_fill_kernel>);
  sdk::register_kernel(host, "uniform_", &guarded_kernel<&random_kernel>, tag(sdk::Distribution::Uniform));
  sdk::register_kernel(host, "normal_", &guarded_kernel<&random_kernel>, tag(sdk::Distribution::Normal));
  sdk::register_kernel(host, "random_.from", &guarded_kernel<&random_kernel>, tag(sdk::Distribution::Integers));
  for (const auto& [name, sampler] : kSamplerOps) {
    sdk::register_kernel(host, name, &guarded_kernel<&sampling_kernel>, tag(sampler));
  }
}

}  // namespace ember::gpu
