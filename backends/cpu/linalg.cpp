// Linear algebra over batches of float32 / float64 matrices through LAPACK: Cholesky, triangular
// and general solves, sign and log-determinant, LU, QR, the symmetric eigenproblem and the SVD.
// Each matrix goes through a column-major scratch buffer (Note [Column-major scratch]); the batch
// is shared among threads (Note [Batches across threads]).
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <string>

#include "kernels.h"
#include "lapack.h"
#include "matrix_batch.h"
#include "parallel.h"

namespace ember::cpu {
namespace {

using sdk::KernelArgs;
using sdk::TensorView;

// Raises the message `describe(info)` gives, naming the batch entry where there is more than one
// matrix, when LAPACK's info is not 0; nothing is built on success.
template <typename Describe>
void check_info(int info, const MatrixBatch& batch, int64_t b, Describe&& describe) {
  if (info == 0) return;
  const std::string where = batch.count() > 1 ? " (batch entry " + std::to_string(b) + ")" : "";
  throw sdk::KernelError(EMBER_STATUS_INVALID_ARGUMENT, describe(info) + where);
}

// Note [Batches across threads]
// Each thread takes a contiguous range of batch entries with scratch of its own: LAPACK (3.3 on)
// keeps no state between calls, so its routines run side by side. An exception must not leave an
// OpenMP region, so each range catches its own, and the one from the earliest range is rethrown
// after the loop: an error names the same entry whatever the thread count.
template <typename Range>
void over_batch(const MatrixBatch& batch, int64_t flops_per_matrix, Range&& range) {
  std::mutex mutex;
  int64_t failed_from = batch.count();
  std::exception_ptr failure;
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, flops_per_matrix));
  parallel_for(batch.count(), grain, [&](int64_t begin, int64_t end) {
    try {
      range(begin, end);
    } catch (...) {
      std::lock_guard lock(mutex);
      if (begin < failed_from) {
        failed_from = begin;
        failure = std::current_exception();
      }
    }
  });
  if (failure) std::rethrow_exception(failure);
}

int64_t cube(int64_t n) { return n * n * n; }

// LAPACK's answer to a workspace query (lwork = -1), as a length.
template <typename T>
int workspace(T answer) {
  return std::max(1, static_cast<int>(answer));
}

// Gathers a matrix into `a` (column-major, its own rows apart) and factors it there with partial
// pivoting; returns getrf's info.
template <typename T>
int factor_lu(const MatrixRef& matrix, T* a, int* pivots) {
  const int m = lapack_int(matrix.rows), n = lapack_int(matrix.cols);
  gather(matrix, a, m);
  int info = 0;
  lapack::getrf(m, n, a, leading(m), pivots, &info);
  return info;
}

// potrf's factor with the other triangle zeroed, and its info (i > 0: the leading minor of order
// i is not positive-definite, and the factor stops short of it). check_errors raises instead.
template <typename T>
void cholesky(const KernelArgs& args) {
  const TensorView in = args.tensor(0), out = args.output(0), info_out = args.output(1);
  const bool upper = args.to_bool(1), check_errors = args.to_bool(2);
  const MatrixBatch batch(out, 2);
  const int n = lapack_int(out.size(out.ndim() - 1));
  over_batch(batch, cube(n), [&](int64_t begin, int64_t end) {
    std::vector<T> a = scratch<T>(int64_t{n} * n);
    for (int64_t b = begin; b < end; ++b) {
      gather(matrix_of(in, batch.offset(in, 2, b)), a.data(), n);
      int info = 0;
      lapack::potrf(upper ? 'U' : 'L', n, a.data(), leading(n), &info);
      if (check_errors) {
        check_info(info, batch, b, [](int order) {
          return "self: expected a positive-definite matrix; its leading minor of order " + std::to_string(order) +
                 " is not";
        });
      }
      for (int64_t j = 0; j < n; ++j) {
        for (int64_t i = 0; i < n; ++i) {
          if (upper ? i > j : i < j) a[i + j * n] = 0;
        }
      }
      scatter(a.data(), n, matrix_of(out, batch.offset(out, 2, b)));
      info_out.data<int>()[batch.offset(info_out, 0, b)] = info;
    }
  });
}

template <typename T>
void solve_triangular(const KernelArgs& args) {
  const TensorView a_in = args.tensor(0), b_in = args.tensor(1), out = args.output(0);
  const bool upper = args.to_bool(2), left = args.to_bool(3), unitriangular = args.to_bool(4);
  const MatrixBatch batch(out, 2);
  const int n = lapack_int(a_in.size(a_in.ndim() - 1));
  const int rows = lapack_int(out.size(out.ndim() - 2)), cols = lapack_int(out.size(out.ndim() - 1));
  over_batch(batch, int64_t{n} * n * std::max(rows, cols), [&](int64_t begin, int64_t end) {
    std::vector<T> a = scratch<T>(int64_t{n} * n), x = scratch<T>(int64_t{rows} * cols);
    int64_t loaded = -1;  // the offset of the A in `a`: a broadcast A is gathered once
    for (int64_t b = begin; b < end; ++b) {
      const int64_t a_offset = batch.offset(a_in, 2, b);
      if (a_offset != loaded) gather(matrix_of(a_in, a_offset), a.data(), n);
      loaded = a_offset;
      gather(matrix_of(b_in, batch.offset(b_in, 2, b)), x.data(), rows);
      lapack::trsm(left ? 'L' : 'R', upper ? 'U' : 'L', unitriangular ? 'U' : 'N', rows, cols, a.data(), leading(n),
                   x.data(), leading(rows));
      scatter(x.data(), rows, matrix_of(out, batch.offset(out, 2, b)));
    }
  });
}

// A X = B (left) or X A = B, through LU. The result has one dimension less than A exactly when B
// is a vector (or a batch of them); the system is then solved for one column. X A = B is solved
// as A^T X^T = B^T, X^T being X's matrix read with its strides swapped.
template <typename T>
void solve(const KernelArgs& args) {
  const TensorView a_in = args.tensor(0), b_in = args.tensor(1), out = args.output(0);
  const bool left = args.to_bool(2);
  const bool vector = out.ndim() == a_in.ndim() - 1;
  const int matrix_dims = vector ? 1 : 2;
  const auto unknowns = [&](const TensorView& t, int64_t offset) {
    if (vector) return column_of(t, offset);
    return left ? matrix_of(t, offset) : matrix_of(t, offset).transposed();
  };
  const MatrixBatch batch(out, matrix_dims);
  const int n = lapack_int(a_in.size(a_in.ndim() - 1));
  const int nrhs = lapack_int(unknowns(out, 0).cols);
  over_batch(batch, cube(n) + int64_t{n} * n * nrhs, [&](int64_t begin, int64_t end) {
    std::vector<T> a = scratch<T>(int64_t{n} * n), x = scratch<T>(int64_t{n} * nrhs);
    std::vector<int> pivots = scratch<int>(n);
    int64_t factored = -1;  // the offset of the A whose factors `a` holds: a broadcast A is factored once
    for (int64_t b = begin; b < end; ++b) {
      int info = 0;
      if (const int64_t a_offset = batch.offset(a_in, 2, b); a_offset != factored) {
        check_info(factor_lu(matrix_of(a_in, a_offset), a.data(), pivots.data()), batch, b, [](int column) {
          const std::string i = std::to_string(column - 1);
          return "A: the matrix is singular (U[" + i + ", " + i + "] of its LU factors is zero), so the system has "
                 "no unique solution";
        });
        factored = a_offset;
      }
      gather(unknowns(b_in, batch.offset(b_in, matrix_dims, b)), x.data(), n);
      lapack::getrs(left ? 'N' : 'T', n, nrhs, a.data(), leading(n), pivots.data(), x.data(), leading(n), &info);
      scatter(x.data(), n, unknowns(out, batch.offset(out, matrix_dims, b)));
    }
  });
}

// sign and log|det| from LU: the product of U's diagonal, negated per row swap; a zero on it
// (an exactly singular matrix) gives sign 0 and log|det| -inf.
template <typename T>
void slogdet(const KernelArgs& args) {
  const TensorView in = args.tensor(0), sign = args.output(0), logabsdet = args.output(1);
  const MatrixBatch batch(sign, 0);
  const int n = lapack_int(in.size(in.ndim() - 1));
  over_batch(batch, cube(n), [&](int64_t begin, int64_t end) {
    std::vector<T> a = scratch<T>(int64_t{n} * n);
    std::vector<int> pivots = scratch<int>(n);
    for (int64_t b = begin; b < end; ++b) {
      const int info = factor_lu(matrix_of(in, batch.offset(in, 2, b)), a.data(), pivots.data());
      T s = 1, log_sum = 0;
      for (int i = 0; i < n; ++i) {
        const T u = a[i + int64_t{i} * n];
        if (pivots[i] != i + 1) s = -s;
        if (u < 0) s = -s;
        log_sum += std::log(std::abs(u));
      }
      if (info > 0) {
        s = 0;
        log_sum = -std::numeric_limits<T>::infinity();
      }
      sign.data<T>()[batch.offset(sign, 0, b)] = s;
      logabsdet.data<T>()[batch.offset(logabsdet, 0, b)] = log_sum;
    }
  });
}

// LU with partial pivoting, getrf's packed factors as they are: LAPACK's 1-based pivots and info
// (i > 0: U[i-1, i-1] is exactly zero). A matrix factored without pivoting is what LAPACK has no
// routine for, as PyTorch's CPU backend; check_errors turns a zero on U's diagonal into an error.
template <typename T>
void lu_factor(const KernelArgs& args) {
  const TensorView in = args.tensor(0), lu_out = args.output(0), pivots_out = args.output(1), info_out = args.output(2);
  sdk::check(args.to_bool(1), "pivot: LU without pivoting is not implemented on the CPU");
  const bool check_errors = args.to_bool(2);
  const MatrixBatch batch(lu_out, 2);
  const int m = lapack_int(in.size(in.ndim() - 2)), n = lapack_int(in.size(in.ndim() - 1)), k = std::min(m, n);
  over_batch(batch, int64_t{m} * n * std::max(k, 1), [&](int64_t begin, int64_t end) {
    std::vector<T> a = scratch<T>(int64_t{m} * n);
    std::vector<int> pivots = scratch<int>(k);
    for (int64_t b = begin; b < end; ++b) {
      const int info = factor_lu(matrix_of(in, batch.offset(in, 2, b)), a.data(), pivots.data());
      if (check_errors) {
        check_info(info, batch, b, [](int column) {
          const std::string i = std::to_string(column - 1);
          return "A: the matrix is singular: U[" + i + ", " + i + "] of its LU factors is zero";
        });
      }
      scatter(a.data(), m, matrix_of(lu_out, batch.offset(lu_out, 2, b)));
      scatter(pivots.data(), k, column_of(pivots_out, batch.offset(pivots_out, 1, b)));
      info_out.data<int>()[batch.offset(info_out, 0, b)] = info;
    }
  });
}

// Householder QR: R is geqrf's upper triangle; Q (none in mode 'r') is built by orgqr from the
// reflectors, k = min(m, n) columns of it, or all m in mode 'complete'.
template <typename T>
void qr(const KernelArgs& args) {
  const TensorView in = args.tensor(0), q_out = args.output(0), r_out = args.output(1);
  const std::string mode = args.to_string(1);
  const MatrixBatch batch(r_out, 2);
  const int m = lapack_int(in.size(in.ndim() - 2)), n = lapack_int(in.size(in.ndim() - 1)), k = std::min(m, n);
  const int q_cols = mode == "complete" ? m : k;
  T query[2] = {0, 0};
  {
    int info = 0;
    std::vector<T> a = scratch<T>(int64_t{m} * n), q = scratch<T>(int64_t{m} * q_cols), tau = scratch<T>(k);
    lapack::geqrf(m, n, a.data(), leading(m), tau.data(), &query[0], -1, &info);
    lapack::orgqr(m, q_cols, k, q.data(), leading(m), tau.data(), &query[1], -1, &info);
  }
  const int lwork = std::max(workspace(query[0]), workspace(query[1]));
  over_batch(batch, int64_t{m} * n * std::max(m, n), [&](int64_t begin, int64_t end) {
    std::vector<T> a = scratch<T>(int64_t{m} * n), q = scratch<T>(int64_t{m} * q_cols), tau = scratch<T>(k);
    std::vector<T> work(static_cast<size_t>(lwork));
    int info = 0;
    for (int64_t b = begin; b < end; ++b) {
      gather(matrix_of(in, batch.offset(in, 2, b)), a.data(), m);
      lapack::geqrf(m, n, a.data(), leading(m), tau.data(), work.data(), lwork, &info);
      if (mode != "r") {
        std::copy_n(a.begin(), int64_t{m} * k, q.begin());
        lapack::orgqr(m, q_cols, k, q.data(), leading(m), tau.data(), work.data(), lwork, &info);
        scatter(q.data(), m, matrix_of(q_out, batch.offset(q_out, 2, b)));
      }
      for (int64_t j = 0; j < n; ++j) {
        for (int64_t i = j + 1; i < m; ++i) a[i + j * m] = 0;
      }
      scatter(a.data(), m, matrix_of(r_out, batch.offset(r_out, 2, b)));
    }
  });
}

template <typename T>
void eigh(const KernelArgs& args) {
  const TensorView in = args.tensor(0), values = args.output(0), vectors = args.output(1);
  const char uplo = args.to_string(1)[0];
  const MatrixBatch batch(vectors, 2);
  const int n = lapack_int(in.size(in.ndim() - 1));
  T work_query = 0;
  int iwork_query = 0;
  {
    int info = 0;
    std::vector<T> a = scratch<T>(int64_t{n} * n), w = scratch<T>(n);
    lapack::syevd('V', uplo, n, a.data(), leading(n), w.data(), &work_query, -1, &iwork_query, -1, &info);
  }
  const int lwork = workspace(work_query), liwork = std::max(1, iwork_query);
  over_batch(batch, cube(n), [&](int64_t begin, int64_t end) {
    std::vector<T> a = scratch<T>(int64_t{n} * n), w = scratch<T>(n), work(static_cast<size_t>(lwork));
    std::vector<int> iwork(static_cast<size_t>(liwork));
    for (int64_t b = begin; b < end; ++b) {
      gather(matrix_of(in, batch.offset(in, 2, b)), a.data(), n);
      int info = 0;
      lapack::syevd('V', uplo, n, a.data(), leading(n), w.data(), work.data(), lwork, iwork.data(), liwork, &info);
      check_info(info, batch, b, [](int) { return std::string("self: the eigenvalue algorithm did not converge"); });
      scatter(w.data(), n, column_of(values, batch.offset(values, 1, b)));
      scatter(a.data(), n, matrix_of(vectors, batch.offset(vectors, 2, b)));
    }
  });
}

// U, S, Vh by divide and conquer: k = min(m, n) columns of U and rows of Vh, or all of them with
// full_matrices.
template <typename T>
void svd(const KernelArgs& args) {
  const TensorView in = args.tensor(0), u_out = args.output(0), s_out = args.output(1), vh_out = args.output(2);
  const bool full = args.to_bool(1);
  const MatrixBatch batch(s_out, 1);
  const int m = lapack_int(in.size(in.ndim() - 2)), n = lapack_int(in.size(in.ndim() - 1)), k = std::min(m, n);
  const int u_cols = full ? m : k, vh_rows = full ? n : k;
  const char jobz = full ? 'A' : 'S';
  // The scratch of one range of the batch.
  struct Scratch {
    std::vector<T> a, s, u, vh;
    std::vector<int> iwork;
  };
  const auto make_scratch = [&] {
    return Scratch{scratch<T>(int64_t{m} * n), scratch<T>(k), scratch<T>(int64_t{m} * u_cols),
                   scratch<T>(int64_t{vh_rows} * n), scratch<int>(8 * int64_t{k})};
  };
  T work_query = 0;
  {
    Scratch q = make_scratch();
    int info = 0;
    lapack::gesdd(jobz, m, n, q.a.data(), leading(m), q.s.data(), q.u.data(), leading(m), q.vh.data(),
                  leading(vh_rows), &work_query, -1, q.iwork.data(), &info);
  }
  const int lwork = workspace(work_query);
  over_batch(batch, int64_t{m} * n * std::max(m, n), [&](int64_t begin, int64_t end) {
    Scratch z = make_scratch();
    std::vector<T> work(static_cast<size_t>(lwork));
    for (int64_t b = begin; b < end; ++b) {
      gather(matrix_of(in, batch.offset(in, 2, b)), z.a.data(), m);
      int info = 0;
      lapack::gesdd(jobz, m, n, z.a.data(), leading(m), z.s.data(), z.u.data(), leading(m), z.vh.data(),
                    leading(vh_rows), work.data(), lwork, z.iwork.data(), &info);
      check_info(info, batch, b, [](int) { return std::string("A: the SVD did not converge"); });
      scatter(z.u.data(), m, matrix_of(u_out, batch.offset(u_out, 2, b)));
      scatter(z.s.data(), k, column_of(s_out, batch.offset(s_out, 1, b)));
      scatter(z.vh.data(), vh_rows, matrix_of(vh_out, batch.offset(vh_out, 2, b)));
    }
  });
}

// One registered entry per operator, the precision taken from its first input; the meta
// functions admit no dtype but these two.
template <void (*Single)(const KernelArgs&), void (*Double)(const KernelArgs&)>
void by_precision(const KernelArgs& args, void*) {
  const int32_t dtype = args.tensor(0).dtype();
  if (dtype == EMBER_DTYPE_FLOAT32) return Single(args);
  if (dtype == EMBER_DTYPE_FLOAT64) return Double(args);
  sdk::decline("linear algebra runs in float32 or float64");
}
template <void (*Single)(const KernelArgs&), void (*Double)(const KernelArgs&)>
constexpr ember_kernel_fn kernel = &sdk::guarded_kernel<&by_precision<Single, Double>>;

}  // namespace

void register_linalg_kernels(const ember_host_api* host) {
  sdk::register_kernel(host, "linalg_cholesky_ex", kernel<&cholesky<float>, &cholesky<double>>);
  sdk::register_kernel(host, "linalg_solve_triangular", kernel<&solve_triangular<float>, &solve_triangular<double>>);
  sdk::register_kernel(host, "linalg_solve", kernel<&solve<float>, &solve<double>>);
  sdk::register_kernel(host, "linalg_slogdet", kernel<&slogdet<float>, &slogdet<double>>);
  sdk::register_kernel(host, "linalg_qr", kernel<&qr<float>, &qr<double>>);
  sdk::register_kernel(host, "linalg_lu_factor_ex", kernel<&lu_factor<float>, &lu_factor<double>>);
  sdk::register_kernel(host, "linalg_eigh", kernel<&eigh<float>, &eigh<double>>);
  sdk::register_kernel(host, "linalg_svd", kernel<&svd<float>, &svd<double>>);
}

}  // namespace ember::cpu
