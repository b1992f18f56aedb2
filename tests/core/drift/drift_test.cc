#include "server/core/drift/drift.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/drift/histogram_distances.h"
#include "server/core/drift/ks.h"
#include "server/core/drift/kstwo.h"
#include "server/core/drift/wasserstein.h"
#include "tests/core/drift/test_samples.h"

namespace greengate::drift {
namespace {

using profile::CategoricalProfile;
using profile::DataProfile;
using profile::FeatureProfile;
using profile::NumericProfile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::LcgSample;
using testing::Sorted;

// A numeric feature; only the fields the drift tests read are meaningful. `std` sets m2 so
// that sqrt(m2 / rows) == std.
FeatureProfile Numeric(const std::string& name, int64_t rows, int64_t missing,
                       std::vector<double> bin_counts, std::vector<double> sample,
                       double std = 1.0) {
  NumericProfile numeric;
  for (size_t i = 0; i + 1 < bin_counts.size(); ++i) numeric.bin_edges.push_back(10.0 * i);
  numeric.bin_counts = std::move(bin_counts);
  numeric.m2 = std * std * static_cast<double>(rows);
  numeric.sample_seen = static_cast<int64_t>(sample.size());
  numeric.sample = std::move(sample);
  FeatureProfile f;
  f.name = name;
  f.count = rows + missing;
  f.missing = missing;
  f.kind = std::move(numeric);
  return f;
}

FeatureProfile Categorical(const std::string& name, std::map<std::string, int64_t> counts,
                           int64_t other = 0, int64_t missing = 0) {
  CategoricalProfile categorical;
  int64_t rows = other;
  for (const auto& [key, count] : counts) rows += count;
  categorical.counts = std::move(counts);
  categorical.other = other;
  FeatureProfile f;
  f.name = name;
  f.count = rows + missing;
  f.missing = missing;
  f.kind = std::move(categorical);
  return f;
}

// `rows` 0 (not recorded) lets one profile hold features of different sizes, each then
// compared with large_sample_rows by its own rows; a recorded `rows` decides for all.
DataProfile Profile(std::vector<FeatureProfile> features, int64_t rows = 0) {
  DataProfile p;
  p.features = std::move(features);
  p.rows = rows;
  return p;
}

const FeatureDrift& Find(const DriftReport& report, const std::string& name) {
  for (const FeatureDrift& f : report.features) {
    if (f.feature == name) return f;
  }
  ADD_FAILURE() << "no feature " << name;
  return report.features.front();
}

// One feature per branch of the test choice; samples from test_samples.h, values from
// scipy 1.10.1 as noted.
struct Scenario {
  DataProfile reference;
  DataProfile current;
};

Scenario MixedScenario() {
  Scenario s;
  s.reference = Profile({
      Numeric("x_small", 500, 0, {100, 200, 200}, Sorted(LcgSample(1, 500, 0.0))),
      Numeric("x_same", 300, 0, {100, 100, 100}, Sorted(LcgSample(3, 300, 0.0))),
      Numeric("x_large", 50000, 0, {10000, 30000, 10000}, Sorted(LcgSample(1, 2000, 0.0)), 20.0),
      Numeric("x_nosample", 5000, 0, {500, 1000, 1500, 2000}, Sorted(LcgSample(7, 100, 0.0))),
      Categorical("c_small", {{"a", 50}, {"b", 30}, {"c", 20}}),
      Categorical("c_large", {{"a", 2500}, {"b", 1500}, {"c", 1000}}),
  });
  // Current features in a different order: matching is by name.
  s.current = Profile({
      Categorical("c_large", {{"a", 2400}, {"b", 1600}, {"c", 1000}}),
      Numeric("x_same", 200, 0, {60, 70, 70}, LcgSample(4, 200, 0.0)),
      Numeric("x_small", 400, 100, {10, 90, 300}, LcgSample(2, 400, 15.0)),
      Numeric("x_large", 1500, 0, {200, 900, 400}, LcgSample(2, 1500, 3.0)),
      Numeric("x_nosample", 5000, 0, {2000, 1500, 1000, 500}, {}),
      Categorical("c_small", {{"a", 30}, {"b", 30}, {"d", 15}}, /*other=*/5),
  });
  return s;
}

TEST(DetectDriftTest, ChoosesEachTestByTypeAndSize) {
  const Scenario s = MixedScenario();
  absl::StatusOr<DriftReport> report = DetectDrift(s.reference, s.current, DriftOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->features.size(), 6u);
  // Reference order is kept.
  EXPECT_EQ(report->features[0].feature, "x_small");
  EXPECT_EQ(report->features[5].feature, "c_large");

  // Small numeric: KS. scipy ks_2samp(sample(1,500,0), sample(2,400,15)):
  // D = 0.2785, p = 1.1652072229701561e-15.
  const FeatureDrift& ks = Find(*report, "x_small");
  EXPECT_EQ(ks.test, "ks");
  EXPECT_NEAR(ks.statistic, 0.2785, 1e-15);
  ASSERT_TRUE(ks.p_value.has_value());
  EXPECT_NEAR(*ks.p_value, 1.1652072229701561e-15, 1e-9 * 1.1652072229701561e-15);
  EXPECT_TRUE(ks.drifted);
  EXPECT_EQ(ks.threshold, 0.05);
  EXPECT_THAT(ks.why, HasSubstr("500 reference rows <= 1000"));
  EXPECT_EQ(ks.missing_rate_current, 0.2);  // 100 of 500
  EXPECT_EQ(ks.missing_rate_reference, 0.0);

  // Same distribution: ks_2samp(sample(3,300,0), sample(4,200,0)) p = 0.49346738086680964.
  const FeatureDrift& same = Find(*report, "x_same");
  EXPECT_EQ(same.test, "ks");
  EXPECT_NEAR(*same.p_value, 0.49346738086680964, 1e-9);
  EXPECT_FALSE(same.drifted);

  // Large numeric: W1(sample(1,2000,0), sample(2,1500,3)) = 2.373683333333333 (scipy),
  // divided by the profile's std 20 = 0.11868416666666665 >= 0.1.
  const FeatureDrift& w = Find(*report, "x_large");
  EXPECT_EQ(w.test, "wasserstein_norm");
  EXPECT_NEAR(w.statistic, 2.373683333333333 / 20.0, 1e-13);
  EXPECT_FALSE(w.p_value.has_value());
  EXPECT_FALSE(w.adjusted_p_value.has_value());
  EXPECT_EQ(w.threshold, 0.1);
  EXPECT_TRUE(w.drifted);
  // These hand-made profiles have no fine grid: the samples decide, and the decision says so.
  EXPECT_EQ(w.resolution, "sample");
  EXPECT_FALSE(w.statistic_lower.has_value());
  EXPECT_EQ(w.why,
            "numeric, 50000 reference rows > 1000: effect size (normed Wasserstein) decides, "
            "p-values over-reject at large n; on 2000 vs 1500 sampled values, a sample's "
            "statistic (Wasserstein-1 / reference std)");

  // No current sample: PSI on the bins.
  const FeatureDrift& psi = Find(*report, "x_nosample");
  EXPECT_EQ(psi.test, "psi");
  const double expected_psi =
      *PopulationStabilityIndex({500, 1000, 1500, 2000}, {2000, 1500, 1000, 500});
  EXPECT_DOUBLE_EQ(psi.statistic, expected_psi);
  EXPECT_DOUBLE_EQ(psi.psi, expected_psi);
  EXPECT_TRUE(psi.drifted);
  EXPECT_THAT(psi.why, HasSubstr("no current sample"));

  // Small categorical: chi2_contingency([[50,30,20,0,0],[30,30,0,15,5]]) (columns a, b, c, d,
  // other): statistic 43.3125, dof 4, p 8.91247150910872e-09. JS (base 2) 0.48422569148034156,
  // PSI (Evidently zero fill) 3.386146732068058.
  const FeatureDrift& chi = Find(*report, "c_small");
  EXPECT_EQ(chi.test, "chi_square");
  EXPECT_NEAR(chi.statistic, 43.3125, 1e-12);
  EXPECT_NEAR(*chi.p_value, 8.91247150910872e-09, 1e-9 * 8.91247150910872e-09);
  EXPECT_TRUE(chi.drifted);
  EXPECT_NEAR(chi.jensen_shannon, 0.48422569148034156, 1e-14);
  EXPECT_NEAR(chi.psi, 3.386146732068058, 1e-12);
  EXPECT_THAT(chi.unseen_categories, ElementsAre("d"));

  // Large categorical: base-2 JS distance 0.019492488852198224 < 0.1.
  const FeatureDrift& js = Find(*report, "c_large");
  EXPECT_EQ(js.test, "jensen_shannon");
  EXPECT_NEAR(js.statistic, 0.019492488852198224, 1e-14);
  EXPECT_EQ(js.statistic, js.jensen_shannon);
  EXPECT_FALSE(js.drifted);
  EXPECT_TRUE(js.unseen_categories.empty());

  // Every feature carries PSI and JS on its bins / categories.
  const FeatureDrift& ks_small = Find(*report, "x_small");
  EXPECT_DOUBLE_EQ(ks_small.psi, *PopulationStabilityIndex({100, 200, 200}, {10, 90, 300}));
  EXPECT_DOUBLE_EQ(ks_small.jensen_shannon, *JensenShannonDistance({100, 200, 200}, {10, 90, 300}));

  // 4 of 6 drifted: share 0.667 >= 0.5.
  EXPECT_EQ(report->drifted_features, 4);
  EXPECT_NEAR(report->drifted_share, 4.0 / 6, 1e-15);
  EXPECT_EQ(report->share_threshold, 0.5);
  EXPECT_TRUE(report->dataset_drift);
  EXPECT_EQ(report->correction, Correction::kBenjaminiHochberg);
}

// large_sample_rows is compared with the rows of the reference profile, missing values
// included, not with a feature's non-missing values: 900 values in 5000 rows are a large
// sample's feature (effect size), the same 900 in 950 rows a small one (chi-square).
TEST(DetectDriftTest, LargeSampleRowsComparesTheReferenceProfileRows) {
  const struct {
    int64_t rows;
    std::string test;
    std::string why;
  } cases[] = {
      {5000, "jensen_shannon", "categorical, 5000 reference rows > 1000"},
      {950, "chi_square", "categorical, 950 reference rows <= 1000"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.rows);
    const DataProfile reference =
        Profile({Categorical("c", {{"a", 500}, {"b", 400}}, 0, c.rows - 900)}, c.rows);
    const DataProfile current = Profile({Categorical("c", {{"a", 450}, {"b", 450}})}, 900);
    absl::StatusOr<DriftReport> report = DetectDrift(reference, current, DriftOptions{});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->features[0].test, c.test);
    EXPECT_THAT(report->features[0].why, HasSubstr(c.why));
  }
}

TEST(DetectDriftTest, CorrectsOnlyPValueTests) {
  // p-values of the three p-value tests above: ks x_small, ks x_same, chi c_small.
  // BH (numpy recipe, see correction_test.cc) -> [3.4956216689104682e-15, 0.49346738086680964,
  // 1.336870726366308e-08]; Bonferroni -> [3.4956216689104682e-15, 1, 2.673741452732616e-08].
  const Scenario s = MixedScenario();
  DriftOptions options;
  absl::StatusOr<DriftReport> bh = DetectDrift(s.reference, s.current, options);
  ASSERT_TRUE(bh.ok());
  EXPECT_NEAR(*Find(*bh, "x_small").adjusted_p_value, 3.4956216689104682e-15, 1e-23);
  EXPECT_NEAR(*Find(*bh, "x_same").adjusted_p_value, 0.49346738086680964, 1e-9);
  EXPECT_NEAR(*Find(*bh, "c_small").adjusted_p_value, 1.336870726366308e-08, 1e-17);
  EXPECT_FALSE(Find(*bh, "x_large").adjusted_p_value.has_value());
  EXPECT_FALSE(Find(*bh, "c_large").adjusted_p_value.has_value());

  options.correction = Correction::kBonferroni;
  absl::StatusOr<DriftReport> bonferroni = DetectDrift(s.reference, s.current, options);
  ASSERT_TRUE(bonferroni.ok());
  EXPECT_EQ(*Find(*bonferroni, "x_same").adjusted_p_value, 1.0);
  EXPECT_NEAR(*Find(*bonferroni, "c_small").adjusted_p_value, 2.673741452732616e-08, 1e-17);
  EXPECT_EQ(bonferroni->correction, Correction::kBonferroni);

  options.correction = Correction::kNone;
  absl::StatusOr<DriftReport> none = DetectDrift(s.reference, s.current, options);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*Find(*none, "c_small").adjusted_p_value, *Find(*none, "c_small").p_value);
}

TEST(DetectDriftTest, CorrectionCanFlipADecision) {
  // x_same's raw p (0.4935) is above any sensible alpha; use alpha 0.6 so the raw p passes
  // but Bonferroni's 3 * 0.4935 > 1 does not.
  const Scenario s = MixedScenario();
  DriftOptions options;
  options.p_value_threshold = 0.6;
  options.correction = Correction::kNone;
  EXPECT_TRUE(Find(*DetectDrift(s.reference, s.current, options), "x_same").drifted);
  options.correction = Correction::kBonferroni;
  EXPECT_FALSE(Find(*DetectDrift(s.reference, s.current, options), "x_same").drifted);
}

TEST(DetectDriftTest, DatasetDriftOnAndOff) {
  const Scenario s = MixedScenario();
  DriftOptions options;
  options.drift_share_threshold = 0.7;  // 4/6 = 0.667 < 0.7
  absl::StatusOr<DriftReport> report = DetectDrift(s.reference, s.current, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->drifted_features, 4);
  EXPECT_FALSE(report->dataset_drift);
  EXPECT_EQ(report->share_threshold, 0.7);

  // Reference against itself (current samples are the reference's): nothing drifts.
  DataProfile same = s.reference;
  absl::StatusOr<DriftReport> stable = DetectDrift(s.reference, same, DriftOptions{});
  ASSERT_TRUE(stable.ok());
  EXPECT_EQ(stable->drifted_features, 0);
  EXPECT_EQ(stable->drifted_share, 0.0);
  EXPECT_FALSE(stable->dataset_drift);
  for (const FeatureDrift& f : stable->features) {
    EXPECT_EQ(f.psi, 0.0) << f.feature;
    EXPECT_EQ(f.jensen_shannon, 0.0) << f.feature;
  }
}

// ref. drift.md case 12: at large n a tiny shift gets a tiny KS p-value (kstwo.sf(0.004, 5e5)
// = 2.2446e-7, against kstwo.sf(0.04, 500) = 0.39), so above large_sample_rows the decision
// must come from an effect size, not from the p-value.
TEST(DetectDriftTest, LargeSampleDecisionIsNotDrivenByRawPValues) {
  // scipy 1.10.1: ks_2samp(sample(5,20000,0), sample(6,20000,0.4)) -> D = 0.01675,
  // p = 0.007230149683940693 (asymptotic); wasserstein_distance = 0.6282850000000006,
  // np.std(reference) = 20.396652845596382 -> normed 0.0308.
  const std::vector<double> reference = Sorted(LcgSample(5, 20000, 0.0));
  const std::vector<double> current = LcgSample(6, 20000, 0.4);
  absl::StatusOr<KsResult> ks = KolmogorovSmirnov(reference, current);
  ASSERT_TRUE(ks.ok());
  EXPECT_NEAR(ks->p_value, 0.007230149683940693, 1e-9 * 0.007230149683940693);
  ASSERT_LT(ks->p_value, 0.05);  // a p-value test would call this drift
  EXPECT_LT(KsTwoSidedSf(500000, 0.004), 1e-6);

  const double std = PopulationStd(reference);
  EXPECT_NEAR(std, 20.396652845596382, 1e-10);
  const DataProfile ref_profile =
      Profile({Numeric("x", 500000, 0, {100000, 300000, 100000}, reference, std)});
  const DataProfile cur_profile =
      Profile({Numeric("x", 500000, 0, {99000, 300500, 100500}, current)});
  absl::StatusOr<DriftReport> report = DetectDrift(ref_profile, cur_profile, DriftOptions{});
  ASSERT_TRUE(report.ok());
  const FeatureDrift& f = report->features[0];
  EXPECT_EQ(f.test, "wasserstein_norm");
  EXPECT_FALSE(f.p_value.has_value());
  EXPECT_NEAR(f.statistic, 0.6282850000000006 / 20.396652845596382, 1e-12);
  EXPECT_FALSE(f.drifted);
  EXPECT_FALSE(report->dataset_drift);
  EXPECT_THAT(f.why, HasSubstr("p-values over-reject at large n"));

  // The same data with a threshold that treats it as small would have flagged it.
  DriftOptions small;
  small.large_sample_rows = 1000000;
  absl::StatusOr<DriftReport> as_small = DetectDrift(ref_profile, cur_profile, small);
  ASSERT_TRUE(as_small.ok());
  EXPECT_EQ(as_small->features[0].test, "ks");
  EXPECT_TRUE(as_small->features[0].drifted);
}

TEST(DetectDriftTest, ConstantFeaturesGiveNumbersNotNaN) {
  const DataProfile reference = Profile({
      Numeric("k_small", 50, 0, {0, 50, 0}, std::vector<double>(50, 7.0), 0.0),
      Numeric("k_large", 5000, 0, {0, 5000, 0}, std::vector<double>(100, 7.0), 0.0),
      Categorical("k_cat_small", {{"only", 50}}),
      Categorical("k_cat_large", {{"only", 5000}}),
  });
  const DataProfile same = Profile({
      Numeric("k_small", 40, 0, {0, 40, 0}, std::vector<double>(40, 7.0)),
      Numeric("k_large", 4000, 0, {0, 4000, 0}, std::vector<double>(80, 7.0)),
      Categorical("k_cat_small", {{"only", 40}}),
      Categorical("k_cat_large", {{"only", 4000}}),
  });
  absl::StatusOr<DriftReport> report = DetectDrift(reference, same, DriftOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  for (const FeatureDrift& f : report->features) {
    EXPECT_FALSE(std::isnan(f.statistic)) << f.feature;
    EXPECT_FALSE(std::isnan(f.psi)) << f.feature;
    EXPECT_FALSE(std::isnan(f.jensen_shannon)) << f.feature;
    if (f.p_value) {
      EXPECT_EQ(*f.p_value, 1.0) << f.feature;
    }
    EXPECT_EQ(f.statistic, 0.0) << f.feature;
    EXPECT_FALSE(f.drifted) << f.feature;
  }
  EXPECT_EQ(Find(*report, "k_cat_small").test, "chi_square");  // dof 0: p = 1

  // The constant moves: the std floor 0.001 keeps the normed Wasserstein finite.
  const DataProfile moved = Profile({
      Numeric("k_small", 40, 0, {0, 0, 40}, std::vector<double>(40, 8.0)),
      Numeric("k_large", 4000, 0, {0, 0, 4000}, std::vector<double>(80, 8.0)),
      Categorical("k_cat_small", {{"other_value", 40}}),
      Categorical("k_cat_large", {{"other_value", 4000}}),
  });
  absl::StatusOr<DriftReport> shifted = DetectDrift(reference, moved, DriftOptions{});
  ASSERT_TRUE(shifted.ok()) << shifted.status();
  EXPECT_NEAR(Find(*shifted, "k_large").statistic, 1000.0, 1e-9);  // W1 = 1 over floor 0.001
  EXPECT_EQ(Find(*shifted, "k_small").statistic, 1.0);             // KS D
  EXPECT_THAT(Find(*shifted, "k_cat_large").unseen_categories, ElementsAre("other_value"));
  EXPECT_EQ(shifted->drifted_features, 4);
  for (const FeatureDrift& f : shifted->features) {
    EXPECT_FALSE(std::isnan(f.statistic)) << f.feature;
    EXPECT_FALSE(std::isnan(f.psi)) << f.feature;
  }
}

TEST(DetectDriftTest, AllMissingCurrentIsReportedNotCompared) {
  const DataProfile reference = Profile({
      Numeric("x", 100, 0, {50, 50}, Sorted(LcgSample(1, 100, 0.0))),
      Categorical("c", {{"a", 10}}),
  });
  const DataProfile current = Profile({
      Numeric("x", 0, 30, {0, 0}, {}),
      Categorical("c", {}, 0, /*missing=*/20),
  });
  absl::StatusOr<DriftReport> report = DetectDrift(reference, current, DriftOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  const FeatureDrift& x = Find(*report, "x");
  EXPECT_EQ(x.test, "psi");
  EXPECT_EQ(x.statistic, 0.0);
  EXPECT_FALSE(x.drifted);
  EXPECT_EQ(x.missing_rate_current, 1.0);
  EXPECT_THAT(x.why, HasSubstr("current has no non-missing values"));
  const FeatureDrift& c = Find(*report, "c");
  EXPECT_EQ(c.test, "jensen_shannon");
  EXPECT_FALSE(c.drifted);
  EXPECT_EQ(c.missing_rate_current, 1.0);
}

TEST(DetectDriftTest, UnseenCategoriesAndOtherBucket) {
  const DataProfile reference =
      Profile({Categorical("c", {{"b", 10}, {"d", 10}, {"zero", 0}}, /*other=*/0)});
  const DataProfile current =
      Profile({Categorical("c", {{"a", 5}, {"b", 10}, {"c", 5}, {"zero", 3}}, /*other=*/2)});
  absl::StatusOr<DriftReport> report = DetectDrift(reference, current, DriftOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  // Sorted by name; a reference key with count 0 was never seen either.
  EXPECT_THAT(report->features[0].unseen_categories, ElementsAre("a", "c", "zero"));
  // Union a, b, c, d, zero, other -> 6 categories in the chi-square test.
  EXPECT_THAT(report->features[0].why, HasSubstr("over 6 categories"));
}

TEST(DetectDriftTest, RejectsMismatchedProfilesAndBadOptions) {
  const Scenario s = MixedScenario();
  DataProfile missing = s.current;
  missing.features.erase(missing.features.begin());  // drop c_large
  absl::Status status = DetectDrift(s.reference, missing, DriftOptions{}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("'c_large'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("reference.features[5]"));

  DataProfile wrong_kind = s.current;
  wrong_kind.features[0] = Numeric("c_large", 10, 0, {5, 5}, {1, 2});
  status = DetectDrift(s.reference, wrong_kind, DriftOptions{}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("current.features[0]"));

  DataProfile unsorted = s.reference;
  std::get<NumericProfile>(unsorted.features[0].kind).sample = {3, 1, 2};
  status = DetectDrift(unsorted, s.current, DriftOptions{}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("reference.features[0].numeric.sample"));

  DataProfile bins = s.current;
  std::get<NumericProfile>(bins.features[1].kind).bin_counts = {1, 2};
  status = DetectDrift(s.reference, bins, DriftOptions{}).status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("current.features[1].numeric.bin_counts"));

  EXPECT_EQ(DetectDrift(Profile({}), s.current, DriftOptions{}).status().code(),
            absl::StatusCode::kInvalidArgument);

  DriftOptions bad;
  bad.p_value_threshold = 0;
  EXPECT_THAT(std::string(DetectDrift(s.reference, s.current, bad).status().message()),
              HasSubstr("options.p_value_threshold"));
  bad = DriftOptions{};
  bad.drift_share_threshold = 1.5;
  EXPECT_FALSE(DetectDrift(s.reference, s.current, bad).ok());
  bad = DriftOptions{};
  bad.distance_threshold = NAN;
  EXPECT_FALSE(DetectDrift(s.reference, s.current, bad).ok());
  bad = DriftOptions{};
  bad.large_sample_rows = -1;
  EXPECT_FALSE(DetectDrift(s.reference, s.current, bad).ok());
}

}  // namespace
}  // namespace greengate::drift
