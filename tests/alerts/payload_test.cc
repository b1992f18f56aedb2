// Payload JSON of the Alertmanager and webhook sinks, HTTP result classification, and the
// --alert_verdicts parser.

#include "server/alerts/payload.h"

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/alerts/observability.h"
#include "server/alerts/sink.h"

namespace greengate::alerts {
namespace {

v1::Decision Sample(v1::Verdict verdict) {
  v1::Decision d;
  d.set_name("decisions/0123abcd");
  d.set_model("models/churn");
  d.set_verdict(verdict);
  d.set_reason("drift in 2 of 3 features; expected gain 0.031 \"ok\"");
  d.set_decided_by("min_gain");
  d.mutable_cost()->set_energy_kwh(1.5);
  d.mutable_cost()->set_co2e_kg(0.42);
  // 2026-09-21T14:13:20.250Z
  *d.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(1'790'000'000'250);
  return d;
}

TEST(AlertmanagerPayloadTest, OneAlertWithLabelsAnnotationsAndTimes) {
  AlertmanagerOptions options;
  options.resolve_after = absl::Minutes(90);
  options.link_prefix = "https://greengate.example/";
  const nlohmann::json body =
      nlohmann::json::parse(AlertmanagerPayload(Sample(v1::APPROVE), options));
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 1u);
  const nlohmann::json& alert = body[0];
  EXPECT_EQ(alert["labels"], (nlohmann::json{{"alertname", "GreengateRetrainApproved"},
                                             {"model", "churn"},
                                             {"verdict", "APPROVE"},
                                             {"severity", "info"}}));
  EXPECT_EQ(alert["annotations"]["summary"],
            "drift in 2 of 3 features; expected gain 0.031 \"ok\"");
  EXPECT_EQ(alert["annotations"]["decision"], "decisions/0123abcd");
  EXPECT_EQ(alert["annotations"]["decided_by"], "min_gain");
  EXPECT_EQ(alert["annotations"]["energy_kwh"], "1.5");
  EXPECT_EQ(alert["annotations"]["energy_joules"], "5.4e+06");  // 1.5 kWh * 3.6e6 J/kWh
  EXPECT_EQ(alert["annotations"]["co2e_kg"], "0.42");
  EXPECT_EQ(alert["startsAt"], "2026-09-21T14:13:20.250Z");
  EXPECT_EQ(alert["endsAt"], "2026-09-21T15:43:20.250Z");
  EXPECT_EQ(alert["generatorURL"], "https://greengate.example/decisions/0123abcd");
}

TEST(AlertmanagerPayloadTest, RejectIsAWarningAndNoLinkWithoutPrefix) {
  const nlohmann::json body =
      nlohmann::json::parse(AlertmanagerPayload(Sample(v1::REJECT), AlertmanagerOptions{}));
  EXPECT_EQ(body[0]["labels"]["alertname"], "GreengateRetrainRejected");
  EXPECT_EQ(body[0]["labels"]["severity"], "warning");
  EXPECT_EQ(body[0]["endsAt"], "2026-09-21T15:13:20.250Z");  // default: one hour
  EXPECT_FALSE(body[0].contains("generatorURL"));
}

TEST(AlertmanagerPayloadTest, InvalidUtf8InReasonDoesNotThrow) {
  v1::Decision d = Sample(v1::REJECT);
  d.set_reason(std::string("bad \xff byte"));
  const nlohmann::json body = nlohmann::json::parse(AlertmanagerPayload(d, AlertmanagerOptions{}));
  EXPECT_EQ(body[0]["annotations"]["summary"], "bad \xEF\xBF\xBD byte");  // U+FFFD
}

TEST(AlertNameTest, PerVerdict) {
  EXPECT_EQ(AlertName(v1::APPROVE), "GreengateRetrainApproved");
  EXPECT_EQ(AlertName(v1::REJECT), "GreengateRetrainRejected");
  EXPECT_EQ(AlertName(v1::DEFER), "GreengateRetrainDeferred");
  EXPECT_EQ(AlertName(v1::VERDICT_UNSPECIFIED), "GreengateRetrainDecision");
}

TEST(WebhookPayloadTest, IsTheDecisionAsProtobufJson) {
  const v1::Decision d = Sample(v1::APPROVE);
  const std::string json = WebhookPayload(d);
  v1::Decision parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, d));
  const nlohmann::json body = nlohmann::json::parse(json);
  EXPECT_EQ(body["verdict"], "APPROVE");
  EXPECT_EQ(body["createTime"], "2026-09-21T14:13:20.250Z");
}

TEST(ClassifyHttpResultTest, RetryableOrPermanent) {
  struct Case {
    absl::StatusOr<HttpResponse> response;
    absl::StatusCode code;
  };
  const std::vector<Case> cases = {
      {HttpResponse{200, ""}, absl::StatusCode::kOk},
      {HttpResponse{204, ""}, absl::StatusCode::kOk},
      {HttpResponse{400, "bad"}, absl::StatusCode::kInvalidArgument},
      {HttpResponse{404, ""}, absl::StatusCode::kInvalidArgument},
      {HttpResponse{408, ""}, absl::StatusCode::kUnavailable},
      {HttpResponse{429, ""}, absl::StatusCode::kUnavailable},
      {HttpResponse{500, ""}, absl::StatusCode::kUnavailable},
      {HttpResponse{503, ""}, absl::StatusCode::kUnavailable},
      {HttpResponse{302, ""}, absl::StatusCode::kUnavailable},
      {absl::UnavailableError("connection refused"), absl::StatusCode::kUnavailable},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(ClassifyHttpResult(cases[i].response, "http://x").code(), cases[i].code)
        << "case " << i;
  }
}

TEST(ParseVerdictsTest, ListsAndErrors) {
  auto v = ParseVerdicts("approve, REJECT,defer", "--alert_verdicts");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, (std::vector<v1::Verdict>{v1::APPROVE, v1::REJECT, v1::DEFER}));
  auto empty = ParseVerdicts("", "--alert_verdicts");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto bad = ParseVerdicts("APPROVE,maybe", "--alert_verdicts");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("--alert_verdicts: unknown verdict \"MAYBE\""),
            std::string::npos)
      << bad.status();
  EXPECT_FALSE(ParseVerdicts("VERDICT_UNSPECIFIED", "f").ok());
}

}  // namespace
}  // namespace greengate::alerts
