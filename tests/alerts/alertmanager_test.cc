// Alert delivery to a REAL Alertmanager (Debian prometheus-alertmanager) started by the test
// on loopback, from a real greengate server: approved and rejected retrains show up in its
// API, and an Alertmanager that is down when the decision is made receives it once it is up.

#include <filesystem>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/alerts/test_env.h"

namespace greengate::alerts {
namespace {

using testing::ChildProcess;
using testing::GreengateHarness;

constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

class AlertmanagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kAlertmanager)) {
      GTEST_SKIP() << kAlertmanager << " missing (apt-get install prometheus-alertmanager)";
    }
    dir_ = testing::MakeTempDir("greengate-am");
    ASSERT_FALSE(dir_.empty());
    port_ = testing::FreePort();
    testing::WriteFile(dir_ + "/alertmanager.yml",
                       "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
  }
  void TearDown() override {
    alertmanager_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string BaseUrl() const { return absl::StrCat("http://127.0.0.1:", port_); }

  void StartAlertmanager() {
    alertmanager_ = std::make_unique<ChildProcess>(
        kAlertmanager,
        std::vector<std::string>{
            "--config.file=" + dir_ + "/alertmanager.yml", "--storage.path=" + dir_ + "/am-data",
            absl::StrCat("--web.listen-address=127.0.0.1:", port_), "--cluster.listen-address="},
        dir_ + "/alertmanager.log");
    ASSERT_TRUE(alertmanager_->started());
    ASSERT_TRUE(testing::WaitFor([&] { return !testing::HttpGet(BaseUrl() + "/-/ready").empty(); }))
        << testing::ReadFile(dir_ + "/alertmanager.log");
  }

  ObservabilityFlags Flags() const {
    ObservabilityFlags flags;
    flags.alertmanager_url = BaseUrl();
    flags.alert_link_prefix = "http://greengate.test/";
    flags.metrics_listen = "";
    flags.poll_interval = absl::Milliseconds(200);
    flags.backoff.initial = absl::Milliseconds(100);
    flags.backoff.max = absl::Milliseconds(500);
    return flags;
  }

  // The alert with this alertname and decision annotation, or null.
  nlohmann::json FindAlert(const std::string& alertname, const std::string& decision) {
    const std::string body = testing::HttpGet(BaseUrl() + "/api/v2/alerts");
    if (body.empty()) return nullptr;
    const nlohmann::json alerts = nlohmann::json::parse(body, nullptr, false);
    if (!alerts.is_array()) return nullptr;
    for (const nlohmann::json& a : alerts) {
      if (a["labels"].value("alertname", "") == alertname &&
          a["annotations"].value("decision", "") == decision) {
        return a;
      }
    }
    return nullptr;
  }

  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> alertmanager_;
};

TEST_F(AlertmanagerTest, ApprovedAndRejectedRetrainsShowUp) {
  StartAlertmanager();
  GreengateHarness greengate(dir_, Flags());
  ASSERT_TRUE(greengate.ok());
  greengate.Ready("churn");
  greengate.Ready("fraud");
  const v1::Decision approved = greengate.Ask("churn", true);
  const v1::Decision rejected = greengate.Ask("fraud", false);
  ASSERT_EQ(approved.verdict(), v1::APPROVE) << approved.reason();
  ASSERT_EQ(rejected.verdict(), v1::REJECT) << rejected.reason();

  nlohmann::json a, r;
  ASSERT_TRUE(testing::WaitFor([&] {
    a = FindAlert("GreengateRetrainApproved", approved.name());
    r = FindAlert("GreengateRetrainRejected", rejected.name());
    return !a.is_null() && !r.is_null();
  })) << testing::HttpGet(BaseUrl() + "/api/v2/alerts");
  EXPECT_EQ(a["labels"]["model"], "churn");
  EXPECT_EQ(a["labels"]["verdict"], "APPROVE");
  EXPECT_EQ(a["labels"]["severity"], "info");
  EXPECT_EQ(a["annotations"]["summary"], approved.reason());
  EXPECT_EQ(a["generatorURL"], "http://greengate.test/" + approved.name());
  EXPECT_EQ(a["status"]["state"], "active");
  EXPECT_EQ(r["labels"]["model"], "fraud");
  EXPECT_EQ(r["labels"]["verdict"], "REJECT");
  EXPECT_EQ(r["labels"]["severity"], "warning");
  const std::vector<SinkStatus> status = greengate.observability()->dispatcher()->Status();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].attempts, 0);
}

TEST_F(AlertmanagerTest, DownWhenDecidedDeliveredOnceUp) {
  GreengateHarness greengate(dir_, Flags());
  ASSERT_TRUE(greengate.ok());
  greengate.Ready("churn");
  const v1::Decision approved = greengate.Ask("churn", true);
  ASSERT_EQ(approved.verdict(), v1::APPROVE) << approved.reason();
  Dispatcher* dispatcher = greengate.observability()->dispatcher();
  // Delivery was attempted and failed (nothing listens on the port yet).
  ASSERT_TRUE(testing::WaitFor([&] { return dispatcher->Status()[0].attempts >= 1; }));
  EXPECT_EQ(dispatcher->Status()[0].backlog, 1);

  StartAlertmanager();
  ASSERT_TRUE(testing::WaitFor([&] {
    return !FindAlert("GreengateRetrainApproved", approved.name()).is_null();
  })) << testing::HttpGet(BaseUrl() + "/api/v2/alerts");
  ASSERT_TRUE(testing::WaitFor([&] { return dispatcher->Status()[0].backlog == 0; }));
}

TEST_F(AlertmanagerTest, DecisionMadeBeforeRestartIsDeliveredAfterIt) {
  std::string approved_name;
  {
    GreengateHarness first(dir_, Flags());  // Alertmanager down all along
    ASSERT_TRUE(first.ok());
    first.Ready("churn");
    const v1::Decision approved = first.Ask("churn", true);
    ASSERT_EQ(approved.verdict(), v1::APPROVE) << approved.reason();
    approved_name = approved.name();
  }  // the server stops with the alert undelivered
  StartAlertmanager();
  GreengateHarness second(dir_, Flags());  // same database
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(testing::WaitFor([&] {
    return !FindAlert("GreengateRetrainApproved", approved_name).is_null();
  })) << testing::HttpGet(BaseUrl() + "/api/v2/alerts");
}

}  // namespace
}  // namespace greengate::alerts
