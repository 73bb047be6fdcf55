// searchsorted: each value's position in its sorted row by the SDK's branch-free binary search
// (ember/sorted_search.h), several values at a time, the values split across threads.
#include <algorithm>
#include <type_traits>

#include "ember/sorted_search.h"
#include "kernels.h"
#include "strided.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

// Values searched together (sdk::sorted_positions): enough loads in flight to hide the cache's
// latency, few enough that the lanes' positions stay in registers.
constexpr int kLanes = 8;

// The sorter's indices are checked before the search: an exception must not leave a thread.
void check_sorter(const TensorView& order, int64_t m) {
  const int64_t* at = order.data<int64_t>();
  for (int64_t k = 0; k < order.numel(); ++k) {
    if (at[k] < 0 || at[k] >= m) sorter_out_of_range(at[k], m);
  }
}

// The rows of entries, m each, read in ascending order: directly, or through the sorter's indices.
template <typename T>
struct SortedRows {
  const T* entries;
  const int64_t* sorter;  // nullptr: the rows are sorted as they lie
  int64_t m;
  int64_t values_per_row;  // 0: one row serves every value

  // Searches the n values of a run (first: the flat position of its first value) kLanes at a
  // time; a last, partial group repeats its last value in the spare lanes and drops their results.
  template <typename Position, bool kSorter, bool kRight>
  void search(char** p, const int64_t* s, int64_t n, int64_t first) const {
    using C = sdk::compute_t<T>;
    for (int64_t start = 0; start < n; start += kLanes) {
      C values[kLanes];
      const T* rows[kLanes];
      const int64_t* orders[kLanes];
      for (int g = 0; g < kLanes; ++g) {
        const int64_t i = std::min<int64_t>(start + g, n - 1);
        const int64_t row = values_per_row == 0 ? 0 : (first + i) / values_per_row;
        values[g] = static_cast<C>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
        rows[g] = entries + row * m;
        orders[g] = kSorter ? sorter + row * m : nullptr;
      }
      const auto entry = [&](int g, int64_t j) {
        if constexpr (kSorter) return static_cast<C>(rows[g][orders[g][j]]);
        return static_cast<C>(rows[g][j]);
      };
      int64_t positions[kLanes];
      sdk::sorted_positions<kRight>(entry, m, values, positions);
      for (int64_t g = 0; g < std::min<int64_t>(kLanes, n - start); ++g) {
        *reinterpret_cast<Position*>(p[0] + (start + g) * s[0]) = static_cast<Position>(positions[g]);
      }
    }
  }
};

// Calls f(std::bool_constant<flag>{}): a flag the inner loop tests becomes a constant of it.
template <typename F>
void dispatch_flag(bool flag, F&& f) {
  if (flag) return f(std::true_type{});
  f(std::false_type{});
}

template <typename T>
void search_typed(const TensorView& out, const TensorView& sorted, const TensorView& values, const TensorView* sorter,
                  bool right) {
  const RowMajor entries(sorted, true);
  const RowMajor order(sorter ? *sorter : sorted, sorter != nullptr);
  const int64_t m = sorted.size(sorted.ndim() - 1);
  if (sorter) check_sorter(order.view(), m);
  // A 1-D sequence serves every value; otherwise each row of values has its own row of entries.
  const int64_t values_per_row = sorted.ndim() == 1 || values.ndim() == 0 ? 0 : values.size(values.ndim() - 1);
  const SortedRows<T> rows{entries.view().data<T>(), sorter ? order.view().data<int64_t>() : nullptr, m, values_per_row};
  const TensorView operands[2] = {out, values};
  const sdk::StridedLoop<2> loop(operands);
  dispatch_flag(out.dtype() == EMBER_DTYPE_INT32, [&](auto narrow) {
    using Position = std::conditional_t<decltype(narrow)::value, int32_t, int64_t>;
    dispatch_flag(sorter != nullptr, [&](auto sorting) {
      dispatch_flag(right, [&](auto to_right) {
        // A search costs log2(m) dependent loads: a few thousand values already pay for a thread.
        parallel_for(loop.numel(), 4096, [&](int64_t begin, int64_t end) {
          int64_t first = begin;  // the runs arrive in row-major order
          loop.run(begin, end, [&](char** p, const int64_t* s, int64_t n) {
            rows.template search<Position, decltype(sorting)::value, decltype(to_right)::value>(p, s, n, first);
            first += n;
          });
        });
      });
    });
  });
}

void searchsorted_kernel(const KernelArgs& args, void*) {
  const TensorView out = args.output(), sorted = args.tensor(0), values = args.tensor(1);
  const TensorView sorter = args.is_none(5) ? sorted : args.tensor(5);
  const bool right = searches_right(args);
  sdk::dispatch_dtype(sorted.dtype(), [&](auto zero) {
    search_typed<decltype(zero)>(out, sorted, values, args.is_none(5) ? nullptr : &sorter, right);
  });
}

}  // namespace

void register_searching_kernels(const ember_host_api* host) {
  sdk::register_kernel(host, "searchsorted", &sdk::guarded_kernel<&searchsorted_kernel>);
}

}  // namespace ember::cpu
