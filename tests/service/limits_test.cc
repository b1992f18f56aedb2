// The size limits of bad input, through the real gRPC API: every limit of
// server/core/profile/limits.h exceeded by one, in a reference (SetReference) and in a current
// profile (ShouldRetrain), is INVALID_ARGUMENT naming the field and the limit; a request over
// the server's message size limit (--max_receive_message_mb) is RESOURCE_EXHAUSTED.

#include "server/core/profile/limits.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "gtest/gtest.h"
#include "server/common/clock.h"
#include "server/service/server.h"
#include "tests/service/loopback_server.h"
#include "tests/service/test_profiles.h"

namespace greengate::service {
namespace {

using greengate::testing::MakeProfile;
using greengate::testing::SmallPlan;
using profile::kMaxBinEdges;
using profile::kMaxCategories;
using profile::kMaxCategoryNameBytes;
using profile::kMaxFeatureNameBytes;
using profile::kMaxFeatures;
using profile::kMaxJointSampleRows;
using profile::kMaxSampleSize;
using ::testing::HasSubstr;

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return ctx;
}

// A profile from MakeProfile() (features age_z and income_z numeric, channel categorical)
// pushed one over a limit, and the error's text after the field prefix.
struct LimitCase {
  std::string name;
  std::function<void(v1::DataProfile*)> exceed;
  std::string message;  // follows "<reference.profile|current>."
};

std::vector<LimitCase> LimitCases() {
  return {
      {"features",
       [](v1::DataProfile* p) {
         // Features with no values, so the request stays under the message size limit.
         p->clear_features();
         for (int64_t i = 0; i <= kMaxFeatures; ++i) {
           v1::FeatureProfile* f = p->add_features();
           f->set_name(absl::StrCat("f", i));
           f->mutable_numeric()->add_bin_counts(0);
         }
       },
       absl::StrCat("features: has ", kMaxFeatures + 1, " features; at most ", kMaxFeatures,
                    " are allowed")},
      {"feature name",
       [](v1::DataProfile* p) {
         p->mutable_features(0)->set_name(std::string(kMaxFeatureNameBytes + 1, 'n'));
       },
       absl::StrCat("features[0].name: is ", kMaxFeatureNameBytes + 1, " bytes long; at most ",
                    kMaxFeatureNameBytes, " are allowed")},
      {"bin edges",
       [](v1::DataProfile* p) {
         v1::NumericProfile* n = p->mutable_features(0)->mutable_numeric();
         n->clear_bin_edges();
         for (int64_t i = 0; i <= kMaxBinEdges; ++i) n->add_bin_edges(static_cast<double>(i));
       },
       absl::StrCat("features[0].numeric.bin_edges: has ", kMaxBinEdges + 1, " edges; at most ",
                    kMaxBinEdges, " are allowed")},
      {"sample size",
       [](v1::DataProfile* p) {
         v1::NumericProfile* n = p->mutable_features(1)->mutable_numeric();
         n->clear_sample();
         for (int64_t i = 0; i <= kMaxSampleSize; ++i) n->add_sample(0.0);
       },
       absl::StrCat("features[1].numeric.sample: has ", kMaxSampleSize + 1, " values; at most ",
                    kMaxSampleSize, " are allowed")},
      {"categories",
       [](v1::DataProfile* p) {
         auto* counts = p->mutable_features(2)->mutable_categorical()->mutable_counts();
         counts->clear();
         for (int64_t i = 0; i <= kMaxCategories; ++i) (*counts)[absl::StrCat("c", i)] = 0;
       },
       absl::StrCat("features[2].categorical.counts: has ", kMaxCategories + 1,
                    " categories; at most ", kMaxCategories, " are allowed")},
      {"category name",
       [](v1::DataProfile* p) {
         (*p->mutable_features(2)->mutable_categorical()->mutable_counts())[std::string(
             kMaxCategoryNameBytes + 1, 'z')] = 0;
       },
       // The category is quoted cut to 64 bytes, with its length.
       absl::StrCat("features[2].categorical.counts['", std::string(64, 'z'), "'... (",
                    kMaxCategoryNameBytes + 1, " bytes)]: category is ", kMaxCategoryNameBytes + 1,
                    " bytes long; at most ", kMaxCategoryNameBytes, " are allowed")},
      {"joint sample rows",
       [](v1::DataProfile* p) {
         v1::MultivariateSample* joint = p->mutable_joint();
         joint->add_features("age_z");
         joint->set_rows(static_cast<int32_t>(kMaxJointSampleRows + 1));
       },
       absl::StrCat("joint.rows: must be in [2, ", kMaxJointSampleRows, "], got ",
                    kMaxJointSampleRows + 1)},
  };
}

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(loop_.Start(&clock_).ok());
    v1::RegisterModelRequest model;
    model.set_model_id("churn");
    model.mutable_model()->set_deployed_version("v1");
    v1::Model registered;
    ASSERT_TRUE(loop_.stub()->RegisterModel(Context().get(), model, &registered).ok());
    v1::Reference stored;
    ASSERT_TRUE(loop_.stub()
                    ->SetReference(Context().get(), Reference(MakeProfile(800, 0, 1)), &stored)
                    .ok());
  }

  static v1::SetReferenceRequest Reference(const v1::DataProfile& profile) {
    v1::SetReferenceRequest r;
    r.mutable_reference()->set_model("models/churn");
    *r.mutable_reference()->mutable_profile() = profile;
    return r;
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  greengate::testing::LoopbackServer loop_{"limits"};
};

TEST_F(LimitsTest, ReferenceOverALimitIsInvalidArgumentNamingTheField) {
  for (const LimitCase& c : LimitCases()) {
    v1::DataProfile profile = MakeProfile(800, 0, 1);
    c.exceed(&profile);
    v1::Reference out;
    const grpc::Status s = loop_.stub()->SetReference(Context().get(), Reference(profile), &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_THAT(s.error_message(), HasSubstr("reference.profile." + c.message)) << c.name;
  }
}

TEST_F(LimitsTest, CurrentOverALimitIsInvalidArgumentNamingTheField) {
  for (const LimitCase& c : LimitCases()) {
    v1::ShouldRetrainRequest r;
    r.set_model("models/churn");
    *r.mutable_current() = MakeProfile(600, 0, 100);
    c.exceed(r.mutable_current());
    *r.mutable_plan() = SmallPlan();
    v1::Decision out;
    const grpc::Status s = loop_.stub()->ShouldRetrain(Context().get(), r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_THAT(s.error_message(), HasSubstr("current." + c.message)) << c.name;
  }
}

TEST(MessageSizeLimitTest, LargerRequestIsResourceExhausted) {
  FakeClock clock{absl::FromUnixSeconds(1'790'000'000)};
  greengate::testing::LoopbackServer loop{"message-limit"};
  ServerOptions options;
  options.max_receive_message_bytes = 1 << 20;  // --max_receive_message_mb=1
  ASSERT_TRUE(loop.Start(&clock, options).ok());
  v1::RegisterModelRequest small;
  small.set_model_id("churn");
  small.mutable_model()->set_deployed_version("v1");
  v1::Model model;
  ASSERT_TRUE(loop.stub()->RegisterModel(Context().get(), small, &model).ok());

  // 200,000 doubles: 1.6 MB, over the 1 MiB limit.
  v1::SetReferenceRequest big;
  big.mutable_reference()->set_model("models/churn");
  *big.mutable_reference()->mutable_profile() = MakeProfile(800, 0, 1);
  v1::NumericProfile* n =
      big.mutable_reference()->mutable_profile()->mutable_features(0)->mutable_numeric();
  for (int i = 0; i < 200'000; ++i) n->add_sample(1.0);
  ASSERT_GT(big.ByteSizeLong(), size_t{1} << 20);
  v1::Reference out;
  const grpc::Status s = loop.stub()->SetReference(Context().get(), big, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("larger than max"));
}

}  // namespace
}  // namespace greengate::service
