// End to end, governance: the real `greengate` binary against a real `greengate-server` on
// loopback. Decisions are made through the CLI; `greengate report` renders HTML that headless
// Chromium must render to a non-blank screenshot; `greengate audit verify` passes, then fails
// on the row an intruder edits in the SQLite file behind the server's back.

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "client/json_io.h"
#include "gmock/gmock.h"
#include "greengate/v1/greengate.pb.h"
#include "gtest/gtest.h"
#include "server/core/governance/iso_week.h"
#include "tests/client/png_check.h"
#include "tests/client/process.h"
#include "tests/client/test_files.h"
#include "tests/store/test_util.h"

namespace greengate::client {
namespace {

using testing::CliResult;
using ::testing::HasSubstr;
using testing::ReadFile;
using testing::ServerProcess;
using ::testing::StartsWith;
using testing::TestDir;
using testing::WriteFile;

const std::string kServerBinary = std::string(GG_BINARY_DIR) + "/server/greengate-server";
const std::string kCliBinary = std::string(GG_BINARY_DIR) + "/client/greengate";
const std::string kChromium = "/usr/bin/chromium";

// `rows` rows of two numeric features and a city; `shift` moves the distributions.
std::string MakeCsv(uint64_t seed, int rows, double shift) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  const auto normal = [&](double mean, double sd) {
    return mean + sd * std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform());
  };
  const std::vector<std::string> cities = {"Paris", "Lyon", "Berlin", "Madrid"};
  std::string csv = "age,income,city\n";
  for (int i = 0; i < rows; ++i) {
    absl::StrAppendFormat(&csv, "%.2f,%.1f,%s\n", normal(40 + 15 * shift, 10),
                          normal(50000 + 15000 * shift, 8000),
                          cities[static_cast<int>(uniform() * (shift > 0 ? 4 : 3))]);
  }
  return csv;
}

class GovernanceEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kServerBinary)) << kServerBinary << " is missing";
    ASSERT_TRUE(std::filesystem::exists(kCliBinary)) << kCliBinary << " is missing";
    dir_ = TestDir();
    // The server's /metrics listener defaults to a fixed port another test may hold; this
    // test does not need it, so a wrapper starts the server without it.
    const std::filesystem::path wrapper = dir_ / "server.sh";
    WriteFile(wrapper,
              absl::StrCat("#!/bin/sh\nexec '", kServerBinary, "' --metrics_listen= \"$@\"\n"));
    std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
    server_ = std::make_unique<ServerProcess>(wrapper.string(), dir_);
    ASSERT_TRUE(server_->ok()) << "greengate-server did not start:\n" << server_->log();
  }

  CliResult Cli(std::vector<std::string> args) {
    args.push_back("--server=" + server_->address());
    return testing::RunBinary(kCliBinary, args, dir_);
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // One approval (drift, 10 points lost), one rejection (no drift), one deferral (cooldown).
  void MakeDecisions() {
    WriteFile(dir_ / "train.csv", MakeCsv(1, 2000, 0));
    WriteFile(dir_ / "same.csv", MakeCsv(2, 2000, 0));
    WriteFile(dir_ / "drift.csv", MakeCsv(3, 2000, 1));
    ASSERT_EQ(Cli({"register", "--model", "churn", "--version", "v1"}).code, 0);
    ASSERT_EQ(Cli({"profile", "--csv", Path("train.csv"), "--out", Path("ref.json")}).code, 0);
    ASSERT_EQ(Cli({"set-reference", "--model", "churn", "--profile", Path("ref.json"), "--accuracy",
                   "0.91", "--evaluation-rows", "5000"})
                  .code,
              0);
    for (const char* name : {"same", "drift"}) {
      ASSERT_EQ(Cli({"profile", "--csv", Path(absl::StrCat(name, ".csv")), "--model", "churn",
                     "--out", Path(absl::StrCat(name, ".json"))})
                    .code,
                0);
    }
    const std::vector<std::string> plan = {"--accelerator",  "nvidia-a100-40gb",
                                           "--accelerators", "8",
                                           "--hours",        "10",
                                           "--region",       "FR",
                                           "--provider",     "gcp"};
    const auto ask = [&](const std::string& profile, const std::string& correct,
                         bool json = false) {
      std::vector<std::string> args = {"should-retrain", "--model",           "churn",
                                       "--profile",      Path(profile),       "--labeled-rows",
                                       "2000",           "--labeled-correct", correct};
      args.insert(args.end(), plan.begin(), plan.end());
      if (json) args.push_back("--json");
      return Cli(args);
    };
    CliResult r = ask("drift.json", "1620", true);
    ASSERT_EQ(r.code, 0) << r.out << r.err;  // APPROVE
    v1::Decision approved;
    ASSERT_TRUE(ParseJson(r.out, "should-retrain", &approved).ok()) << r.out;
    approved_ = approved.name();
    r = ask("same.json", "1820");
    ASSERT_EQ(r.code, 10) << r.out << r.err;  // REJECT
    r = ask("drift.json", "1620");
    ASSERT_EQ(r.code, 11) << r.out << r.err;  // DEFER (cooldown)
  }

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string approved_;  // name of the approved decision
};

TEST_F(GovernanceEndToEndTest, ReportRendersInChromiumAndAuditCatchesAnEditedRow) {
  MakeDecisions();
  // The approved retrain ran: measured 30 kWh, accuracy 0.81 -> 0.86 (realised +5 points).
  const CliResult outcome = Cli({"report-outcome", "--decision", approved_, "--energy-kwh", "30",
                                 "--accuracy-before", "0.81", "--accuracy-after", "0.86"});
  ASSERT_EQ(outcome.code, 0) << outcome.out << outcome.err;
  // The server stamps decisions with the real clock: report on yesterday to tomorrow (UTC),
  // which holds them even across midnight or a week boundary.
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  const std::vector<std::string> period = {"--from", absl::FormatCivilTime(today - 1), "--to",
                                           absl::FormatCivilTime(today + 1)};
  const auto report_cmd = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"report"};
    args.insert(args.end(), period.begin(), period.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  };
  CliResult r = Cli({"report", "--week", governance::IsoWeekLabel(absl::Now())});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("| Week | Approved | Avoided |"));

  r = report_cmd({});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("# greengate governance report"));
  EXPECT_THAT(r.out, HasSubstr("| overall | 3 | 1 | 1 | 1 |"));
  EXPECT_THAT(r.out, HasSubstr("| models/churn | 3 | 1 | 1 | 1 |"));
  EXPECT_THAT(r.out, HasSubstr("Intact: 3 chained decisions verified. Anchor: 3:"));
  r = report_cmd({"--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(",models/churn,3,1,1,1,"));
  r = report_cmd({"--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  v1::GovernanceReport report;
  ASSERT_TRUE(ParseJson(r.out, "report", &report).ok()) << r.out;
  EXPECT_EQ(report.overall().decisions().total(), 3);
  EXPECT_EQ(report.overall().outcomes(), 1);
  EXPECT_DOUBLE_EQ(report.overall().measured_energy_kwh(), 30);
  EXPECT_NEAR(report.overall().mean_realised_gain(), 0.05, 1e-9);
  ASSERT_EQ(report.overall().gains_size(), 1);
  EXPECT_GT(report.overall().approved_energy_kwh(), 0);
  EXPECT_GT(report.overall().avoided_energy_kwh(), 0);
  ASSERT_GT(report.overall().most_drifted_features_size(), 0);

  // The same period on the decision list, and one before it.
  r = Cli({"decisions", "--since", period[1], "--until", period[3], "--page-size", "1", "--all",
           "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  v1::ListDecisionsResponse listed;
  ASSERT_TRUE(ParseJson(r.out, "decisions", &listed).ok()) << r.out;
  EXPECT_EQ(listed.decisions_size(), 3);
  r = Cli({"decisions", "--until", period[1], "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(ParseJson(r.out, "decisions", &listed).ok()) << r.out;
  EXPECT_EQ(listed.decisions_size(), 0);

  r = report_cmd({"--format", "html", "--out", Path("report.html")});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = ReadFile(dir_ / "report.html");
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("id=\"chart-weekly\""));
  EXPECT_THAT(html, HasSubstr("<circle class=\"point\""));

  // The audit log is intact; keep the anchor it prints.
  r = Cli({"audit", "verify"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, StartsWith("audit log intact: 3 chained decisions verified"));
  EXPECT_THAT(r.out, HasSubstr("anchor: 3:"));

  // An intruder turns the rejection (seq 2) into an approval in the live file.
  {
    store::testing::RawDb raw(Path("gg.db"));
    ASSERT_EQ(raw.Exec("DROP TRIGGER decisions_no_update; "
                       "UPDATE decisions SET verdict = 'APPROVE' WHERE seq = 2;"),
              "");
  }
  r = Cli({"audit", "verify"});
  EXPECT_EQ(r.code, 12) << r.out << r.err;
  EXPECT_THAT(r.out, StartsWith("audit log NOT intact: decision seq 2 ALTERED: "));
  r = Cli({"audit", "verify", "--json"});
  EXPECT_EQ(r.code, 12);
  EXPECT_THAT(r.out, HasSubstr("\"problem_seq\": \"2\""));

  // Headless Chromium renders the page; the screenshot is a real, non-blank image.
  if (!std::filesystem::exists(kChromium)) {
    GTEST_SKIP() << kChromium << " is not installed (Debian package chromium)";
  }
  const std::string png = Path("report.png");
  r = testing::RunBinary(
      "/usr/bin/timeout",
      {"120", kChromium, "--headless", "--no-sandbox", "--disable-gpu",
       "--disable-background-networking", "--disable-component-update", "--no-first-run",
       "--hide-scrollbars", "--user-data-dir=" + Path("chromium-profile"),
       "--window-size=1280,1400", "--screenshot=" + png, "file://" + Path("report.html")},
      dir_);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  ASSERT_TRUE(std::filesystem::exists(png)) << r.err;
  std::string error;
  const std::optional<testing::PngImage> image = testing::DecodePng(ReadFile(png), &error);
  ASSERT_TRUE(image.has_value()) << error;
  EXPECT_EQ(image->width, 1280u);
  EXPECT_EQ(image->height, 1400u);
  const testing::PngStats stats = testing::Stats(*image);
  // Text, bars in two colours, gridlines and cards: many colours and a good share of ink.
  EXPECT_GT(stats.colors, 50u);
  EXPECT_GT(stats.non_background_share, 0.05);
  // The red (approved) and green (avoided) bars are on screen.
  size_t red = 0, green = 0;
  for (size_t i = 0; i < image->pixels.size(); i += image->channels) {
    const uint8_t* p = &image->pixels[i];
    if (p[0] == 0xc6 && p[1] == 0x28 && p[2] == 0x28) ++red;
    if (p[0] == 0x2e && p[1] == 0x7d && p[2] == 0x32) ++green;
  }
  EXPECT_GT(red, 500u);
  EXPECT_GT(green, 500u);
}

}  // namespace
}  // namespace greengate::client
