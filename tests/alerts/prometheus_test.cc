// /metrics scraped by a REAL Prometheus (Debian `prometheus`) started by the test on
// loopback: the target is up and greengate's series are queryable. The scraped text also
// passes `promtool check metrics`.

#include <filesystem>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/alerts/test_env.h"

namespace greengate::alerts {
namespace {

using testing::ChildProcess;
using testing::GreengateHarness;

constexpr char kPrometheus[] = "/usr/bin/prometheus";
constexpr char kPromtool[] = "/usr/bin/promtool";

class PrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPrometheus) || !std::filesystem::exists(kPromtool)) {
      GTEST_SKIP() << "prometheus/promtool missing (apt-get install prometheus)";
    }
    dir_ = testing::MakeTempDir("greengate-prom");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string dir_;
};

ObservabilityFlags MetricsOnly() {
  ObservabilityFlags flags;
  flags.metrics_listen = "127.0.0.1:0";
  return flags;
}

// Runs `promtool check metrics` on `text`; returns its exit code, output in *out.
int PromtoolCheckMetrics(const std::string& dir, const std::string& text, std::string* out) {
  testing::WriteFile(dir + "/metrics.txt", text);
  ChildProcess promtool("/bin/sh",
                        {"-c", std::string(kPromtool) + " check metrics < " + dir + "/metrics.txt"},
                        dir + "/promtool.log");
  const int code = promtool.Wait();
  *out = testing::ReadFile(dir + "/promtool.log");
  return code;
}

TEST_F(PrometheusTest, ScrapedTextPassesPromtool) {
  GreengateHarness greengate(dir_, MetricsOnly());
  ASSERT_TRUE(greengate.ok());
  greengate.Ready("churn");
  greengate.Ask("churn", true);
  const int port = greengate.observability()->metrics_port();
  const std::string text = testing::HttpGet(absl::StrCat("http://127.0.0.1:", port, "/metrics"));
  ASSERT_NE(text.find("greengate_decisions_total{model=\"churn\",verdict=\"APPROVE\"} 1"),
            std::string::npos)
      << text;
  // The interceptor timed the unary calls (RegisterModel, SetReference, ShouldRetrain).
  EXPECT_NE(text.find("greengate_rpc_duration_seconds_count{method=\"ShouldRetrain\","
                      "service=\"greengate.v1.RetrainGatekeeper\"} 1"),
            std::string::npos)
      << text;
  // Only greengate's own families: the exposer's are not ours to lint.
  std::string ours;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StrContains(line, "greengate_")) absl::StrAppend(&ours, line, "\n");
  }
  std::string output;
  EXPECT_EQ(PromtoolCheckMetrics(dir_, ours, &output), 0) << output << "\n" << ours;
}

TEST_F(PrometheusTest, RealPrometheusScrapesTheTarget) {
  GreengateHarness greengate(dir_, MetricsOnly());
  ASSERT_TRUE(greengate.ok());
  greengate.Ready("churn");
  greengate.Ask("churn", false);
  const int metrics_port = greengate.observability()->metrics_port();
  const int prom_port = testing::FreePort();
  testing::WriteFile(dir_ + "/prometheus.yml",
                     absl::StrCat("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                  "scrape_configs:\n  - job_name: greengate\n"
                                  "    static_configs:\n      - targets: ['127.0.0.1:",
                                  metrics_port, "']\n"));
  ChildProcess prometheus(
      kPrometheus,
      {"--config.file=" + dir_ + "/prometheus.yml", "--storage.tsdb.path=" + dir_ + "/tsdb",
       absl::StrCat("--web.listen-address=127.0.0.1:", prom_port)},
      dir_ + "/prometheus.log");
  ASSERT_TRUE(prometheus.started());
  const std::string base = absl::StrCat("http://127.0.0.1:", prom_port);
  ASSERT_TRUE(testing::WaitFor([&] { return !testing::HttpGet(base + "/-/ready").empty(); }))
      << testing::ReadFile(dir_ + "/prometheus.log");

  std::string health;
  ASSERT_TRUE(testing::WaitFor([&] {
    const nlohmann::json targets =
        nlohmann::json::parse(testing::HttpGet(base + "/api/v1/targets"), nullptr, false);
    if (!targets.is_object()) return false;
    for (const nlohmann::json& t : targets["data"]["activeTargets"]) {
      health = t.value("health", "");
      if (health == "up") return true;
    }
    return false;
  })) << "target health: "
      << health;

  nlohmann::json result;
  ASSERT_TRUE(testing::WaitFor([&] {
    const nlohmann::json r = nlohmann::json::parse(
        testing::HttpGet(base + "/api/v1/query?query=greengate_decisions_total"), nullptr, false);
    if (!r.is_object() || r["data"]["result"].empty()) return false;
    result = r["data"]["result"][0];
    return true;
  }));
  EXPECT_EQ(result["metric"]["model"], "churn");
  EXPECT_EQ(result["metric"]["verdict"], "REJECT");
  EXPECT_EQ(result["metric"]["job"], "greengate");
  EXPECT_EQ(result["value"][1], "1");
}

}  // namespace
}  // namespace greengate::alerts
