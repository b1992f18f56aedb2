// ServerMetrics: what a decision and an RPC add to the exposition text.

#include "server/metrics/server_metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace greengate::metrics {
namespace {

using ::testing::HasSubstr;

std::string Exposition(const ServerMetrics& m) {
  return prometheus::TextSerializer().Serialize(m.registry()->Collect());
}

v1::Decision MakeDecision(const std::string& model, v1::Verdict verdict, double kwh, double kg) {
  v1::Decision d;
  d.set_model("models/" + model);
  d.set_verdict(verdict);
  d.mutable_cost()->set_energy_kwh(kwh);
  d.mutable_cost()->set_co2e_kg(kg);
  return d;
}

TEST(ServerMetricsTest, DecisionsEnergyAndCarbon) {
  ServerMetrics m;
  m.OnDecision(MakeDecision("churn", v1::APPROVE, 2.0, 0.5), 1);
  m.OnDecision(MakeDecision("churn", v1::APPROVE, 1.0, 0.25), 2);
  m.OnDecision(MakeDecision("churn", v1::REJECT, 0.5, 0.1), 3);
  m.OnDecision(MakeDecision("fraud", v1::DEFER, 0.25, 0.1), 4);
  const std::string text = Exposition(m);
  EXPECT_THAT(text, HasSubstr("greengate_decisions_total{model=\"churn\",verdict=\"APPROVE\"} 2"));
  EXPECT_THAT(text, HasSubstr("greengate_decisions_total{model=\"churn\",verdict=\"REJECT\"} 1"));
  EXPECT_THAT(text, HasSubstr("greengate_decisions_total{model=\"fraud\",verdict=\"DEFER\"} 1"));
  // 3 kWh approved = 1.08e7 J; 0.75 kWh avoided = 2.7e6 J (1 kWh = 3.6e6 J).
  EXPECT_THAT(text, HasSubstr("greengate_energy_approved_joules_total 10800000"));
  EXPECT_THAT(text, HasSubstr("greengate_energy_avoided_joules_total 2700000"));
  EXPECT_THAT(text, HasSubstr("greengate_co2e_approved_grams_total 750"));
  EXPECT_THAT(text, HasSubstr("# TYPE greengate_decisions_total counter"));
  EXPECT_THAT(text,
              HasSubstr(std::string("greengate_build_info{version=\"") + BuildVersion() + "\"} 1"));
}

TEST(ServerMetricsTest, RpcHistogramAndBacklog) {
  ServerMetrics m;
  m.ObserveRpc("/greengate.v1.RetrainGatekeeper/ShouldRetrain", absl::Milliseconds(30));
  m.ObserveRpc("/greengate.v1.RetrainGatekeeper/ShouldRetrain", absl::Milliseconds(3));
  m.SetOutboxBacklog("alertmanager", 7);
  const std::string text = Exposition(m);
  const std::string labels = "method=\"ShouldRetrain\",service=\"greengate.v1.RetrainGatekeeper\"";
  EXPECT_THAT(text, HasSubstr("# TYPE greengate_rpc_duration_seconds histogram"));
  EXPECT_THAT(text, HasSubstr("greengate_rpc_duration_seconds_count{" + labels + "} 2"));
  // 3 ms is in le=0.005; 30 ms first in le=0.05; both in +Inf.
  EXPECT_THAT(text,
              HasSubstr("greengate_rpc_duration_seconds_bucket{" + labels + ",le=\"0.005\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("greengate_rpc_duration_seconds_bucket{" + labels + ",le=\"0.025\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("greengate_rpc_duration_seconds_bucket{" + labels + ",le=\"0.05\"} 2"));
  EXPECT_THAT(text,
              HasSubstr("greengate_rpc_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} 2"));
  EXPECT_THAT(text, HasSubstr("greengate_alert_outbox_backlog{sink=\"alertmanager\"} 7"));
}

}  // namespace
}  // namespace greengate::metrics
