// Reductions (sum, prod, mean, amax, amin, var, argmax, argmin, max.dim, min.dim), softmax, cumsum,
// cumprod and topk.
// Each output element reduces its subspace in one pass, accumulating floats in double.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "kernels.h"
#include "parallel.h"
#include "reduction_geometry.h"
#include "softmax_dnnl.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

// Columns of a leading-dimension sum one task takes: enough to amortise a thread's start.
constexpr int64_t kColumnsPerTask = 4096;

template <typename T>
using acc_t = std::conditional_t<std::is_floating_point_v<sdk::compute_t<T>>, double, int64_t>;

template <typename T>
const T& at(const char* base, int64_t offset) { return *reinterpret_cast<const T*>(base + offset); }

bool is_nan(double v) { return std::isnan(v); }
bool is_nan(int64_t) { return false; }

// Best value and its position under "greater" (max) or "less" (min); NaN wins, as in PyTorch.
template <typename T>
std::pair<acc_t<T>, int64_t> extreme(const ReductionGeometry& g, const char* in, bool want_max) {
  using A = acc_t<T>;
  A best{};
  int64_t best_index = -1, index = 0;
  g.for_each_inner([&](int64_t off, int64_t) {
    const A v = static_cast<A>(static_cast<sdk::compute_t<T>>(at<T>(in, off)));
    if (best_index < 0 || (!is_nan(best) && (is_nan(v) || (want_max ? v > best : v < best)))) {
      best = v;
      best_index = index;
    }
    ++index;
  });
  return {best, best_index};
}

// The rows and columns of a sum over the leading dimensions 0..k-1 of a contiguous input into a
// contiguous output (a Linear's bias gradient); nullopt for any other reduction.
std::optional<std::pair<int64_t, int64_t>> leading_reduction(const TensorView& out, const TensorView& in,
                                                             const int64_t* dims, int64_t num_dims) {
  if (num_dims == 0 || num_dims >= in.ndim() || !in.is_contiguous() || !out.is_contiguous()) return std::nullopt;
  int64_t rows = 1, columns = 1;
  for (int64_t d = 0; d < in.ndim(); ++d) {
    if (d < num_dims && dims[d] != d) return std::nullopt;
    (d < num_dims ? rows : columns) *= in.size(d);
  }
  return std::pair{rows, columns};
}

// Sums whole rows into a row of accumulators: the reads stream through memory, where the generic
// loop strides down each column. Each column still adds its rows in order, so the result is the
// generic loop's to the bit.
template <typename T>
void sum_leading(Reduce op, const TensorView& out, const TensorView& in, int64_t rows, int64_t columns) {
  using A = acc_t<T>;
  using C = sdk::compute_t<T>;
  const T* src = reinterpret_cast<const T*>(in.bytes());
  T* dst = reinterpret_cast<T*>(out.bytes());
  parallel_for(columns, kColumnsPerTask, [&](int64_t begin, int64_t end) {
    std::vector<A> totals(static_cast<size_t>(end - begin), A{0});
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = src + r * columns;
      for (int64_t c = begin; c < end; ++c) totals[c - begin] += static_cast<A>(static_cast<C>(row[c]));
    }
    for (int64_t c = begin; c < end; ++c) {
      const A total = totals[c - begin];
      dst[c] = static_cast<T>(static_cast<C>(op == Reduce::Mean ? static_cast<double>(total) / static_cast<double>(rows)
                                                                : total));
    }
  });
}

template <typename T>
void reduce_typed(Reduce op, const KernelArgs& args, const int64_t* dims, int64_t num_dims) {
  using A = acc_t<T>;
  using C = sdk::compute_t<T>;
  const TensorView out = args.output(), in = args.tensor(0);
  if (op == Reduce::Sum || op == Reduce::Mean) {
    if (const auto shape = leading_reduction(out, in, dims, num_dims)) {
      return sum_leading<T>(op, out, in, shape->first, shape->second);
    }
  }
  const ReductionGeometry g(out, in, dims, num_dims);
  const char* in_base = in.bytes();
  char* out_base = out.bytes();
  char* index_base = args.num_outputs() > 1 ? args.output(1).bytes() : nullptr;
  const int64_t correction = op == Reduce::Var ? args.to_int(2) : 0;
  const ReductionGeometry index_g = index_base ? ReductionGeometry(args.output(1), in, dims, num_dims) : g;
  parallel_for(g.outer_numel, 1, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      int64_t in_off, out_off, index_off, unused;
      g.outer_offsets(o, in_off, out_off);
      const char* src = in_base + in_off;
      T* dst = reinterpret_cast<T*>(out_base + out_off);
      switch (op) {
        case Reduce::Sum: case Reduce::Mean: case Reduce::Var: {
          A sum = 0;
          g.for_each_inner([&](int64_t off, int64_t) { sum += static_cast<A>(static_cast<C>(at<T>(src, off))); });
          if (op == Reduce::Sum) {
            *dst = static_cast<T>(static_cast<C>(sum));
            break;
          }
          const double mean = static_cast<double>(sum) / static_cast<double>(g.inner_numel);
          if (op == Reduce::Mean) {
            *dst = static_cast<T>(static_cast<C>(mean));
            break;
          }
          double squares = 0;
          g.for_each_inner([&](int64_t off, int64_t) {
            const double d = static_cast<double>(static_cast<C>(at<T>(src, off))) - mean;
            squares += d * d;
          });
          const double denominator = static_cast<double>(g.inner_numel - correction);
          *dst = static_cast<T>(static_cast<C>(denominator > 0 ? squares / denominator
                                                               : std::numeric_limits<double>::quiet_NaN()));
          break;
        }
        case Reduce::Prod: {
          A product = 1;
          g.for_each_inner([&](int64_t off, int64_t) { product *= static_cast<A>(static_cast<C>(at<T>(src, off))); });
          *dst = static_cast<T>(static_cast<C>(product));
          break;
        }
        case Reduce::Amax: case Reduce::Amin: {
          *dst = static_cast<T>(static_cast<C>(extreme<T>(g, src, op == Reduce::Amax).first));
          break;
        }
        case Reduce::Argmax: case Reduce::Argmin: {
          *reinterpret_cast<int64_t*>(dst) = extreme<T>(g, src, op == Reduce::Argmax).second;
          break;
        }
        case Reduce::MaxDim: case Reduce::MinDim: {
          const auto [value, index] = extreme<T>(g, src, op == Reduce::MaxDim);
          *dst = static_cast<T>(static_cast<C>(value));
          index_g.outer_offsets(o, unused, index_off);
          *reinterpret_cast<int64_t*>(index_base + index_off) = index;
          break;
        }
      }
    }
  });
}

void reduce_kernel(const KernelArgs& args, void* user_data) {
  const Reduce op = untag<Reduce>(user_data);
  const auto [dims, num_dims] = args.to_int_list(1);
  sdk::dispatch_dtype(args.tensor(0).dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, bool>) {
      sdk::check(op != Reduce::Sum && op != Reduce::Prod && op != Reduce::Mean && op != Reduce::Var,
                 "this reduction needs a numeric tensor, got bool");
    }
    reduce_typed<T>(op, args, dims, num_dims);
  });
}

// Calls f(input row, output row) for every outer element, rows spread over the threads.
template <typename F>
void for_each_row(const ReductionGeometry& g, const TensorView& out, const TensorView& in, F f) {
  parallel_for(g.outer_numel, 1, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      int64_t in_off, out_off;
      g.outer_offsets(o, in_off, out_off);
      f(in.bytes() + in_off, out.bytes() + out_off);
    }
  });
}

void softmax_kernel(const KernelArgs& args, void* user_data) {
  const bool log = user_data != nullptr;
  const TensorView out = args.output(), in = args.tensor(0);
  const auto [dims, num_dims] = args.to_int_list(1);
  if (num_dims == 1 && run_dnnl_softmax(log, out, in, dims[0])) return;
  const ReductionGeometry g(out, in, dims, num_dims);
  sdk::dispatch_dtype(in.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = sdk::compute_t<T>;
    if constexpr (std::is_floating_point_v<C>) {
      for_each_row(g, out, in, [&](const char* src, char* dst) {
        double max = -std::numeric_limits<double>::infinity();
        g.for_each_inner([&](int64_t i, int64_t) { max = std::max(max, static_cast<double>(static_cast<C>(at<T>(src, i)))); });
        double sum = 0;
        g.for_each_inner([&](int64_t i, int64_t) { sum += std::exp(static_cast<double>(static_cast<C>(at<T>(src, i))) - max); });
        const double log_sum = std::log(sum);
        g.for_each_inner([&](int64_t i, int64_t j) {
          const double shifted = static_cast<double>(static_cast<C>(at<T>(src, i))) - max;
          const double value = log ? shifted - log_sum : std::exp(shifted) / sum;
          *reinterpret_cast<T*>(dst + j) = static_cast<T>(static_cast<C>(value));
        });
      });
    } else {
      sdk::check(false, "softmax needs a floating-point tensor");
    }
  });
}

// Running sums (user_data null) or products along the one reduced dimension; the input arrives in
// the output's dtype.
void cumulative_kernel(const KernelArgs& args, void* user_data) {
  const bool product = user_data != nullptr;
  const TensorView out = args.output(), in = args.tensor(0);
  const auto [dims, num_dims] = args.to_int_list(1);
  const ReductionGeometry g(out, in, dims, num_dims);
  sdk::dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, bool>) {
      sdk::check(false, "running sums and products need a numeric output");
    } else {
      for_each_row(g, out, in, [&](const char* src, char* dst) {
        acc_t<T> running = product ? 1 : 0;
        g.for_each_inner([&](int64_t i, int64_t j) {
          const auto value = static_cast<acc_t<T>>(static_cast<sdk::compute_t<T>>(at<T>(src, i)));
          running = product ? running * value : running + value;  // integers wrap: -fwrapv
          *reinterpret_cast<T*>(dst + j) = static_cast<T>(static_cast<sdk::compute_t<T>>(running));
        });
      });
    }
  });
}

// Per row, the k first (value, index) pairs in topk's order: largest first with NaN before any
// number, or smallest first with NaN after; equal values by index, so the order is unique.
template <typename T>
void top_k_typed(const KernelArgs& args, const int64_t* dims, int64_t num_dims) {
  using C = sdk::compute_t<T>;
  using Entry = std::pair<C, int64_t>;
  const TensorView values = args.output(0), indices = args.output(1), in = args.tensor(0);
  const int64_t k = args.to_int(1);
  const bool largest = args.to_bool(3);
  const ReductionGeometry g(values, in, dims, num_dims), index_g(indices, in, dims, num_dims);
  const int64_t value_step = num_dims ? values.stride(dims[0]) * static_cast<int64_t>(sizeof(T)) : 0;
  const int64_t index_step = num_dims ? indices.stride(dims[0]) * static_cast<int64_t>(sizeof(int64_t)) : 0;
  const auto first = [largest](const Entry& a, const Entry& b) {
    const bool a_nan = is_nan(static_cast<double>(a.first)), b_nan = is_nan(static_cast<double>(b.first));
    if (a_nan != b_nan) return largest ? a_nan : b_nan;
    if (!a_nan && a.first != b.first) return largest ? a.first > b.first : a.first < b.first;
    return a.second < b.second;
  };
  parallel_for(g.outer_numel, 1, [&](int64_t begin, int64_t end) {
    std::vector<Entry> row(static_cast<size_t>(g.inner_numel));
    for (int64_t o = begin; o < end; ++o) {
      int64_t in_off, value_off, index_off, unused;
      g.outer_offsets(o, in_off, value_off);
      index_g.outer_offsets(o, unused, index_off);
      int64_t i = 0;
      g.for_each_inner([&](int64_t off, int64_t) {
        row[static_cast<size_t>(i)] = {static_cast<C>(at<T>(in.bytes() + in_off, off)), i};
        ++i;
      });
      std::partial_sort(row.begin(), row.begin() + k, row.end(), first);
      for (int64_t j = 0; j < k; ++j) {
        *reinterpret_cast<T*>(values.bytes() + value_off + j * value_step) = static_cast<T>(row[j].first);
        *reinterpret_cast<int64_t*>(indices.bytes() + index_off + j * index_step) = row[j].second;
      }
    }
  });
}

void top_k_kernel(const KernelArgs& args, void*) {
  const auto [dims, num_dims] = args.to_int_list(2);
  sdk::dispatch_dtype(args.tensor(0).dtype(), [&](auto zero) { top_k_typed<decltype(zero)>(args, dims, num_dims); });
}

}  // namespace

void register_reduction_kernels(const ember_host_api* host) {
  using sdk::guarded_kernel;
  register_family(host, backends::kReduceOps, &guarded_kernel<&reduce_kernel>);
  sdk::register_kernel(host, "softmax.int", &guarded_kernel<&softmax_kernel>, nullptr);
  sdk::register_kernel(host, "log_softmax.int", &guarded_kernel<&softmax_kernel>, reinterpret_cast<void*>(1));
  sdk::register_kernel(host, "cumsum", &guarded_kernel<&cumulative_kernel>, nullptr);
  sdk::register_kernel(host, "cumprod", &guarded_kernel<&cumulative_kernel>, reinterpret_cast<void*>(1));
  sdk::register_kernel(host, "topk", &guarded_kernel<&top_k_kernel>, nullptr);
}

}  // namespace ember::cpu
