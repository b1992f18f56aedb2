#include "server/core/drift/pca_error.h"

#include <cassert>
#include <cmath>

#include "Eigen/Eigenvalues"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace greengate::drift {

absl::StatusOr<PcaModel> FitPca(const RowMatrix& reference, double variance) {
  if (reference.rows() < 2 || reference.cols() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("reference: needs at least 2 rows and 1 column, got ", reference.rows(), " x ",
                     reference.cols()));
  }
  if (!reference.allFinite()) {
    return absl::InvalidArgumentError("reference: holds a non-finite value");
  }
  if (!(variance > 0 && variance < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("pca_variance: must be in (0, 1), got ", variance));
  }
  const double n = static_cast<double>(reference.rows());
  PcaModel model;
  model.mean = reference.colwise().mean();
  const RowMatrix centered = reference.rowwise() - model.mean;
  model.scale = (centered.colwise().squaredNorm() / n).cwiseSqrt();
  for (Eigen::Index j = 0; j < model.scale.size(); ++j) {
    if (model.scale(j) == 0) model.scale(j) = 1.0;
  }
  const RowMatrix standardised = centered.array().rowwise() / model.scale.array();
  model.center = standardised.colwise().mean();
  const RowMatrix z = standardised.rowwise() - model.center;
  const Eigen::MatrixXd covariance = (z.transpose() * z) / (n - 1.0);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(covariance);
  const Eigen::Index d = covariance.rows();
  // Eigenvalues come ascending; components are wanted in descending order of variance.
  double total = 0;
  for (Eigen::Index i = 0; i < d; ++i) total += std::max(0.0, solver.eigenvalues()(i));
  Eigen::Index keep = d;
  double cumulative = 0;
  for (Eigen::Index i = 0; i < d; ++i) {
    const double ratio =
        total > 0 ? std::max(0.0, solver.eigenvalues()(d - 1 - i)) / total : 1.0 / d;
    model.explained_variance_ratio.push_back(ratio);
    cumulative += ratio;
    if (keep == d && cumulative > variance) keep = i + 1;
  }
  model.components.resize(d, keep);
  for (Eigen::Index i = 0; i < keep; ++i) {
    model.components.col(i) = solver.eigenvectors().col(d - 1 - i);
  }
  return model;
}

Eigen::VectorXd ReconstructionErrors(const PcaModel& model, const RowMatrix& rows) {
  assert(rows.cols() == model.mean.size());
  const RowMatrix z =
      ((rows.rowwise() - model.mean).array().rowwise() / model.scale.array()).matrix();
  const RowMatrix centered = z.rowwise() - model.center;
  const RowMatrix projected = centered * model.components;
  const RowMatrix residual = centered - projected * model.components.transpose();
  return residual.rowwise().norm();
}

absl::StatusOr<PcaErrorResult> PcaReconstructionTest(const RowMatrix& reference,
                                                     const RowMatrix& current, double variance,
                                                     int chunks) {
  if (chunks < 2 || chunks > reference.rows()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pca_chunks: must be in [2, reference rows = ", reference.rows(), "], got ", chunks));
  }
  if (current.rows() < 1 || current.cols() != reference.cols()) {
    return absl::InvalidArgumentError(absl::StrCat("current: ", current.rows(), " x ",
                                                   current.cols(),
                                                   " rows x columns; the "
                                                   "reference has ",
                                                   reference.cols(), " columns"));
  }
  if (!current.allFinite()) return absl::InvalidArgumentError("current: holds a non-finite value");
  ASSIGN_OR_RETURN(const PcaModel model, FitPca(reference, variance));
  const Eigen::VectorXd ref_errors = ReconstructionErrors(model, reference);
  std::vector<double> chunk_means;
  const Eigen::Index rows = reference.rows();
  for (int c = 0; c < chunks; ++c) {
    const Eigen::Index begin = rows * c / chunks;
    const Eigen::Index end = rows * (c + 1) / chunks;
    chunk_means.push_back(ref_errors.segment(begin, end - begin).mean());
  }
  PcaErrorResult result;
  result.components = static_cast<int>(model.components.cols());
  double sum = 0;
  for (double v : chunk_means) sum += v;
  result.reference_mean = sum / chunks;
  double squares = 0;
  for (double v : chunk_means) squares += (v - result.reference_mean) * (v - result.reference_mean);
  result.reference_std = std::sqrt(squares / chunks);
  result.lower = result.reference_mean - 3.0 * result.reference_std;
  result.upper = result.reference_mean + 3.0 * result.reference_std;
  result.error = ReconstructionErrors(model, current).mean();
  result.drifted = result.error < result.lower || result.error > result.upper;
  return result;
}

}  // namespace greengate::drift
