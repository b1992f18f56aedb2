#pragma once

// Dataset-level multivariate drift on the profiles' joint row samples: MMD permutation test
// and PCA reconstruction error. Internal to the drift module (DetectDrift's last step).
// Pure and thread-safe.

#include "absl/status/statusor.h"
#include "server/core/drift/drift.h"
#include "server/core/profile/profile.h"

namespace greengate::drift::internal {

// CompareJointSamples()
//
// Runs MmdTest() and PcaReconstructionTest() on the columns both joint samples share (in the
// reference's order). `drifted` when the MMD p-value < options.p_value_threshold or the PCA
// error leaves its band. The PCA test is skipped (pca_components 0) when the reference has
// fewer rows than 2 * pca_chunks. InvalidArgument, naming "reference.joint" or
// "current.joint", for malformed samples (values not rows x features, non-finite values,
// fewer than 2 rows) or when they share no feature.
absl::StatusOr<MultivariateDrift> CompareJointSamples(const profile::JointSample& reference,
                                                      const profile::JointSample& current,
                                                      const DriftOptions& options);

}  // namespace greengate::drift::internal
