// DetectDrift with per-feature tests chosen by the policy, importance weighting, missing-rate
// drift and the multivariate tests on joint samples. Values from scipy 1.10.1 as noted.

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/drift/drift.h"
#include "server/core/drift/test_registry.h"
#include "tests/core/drift/test_samples.h"

namespace greengate::drift {
namespace {

using profile::CategoricalProfile;
using profile::DataProfile;
using profile::FeatureProfile;
using profile::NumericProfile;
using ::testing::HasSubstr;
using testing::LcgSample;
using testing::Sorted;

FeatureProfile Numeric(const std::string& name, std::vector<double> sample, int64_t missing = 0) {
  NumericProfile numeric;
  numeric.bin_edges = {5.0, 10.0};
  numeric.bin_counts = {0, 0, 0};
  double mean = 0;
  for (double v : sample) mean += v;
  mean /= static_cast<double>(sample.size());
  for (double v : sample) {
    numeric.bin_counts[v < 5.0 ? 0 : (v < 10.0 ? 1 : 2)] += 1;
    numeric.m2 += (v - mean) * (v - mean);
  }
  numeric.mean = mean;
  numeric.sample_seen = static_cast<int64_t>(sample.size());
  numeric.sample = std::move(sample);
  FeatureProfile f;
  f.name = name;
  f.count = static_cast<int64_t>(numeric.sample.size()) + missing;
  f.missing = missing;
  f.kind = std::move(numeric);
  return f;
}

FeatureProfile Categorical(const std::string& name, std::map<std::string, int64_t> counts,
                           int64_t missing = 0) {
  CategoricalProfile categorical;
  int64_t rows = 0;
  for (const auto& [key, count] : counts) rows += count;
  categorical.counts = std::move(counts);
  FeatureProfile f;
  f.name = name;
  f.count = rows + missing;
  f.missing = missing;
  f.kind = std::move(categorical);
  return f;
}

DataProfile Profile(std::vector<FeatureProfile> features) {
  DataProfile p;
  p.features = std::move(features);
  p.rows = p.features[0].count;
  return p;
}

const FeatureDrift& Find(const DriftReport& report, const std::string& name) {
  for (const FeatureDrift& f : report.features) {
    if (f.feature == name) return f;
  }
  ADD_FAILURE() << "no feature " << name;
  return report.features.front();
}

// Conover's data (scipy TestCvm_2samp; reference/drift.md §6 case 3).
const std::vector<double> kX = {7.6, 8.4, 8.6, 8.7, 9.3, 9.9, 10.1, 10.6, 11.2};
const std::vector<double> kY = {5.2,  5.7,  5.9,  6.5,  6.8,  8.2,  9.1, 9.8,
                                10.8, 11.3, 11.5, 12.3, 12.5, 13.4, 14.6};

TEST(FeatureTestsTest, PolicyChoosesTheTest) {
  const DataProfile ref = Profile({Numeric("x", kX), Categorical("c", {{"a", 10}, {"b", 10}})});
  const DataProfile cur = Profile({Numeric("x", kY), Categorical("c", {{"a", 15}, {"b", 5}})});
  struct Case {
    std::string feature, test;
    double statistic, p_value;  // p_value < 0: none
  };
  const std::vector<Case> cases = {
      // cramervonmises_2samp(x, y): T and exact p.
      {"x", "cramer_von_mises", 0.2615740740740744, 0.18675430438453725},
      // anderson_ksamp([x, y]).statistic, .significance_level.
      {"x", "anderson_darling", 0.8866981180383443, 0.1412173728172919},
      // energy_distance(x, y).
      {"x", "energy_distance", 0.9105147099509361, -1},
      // ks_2samp(x, y), exact.
      {"x", "ks", 0.4, 0.26527490546874044},
      // §6 case 6: Evidently's z; chi2_contingency(..., correction=False) p.
      {"c", "z", -1.6329931618554523, 0.10247043485974885},
      // The same table with Yates (scipy's default for dof 1): p = 0.1914184.
      {"c", "chi_square", 1.7066666666666666, 0.19141842523760358},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.test);
    DriftOptions options;
    options.correction = Correction::kNone;
    options.feature_tests[c.feature] = c.test;
    const auto report = DetectDrift(ref, cur, options);
    ASSERT_TRUE(report.ok()) << report.status();
    const FeatureDrift& f = Find(*report, c.feature);
    EXPECT_EQ(f.test, c.test);
    EXPECT_NEAR(f.statistic, c.statistic, 1e-9 * std::fabs(c.statistic));
    if (c.p_value >= 0) {
      ASSERT_TRUE(f.p_value.has_value());
      EXPECT_NEAR(*f.p_value, c.p_value, 1e-9 * c.p_value);
    } else if (c.p_value == -1) {
      EXPECT_FALSE(f.p_value.has_value());
      EXPECT_EQ(f.drifted, f.statistic >= options.distance_threshold);
    }
    EXPECT_THAT(f.why, HasSubstr("chosen by the policy"));
  }
}

TEST(FeatureTestsTest, RejectsTestsThatDoNotApply) {
  const DataProfile ref =
      Profile({Numeric("x", kX), Categorical("c", {{"a", 1}, {"b", 2}, {"d", 3}})});
  const DataProfile cur =
      Profile({Numeric("x", kY), Categorical("c", {{"a", 2}, {"b", 2}, {"d", 2}})});
  struct Case {
    std::map<std::string, std::string> tests;
    std::string message;
  };
  for (const Case& c :
       std::vector<Case>{{{{"x", "t_test"}}, "options.feature_tests['x']: unknown test 't_test'"},
                         {{{"nope", "ks"}},
                          "options.feature_tests['nope']: the model's reference has no feature "
                          "'nope'"},
                         {{{"c", "ks"}}, "needs a numeric feature, but 'c' is categorical"},
                         {{{"c", "z"}}, "needs at most 2 categories"},
                         {{{"x", "z"}}, "needs a binary categorical feature"}}) {
    DriftOptions options;
    options.feature_tests = c.tests;
    const auto report = DetectDrift(ref, cur, options);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(report.status().message()), HasSubstr(c.message));
  }
  EXPECT_TRUE(ValidateFeatureTest("hellinger", "f").ok());
  EXPECT_EQ(FeatureTestNames().size(), 13u);
}

// What a test needs of the reference is checked by the same code when a policy or a
// reference is stored (ValidateDriftOptionsForReference) and when the test runs: each pair
// refused here was stored before, and then every detection failed on it.
TEST(FeatureTestsTest, TheRunRefusesExactlyWhatTheWriteRefuses) {
  DataProfile ref = Profile({Numeric("x", {7.6}), Categorical("c", {{"a", 300}, {"b", 500}})});
  std::get<CategoricalProfile>(ref.features[1].kind).other = 10;
  ref.features[1].count += 10;
  const DataProfile cur = Profile({Numeric("x", kY), Categorical("c", {{"a", 290}, {"b", 510}})});
  for (const auto& [feature, test] :
       std::map<std::string, std::string>{{"x", "cramer_von_mises"}, {"c", "z"}}) {
    SCOPED_TRACE(test);
    DriftOptions options;
    options.feature_tests[feature] = test;
    const absl::Status at_write = ValidateDriftOptionsForReference(options, ref, "options");
    ASSERT_FALSE(at_write.ok());
    EXPECT_EQ(DetectDrift(ref, cur, options).status(), at_write);
  }
  // On the reference's side "c" has two categories (and `other`) only once the current data
  // brings no third: the run names the current side then.
  DataProfile two = ref;
  std::get<CategoricalProfile>(two.features[1].kind).other = 0;
  two.features[1].count -= 10;
  DriftOptions options;
  options.feature_tests["c"] = "z";
  ASSERT_TRUE(ValidateDriftOptionsForReference(options, two, "options").ok());
  ASSERT_TRUE(DetectDrift(two, cur, options).ok());
  const DataProfile third =
      Profile({Numeric("x", kY), Categorical("c", {{"a", 290}, {"b", 500}, {"d", 10}})});
  EXPECT_THAT(std::string(DetectDrift(two, third, options).status().message()),
              HasSubstr("'c' has 3 counting those of current.features[1] the reference does not "
                        "list"));
}

TEST(FeatureTestsTest, HistogramTestsOnNumericBins) {
  const DataProfile ref = Profile({Numeric("x", kX)});
  const DataProfile cur = Profile({Numeric("x", kY)});
  for (const std::string test : {"psi", "jensen_shannon", "jensen_shannon_divergence",
                                 "kl_divergence", "hellinger", "l_infinity", "chi_square"}) {
    DriftOptions options;
    options.feature_tests["x"] = test;
    const auto report = DetectDrift(ref, cur, options);
    ASSERT_TRUE(report.ok()) << test << ": " << report.status();
    EXPECT_EQ(report->features[0].test, test);
    EXPECT_GT(report->features[0].statistic, 0) << test;
  }
}

TEST(ImportanceTest, WeightsTheDriftedShare) {
  // "a" shifts by 15 (KS p ~ 0), "b" and "c" do not.
  const DataProfile ref = Profile({Numeric("a", Sorted(LcgSample(1, 300, 0))),
                                   Numeric("b", Sorted(LcgSample(3, 300, 0))),
                                   Numeric("c", Sorted(LcgSample(5, 300, 0)))});
  const DataProfile cur =
      Profile({Numeric("a", LcgSample(2, 300, 15)), Numeric("b", LcgSample(4, 300, 0)),
               Numeric("c", LcgSample(6, 300, 0))});
  DriftOptions options;
  auto plain = DetectDrift(ref, cur, options);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->drifted_features, 1);
  EXPECT_NEAR(plain->drifted_share, 1.0 / 3, 1e-15);
  EXPECT_FALSE(plain->dataset_drift);
  EXPECT_FALSE(plain->importance_weighted);

  options.feature_importance = {{"a", 0.6}, {"b", 0.3}};  // "c" absent: weighs 0
  auto weighted = DetectDrift(ref, cur, options);
  ASSERT_TRUE(weighted.ok());
  EXPECT_TRUE(weighted->importance_weighted);
  EXPECT_NEAR(weighted->drifted_share, 0.6 / 0.9, 1e-15);
  EXPECT_TRUE(weighted->dataset_drift);
  EXPECT_EQ(Find(*weighted, "c").importance, 0.0);

  // The same weights sent with the reference (DataProfile::feature_importance).
  DataProfile ref_weighted = ref;
  ref_weighted.feature_importance = {{"a", 0.6}, {"b", 0.3}};
  auto from_reference = DetectDrift(ref_weighted, cur, DriftOptions{});
  ASSERT_TRUE(from_reference.ok());
  EXPECT_TRUE(from_reference->importance_weighted);
  EXPECT_NEAR(from_reference->drifted_share, 0.6 / 0.9, 1e-15);
  ref_weighted.feature_importance = {{"a", NAN}};
  EXPECT_THAT(std::string(DetectDrift(ref_weighted, cur, DriftOptions{}).status().message()),
              HasSubstr("reference.feature_importance['a']"));

  options.feature_importance = {{"a", -1}};
  EXPECT_THAT(std::string(DetectDrift(ref, cur, options).status().message()),
              HasSubstr("options.feature_importance['a']"));
  options.feature_importance = {{"b", 0.0}};
  EXPECT_FALSE(DetectDrift(ref, cur, options).ok());
  // Each weight finite, their total not: the share would be NaN.
  options.feature_importance = {{"a", 1e308}, {"b", 1e308}};
  EXPECT_THAT(std::string(DetectDrift(ref, cur, options).status().message()),
              HasSubstr("options.feature_importance: the weights sum to inf"));
  ref_weighted.feature_importance = {{"a", 0.0}};
  EXPECT_THAT(std::string(DetectDrift(ref_weighted, cur, DriftOptions{}).status().message()),
              HasSubstr("reference.feature_importance: the reference's features must not all "
                        "weigh 0"));
  options.feature_importance = {{"zz", 1.0}};
  EXPECT_FALSE(DetectDrift(ref, cur, options).ok());
}

TEST(MissingRateTest, FlagsAChangedMissingRate) {
  const std::vector<double> s = Sorted(LcgSample(1, 1000, 0));
  const DataProfile ref = Profile({Numeric("x", s, 10), Numeric("y", s, 10)});
  // x: 1% -> 20% missing; y: 1% -> 1.5% missing (p = 0.30 and a 0.5-point change).
  const DataProfile cur =
      Profile({Numeric("x", LcgSample(2, 800, 0), 200), Numeric("y", LcgSample(2, 985, 0), 15)});
  const auto report = DetectDrift(ref, cur, DriftOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  const FeatureDrift& x = Find(*report, "x");
  EXPECT_TRUE(x.missing_rate_drifted);
  EXPECT_NEAR(x.missing_rate_current, 0.2, 1e-15);
  EXPECT_LT(x.missing_rate_p_value, 1e-30);
  const FeatureDrift& y = Find(*report, "y");
  EXPECT_FALSE(y.missing_rate_drifted);
  // chi2_contingency([[10, 1000], [15, 985]], correction=False) p = 0.3023898: z^2 = chi2.
  EXPECT_NEAR(y.missing_rate_z * y.missing_rate_z, 1.063625208868493, 1e-9);
  EXPECT_EQ(report->missing_rate_drifted_features, 1);
}

profile::JointSample Joint(uint64_t seed, int rows, double offset) {
  profile::JointSample joint;
  joint.features = {"a", "b", "c"};
  joint.rows = rows;
  joint.values = LcgSample(seed, rows * 3, offset);
  joint.seen = rows;
  return joint;
}

TEST(MultivariateDriftTest, JointSamplesAddDatasetEvidence) {
  const DataProfile base_ref = Profile({Numeric("a", Sorted(LcgSample(1, 300, 0))),
                                        Numeric("b", Sorted(LcgSample(3, 300, 0))),
                                        Numeric("c", Sorted(LcgSample(5, 300, 0)))});
  const DataProfile base_cur =
      Profile({Numeric("a", LcgSample(2, 300, 0)), Numeric("b", LcgSample(4, 300, 0)),
               Numeric("c", LcgSample(6, 300, 0))});
  DataProfile ref = base_ref;
  DataProfile cur = base_cur;
  ref.joint = Joint(11, 300, 0);
  cur.joint = Joint(12, 200, 20);
  DriftOptions options;
  const auto report = DetectDrift(ref, cur, options);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_TRUE(report->multivariate.has_value());
  const MultivariateDrift& mv = *report->multivariate;
  EXPECT_EQ(mv.features.size(), 3u);
  EXPECT_EQ(mv.reference_rows, 300);
  EXPECT_EQ(mv.permutations, 100);
  EXPECT_EQ(mv.mmd_p_value, 0.0);
  EXPECT_TRUE(mv.mmd_drifted);
  EXPECT_GT(mv.pca_components, 0);
  EXPECT_TRUE(mv.drifted);
  EXPECT_EQ(report->drifted_features, 0);
  EXPECT_TRUE(report->dataset_drift);  // the multivariate evidence alone
  EXPECT_THAT(mv.why, HasSubstr("MMD^2"));

  cur.joint = Joint(13, 200, 0);
  const auto stable = DetectDrift(ref, cur, options);
  ASSERT_TRUE(stable.ok());
  EXPECT_FALSE(stable->multivariate->mmd_drifted);
  EXPECT_GT(stable->multivariate->mmd_p_value, 0.05);

  // Without a joint sample on one side there is no multivariate result.
  cur.joint.reset();
  EXPECT_FALSE(DetectDrift(ref, cur, options)->multivariate.has_value());
  // Malformed: values not rows x features.
  cur.joint = Joint(13, 200, 0);
  cur.joint->values.pop_back();
  const auto bad = DetectDrift(ref, cur, options);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("current.joint.values"));
}

}  // namespace
}  // namespace greengate::drift
