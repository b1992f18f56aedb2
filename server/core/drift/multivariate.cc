#include "server/core/drift/multivariate.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/status_macros.h"
#include "server/core/drift/mmd.h"
#include "server/core/drift/pca_error.h"

namespace greengate::drift::internal {
namespace {

absl::Status CheckJoint(const profile::JointSample& joint, const char* field) {
  const size_t d = joint.features.size();
  if (d == 0) return absl::InvalidArgumentError(absl::StrCat(field, ".features: empty"));
  if (joint.rows < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".rows: needs at least 2 rows, got ", joint.rows));
  }
  if (joint.values.size() != static_cast<size_t>(joint.rows) * d) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".values: ", joint.values.size(),
                     " values, expected rows x features = ", joint.rows, " x ", d));
  }
  for (size_t i = 0; i < joint.values.size(); ++i) {
    if (!std::isfinite(joint.values[i])) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".values[", i, "]: not finite"));
    }
  }
  return absl::OkStatus();
}

// The columns `columns` of a row-major joint sample.
RowMatrix Columns(const profile::JointSample& joint, const std::vector<size_t>& columns) {
  const size_t d = joint.features.size();
  RowMatrix out(joint.rows, static_cast<Eigen::Index>(columns.size()));
  for (int64_t r = 0; r < joint.rows; ++r) {
    for (size_t c = 0; c < columns.size(); ++c) {
      out(r, static_cast<Eigen::Index>(c)) = joint.values[static_cast<size_t>(r) * d + columns[c]];
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<MultivariateDrift> CompareJointSamples(const profile::JointSample& reference,
                                                      const profile::JointSample& current,
                                                      const DriftOptions& options) {
  RETURN_IF_ERROR(CheckJoint(reference, "reference.joint"));
  RETURN_IF_ERROR(CheckJoint(current, "current.joint"));
  MultivariateDrift out;
  std::vector<size_t> ref_columns;
  std::vector<size_t> cur_columns;
  for (size_t i = 0; i < reference.features.size(); ++i) {
    for (size_t j = 0; j < current.features.size(); ++j) {
      if (reference.features[i] == current.features[j]) {
        ref_columns.push_back(i);
        cur_columns.push_back(j);
        out.features.push_back(reference.features[i]);
        break;
      }
    }
  }
  if (out.features.empty()) {
    return absl::InvalidArgumentError(
        "current.joint.features: shares no feature with reference.joint.features");
  }
  const RowMatrix x = Columns(reference, ref_columns);
  const RowMatrix y = Columns(current, cur_columns);
  out.reference_rows = static_cast<int>(x.rows());
  out.current_rows = static_cast<int>(y.rows());

  const DriftOptions::Multivariate& mv = options.multivariate;
  ASSIGN_OR_RETURN(
      const MmdResult mmd,
      MmdTest(x, y, {.permutations = mv.permutations, .seed = mv.seed, .threads = mv.threads}));
  out.mmd2 = mmd.mmd2;
  out.mmd_sigma = mmd.sigma;
  out.mmd_p_value = mmd.p_value;
  out.permutations = mmd.permutations;
  out.mmd_drifted = mmd.permutations > 0 && mmd.p_value < options.p_value_threshold;

  std::string pca_why = "PCA error skipped (reference sample too small for its chunks)";
  if (mv.pca_chunks >= 2 && x.rows() >= 2 * static_cast<Eigen::Index>(mv.pca_chunks)) {
    ASSIGN_OR_RETURN(const PcaErrorResult pca,
                     PcaReconstructionTest(x, y, mv.pca_variance, mv.pca_chunks));
    out.pca_error = pca.error;
    out.pca_lower = pca.lower;
    out.pca_upper = pca.upper;
    out.pca_components = pca.components;
    out.pca_drifted = pca.drifted;
    pca_why = absl::StrFormat(
        "PCA reconstruction error %.4g (%d components for %.0f%% variance) %s the reference "
        "band [%.4g, %.4g]",
        pca.error, pca.components, 100 * mv.pca_variance, pca.drifted ? "outside" : "inside",
        pca.lower, pca.upper);
  }
  out.drifted = out.mmd_drifted || out.pca_drifted;
  out.why = absl::StrFormat(
      "joint samples of %d features, %d vs %d rows: MMD^2 %.4g (RBF, sigma %.4g by the median "
      "heuristic), permutation p %.3g over %d permutations; %s",
      out.features.size(), out.reference_rows, out.current_rows, out.mmd2, out.mmd_sigma,
      out.mmd_p_value, out.permutations, pca_why);
  return out;
}

}  // namespace greengate::drift::internal
