#pragma once

// Feature profiles: statistics of one dataset, never its rows. A reference profile (the
// deployed model's training data) fixes the numeric bin edges; a current profile (new data)
// counts on those same edges. Profiles of shards merge into the profile of their union.

#include <cstdint>
#include <map>
#include <optional>
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

struct DataProfile {
  std::vector<FeatureProfile> features;
  int64_t rows = 0;
  std::optional<JointSample> joint;  // optional; absent unless asked for
  // Reference profiles only: importance of each feature (>= 0) for the drifted share.
  std::map<std::string, double> feature_importance;
};

}  // namespace greengate::profile
