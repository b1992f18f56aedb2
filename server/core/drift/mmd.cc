#include "server/core/drift/mmd.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/profile/random.h"

namespace greengate::drift {
namespace {

// Kernel rows computed at a time: 128 x N doubles per worker (4 MB at N = 4000).
constexpr Eigen::Index kBlockRows = 128;

absl::Status CheckInputs(const RowMatrix& x, const RowMatrix& y) {
  if (x.rows() < 2 || y.rows() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(x.rows() < 2 ? "reference" : "current",
                                                   ": needs at least 2 rows, got ",
                                                   x.rows() < 2 ? x.rows() : y.rows()));
  }
  if (x.cols() != y.cols() || x.cols() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("current: has ", y.cols(), " columns, the reference ", x.cols()));
  }
  if (!x.allFinite()) return absl::InvalidArgumentError("reference: holds a non-finite value");
  if (!y.allFinite()) return absl::InvalidArgumentError("current: holds a non-finite value");
  return absl::OkStatus();
}

// Squared distances between the rows [begin, begin + rows) of z and all rows of z.
void SquaredDistances(const RowMatrix& z, const Eigen::VectorXd& norms, Eigen::Index begin,
                      Eigen::Index rows, RowMatrix& out) {
  out.noalias() = z.middleRows(begin, rows) * z.transpose();
  for (Eigen::Index i = 0; i < rows; ++i) {
    const double ni = norms(begin + i);
    for (Eigen::Index j = 0; j < z.rows(); ++j) {
      out(i, j) = std::max(0.0, ni + norms(j) - 2.0 * out(i, j));
    }
    out(i, begin + i) = 0.0;  // exactly, so that k(x, x) = 1
  }
}

// Sums of the kernel matrix K of the pooled rows z against group indicators: for each
// column p of `groups` (1 = the row is in the reference), q[p] = u_p' K u_p and s[p] =
// u_p' K 1; `total` = 1' K 1. Blocks are distributed over threads, and partial sums are
// added in block order, so the result does not depend on the thread count.
struct KernelSums {
  Eigen::VectorXd q;
  Eigen::VectorXd s;
  double total = 0;
};

KernelSums SumKernel(const RowMatrix& z, const Eigen::MatrixXd& groups, double sigma, int threads) {
  const Eigen::Index n = z.rows();
  const Eigen::Index p = groups.cols();
  const Eigen::VectorXd norms = z.rowwise().squaredNorm();
  const Eigen::Index blocks = (n + kBlockRows - 1) / kBlockRows;
  std::vector<Eigen::VectorXd> block_q(static_cast<size_t>(blocks));
  std::vector<Eigen::VectorXd> block_s(static_cast<size_t>(blocks));
  std::vector<double> block_total(static_cast<size_t>(blocks), 0.0);
  const double scale = -1.0 / (2.0 * sigma * sigma);

  auto work = [&](int worker, int workers) {
    RowMatrix k(kBlockRows, n);
    Eigen::MatrixXd kg;
    for (Eigen::Index b = worker; b < blocks; b += workers) {
      const Eigen::Index begin = b * kBlockRows;
      const Eigen::Index rows = std::min(kBlockRows, n - begin);
      if (k.rows() != rows) k.resize(rows, n);
      SquaredDistances(z, norms, begin, rows, k);
      k = (k.array() * scale).exp().matrix();
      const Eigen::VectorXd row_sums = k.rowwise().sum();
      kg.noalias() = k * groups;  // rows x p: (K u_p) restricted to the block's rows
      const auto g = groups.middleRows(begin, rows);
      block_q[static_cast<size_t>(b)] = g.cwiseProduct(kg).colwise().sum().transpose();
      block_s[static_cast<size_t>(b)] = g.transpose() * row_sums;
      block_total[static_cast<size_t>(b)] = row_sums.sum();
    }
  };
  const int workers = static_cast<int>(
      std::max<Eigen::Index>(1, std::min<Eigen::Index>(std::max(1, threads), blocks)));
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(work, w, workers);
  work(0, workers);
  for (std::thread& t : pool) t.join();

  KernelSums sums;
  sums.q = Eigen::VectorXd::Zero(p);
  sums.s = Eigen::VectorXd::Zero(p);
  for (Eigen::Index b = 0; b < blocks; ++b) {
    sums.q += block_q[static_cast<size_t>(b)];
    sums.s += block_s[static_cast<size_t>(b)];
    sums.total += block_total[static_cast<size_t>(b)];
  }
  return sums;
}

// MMD^2 from the sums of one split into n reference and m current rows (K's diagonal is 1).
double Mmd2FromSums(double q, double s, double total, double n, double m) {
  const double xy = s - q;                // sum over reference x current pairs
  const double yy = total - 2.0 * s + q;  // current x current, diagonal included
  return (q - n) / (n * (n - 1.0)) + (yy - m) / (m * (m - 1.0)) - 2.0 * xy / (n * m);
}

RowMatrix Pool(const RowMatrix& x, const RowMatrix& y) {
  RowMatrix z(x.rows() + y.rows(), x.cols());
  z.topRows(x.rows()) = x;
  z.bottomRows(y.rows()) = y;
  return z;
}

// Evenly spaced rows of x, at most `limit` of them.
RowMatrix Subsample(const RowMatrix& x, Eigen::Index limit) {
  if (x.rows() <= limit) return x;
  RowMatrix out(limit, x.cols());
  for (Eigen::Index i = 0; i < limit; ++i) out.row(i) = x.row(i * x.rows() / limit);
  return out;
}

}  // namespace

double MedianHeuristicSigma(const RowMatrix& x, const RowMatrix& y) {
  assert(x.cols() == y.cols());
  const bool same = x.rows() == y.rows() && x == y;
  std::vector<double> distances;
  distances.reserve(static_cast<size_t>(x.rows() * y.rows()));
  const Eigen::VectorXd xn = x.rowwise().squaredNorm();
  const Eigen::VectorXd yn = y.rowwise().squaredNorm();
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const Eigen::RowVectorXd dots = x.row(i) * y.transpose();
    for (Eigen::Index j = 0; j < y.rows(); ++j) {
      if (same && j <= i) continue;  // each unordered pair once, no diagonal
      distances.push_back(std::max(0.0, xn(i) + yn(j) - 2.0 * dots(j)));
    }
  }
  if (distances.empty()) return 1.0;
  // alibi sorts the full matrix and takes index n_diag + (size - n_diag) // 2 - 1; for the
  // symmetric case every pair appears twice there, which is the lower median of the pairs.
  const size_t k = same ? (distances.size() - 1) / 2 : (distances.size()) / 2 - 1;
  std::nth_element(distances.begin(), distances.begin() + static_cast<std::ptrdiff_t>(k),
                   distances.end());
  return std::sqrt(0.5 * distances[k]);
}

absl::StatusOr<double> Mmd2Unbiased(const RowMatrix& x, const RowMatrix& y, double sigma) {
  RETURN_IF_ERROR(CheckInputs(x, y));
  if (!(sigma > 0) || !std::isfinite(sigma)) {
    return absl::InvalidArgumentError(absl::StrCat("sigma: must be > 0, got ", sigma));
  }
  const RowMatrix z = Pool(x, y);
  Eigen::MatrixXd groups = Eigen::MatrixXd::Zero(z.rows(), 1);
  groups.topRows(x.rows()).setOnes();
  const KernelSums sums = SumKernel(z, groups, sigma, 1);
  return Mmd2FromSums(sums.q(0), sums.s(0), sums.total, static_cast<double>(x.rows()),
                      static_cast<double>(y.rows()));
}

absl::StatusOr<MmdResult> MmdTest(const RowMatrix& reference, const RowMatrix& current,
                                  const MmdOptions& options) {
  RETURN_IF_ERROR(CheckInputs(reference, current));
  if (options.permutations < 0 || options.permutations > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat("permutations: must be in [0, 100000], got ", options.permutations));
  }
  if (!(options.sigma >= 0) || !std::isfinite(options.sigma)) {
    return absl::InvalidArgumentError(absl::StrCat("sigma: must be >= 0, got ", options.sigma));
  }
  MmdResult result;
  result.permutations = options.permutations;
  if (options.sigma > 0) {
    result.sigma = options.sigma;
  } else {
    const RowMatrix base = Subsample(reference, kMaxBandwidthRows);
    result.sigma = MedianHeuristicSigma(base, base);
    if (!(result.sigma > 0)) result.sigma = 1.0;  // all rows equal: any bandwidth gives 0
  }

  const RowMatrix z = Pool(reference, current);
  const Eigen::Index total_rows = z.rows();
  const Eigen::Index n = reference.rows();
  // Column 0: the observed split; columns 1..P: random re-splits (Fisher-Yates).
  Eigen::MatrixXd groups = Eigen::MatrixXd::Zero(total_rows, options.permutations + 1);
  groups.col(0).head(n).setOnes();
  profile::internal::Rng rng(profile::internal::MixSeed(options.seed, 0x6d6d64));
  std::vector<Eigen::Index> order(static_cast<size_t>(total_rows));
  for (int p = 1; p <= options.permutations; ++p) {
    std::iota(order.begin(), order.end(), 0);
    for (Eigen::Index i = total_rows - 1; i > 0; --i) {
      const auto j = static_cast<Eigen::Index>(
          profile::internal::UniformBelow(rng, static_cast<uint64_t>(i) + 1));
      std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    for (Eigen::Index i = 0; i < n; ++i) groups(order[static_cast<size_t>(i)], p) = 1.0;
  }

  const KernelSums sums = SumKernel(z, groups, result.sigma, options.threads);
  const double nd = static_cast<double>(n);
  const double md = static_cast<double>(current.rows());
  result.mmd2 = Mmd2FromSums(sums.q(0), sums.s(0), sums.total, nd, md);
  if (options.permutations > 0) {
    int at_least = 0;
    for (int p = 1; p <= options.permutations; ++p) {
      if (Mmd2FromSums(sums.q(p), sums.s(p), sums.total, nd, md) >= result.mmd2) ++at_least;
    }
    result.p_value = static_cast<double>(at_least) / options.permutations;
  }
  return result;
}

}  // namespace greengate::drift
