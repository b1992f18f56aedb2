// The CLI in-process, without a server: help, usage errors, an unreachable server, and the
// commands that work offline (profile of a reference, profile merge).

#include "tests/client/cli_test.h"

#include <algorithm>
#include <string>
#include <vector>

#include "client/json_io.h"
#include "gmock/gmock.h"
#include "greengate/v1/greengate.pb.h"
#include "gtest/gtest.h"
#include "tests/client/test_files.h"

namespace greengate::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunInProcess;
using ::testing::StartsWith;
using testing::TestDir;
using testing::WriteFile;

constexpr char kCsv[] =
    "id,age,city,zip\n1,23,Paris,75001\n2,35,Lyon,69001\n3,47,\"New York, NY\",10001\n"
    "4,51,Paris,75002\n5,,Lyon,69002\n6,62,Paris,75001\n";

const std::vector<std::string> kCommands = {
    "profile",    "register",   "get-model",      "models",    "set-reference",
    "set-policy", "get-policy", "should-retrain", "decisions", "decision"};

TEST(CliTest, HelpListsEveryCommandAndExitCodes) {
  const auto run = RunInProcess({"--help"});
  EXPECT_EQ(run.code, 0);
  for (const std::string& command : kCommands) EXPECT_THAT(run.out, HasSubstr(command));
  EXPECT_THAT(run.out, HasSubstr("10 REJECT, 11 DEFER"));
  EXPECT_THAT(run.out, HasSubstr("GREENGATE_SERVER"));
}

TEST(CliTest, EveryCommandHasHelp) {
  for (const std::string& command : kCommands) {
    const auto run = RunInProcess({command, "--help"});
    EXPECT_EQ(run.code, 0) << command;
    EXPECT_THAT(run.out, HasSubstr("Usage: greengate " + command)) << command;
  }
  EXPECT_THAT(RunInProcess({"profile", "merge", "--help"}).out,
              HasSubstr("Usage: greengate profile merge"));
}

struct UsageCase {
  std::string name;
  std::vector<std::string> args;
  std::string message;
};

class CliUsageTest : public ::testing::TestWithParam<UsageCase> {};

// Usage errors exit 2 before any call to the server (there is none at 127.0.0.1:1).
TEST_P(CliUsageTest, ExitsTwo) {
  const auto run = RunInProcess(GetParam().args);
  EXPECT_EQ(run.code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Usage, CliUsageTest,
    ::testing::Values(
        UsageCase{"NoCommand", {}, "A subcommand is required"},
        UsageCase{"UnknownCommand", {"retrain"}, "retrain"},
        UsageCase{"MissingRequired", {"register", "--model", "churn"}, "--version is required"},
        UsageCase{"UnknownFlag", {"models", "--frobnicate"}, "--frobnicate"},
        UsageCase{"BadTimeout", {"models", "--timeout", "0"}, "--timeout"},
        // The server keeps at most 10,000 joint rows: a larger joint sample is refused here.
        UsageCase{"JointSampleOverTheServersLimit",
                  {"profile", "--csv", "x.csv", "--joint-sample", "10001"},
                  "--joint-sample"},
        UsageCase{"LabelsNeedBoth",
                  {"should-retrain", "--model", "m", "--profile", "p.json", "--labeled-rows", "5",
                   "--hours", "1"},
                  "--labeled-correct"},
        UsageCase{"NoPlan",
                  {"should-retrain", "--model", "m", "--profile", "p.json"},
                  "--plan FILE or with flags"},
        UsageCase{"PlanFileAndFlags",
                  {"should-retrain", "--model", "m", "--profile", "p.json", "--plan", "x.json",
                   "--hours", "2"},
                  "exclude each other"},
        UsageCase{"PolicyNothing", {"set-policy", "--model", "m"}, "at least one policy flag"},
        UsageCase{"PolicyFileAndFlags",
                  {"set-policy", "--model", "m", "--policy", "p.json", "--min-gain", "0.1"},
                  "exclude each other"},
        UsageCase{
            "PolicyOutOfRange", {"set-policy", "--model", "m", "--min-gain", "2"}, "--min-gain"},
        UsageCase{"BadVerdict", {"decisions", "--verdict", "maybe"}, "--verdict"},
        UsageCase{"ProfileNeedsCsv", {"profile"}, "--csv is required"},
        UsageCase{"ProfileBinsWithModel",
                  {"profile", "--csv", "x.csv", "--model", "m", "--bins", "5"},
                  "with --model the model's reference fixes"},
        UsageCase{"MergeNeedsTwo", {"profile", "merge", "/dev/null"}, "profile"},
        UsageCase{"AccuracyNeedsRows",
                  {"set-reference", "--model", "m", "--profile", "r.json", "--accuracy", "0.9"},
                  "--evaluation-rows"}),
    [](const ::testing::TestParamInfo<UsageCase>& info) { return info.param.name; });

TEST(CliTest, AnUnreachableServerIsNamedWithoutGrpcInternals) {
  const std::string address = "127.0.0.1:" + std::to_string(testing::UnusedPort());
  const auto run = RunInProcess({"models", "--timeout", "5"}, address);
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, StartsWith("greengate: UNAVAILABLE: cannot reach greengate at " + address));
  EXPECT_THAT(run.err, Not(HasSubstr("ipv4:")));
  EXPECT_THAT(run.err, Not(HasSubstr("failed to connect to all addresses")));
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1);
  EXPECT_EQ(run.out, "");
}

TEST(CliTest, ProfileWritesAReferenceOffline) {
  const auto dir = TestDir();
  const std::string csv = WriteFile(dir / "train.csv", kCsv);
  const std::string out = (dir / "ref.json").string();
  const auto run = RunInProcess({"profile", "--csv", csv, "--categorical", "zip", "--exclude", "id",
                                 "--bins", "4", "--out", out});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("reference profile of " + csv +
                                 ": 6 rows, 3 features (1 numeric, 2 categorical) -> " + out));
  EXPECT_THAT(run.out, HasSubstr("city: categorical"));
  v1::DataProfile profile;
  ASSERT_TRUE(ReadJsonFile(out, &profile).ok());
  EXPECT_EQ(profile.rows(), 6);
  ASSERT_EQ(profile.features_size(), 3);
  EXPECT_EQ(profile.features(0).name(), "age");
  EXPECT_EQ(profile.features(0).missing(), 1);
  EXPECT_EQ(profile.features(0).numeric().bin_edges_size(), 3);  // 4 quartile bins
  EXPECT_EQ(profile.features(2).categorical().counts().at("75001"), 2);
  // JSON uses the proto field names.
  EXPECT_THAT(testing::ReadFile(out), HasSubstr("\"bin_edges\""));
}

TEST(CliTest, ProfileWithoutOutPrintsOnlyJson) {
  const std::string csv = WriteFile(TestDir() / "train.csv", kCsv);
  const auto run = RunInProcess({"profile", "--csv", csv});
  ASSERT_EQ(run.code, 0) << run.err;
  v1::DataProfile profile;
  ASSERT_TRUE(ParseJson(run.out, "stdout", &profile).ok()) << run.out;
  EXPECT_EQ(profile.features_size(), 4);  // id and zip are numbers here
  EXPECT_TRUE(profile.features(3).has_numeric());
}

TEST(CliTest, ProfileErrorsNameTheFile) {
  const auto dir = TestDir();
  const auto missing = RunInProcess({"profile", "--csv", (dir / "nope.csv").string()});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, StartsWith("greengate: NOT_FOUND: "));
  EXPECT_THAT(missing.err, HasSubstr("nope.csv: cannot open"));

  const std::string ragged = WriteFile(dir / "ragged.csv", "a,b\n1,2\n3,4,5\n");
  const auto bad = RunInProcess({"profile", "--csv", ragged});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("greengate: INVALID_ARGUMENT: " + ragged +
                                 " line 3: has 3 fields; the header has 2"));
}

TEST(CliTest, MergeAddsShardProfiles) {
  const auto dir = TestDir();
  const std::string csv = WriteFile(dir / "train.csv", kCsv);
  const std::string ref = (dir / "ref.json").string();
  ASSERT_EQ(RunInProcess({"profile", "--csv", csv, "--out", ref}).code, 0);
  // Two shards with the same edges: here, the same data twice.
  const std::string merged = (dir / "merged.json").string();
  const auto run = RunInProcess({"profile", "merge", ref, ref, "--out", merged});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("merged 2 profiles (12 rows, 4 features)"));
  v1::DataProfile one;
  v1::DataProfile two;
  ASSERT_TRUE(ReadJsonFile(ref, &one).ok());
  ASSERT_TRUE(ReadJsonFile(merged, &two).ok());
  EXPECT_EQ(two.rows(), 12);
  ASSERT_EQ(two.features_size(), one.features_size());
  for (int i = 0; i < one.features_size(); ++i) {
    EXPECT_EQ(two.features(i).count(), 2 * one.features(i).count());
    EXPECT_EQ(two.features(i).missing(), 2 * one.features(i).missing());
    EXPECT_EQ(two.features(i).numeric().mean(), one.features(i).numeric().mean());
  }

  // Profiles of different columns do not merge; the message says which file.
  const std::string other_csv = WriteFile(dir / "other.csv", "x\n1\n2\n");
  const std::string other = (dir / "other.json").string();
  ASSERT_EQ(RunInProcess({"profile", "--csv", other_csv, "--out", other}).code, 0);
  const auto bad = RunInProcess({"profile", "merge", ref, other});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, StartsWith("greengate: INVALID_ARGUMENT: "));
  EXPECT_THAT(bad.err, HasSubstr("other.json"));
}

TEST(CliTest, JsonInputErrorsNameTheFile) {
  const auto dir = TestDir();
  const std::string bad = WriteFile(dir / "bad.json", "{\"rows\": \"many\"}");
  const auto run = RunInProcess({"profile", "merge", bad, bad});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err,
              HasSubstr("greengate: INVALID_ARGUMENT: " + bad + ": not a valid DataProfile JSON"));
}

}  // namespace
}  // namespace greengate::client
