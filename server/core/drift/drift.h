#pragma once

// Dataset drift: one univariate test per feature (chosen by type and sample size), p-values
// corrected across features, and dataset drift by the share of drifted features.
// Pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/core/profile/profile.h"

namespace greengate::drift {

enum class Correction { kBenjaminiHochberg, kBonferroni, kNone };

struct DriftOptions {
  double p_value_threshold = 0.05;  // tests with a p-value drift when adjusted p < this
  double distance_threshold = 0.1;  // effect-size tests drift when statistic >= this
  double drift_share_threshold = 0.5;
  Correction correction = Correction::kBenjaminiHochberg;
  // Above this many reference rows p-values reject trivial shifts, so effect sizes decide.
  int64_t large_sample_rows = 1000;
};

struct FeatureDrift {
  std::string feature;
  std::string test;  // "ks", "wasserstein_norm", "psi", "jensen_shannon", "chi_square"
  double statistic = 0;
  std::optional<double> p_value;           // tests that have one
  std::optional<double> adjusted_p_value;  // after the correction across features
  double threshold = 0;
  bool drifted = false;
  std::string why;  // why this test was chosen, for the decision record
  // Effect sizes reported for every feature, whatever test decided.
  double psi = 0;
  double jensen_shannon = 0;  // distance, base 2, in [0, 1]
  double missing_rate_reference = 0;
  double missing_rate_current = 0;
  std::vector<std::string> unseen_categories;  // current categories absent from the reference
};

struct DriftReport {
  std::vector<FeatureDrift> features;  // in the reference's feature order
  int drifted_features = 0;
  double drifted_share = 0;
  double share_threshold = 0;
  bool dataset_drift = false;
  Correction correction = Correction::kBenjaminiHochberg;
};

// Runs the tests of `current` against `reference`. Both must already be valid and
// `current` must match `reference` (profile/validate.h); otherwise InvalidArgument.
absl::StatusOr<DriftReport> DetectDrift(const profile::DataProfile& reference,
                                        const profile::DataProfile& current,
                                        const DriftOptions& options);

}  // namespace greengate::drift
