// End to end, real binaries: `set-reference --importance` / `--importance-file` (the
// importance-weighted drifted share) and `profile from-tfdv` (TFDV statistics as reference
// and current profiles) against a real greengate-server.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "client/json_io.h"
#include "gmock/gmock.h"
#include "greengate/v1/greengate.pb.h"
#include "gtest/gtest.h"
#include "tests/client/process.h"
#include "tests/client/test_files.h"

namespace greengate::client {
namespace {

using testing::CliResult;
using ::testing::HasSubstr;
using testing::ServerProcess;
using testing::WriteFile;

const std::string kServerBinary = std::string(GG_BINARY_DIR) + "/server/greengate-server";
const std::string kCliBinary = std::string(GG_BINARY_DIR) + "/client/greengate";

// `rows` rows of a, b (numbers on a fixed grid) and c (two categories); `b_shift` moves b only.
std::string MakeCsv(int rows, double b_shift) {
  std::string csv = "a,b,c\n";
  for (int i = 0; i < rows; ++i) {
    absl::StrAppendFormat(&csv, "%d,%.2f,%s\n", i % 97, (i * 37 % 101) + b_shift,
                          i % 3 == 0 ? "x" : "y");
  }
  return csv;
}

class ImportanceTfdvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kServerBinary)) << kServerBinary << " is missing";
    dir_ = testing::TestDir();
    server_ = std::make_unique<ServerProcess>(kServerBinary, dir_);
    ASSERT_TRUE(server_->ok()) << "greengate-server did not start:\n" << server_->log();
  }

  CliResult Cli(std::vector<std::string> args) {
    args.push_back("--server=" + server_->address());
    return testing::RunBinary(kCliBinary, args, dir_);
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // should-retrain --json on `profile`, parsed.
  v1::Decision Gate(const std::string& model, const std::string& profile) {
    CliResult r = Cli({"should-retrain", "--model", model, "--profile", profile, "--accelerator",
                       "nvidia-a100-40gb", "--accelerators", "1", "--hours", "1", "--region", "FR",
                       "--provider", "gcp", "--json"});
    EXPECT_TRUE(r.code == 0 || r.code == 10 || r.code == 11) << r.out << r.err;
    v1::Decision decision;
    EXPECT_TRUE(ParseJson(r.out, "should-retrain", &decision).ok()) << r.out << r.err;
    return decision;
  }

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ImportanceTfdvTest, ImportanceFromTheCommandLineWeighsTheDriftedShare) {
  WriteFile(dir_ / "train.csv", MakeCsv(3000, 0));
  WriteFile(dir_ / "new.csv", MakeCsv(3000, 60));  // only b drifts
  WriteFile(dir_ / "importance.csv", "feature,importance\na,0.7\nb,0.3\n");
  for (const char* model : {"m1", "m2", "m3"}) {
    ASSERT_EQ(Cli({"register", "--model", model, "--version", "v1"}).code, 0);
  }
  CliResult r = Cli({"profile", "--csv", Path("train.csv"), "--out", Path("ref.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  // A typo is caught by the CLI, before anything is stored.
  r = Cli({"set-reference", "--model", "m1", "--profile", Path("ref.json"), "--importance",
           "a=1,zz=2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--importance: 'zz' is not a feature of the profile"));
  r = Cli(
      {"set-reference", "--model", "m1", "--profile", Path("ref.json"), "--importance", "a=-1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("must be a finite number >= 0"));

  ASSERT_EQ(Cli({"set-reference", "--model", "m1", "--profile", Path("ref.json"), "--importance",
                 "a=1,c=1"})
                .code,
            0);  // b weighs 0
  ASSERT_EQ(Cli({"set-reference", "--model", "m2", "--profile", Path("ref.json"),
                 "--importance-file", Path("importance.csv")})
                .code,
            0);
  ASSERT_EQ(Cli({"set-reference", "--model", "m3", "--profile", Path("ref.json")}).code, 0);
  for (const char* model : {"m1", "m2", "m3"}) {
    r = Cli({"profile", "--csv", Path("new.csv"), "--model", model, "--out",
             Path(std::string(model) + ".json")});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  const v1::Decision m1 = Gate("m1", Path("m1.json"));
  const v1::Decision m2 = Gate("m2", Path("m2.json"));
  const v1::Decision m3 = Gate("m3", Path("m3.json"));
  // b drifted in all three; its weight decides the share: 0 of 2, 0.3 of 1, 1 of 3 features.
  for (const v1::Decision* d : {&m1, &m2, &m3}) {
    ASSERT_EQ(d->drift().features_size(), 3);
    EXPECT_TRUE(d->drift().features(1).drifted()) << d->drift().features(1).why();
    EXPECT_FALSE(d->drift().features(0).drifted());
  }
  EXPECT_TRUE(m1.drift().importance_weighted());
  EXPECT_EQ(m1.drift().features(1).importance(), 0);
  EXPECT_DOUBLE_EQ(m1.drift().drifted_share(), 0);
  EXPECT_TRUE(m2.drift().importance_weighted());
  EXPECT_DOUBLE_EQ(m2.drift().features(1).importance(), 0.3);
  EXPECT_NEAR(m2.drift().drifted_share(), 0.3, 1e-12);
  EXPECT_FALSE(m3.drift().importance_weighted());
  EXPECT_NEAR(m3.drift().drifted_share(), 1.0 / 3, 1e-12);
}

TEST_F(ImportanceTfdvTest, TfdvStatisticsServeAsReferenceAndCurrentProfiles) {
  const std::string stats = std::string(GG_SOURCE_DIR) + "/tests/client/testdata/tfdv_stats.json";
  ASSERT_EQ(Cli({"register", "--model", "tf", "--version", "v1"}).code, 0);
  CliResult r = Cli({"profile", "from-tfdv", stats, "--out", Path("ref.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("100 rows, 3 features (2 numeric, 1 categorical)"));
  EXPECT_THAT(r.out, HasSubstr("blob: skipped"));
  ASSERT_EQ(Cli({"set-reference", "--model", "tf", "--profile", Path("ref.json")}).code, 0);
  r = Cli({"profile", "from-tfdv", stats, "--model", "tf", "--out", Path("cur.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  const v1::Decision d = Gate("tf", Path("cur.json"));
  ASSERT_EQ(d.drift().features_size(), 3);
  // No samples in TFDV statistics: numeric features are compared by PSI on the bins, and the
  // same statistics on both sides show no drift.
  EXPECT_EQ(d.drift().features(0).test(), "psi");
  EXPECT_NEAR(d.drift().features(0).statistic(), 0, 1e-12);
  EXPECT_FALSE(d.drift().dataset_drift());
}

}  // namespace
}  // namespace greengate::client
