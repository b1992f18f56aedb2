// Protobuf <-> core mapping of the drift additions: joint samples and feature importance in
// profiles, per-feature tests and multivariate options in policies.

#include "gtest/gtest.h"
#include "server/mapping/policy_mapping.h"
#include "server/mapping/profile_mapping.h"

namespace greengate::mapping {
namespace {

TEST(DriftMappingTest, ProfileJointSampleAndImportanceRoundTrip) {
  v1::DataProfile proto;
  proto.set_rows(3);
  v1::FeatureProfile* f = proto.add_features();
  f->set_name("x");
  f->set_count(3);
  f->mutable_numeric()->add_bin_counts(3);
  (*proto.mutable_feature_importance())["x"] = 0.7;
  v1::MultivariateSample* joint = proto.mutable_joint();
  joint->add_features("x");
  joint->set_rows(3);
  for (double v : {1.0, 2.0, 3.0}) joint->add_values(v);
  joint->set_seen(3);

  const auto core = ProfileFromProto(proto, "reference");
  ASSERT_TRUE(core.ok()) << core.status();
  ASSERT_TRUE(core->joint.has_value());
  EXPECT_EQ(core->joint->features, std::vector<std::string>{"x"});
  EXPECT_EQ(core->joint->rows, 3);
  EXPECT_EQ(core->joint->values, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(core->feature_importance.at("x"), 0.7);

  const v1::DataProfile back = ProfileToProto(*core);
  EXPECT_EQ(back.joint().values_size(), 3);
  EXPECT_EQ(back.joint().seen(), 3);
  EXPECT_EQ(back.feature_importance().at("x"), 0.7);

  proto.clear_joint();
  EXPECT_FALSE(ProfileFromProto(proto, "reference")->joint.has_value());
}

TEST(DriftMappingTest, PolicyFeatureTestsAndMultivariateOptions) {
  v1::Policy p;
  (*p.mutable_feature_tests())["age"] = "cramer_von_mises";
  p.set_missing_rate_min_difference(0.1);
  p.set_mmd_permutations(500);
  policy::Policy core = *PolicyFromProto(p);
  EXPECT_EQ(core.drift.feature_tests.at("age"), "cramer_von_mises");
  EXPECT_EQ(core.drift.missing_rate_min_difference, 0.1);
  EXPECT_EQ(core.drift.multivariate.permutations, 500);
  EXPECT_TRUE(core.drift.multivariate.enabled);
  const v1::Policy back = PolicyToProto(core);
  EXPECT_EQ(back.feature_tests().at("age"), "cramer_von_mises");
  EXPECT_EQ(back.mmd_permutations(), 500);

  // Zero means "default"; -1 turns the multivariate tests off.
  core = *PolicyFromProto(v1::Policy());
  EXPECT_EQ(core.drift.missing_rate_min_difference, 0.05);
  // Unset takes the default; 0, a meaningful choice, is kept.
  v1::Policy zero;
  zero.set_missing_rate_min_difference(0);
  EXPECT_EQ(PolicyFromProto(zero)->drift.missing_rate_min_difference, 0);
  EXPECT_EQ(core.drift.multivariate.permutations, 100);
  p.set_mmd_permutations(-1);
  core = *PolicyFromProto(p);
  EXPECT_FALSE(core.drift.multivariate.enabled);
  EXPECT_EQ(PolicyToProto(core).mmd_permutations(), -1);
}

}  // namespace
}  // namespace greengate::mapping
