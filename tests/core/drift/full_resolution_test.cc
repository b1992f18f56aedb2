// Drift detection on every row: the properties that a reservoir sample in place of the
// reference's fine grid fails. 100 N(0, 1) columns, 50 of them shifted by 0.05 sd.
//   - 100,000 rows a side, KS with Bonferroni: scipy's ks_2samp on all rows flags 50/50
//     shifted and none of the clean ones; the profiles must do the same within one.
//   - 10,000 rows: within 2 of the same test on all rows (the exact KS here, which the
//     scipy cross-check holds equal to scipy).
//   - the default policy (normed Wasserstein >= 0.1 at large n) flags no clean column.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/core/drift/drift.h"
#include "server/core/drift/ks.h"
#include "server/core/profile/builder.h"

namespace greengate::drift {
namespace {

constexpr int kColumns = 100;
constexpr int kShifted = 50;  // columns 0..49
constexpr double kShift = 0.05;

struct Table {
  std::vector<std::vector<double>> columns;
};

Table Normal(int rows, int columns, double shift, int shifted, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Table t;
  t.columns.resize(columns);
  for (int c = 0; c < columns; ++c) {
    t.columns[c].resize(rows);
    for (double& v : t.columns[c]) v = normal(rng) + (c < shifted ? shift : 0.0);
  }
  return t;
}

std::vector<profile::FeatureSpec> Schema(int columns) {
  std::vector<profile::FeatureSpec> schema;
  for (int c = 0; c < columns; ++c) schema.push_back({"x" + std::to_string(c)});
  return schema;
}

profile::RowSource Rows(const Table& t) {
  return [&t](profile::ProfileBuilder& b) {
    for (std::size_t c = 0; c < t.columns.size(); ++c) b.AddNumericValues(c, t.columns[c]);
    b.EndBlock(static_cast<int64_t>(t.columns[0].size()), {});
    return absl::OkStatus();
  };
}

struct Profiles {
  profile::DataProfile reference;
  profile::DataProfile current;
};

// As the CLI profiles: the reference on its default grid, the current counted on it.
Profiles Profile(const Table& reference, const Table& current) {
  const profile::ProfileBuilderOptions options{.seed = 7};
  const int columns = static_cast<int>(reference.columns.size());
  absl::StatusOr<profile::DataProfile> ref = profile::BuildReferenceProfile(
      Schema(columns), options, profile::kDefaultReferenceBins, Rows(reference));
  EXPECT_TRUE(ref.ok()) << ref.status();
  absl::StatusOr<profile::ProfileBuilder> builder =
      profile::ProfileBuilder::ForReference(*ref, options);
  EXPECT_TRUE(builder.ok()) << builder.status();
  EXPECT_TRUE(Rows(current)(*builder).ok());
  return {*std::move(ref), builder->Finish()};
}

DriftOptions KsBonferroni(int columns) {
  DriftOptions o;
  o.correction = Correction::kBonferroni;
  o.multivariate.enabled = false;
  for (int c = 0; c < columns; ++c) o.feature_tests["x" + std::to_string(c)] = "ks";
  return o;
}

struct Flags {
  int shifted = 0;
  int clean = 0;
};

Flags Count(const DriftReport& report, int shifted) {
  Flags f;
  for (std::size_t i = 0; i < report.features.size(); ++i) {
    if (!report.features[i].drifted) continue;
    (static_cast<int>(i) < shifted ? f.shifted : f.clean) += 1;
  }
  return f;
}

// The same test on every value, Bonferroni over the columns.
Flags CountOnAllRows(const Table& reference, const Table& current, int shifted) {
  Flags f;
  const double level = 0.05 / static_cast<double>(reference.columns.size());
  for (std::size_t c = 0; c < reference.columns.size(); ++c) {
    std::vector<double> sorted = reference.columns[c];
    std::sort(sorted.begin(), sorted.end());
    absl::StatusOr<KsResult> ks = KolmogorovSmirnov(sorted, current.columns[c]);
    EXPECT_TRUE(ks.ok());
    if (ks->p_value >= level) continue;
    (static_cast<int>(c) < shifted ? f.shifted : f.clean) += 1;
  }
  return f;
}

TEST(FullResolutionTest, KsOnProfilesOf100kRowsFlagsEveryShiftedColumnAndNoCleanOne) {
  const Table reference = Normal(100'000, kColumns, 0.0, 0, 11);
  const Table current = Normal(100'000, kColumns, kShift, kShifted, 12);
  Profiles p = Profile(reference, current);
  absl::StatusOr<DriftReport> report = DetectDrift(p.reference, p.current, KsBonferroni(kColumns));
  ASSERT_TRUE(report.ok()) << report.status();
  const Flags flags = Count(*report, kShifted);
  EXPECT_GE(flags.shifted, 49);
  EXPECT_EQ(flags.clean, 0);
  EXPECT_EQ(report->features[0].resolution, "grid");
  EXPECT_EQ(report->features[0].p_value.has_value(), true);

  // The same profiles without their grids test the 1,000-value samples: nearly blind.
  for (profile::DataProfile* d : {&p.reference, &p.current}) {
    for (profile::FeatureProfile& f : d->features) {
      std::get<profile::NumericProfile>(f.kind).edge_counts.clear();
    }
  }
  absl::StatusOr<DriftReport> sampled = DetectDrift(p.reference, p.current, KsBonferroni(kColumns));
  ASSERT_TRUE(sampled.ok()) << sampled.status();
  EXPECT_EQ(sampled->features[0].resolution, "sample");
  EXPECT_LT(Count(*sampled, kShifted).shifted, 25);
}

TEST(FullResolutionTest, KsOnProfilesOf10kRowsFlagsWhatTheTestOnAllRowsFlags) {
  for (uint64_t seed : {21, 22, 23}) {
    const Table reference = Normal(10'000, kColumns, 0.0, 0, seed);
    const Table current = Normal(10'000, kColumns, kShift, kShifted, seed + 100);
    const Profiles p = Profile(reference, current);
    absl::StatusOr<DriftReport> report =
        DetectDrift(p.reference, p.current, KsBonferroni(kColumns));
    ASSERT_TRUE(report.ok()) << report.status();
    const Flags on_profiles = Count(*report, kShifted);
    const Flags on_rows = CountOnAllRows(reference, current, kShifted);
    EXPECT_NEAR(on_profiles.shifted, on_rows.shifted, 2) << "seed " << seed;
    EXPECT_NEAR(on_profiles.clean, on_rows.clean, 2) << "seed " << seed;
  }
}

TEST(FullResolutionTest, DefaultPolicyFlagsNoCleanColumnOver20Seeds) {
  constexpr int kClean = 5;  // per seed and size: 200 clean columns in all
  for (int rows : {10'000, 100'000}) {
    int flagged = 0;
    double largest = 0;
    for (uint64_t seed = 0; seed < 20; ++seed) {
      const Table reference = Normal(rows, kClean, 0.0, 0, 1000 + seed);
      const Table current = Normal(rows, kClean, 0.0, 0, 2000 + seed);
      const Profiles p = Profile(reference, current);
      DriftOptions defaults;
      defaults.multivariate.enabled = false;
      absl::StatusOr<DriftReport> report = DetectDrift(p.reference, p.current, defaults);
      ASSERT_TRUE(report.ok()) << report.status();
      for (const FeatureDrift& f : report->features) {
        EXPECT_EQ(f.test, "wasserstein_norm");
        flagged += f.drifted;
        largest = std::max(largest, f.statistic);
      }
    }
    EXPECT_EQ(flagged, 0) << rows << " rows; largest normed W1 " << largest;
    // A 1,000-value sample's normed W1 averages 0.05 for these columns and reaches 0.12.
    EXPECT_LT(largest, 0.05) << rows << " rows";
  }
}

}  // namespace
}  // namespace greengate::drift
