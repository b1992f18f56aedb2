#pragma once

// Multivariate drift by PCA reconstruction error, NannyML's DataReconstructionDriftCalculator
// on numeric features. Pure and thread-safe.

#include <vector>

#include "absl/status/statusor.h"
#include "server/core/drift/mmd.h"

namespace greengate::drift {

// A PCA fitted on reference rows: standardisation, then the leading components.
struct PcaModel {
  Eigen::RowVectorXd mean;     // reference column means
  Eigen::RowVectorXd scale;    // reference column std (ddof 0); 1 where it is 0 (as sklearn)
  Eigen::RowVectorXd center;   // mean of the standardised reference (~0), PCA's centring
  Eigen::MatrixXd components;  // d x k, orthonormal columns
  std::vector<double> explained_variance_ratio;  // of every component, descending
};

// FitPca()
//
// StandardScaler then PCA(n_components=variance) as sklearn does: keeps the fewest leading
// components whose cumulative explained variance ratio exceeds `variance` (sklearn's
// searchsorted(..., side="right") + 1), at least 1 and at most d. InvalidArgument for fewer
// than 2 rows, a non-finite value, or variance outside (0, 1).
absl::StatusOr<PcaModel> FitPca(const RowMatrix& reference, double variance);

// ReconstructionErrors()
//
// Per row: || z - (center + (z - center) W W') ||_2 with z the standardised row; in
// standardised units. Columns must match the model (asserted).
Eigen::VectorXd ReconstructionErrors(const PcaModel& model, const RowMatrix& rows);

// Result of PcaReconstructionTest().
struct PcaErrorResult {
  double error = 0;           // mean reconstruction error of the current rows
  double reference_mean = 0;  // mean of the reference chunks' mean errors
  double reference_std = 0;   // their population std
  double lower = 0;           // reference_mean - 3 std
  double upper = 0;           // reference_mean + 3 std
  int components = 0;
  bool drifted = false;  // error outside [lower, upper]
};

// PcaReconstructionTest()
//
// Fits FitPca() on `reference`, splits the reference rows into `chunks` consecutive chunks
// (sizes differing by at most 1) whose mean errors set the band mean +/- 3 std (NannyML's
// threshold), and compares the current rows' mean error with it. InvalidArgument as FitPca(),
// when chunks < 2 or exceeds the reference rows, or when the columns differ.
absl::StatusOr<PcaErrorResult> PcaReconstructionTest(const RowMatrix& reference,
                                                     const RowMatrix& current, double variance,
                                                     int chunks);

}  // namespace greengate::drift
