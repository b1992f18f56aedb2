#pragma once

// Feature profiles: statistics of one dataset, never its rows. A reference profile (the
// deployed model's training data) fixes the numeric bin edges; a current profile (new data)
// counts on those same edges. Profiles of shards merge into the profile of their union.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace greengate::profile {

struct NumericProfile {
  // Strictly increasing, finite. bin_counts has bin_edges.size() + 1 entries:
  // (-inf, e0), [e0, e1), ..., [e_last, +inf).
  std::vector<double> bin_edges;
  std::vector<double> bin_counts;
  // Values exactly equal to each edge (so edge_counts[i] <= bin_counts[i + 1]): the ties of
  // discrete data, which sit on the reference's quantile edges. With them a fine grid gives
  // the exact ECDF of discrete data (drift/grid_statistics.h). Empty in profiles that predate
  // them; else one entry per edge.
  std::vector<int64_t> edge_counts;
  // Sums of the values in the first bin (below bin_edges[0]) and in the last (at or above the
  // last edge; with no edges, both are the one bin). The outer bins reach to min and max, so
  // on heavy tails they are wide: their sums make the grid's distances over them exact where
  // the two ECDFs do not cross. Meaningful only with edge_counts.
  double low_bin_sum = 0;
  double high_bin_sum = 0;
  double min = 0;
  double max = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared deviations from the mean, for the variance
  // Uniform reservoir sample of the non-missing values (sorted ascending in a reference).
  std::vector<double> sample;
  int64_t sample_seen = 0;  // values the reservoir drew from
};

struct CategoricalProfile {
  std::map<std::string, int64_t> counts;  // ordered, so output and tests are deterministic
  int64_t other = 0;                      // rows in categories beyond the kept top-K
  // A current profile counted on its reference (ProfileBuilder::ForReference): `counts` holds
  // every category the reference lists, with its exact count (0 kept), plus the categories
  // named in `unseen`, which the reference does not list. Those are listed only when the
  // reference's `other` is 0 (it listed every category it saw, so they are genuinely new):
  // the reference's top-K of them, the rest in `other`. When the reference folded categories
  // into its `other`, an unlisted category may be one it folded, so they all count in `other`
  // and `unseen` stays empty. Either way `other` means the same on both sides: rows in
  // categories beyond the reference's list (and, on the current side, beyond `unseen`).
  bool reference_aligned = false;
  std::set<std::string> unseen;  // keys of `counts`; only in a reference_aligned profile
};

struct FeatureProfile {
  std::string name;
  int64_t count = 0;    // rows seen, missing included
  int64_t missing = 0;  // NaN or empty
  std::variant<NumericProfile, CategoricalProfile> kind;

  bool is_numeric() const { return std::holds_alternative<NumericProfile>(kind); }
  const NumericProfile& numeric() const { return std::get<NumericProfile>(kind); }
  const CategoricalProfile& categorical() const { return std::get<CategoricalProfile>(kind); }
};

// Uniform reservoir sample of whole rows of the numeric features: what multivariate drift
// tests (MMD, PCA reconstruction error) need, since per-feature reservoirs are drawn
// independently and lose the joint distribution. Only complete rows (every listed feature
// non-missing) are drawn.
struct JointSample {
  std::vector<std::string> features;  // numeric feature names, in column order
  int64_t rows = 0;
  std::vector<double> values;  // rows x features.size(), row-major, finite
  int64_t seen = 0;            // complete rows the reservoir drew from
};

// How a profile was made, recorded in it so that a current profile on a reference (and every
// CLI path that makes one) takes the reference's own options instead of asking for them again.
struct ProfileOptions {
  int64_t top_k = 0;               // categories listed per categorical feature
  int64_t tracked_categories = 0;  // distinct categories counted at once before folding
  int64_t sample_size = 0;         // reservoir capacity per numeric feature
  int64_t joint_sample_rows = 0;   // joint sample capacity; 0 = none
  uint64_t seed = 0;               // seeds the reservoirs
  int64_t bins = 0;                // quantile bins of a reference's edges; 0 in a current profile

  friend bool operator==(const ProfileOptions&, const ProfileOptions&) = default;
};

struct DataProfile {
  std::vector<FeatureProfile> features;
  int64_t rows = 0;
  std::optional<JointSample> joint;  // optional; absent unless asked for
  // Reference profiles only: importance of each feature (>= 0) for the drifted share.
  std::map<std::string, double> feature_importance;
  std::optional<ProfileOptions> options;  // absent in profiles of older clients
};

}  // namespace greengate::profile
