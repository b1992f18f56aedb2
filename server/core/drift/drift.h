#pragma once

// Dataset drift: one univariate test per feature (chosen by type and sample size), p-values
// corrected across features, and dataset drift by the share of drifted features.
// Pure and thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/core/profile/profile.h"

namespace greengate::drift {

enum class Correction { kBenjaminiHochberg, kBonferroni, kNone };

struct DriftOptions {
  double p_value_threshold = 0.05;  // tests with a p-value drift when adjusted p < this
  double distance_threshold = 0.1;  // effect-size tests drift when statistic >= this
  double drift_share_threshold = 0.5;
  Correction correction = Correction::kBenjaminiHochberg;
  // Above this many rows of the reference profile (DataProfile::rows, missing values
  // included, the same count for every feature) p-values reject trivial shifts, so effect
  // sizes decide.
  int64_t large_sample_rows = 1000;
  // Per-feature test chosen by the policy instead of the default selection (feature name ->
  // test name): one of FeatureTestNames(), whose registry (test_registry.cc) says what each
  // test takes (numeric distributions, histograms or categories, a binary feature).
  std::map<std::string, std::string> feature_tests;
  // Feature importance sent with the reference (feature name -> weight >= 0). When not empty,
  // the drifted share is the importance-weighted share; features absent from the map weigh 0.
  std::map<std::string, double> feature_importance;
  // Missing-value rate drift: a feature's missing rate drifted when the two-proportion z-test
  // on missing counts gives p < p_value_threshold / features (Bonferroni) and the rates
  // differ by at least this much (an effect size, so that huge n alone does not flag it).
  double missing_rate_min_difference = 0.05;
  // Multivariate tests on the joint row samples (when both profiles carry one).
  struct Multivariate {
    bool enabled = true;
    int permutations = 100;      // MMD permutation test
    uint64_t seed = 0;           // permutations are drawn from this seed: deterministic
    int threads = 2;             // worker threads for the kernel sums (results do not depend on it)
    double pca_variance = 0.65;  // share of variance the PCA keeps (NannyML)
    int pca_chunks = 10;         // reference chunks for the PCA error's threshold
  } multivariate;
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
  // Tests on numeric distributions: what the statistic was computed on ("all_values": every
  // value, as scipy; "grid": every row on the reference's fine grid; "sample": reservoir
  // samples), and the interval the statistic of all the rows lies in (absent when unknown).
  std::string resolution;
  std::optional<double> statistic_lower;
  std::optional<double> statistic_upper;
  // Effect sizes reported for every feature, whatever test decided.
  double psi = 0;
  double jensen_shannon = 0;  // distance, base 2, in [0, 1]
  double missing_rate_reference = 0;
  double missing_rate_current = 0;
  std::vector<std::string> unseen_categories;  // current categories absent from the reference
  // Missing-value rate test (two-proportion z on missing vs non-missing counts).
  double missing_rate_z = 0;
  double missing_rate_p_value = 1;
  bool missing_rate_drifted = false;
  double importance = 1;  // weight in the drifted share (1 unless importance was sent)
};

// Dataset-level multivariate result on the joint row samples.
struct MultivariateDrift {
  std::vector<std::string> features;  // the numeric features both samples share
  int reference_rows = 0;
  int current_rows = 0;
  // MMD^2 (unbiased, RBF kernel, median-heuristic bandwidth) with its permutation p-value.
  double mmd2 = 0;
  double mmd_sigma = 0;
  double mmd_p_value = 1;
  int permutations = 0;
  bool mmd_drifted = false;  // p_value < p_value_threshold
  // PCA reconstruction error (NannyML): mean per-row error of the current rows, and the
  // alert band mean +/- 3 std of the reference chunks' errors.
  double pca_error = 0;
  double pca_lower = 0;
  double pca_upper = 0;
  int pca_components = 0;
  bool pca_drifted = false;  // error outside [lower, upper]
  bool drifted = false;      // either test
  std::string why;
};

struct DriftReport {
  std::vector<FeatureDrift> features;  // in the reference's feature order
  int drifted_features = 0;
  double drifted_share = 0;  // importance-weighted when importance_weighted
  double share_threshold = 0;
  bool dataset_drift = false;  // drifted share >= threshold, or the multivariate test drifted
  Correction correction = Correction::kBenjaminiHochberg;
  bool importance_weighted = false;
  int missing_rate_drifted_features = 0;
  std::optional<MultivariateDrift> multivariate;  // when both profiles carry joint samples
};

// ValidateDriftOptions()
//
// The options' ranges, each named `field` + "." + its name in the API's Policy (e.g.
// "policy.p_value_threshold"): p_value_threshold and distance_threshold in (0, 1),
// drift_share_threshold in (0, 1], large_sample_rows >= 1, every feature_tests value a test of
// FeatureTestNames() (test_registry.h), multivariate.permutations ("mmd_permutations") in
// [1, 100000] while the multivariate tests are on, missing_rate_min_difference in [0, 1].
// A policy's are checked with it when it is stored and read (policy::ValidatePolicy), and
// DetectDrift checks its options with it again. InvalidArgument. Thread-safe.
absl::Status ValidateDriftOptions(const DriftOptions& options, std::string_view field);

// ValidateDriftOptionsForReference()
//
// What the options ask of `reference`: every feature_tests key names one of its features and
// the test applies to it (ValidateFeatureTestFor), and feature_importance weighs its features
// validly (profile::ValidateImportance). Checked when a policy or a reference is stored, each
// against the other in force, and again by DetectDrift: no stored pair can fail it later.
// InvalidArgument naming `field` + ".feature_tests['name']" or ".feature_importance".
// Thread-safe.
absl::Status ValidateDriftOptionsForReference(const DriftOptions& options,
                                              const profile::DataProfile& reference,
                                              std::string_view field);

// Runs the tests of `current` against `reference`. Both must already be valid and
// `current` must match `reference` (profile/validate.h); otherwise InvalidArgument. Checks the
// options and the reference's importance with the functions their writes use
// (ValidateDriftOptions, ValidateDriftOptionsForReference, profile::ValidateFeatureImportance),
// naming "options.*" and "reference.*".
absl::StatusOr<DriftReport> DetectDrift(const profile::DataProfile& reference,
                                        const profile::DataProfile& current,
                                        const DriftOptions& options);

}  // namespace greengate::drift
