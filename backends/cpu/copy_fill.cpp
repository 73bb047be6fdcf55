// copy_ (any dtype to any dtype, broadcasting src), fill_ and arange_fill_.
#include <cstring>

#include "half_conversion.h"
#include "kernels.h"
#include "strided.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

// Converts through the compute types, so float16 -> int8 goes float16 -> float -> int8; floats
// reach the integer types through int64, so out-of-range values wrap (as in PyTorch) rather than
// hitting the undefined float-to-narrow-integer conversion.
template <typename To, typename From>
To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return static_cast<sdk::compute_t<From>>(v) != sdk::compute_t<From>(0);
  } else if constexpr (std::is_integral_v<To> && !std::is_integral_v<sdk::compute_t<From>>) {
    return static_cast<To>(static_cast<int64_t>(static_cast<sdk::compute_t<From>>(v)));
  } else {
    return static_cast<To>(static_cast<sdk::compute_t<To>>(static_cast<sdk::compute_t<From>>(v)));
  }
}

// A dense run through the CPU's conversion instructions, where it has them for the pair.
template <typename To, typename From>
bool convert_dense(char* out, const char* in, int64_t n) {
  if constexpr (std::is_same_v<To, float> && std::is_same_v<From, Float16>) {
    return widen_float16(reinterpret_cast<const uint16_t*>(in), reinterpret_cast<float*>(out), n);
  } else if constexpr (std::is_same_v<To, Float16> && std::is_same_v<From, float>) {
    return narrow_to_float16(reinterpret_cast<const float*>(in), reinterpret_cast<uint16_t*>(out), n);
  } else {
    return false;
  }
}

void copy_kernel(const KernelArgs& args, void*) { copy_converting(args.output(), args.tensor(1)); }

template <typename T>
void fill_typed(const TensorView& out, T value) {
  const TensorView ops[1] = {out};
  for_each_strided<1>(ops, [value](char** p, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(T)) {
      T* out = reinterpret_cast<T*>(p[0]);
      for (int64_t i = 0; i < n; ++i) out[i] = value;
    } else {
      for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = value;
    }
  });
}

void fill_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output();
  const ember_value& v = args.arg(1);
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (v.tag == EMBER_VALUE_DOUBLE) return fill_typed<T>(out, convert<T>(v.u.d));
    return fill_typed<T>(out, convert<T>(args.to_int(1)));
  });
}

void arange_fill_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output();
  sdk::check(out.ndim() == 1, "arange_fill_ writes a 1-D tensor");
  const double start = args.to_double(1), step = args.to_double(2);
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    for (int64_t i = 0; i < out.size(0); ++i) {
      out.data<T>()[i * out.stride(0)] = convert<T>(start + static_cast<double>(i) * step);
    }
  });
}

}  // namespace

void copy_converting(const TensorView& out, const TensorView& src) {
  if (out.dtype() == src.dtype()) {
    if (out.is_contiguous() && src.is_contiguous() && out.numel() == src.numel()) {
      std::memcpy(out.bytes(), src.bytes(), out.numel() * sdk::dtype_size(out.dtype()));
      return;
    }
    return copy_strided(out, src);
  }
  const TensorView ops[2] = {out, src};
  sdk::dispatch_dtype(out.dtype(), [&](auto to_zero) {
    sdk::dispatch_dtype(src.dtype(), [&](auto from_zero) {
      using To = decltype(to_zero);
      using From = decltype(from_zero);
      for_each_strided<2>(ops, [](char** p, const int64_t* s, int64_t n) {
        if (s[0] == sizeof(To) && s[1] == sizeof(From) && convert_dense<To, From>(p[0], p[1], n)) return;
        for (int64_t i = 0; i < n; ++i) {
          *reinterpret_cast<To*>(p[0] + i * s[0]) = convert<To>(*reinterpret_cast<const From*>(p[1] + i * s[1]));
        }
      });
    });
  });
}

void register_copy_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  sdk::register_kernel(host, "copy_", &guarded_kernel<&copy_kernel>);
  sdk::register_kernel(host, "fill_.Scalar", &guarded_kernel<&fill_kernel>);
  sdk::register_kernel(host, "arange_fill_", &guarded_kernel<&arange_fill_kernel>);
}

}  // namespace ember::cpu
