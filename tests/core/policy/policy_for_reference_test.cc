// A policy's per-feature tests are checked against the model's reference when either is
// stored, so neither write leaves a model whose every decision fails.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/policy/policy.h"
#include "tests/core/profile/test_profiles.h"

namespace greengate::policy {
namespace {

using ::testing::HasSubstr;

struct FeatureTestCase {
  std::string feature;
  std::string test;
  std::string message;  // empty: applies
};

// ValidProfile(): "age" numeric with a sample, "color" categorical (2 categories), "income"
// numeric without a sample.
TEST(ValidatePolicyForReferenceTest, EachTestMustApplyToItsFeature) {
  const profile::DataProfile reference = profile::testing::ValidProfile();
  const std::vector<FeatureTestCase> cases = {
      {"age", "ks", ""},
      {"age", "psi", ""},
      {"color", "chi_square", ""},
      {"color", "z", ""},
      {"income", "psi", ""},
      {"color", "ks",
       "policy.feature_tests['color']: test \"ks\" needs a numeric feature, but 'color' is "
       "categorical"},
      {"color", "wasserstein_norm", "needs a numeric feature, but 'color' is categorical"},
      {"income", "anderson_darling",
       "policy.feature_tests['income']: test \"anderson_darling\" needs samples, but the "
       "reference of 'income' holds none"},
      {"age", "z",
       "policy.feature_tests['age']: test \"z\" needs a binary categorical feature, but 'age' "
       "is numeric"},
      {"nosuch", "psi",
       "policy.feature_tests['nosuch']: the model's reference has no feature 'nosuch'"},
      {"age", "t_test", "policy.feature_tests['age']: unknown test 't_test'"},
  };
  for (const FeatureTestCase& c : cases) {
    Policy p;
    p.drift.feature_tests[c.feature] = c.test;
    const absl::Status status = ValidatePolicyForReference(p, reference);
    if (c.message.empty()) {
      EXPECT_TRUE(status.ok()) << c.feature << " " << c.test << ": " << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.feature << " " << c.test;
      EXPECT_THAT(std::string(status.message()), HasSubstr(c.message));
    }
  }
}

TEST(ValidatePolicyForReferenceTest, ZNeedsAtMostTwoCategories) {
  profile::DataProfile reference = profile::testing::ValidProfile();
  profile::testing::Categorical(reference, 1).counts["green"] = 0;
  profile::testing::Categorical(reference, 1).other = 0;
  Policy p;
  p.drift.feature_tests["color"] = "z";
  EXPECT_EQ(ValidatePolicyForReference(p, reference).message(),
            "policy.feature_tests['color']: test \"z\" needs at most 2 categories, 'color' has 3 "
            "in the reference");
}

// The test runs on the categories as the drift module lays them out, `other` among them: two
// listed categories and rows in `other` are three, and every decision would fail on them.
TEST(ValidatePolicyForReferenceTest, ZCountsTheReferencesOther) {
  profile::DataProfile reference = profile::testing::ValidProfile();
  profile::CategoricalProfile& color = profile::testing::Categorical(reference, 1);
  color.counts = {{"blue", 300}, {"red", 500}};
  color.other = 10;
  Policy p;
  p.drift.feature_tests["color"] = "z";
  EXPECT_EQ(ValidatePolicyForReference(p, reference).message(),
            "policy.feature_tests['color']: test \"z\" needs at most 2 categories, 'color' has 3 "
            "in the reference (its `other` counted as one)");
  // Categories listed fewer than 25 times are compared inside `other` when it holds rows.
  color.counts = {{"blue", 3}, {"red", 500}};
  EXPECT_TRUE(ValidatePolicyForReference(p, reference).ok());
  color.counts.clear();  // only `other`: one category
  EXPECT_TRUE(ValidatePolicyForReference(p, reference).ok());
}

TEST(ValidatePolicyForReferenceTest, CramerVonMisesNeedsTwoReferenceValues) {
  profile::DataProfile reference = profile::testing::ValidProfile();
  profile::testing::Numeric(reference, 0).sample = {15};
  Policy p;
  p.drift.feature_tests["age"] = "cramer_von_mises";
  EXPECT_EQ(ValidatePolicyForReference(p, reference).message(),
            "policy.feature_tests['age']: test \"cramer_von_mises\" needs at least 2 values in "
            "the reference's sample, but the reference of 'age' holds 1");
  p.drift.feature_tests["age"] = "ks";  // one value is a sample the other tests can use
  EXPECT_TRUE(ValidatePolicyForReference(p, reference).ok());
}

TEST(ValidatePolicyTest, PermutationsWithinTheTestsLimit) {
  Policy p;
  p.drift.multivariate.permutations = 100'001;
  EXPECT_EQ(ValidatePolicy(p).message(),
            "policy.mmd_permutations: must be in [1, 100000], or -1 to turn the multivariate "
            "tests off, got 100001");
  p.drift.multivariate.enabled = false;
  EXPECT_TRUE(ValidatePolicy(p).ok());
}

TEST(ValidatePolicyTest, LongFeatureNamesAreQuotedWithABoundedPrefix) {
  Policy p;
  p.drift.feature_tests[std::string(1 << 20, 'f')] = "nosuch";
  const absl::Status status = ValidatePolicy(p);
  EXPECT_LT(status.message().size(), 400u);
  EXPECT_THAT(std::string(status.message()), HasSubstr("... (1048576 bytes)]: unknown test"));
}

}  // namespace
}  // namespace greengate::policy
