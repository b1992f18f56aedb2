// End to end: a reference made with `--top-k 5000` is counted on by every CLI path that
// profiles on a reference (`profile --model`, `should-retrain --csv`, shards + `profile
// merge`) without repeating the flag, and current data is counted on the reference's
// categories: no drift and nothing unseen without drift, a new category reported with its
// count. The real `greengate` binary against a real `greengate-server` on loopback.

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/json_io.h"
#include "gmock/gmock.h"
#include "greengate/v1/greengate.pb.h"
#include "gtest/gtest.h"
#include "tests/client/process.h"
#include "tests/client/test_files.h"

namespace greengate::client {
namespace {

using testing::CliResult;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ServerProcess;
using testing::TestDir;
using testing::WriteFile;

const std::string kServerBinary = std::string(GG_BINARY_DIR) + "/server/greengate-server";
const std::string kCliBinary = std::string(GG_BINARY_DIR) + "/client/greengate";

constexpr int kLevels = 1200;

// `rows` rows of a numeric column and a category drawn from kLevels equally likely levels,
// then `new_rows` rows of the category "NEW". Rows [begin, end) of that, with the header.
std::string MakeCsv(uint64_t seed, int rows, int new_rows, int begin = 0, int end = -1) {
  std::mt19937_64 rng(seed);
  std::string csv = "x,level\n";
  const int total = rows + new_rows;
  if (end < 0) end = total;
  for (int i = 0; i < total; ++i) {
    const uint64_t draw = rng();
    if (i < begin || i >= end) continue;
    const std::string level = i < rows ? absl::StrCat("L", draw % kLevels) : "NEW";
    absl::StrAppend(&csv, (draw >> 20) % 1000, ",", level, "\n");
  }
  return csv;
}

class CategoriesEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kServerBinary)) << kServerBinary << " is missing";
    ASSERT_TRUE(std::filesystem::exists(kCliBinary)) << kCliBinary << " is missing";
    dir_ = TestDir();
    server_ = std::make_unique<ServerProcess>(kServerBinary, dir_);
    ASSERT_TRUE(server_->ok()) << "greengate-server did not start:\n" << server_->log();
  }

  CliResult Cli(std::vector<std::string> args) {
    args.push_back("--server=" + server_->address());
    return testing::RunBinary(kCliBinary, args, dir_);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // The categorical feature of a profile file.
  static v1::CategoricalProfile Level(const std::string& path) {
    v1::DataProfile profile;
    EXPECT_TRUE(ReadJsonFile(path, &profile).ok()) << path;
    for (const v1::FeatureProfile& f : profile.features()) {
      if (f.name() == "level") return f.categorical();
    }
    ADD_FAILURE() << path << " has no feature 'level'";
    return {};
  }

  static v1::ProfileOptions Options(const std::string& path) {
    v1::DataProfile profile;
    EXPECT_TRUE(ReadJsonFile(path, &profile).ok()) << path;
    return profile.options();
  }

  // should-retrain --csv: the drift result of "level".
  v1::FeatureDrift ShouldRetrainOnCsv(const std::string& csv) {
    CliResult r = Cli({"should-retrain", "--model", "m", "--csv", csv, "--accelerator",
                       "nvidia-a100-40gb", "--accelerators", "1", "--hours", "1", "--region",
                       "FR", "--json"});
    EXPECT_TRUE(r.code == 0 || r.code == 10 || r.code == 11) << r.out << r.err;
    v1::Decision decision;
    EXPECT_TRUE(ParseJson(r.out, "should-retrain", &decision).ok()) << r.out << r.err;
    for (const v1::FeatureDrift& f : decision.drift().features()) {
      if (f.feature() == "level") return f;
    }
    ADD_FAILURE() << "no drift result for 'level': " << r.out;
    return {};
  }

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(CategoriesEndToEndTest, CurrentDataCountsOnTheReferenceWithItsOwnOptions) {
  WriteFile(dir_ / "train.csv", MakeCsv(1, 100000, 0));
  WriteFile(dir_ / "same.csv", MakeCsv(2, 100000, 0));
  WriteFile(dir_ / "new.csv", MakeCsv(3, 100000, 300));
  ASSERT_EQ(Cli({"register", "--model", "m", "--version", "v1"}).code, 0);
  CliResult r = Cli({"set-reference", "--model", "m", "--csv", Path("train.csv"), "--categorical",
                     "level", "--top-k", "5000", "--accuracy", "0.9", "--evaluation-rows", "1000"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;

  // profile --model, no --top-k: the reference's 5000, so all 1200 levels and no `other`.
  r = Cli({"profile", "--csv", Path("same.csv"), "--model", "m", "--out", Path("same.json")});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("options: top-k 5000, sample size 2000, joint sample 0, seed 1 "
                               "(the reference's, unless given)"));
  EXPECT_EQ(Options(Path("same.json")).top_k(), 5000);
  const v1::CategoricalProfile same = Level(Path("same.json"));
  EXPECT_TRUE(same.reference_aligned());
  EXPECT_EQ(same.counts_size(), kLevels);
  EXPECT_EQ(same.other(), 0);
  EXPECT_THAT(same.unseen(), IsEmpty());

  // should-retrain --csv, no flag either: nothing unseen, no drift.
  const v1::FeatureDrift no_drift = ShouldRetrainOnCsv(Path("same.csv"));
  EXPECT_EQ(no_drift.test(), "jensen_shannon");
  EXPECT_THAT(no_drift.unseen_categories(), IsEmpty());
  EXPECT_FALSE(no_drift.drifted()) << no_drift.statistic();

  // A genuinely new category: listed with its count, reported unseen.
  r = Cli({"profile", "--csv", Path("new.csv"), "--model", "m", "--out", Path("new.json")});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const v1::CategoricalProfile with_new = Level(Path("new.json"));
  EXPECT_THAT(with_new.unseen(), ElementsAre("NEW"));
  EXPECT_EQ(with_new.counts().at("NEW"), 300);
  EXPECT_THAT(ShouldRetrainOnCsv(Path("new.csv")).unseen_categories(), ElementsAre("NEW"));

  // Shards profiled on the model and merged without repeating --top-k: the one-pass counts.
  WriteFile(dir_ / "part0.csv", MakeCsv(3, 100000, 300, 0, 60000));
  WriteFile(dir_ / "part1.csv", MakeCsv(3, 100000, 300, 60000));
  for (const char* part : {"part0", "part1"}) {
    r = Cli({"profile", "--csv", Path(absl::StrCat(part, ".csv")), "--model", "m", "--out",
             Path(absl::StrCat(part, ".json"))});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
  }
  r = Cli({"profile", "merge", Path("part0.json"), Path("part1.json"), "--out",
           Path("merged.json")});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const v1::CategoricalProfile merged = Level(Path("merged.json"));
  EXPECT_EQ(merged.counts_size(), with_new.counts_size());
  for (const auto& [name, count] : with_new.counts()) {
    EXPECT_EQ(merged.counts().at(name), count) << name;
  }
  EXPECT_EQ(merged.other(), with_new.other());
  EXPECT_THAT(merged.unseen(), ElementsAre("NEW"));
  EXPECT_EQ(Options(Path("merged.json")).top_k(), 5000);
}

}  // namespace
}  // namespace greengate::client
