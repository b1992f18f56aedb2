// RetrainRequestFromProto(): what needs no state is checked before the application is called,
// naming the field, and the rest of the request becomes core values as sent.

#include "server/service/retrain_request_mapping.h"

#include <string>

#include "absl/strings/match.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "tests/service/test_profiles.h"

namespace greengate::service {
namespace {

v1::TrainingPlan NamedPlan(const std::string& name, double hours) {
  v1::TrainingPlan plan = greengate::testing::SmallPlan();
  plan.set_name(name);
  plan.set_hours(hours);
  return plan;
}

v1::ShouldRetrainRequest Request() {
  v1::ShouldRetrainRequest r;
  r.set_model("models/churn");
  *r.mutable_current() = greengate::testing::MakeProfile(200, 0, 1);
  *r.mutable_plan() = NamedPlan("full", 2);
  return r;
}

std::string ErrorOf(const v1::ShouldRetrainRequest& r) {
  absl::StatusOr<app::RetrainRequest> got = RetrainRequestFromProto(r);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << got.status();
  return std::string(got.status().message());
}

TEST(RetrainRequestMappingTest, ARequestBecomesCoreValues) {
  v1::ShouldRetrainRequest r = Request();
  r.mutable_labeled()->set_rows(1000);
  r.mutable_labeled()->set_correct(812);
  r.mutable_scores()->add_bin_edges(0.7);  // two bins: one edge
  r.mutable_scores()->add_bin_counts(30);
  r.mutable_scores()->add_bin_counts(10);
  r.mutable_scores()->set_mean(0.8);
  v1::CarbonForecastPoint* point = r.add_forecast();
  *point->mutable_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(1'795'000'000);
  point->set_carbon_intensity_g_per_kwh(120);
  r.set_idempotency_key("run-7");

  absl::StatusOr<app::RetrainRequest> got = RetrainRequestFromProto(r);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->model_id, "churn");
  EXPECT_EQ(got->current.rows, 200);
  ASSERT_EQ(got->current.features.size(), 3u);
  EXPECT_EQ(got->current.features[2].name, "channel");
  EXPECT_EQ(got->plan.name, "full");
  EXPECT_EQ(got->plan.hours, 2);
  EXPECT_TRUE(got->alternatives.empty());
  ASSERT_TRUE(got->labeled.has_value());
  EXPECT_EQ(got->labeled->rows, 1000);
  EXPECT_EQ(got->labeled->correct, 812);
  ASSERT_TRUE(got->scores.has_value());
  EXPECT_EQ(got->scores->rows, 40);  // the sum of the bin counts
  EXPECT_EQ(got->scores->mean, 0.8);
  ASSERT_EQ(got->forecast.size(), 1u);
  EXPECT_EQ(got->forecast[0].time, absl::FromUnixSeconds(1'795'000'000));
  EXPECT_EQ(got->forecast[0].carbon_intensity_g_per_kwh, 120);
  EXPECT_EQ(got->idempotency_key, "run-7");
}

TEST(RetrainRequestMappingTest, APlanBesidePlansIsTheFirstAlternative) {
  v1::ShouldRetrainRequest r = Request();
  *r.add_plans() = NamedPlan("recent", 1);
  *r.add_plans() = NamedPlan("fine-tune", 0.5);
  absl::StatusOr<app::RetrainRequest> got = RetrainRequestFromProto(r);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->alternatives.size(), 3u);
  EXPECT_EQ(got->alternatives[0].name, "full");
  EXPECT_EQ(got->alternatives[1].name, "recent");
  EXPECT_EQ(got->alternatives[2].name, "fine-tune");

  r.clear_plan();
  got = RetrainRequestFromProto(r);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->alternatives.size(), 2u);
  EXPECT_EQ(got->alternatives[0].name, "recent");
  EXPECT_FALSE(got->labeled.has_value());
  EXPECT_FALSE(got->scores.has_value());
}

TEST(RetrainRequestMappingTest, WhatNeedsNoStateIsCheckedNamingTheField) {
  v1::ShouldRetrainRequest r = Request();
  r.set_model("churn");
  EXPECT_TRUE(absl::StartsWith(ErrorOf(r), "model")) << ErrorOf(r);
  r = Request();
  r.clear_current();
  EXPECT_EQ(ErrorOf(r), "current: required (a DataProfile)");
  r = Request();
  r.clear_plan();
  EXPECT_EQ(ErrorOf(r), "plan: required (a TrainingPlan, or several in plans)");
  r = Request();
  r.set_idempotency_key(std::string(129, 'k'));
  EXPECT_EQ(ErrorOf(r), "idempotency_key: at most 128 bytes");
  r.set_idempotency_key(std::string(128, 'k'));
  EXPECT_TRUE(RetrainRequestFromProto(r).ok());
  r = Request();
  r.mutable_current()->add_features()->set_name("kindless");  // neither numeric nor categorical
  EXPECT_TRUE(absl::StartsWith(ErrorOf(r), "current.features[3]")) << ErrorOf(r);
}

}  // namespace
}  // namespace greengate::service
