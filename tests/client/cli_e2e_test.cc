// End to end: the real `greengate` binary against a real `greengate-server` on loopback with
// a fresh SQLite file, through the pipeline a user runs: register, profile the training data,
// set the reference, profile new data on the reference's edges, ask the gate.

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/json_io.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
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
using ::testing::Not;
using testing::ServerProcess;
using ::testing::StartsWith;
using testing::TestDir;
using testing::WriteFile;

const std::string kServerBinary = std::string(GG_BINARY_DIR) + "/server/greengate-server";
const std::string kCliBinary = std::string(GG_BINARY_DIR) + "/client/greengate";

// Deterministic normal draws on every platform: mt19937_64 is fully specified, and the
// uniform -> normal step (Box-Muller) is written out rather than left to the library.
class Normal {
 public:
  explicit Normal(uint64_t seed) : rng_(seed) {}
  double Uniform() { return (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53; }
  double Draw(double mean, double sd) {
    const double u1 = Uniform();
    const double u2 = Uniform();
    return mean + sd * std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }

 private:
  std::mt19937_64 rng_;
};

// `rows` rows of age, income, city (quoted values included) and an id; `shift` moves every
// distribution (0: the training distribution) and adds a city never seen in training.
std::string MakeCsv(uint64_t seed, int rows, double shift, bool reorder) {
  Normal normal(seed);
  const std::vector<std::string> cities = {"Paris", "Lyon", "\"New York, NY\"", "Berlin"};
  std::string csv = reorder ? "city,income,extra,age,id\n" : "id,age,income,city\n";
  for (int i = 0; i < rows; ++i) {
    const double age = normal.Draw(40 + 15 * shift, 10);
    const double income = normal.Draw(50000 + 15000 * shift, 8000);
    const int n_cities = shift > 0 ? 4 : 3;
    const std::string& city = cities[static_cast<int>(normal.Uniform() * n_cities)];
    if (reorder) {
      absl::StrAppendFormat(&csv, "%s,%.1f,x,%.2f,%d\n", city, income, age, i);
    } else {
      absl::StrAppendFormat(&csv, "%d,%.2f,%.1f,%s\n", i, age, income, city);
    }
  }
  return csv;
}

constexpr int kLevels = 1200;

// `rows` rows of a numeric column and a category drawn from kLevels equally likely levels,
// then `new_rows` rows of the category "NEW". Rows [begin, end) of that, with the header.
std::string MakeLevelsCsv(uint64_t seed, int rows, int new_rows, int begin = 0, int end = -1) {
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

// The categorical feature "level" of a profile file, and the options it records.
v1::CategoricalProfile Level(const std::string& path) {
  v1::DataProfile profile;
  EXPECT_TRUE(ReadJsonFile(path, &profile).ok()) << path;
  for (const v1::FeatureProfile& f : profile.features()) {
    if (f.name() == "level") return f.categorical();
  }
  ADD_FAILURE() << path << " has no feature 'level'";
  return {};
}

v1::ProfileOptions RecordedOptions(const std::string& path) {
  v1::DataProfile profile;
  EXPECT_TRUE(ReadJsonFile(path, &profile).ok()) << path;
  return profile.options();
}

class CliEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kServerBinary))
        << kServerBinary << " is missing: build greengate-server and greengate first";
    ASSERT_TRUE(std::filesystem::exists(kCliBinary)) << kCliBinary << " is missing";
    dir_ = TestDir();
    server_ = std::make_unique<ServerProcess>(kServerBinary, dir_);
    ASSERT_TRUE(server_->ok()) << "greengate-server did not start:\n" << server_->log();
  }

  // `greengate ARGS --server ADDR`.
  CliResult Cli(std::vector<std::string> args) {
    args.push_back("--server=" + server_->address());
    return testing::RunBinary(kCliBinary, args, dir_);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // The plan flags of a typical GPU job.
  static std::vector<std::string> WithPlan(std::vector<std::string> args) {
    for (const char* a :
         {"--accelerator", "nvidia-a100-40gb", "--accelerators", "8", "--cpu-cores", "32",
          "--memory-gb", "256", "--hours", "10", "--region", "FR", "--provider", "gcp"}) {
      args.push_back(a);
    }
    return args;
  }

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(CliEndToEndTest, RegisterProfileReferenceAndGate) {
  WriteFile(dir_ / "train.csv", MakeCsv(1, 3000, 0, false));
  WriteFile(dir_ / "same.csv", MakeCsv(2, 3000, 0, true));
  WriteFile(dir_ / "drift.csv", MakeCsv(3, 3000, 1, false));

  CliResult r =
      Cli({"register", "--model", "churn", "--version", "v1", "--task", "binary-classification"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "registered models/churn (version v1)\n");
  r = Cli({"register", "--model", "models/churn", "--version", "v2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("greengate: ALREADY_EXISTS: "));

  // Reference: two passes over the training data, then stored with its accuracy.
  r = Cli({"profile", "--csv", Path("train.csv"), "--exclude", "id", "--out", Path("ref.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("3000 rows, 3 features (2 numeric, 1 categorical)"));
  r = Cli({"set-reference", "--model", "churn", "--profile", Path("ref.json"), "--accuracy", "0.91",
           "--evaluation-rows", "5000"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("accuracy 0.91 on 5000 evaluation rows"));
  r = Cli({"get-model", "--model", "churn", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  v1::Model model;
  ASSERT_TRUE(ParseJson(r.out, "get-model", &model).ok()) << r.out;
  EXPECT_TRUE(model.has_reference());
  EXPECT_EQ(model.deployed_version(), "v1");

  // Current profiles on the reference's edges (one CSV with its columns reordered plus an
  // extra column, which is ignored).
  r = Cli({"profile", "--csv", Path("same.csv"), "--model", "churn", "--out", Path("same.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli({"profile", "--csv", Path("drift.csv"), "--model", "churn", "--out", Path("drift.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  v1::DataProfile reference;
  v1::DataProfile same;
  ASSERT_TRUE(ReadJsonFile(Path("ref.json"), &reference).ok());
  ASSERT_TRUE(ReadJsonFile(Path("same.json"), &same).ok());
  ASSERT_EQ(same.features_size(), 3);
  EXPECT_EQ(same.features(0).name(), reference.features(0).name());
  EXPECT_EQ(same.features(0).numeric().bin_edges_size(),
            reference.features(0).numeric().bin_edges_size());

  // Undrifted data, no accuracy loss: no evidence of need -> REJECT, exit 10.
  r = Cli(WithPlan({"should-retrain", "--model", "churn", "--profile", Path("same.json"),
                    "--labeled-rows", "2000", "--labeled-correct", "1820"}));
  EXPECT_EQ(r.code, 10) << r.out << r.err;
  EXPECT_THAT(r.out, StartsWith("REJECT: "));
  EXPECT_THAT(r.out, HasSubstr("decided by: evidence_of_need"));
  EXPECT_THAT(r.out, HasSubstr("no dataset drift"));
  EXPECT_THAT(r.out, HasSubstr("cost (green_algorithms"));

  // Drifted data and 11 points lost: APPROVE, exit 0; the JSON is the whole Decision.
  r = Cli(WithPlan({"should-retrain", "--model", "churn", "--profile", Path("drift.json"),
                    "--labeled-rows", "2000", "--labeled-correct", "1600", "--json"}));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  v1::Decision approved;
  ASSERT_TRUE(ParseJson(r.out, "should-retrain", &approved).ok()) << r.out;
  EXPECT_EQ(approved.verdict(), v1::APPROVE);
  EXPECT_TRUE(approved.drift().dataset_drift());
  EXPECT_EQ(approved.gain().method(), "labeled_window");
  EXPECT_GT(approved.cost().energy_kwh(), 0);
  bool age_drifted = false;
  for (const v1::FeatureDrift& f : approved.drift().features()) {
    if (f.feature() == "age") age_drifted = f.drifted();
  }
  EXPECT_TRUE(age_drifted);

  // Right after an approval the cooldown defers, exit 11; the plan comes from a file.
  WriteFile(dir_ / "plan.json",
            R"({"name": "full", "accelerator": "nvidia-a100-40gb", "accelerator_count": 8,
                "hours": 10, "region": "FR", "provider": "gcp"})");
  r = Cli({"should-retrain", "--model", "churn", "--profile", Path("drift.json"), "--labeled-rows",
           "2000", "--labeled-correct", "1600", "--plan", Path("plan.json")});
  EXPECT_EQ(r.code, 11) << r.out << r.err;
  EXPECT_THAT(r.out, StartsWith("DEFER: "));
  EXPECT_THAT(r.out, HasSubstr("decided by: cooldown"));

  // The log: three decisions, newest first; filters; one by name.
  r = Cli({"decisions", "--model", "churn", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  v1::ListDecisionsResponse list;
  ASSERT_TRUE(ParseJson(r.out, "decisions", &list).ok()) << r.out;
  ASSERT_EQ(list.decisions_size(), 3);
  EXPECT_EQ(list.decisions(0).verdict(), v1::DEFER);
  EXPECT_EQ(list.decisions(2).verdict(), v1::REJECT);
  r = Cli({"decisions", "--page-size", "1", "--all", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(ParseJson(r.out, "decisions", &list).ok());
  EXPECT_EQ(list.decisions_size(), 3);
  EXPECT_EQ(list.next_page_token(), "");
  r = Cli({"decisions", "--verdict", "approve"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(approved.name()));
  EXPECT_THAT(r.out, Not(HasSubstr("REJECT")));
  r = Cli({"decision", approved.name()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("APPROVE: "));

  // The address can come from the environment.
  r = testing::RunBinary(kCliBinary, {"models"}, dir_, {"GREENGATE_SERVER=" + server_->address()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("models/churn"));
}

// Binary profile files (--out *.pb) through the whole flow give the same decision as JSON
// ones, and a corrupt binary profile is an error naming the file.
TEST_F(CliEndToEndTest, BinaryProfilesGiveTheSameDecision) {
  WriteFile(dir_ / "train.csv", MakeCsv(1, 2000, 0, false));
  WriteFile(dir_ / "drift.csv", MakeCsv(3, 2000, 1, false));
  ASSERT_EQ(Cli({"register", "--model", "churn", "--version", "v1"}).code, 0);
  CliResult r = Cli({"profile", "--csv", Path("train.csv"), "--out", Path("ref.pb")});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(Cli({"set-reference", "--model", "churn", "--profile", Path("ref.pb")}).code, 0);
  for (const std::string name : {"drift.pb", "drift.json"}) {
    r = Cli({"profile", "--csv", Path("drift.csv"), "--model", "churn", "--out", Path(name)});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const CliResult binary =
      Cli(WithPlan({"should-retrain", "--model", "churn", "--profile", Path("drift.pb")}));
  const CliResult json =
      Cli(WithPlan({"should-retrain", "--model", "churn", "--profile", Path("drift.json")}));
  EXPECT_EQ(binary.code, json.code);
  EXPECT_NE(binary.code, 1) << binary.err;
  // The same report but for the decision's id and time.
  const auto after_id = [](const std::string& out) { return out.substr(out.find("\nmodel:")); };
  EXPECT_EQ(after_id(binary.out), after_id(json.out));

  const std::string bytes = testing::ReadFile(dir_ / "ref.pb");
  WriteFile(dir_ / "cut.pb", bytes.substr(0, bytes.size() - 100));
  r = Cli({"set-reference", "--model", "churn", "--profile", Path("cut.pb")});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(Path("cut.pb") + ": not a valid binary DataProfile"));
  r = Cli(WithPlan({"should-retrain", "--model", "churn", "--profile", Path("cut.pb")}));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("not a valid binary DataProfile"));
}

// should-retrain --csv profiles the CSV on the model's reference itself: the same decision as
// `profile --model` and then should-retrain --profile, in one step without a profile file.
TEST_F(CliEndToEndTest, ShouldRetrainProfilesACsvItself) {
  WriteFile(dir_ / "train.csv", MakeCsv(1, 2000, 0, false));
  WriteFile(dir_ / "drift.csv", MakeCsv(3, 2000, 1, true));  // columns reordered, one extra
  ASSERT_EQ(Cli({"register", "--model", "churn", "--version", "v1"}).code, 0);
  CliResult r = Cli({"profile", "--csv", Path("train.csv"), "--out", Path("ref.pb")});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(Cli({"set-reference", "--model", "churn", "--profile", Path("ref.pb")}).code, 0);
  r = Cli({"profile", "--csv", Path("drift.csv"), "--model", "churn", "--out", Path("drift.pb")});
  ASSERT_EQ(r.code, 0) << r.err;
  const CliResult two_steps =
      Cli(WithPlan({"should-retrain", "--model", "churn", "--profile", Path("drift.pb")}));
  const CliResult one_step = Cli(WithPlan(
      {"should-retrain", "--model", "churn", "--csv", Path("drift.csv"), "--threads", "2"}));
  EXPECT_NE(one_step.code, 1) << one_step.err;
  EXPECT_EQ(one_step.code, two_steps.code);
  const auto after_id = [](const std::string& out) { return out.substr(out.find("\nmodel:")); };
  EXPECT_EQ(after_id(one_step.out), after_id(two_steps.out));
  EXPECT_THAT(one_step.out, HasSubstr("age"));

  r = Cli(WithPlan({"should-retrain", "--model", "churn"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("give the current data as --profile FILE"));
  r = Cli(WithPlan({"should-retrain", "--model", "churn", "--csv", Path("drift.csv"), "--profile",
                    Path("drift.pb")}));
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("excludes --csv"));
  r = Cli(WithPlan(
      {"should-retrain", "--model", "churn", "--profile", Path("drift.pb"), "--threads", "2"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--threads requires --csv"));
  r = Cli(WithPlan({"should-retrain", "--model", "churn", "--csv", Path("none.csv")}));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(Path("none.csv") + ": cannot open"));
  WriteFile(dir_ / "short.csv", "age,income,city\n41,50000,Lyon\n");  // no id column
  r = Cli(WithPlan({"should-retrain", "--model", "churn", "--csv", Path("short.csv")}));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("the reference feature 'id' is not a column of the header"));
  r = Cli(WithPlan({"should-retrain", "--model", "nobody", "--csv", Path("drift.csv")}));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));
}

// set-reference --csv profiles the training data itself: the same reference as `profile`
// and then set-reference --profile, so current profiles on either have the same bins.
TEST_F(CliEndToEndTest, SetReferenceProfilesACsvItself) {
  WriteFile(dir_ / "train.csv", MakeCsv(1, 2000, 0, false));
  WriteFile(dir_ / "drift.csv", MakeCsv(3, 2000, 1, false));
  for (const std::string model : {"two-steps", "one-step"}) {
    ASSERT_EQ(Cli({"register", "--model", model, "--version", "v1"}).code, 0);
  }
  CliResult r =
      Cli({"profile", "--csv", Path("train.csv"), "--exclude", "id", "--out", Path("ref.pb")});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(Cli({"set-reference", "--model", "two-steps", "--profile", Path("ref.pb")}).code, 0);
  r = Cli({"set-reference", "--model", "one-step", "--csv", Path("train.csv"), "--exclude", "id",
           "--threads", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("city: categorical"));  // the profiler's note on the kinds
  v1::DataProfile current[2];
  for (int i = 0; i < 2; ++i) {
    const std::string model = i == 0 ? "two-steps" : "one-step";
    const std::string out = Path(model + ".json");
    r = Cli({"profile", "--csv", Path("drift.csv"), "--model", model, "--out", out});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_TRUE(ReadJsonFile(out, &current[i]).ok());
  }
  ASSERT_EQ(current[0].features_size(), 3);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(current[0], current[1]));

  r = Cli({"set-reference", "--model", "one-step"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("give the reference as --profile FILE"));
  r = Cli({"set-reference", "--model", "one-step", "--profile", Path("ref.pb"), "--bins", "5"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--bins requires --csv"));
  r = Cli({"set-reference", "--model", "one-step", "--csv", Path("train.csv"), "--exclude", "zz"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--exclude: 'zz' is not a column of"));
}

TEST_F(CliEndToEndTest, BadInputFailsAndNamesTheField) {
  WriteFile(dir_ / "train.csv", MakeCsv(1, 500, 0, false));
  ASSERT_EQ(Cli({"register", "--model", "churn", "--version", "v1"}).code, 0);
  ASSERT_EQ(Cli({"profile", "--csv", Path("train.csv"), "--out", Path("ref.json")}).code, 0);
  ASSERT_EQ(Cli({"set-reference", "--model", "churn", "--profile", Path("ref.json")}).code, 0);
  ASSERT_EQ(Cli({"profile", "--csv", Path("train.csv"), "--model", "churn", "--out",
                 Path("current.json")})
                .code,
            0);

  // A negative duration: the server rejects it and the message names plan.hours.
  CliResult r = Cli({"should-retrain", "--model", "churn", "--profile", Path("current.json"),
                     "--hours", "-1", "--region", "FR"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("greengate: INVALID_ARGUMENT: "));
  EXPECT_THAT(r.err, HasSubstr("plan.hours"));
  EXPECT_EQ(r.out, "");

  // More correct than labeled rows.
  r = Cli(WithPlan({"should-retrain", "--model", "churn", "--profile", Path("current.json"),
                    "--labeled-rows", "10", "--labeled-correct", "11"}));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("labeled"));

  // New data without a reference column.
  WriteFile(dir_ / "partial.csv", "id,age,city\n1,30,Paris\n");
  r = Cli({"profile", "--csv", Path("partial.csv"), "--model", "churn"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("the reference feature 'income' is not a column"));

  // A word in a numeric column.
  WriteFile(dir_ / "words.csv", "id,age,income,city\n1,30,1000,Paris\n2,thirty,1000,Lyon\n");
  r = Cli({"profile", "--csv", Path("words.csv"), "--model", "churn"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("words.csv line 3"));
  EXPECT_THAT(r.err, HasSubstr("'age'"));

  // Unknown model.
  r = Cli({"get-model", "--model", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("greengate: NOT_FOUND: "));
}

// A reference made with --top-k 5000 is counted on by every CLI path that profiles on a
// reference (profile --model, should-retrain --csv, shards + profile merge) without repeating
// the flag, and current data counts on the reference's categories: without drift nothing is
// unseen and nothing drifts, and a new category is reported with its count.
TEST_F(CliEndToEndTest, CurrentDataCountsOnTheReferenceWithItsOwnOptions) {
  // should-retrain --csv: the drift result of "level".
  const auto should_retrain_on_csv = [this](const std::string& csv) {
    CliResult r =
        Cli({"should-retrain", "--model", "m", "--csv", csv, "--accelerator", "nvidia-a100-40gb",
             "--accelerators", "1", "--hours", "1", "--region", "FR", "--json"});
    EXPECT_TRUE(r.code == 0 || r.code == 10 || r.code == 11) << r.out << r.err;
    v1::Decision decision;
    EXPECT_TRUE(ParseJson(r.out, "should-retrain", &decision).ok()) << r.out << r.err;
    for (const v1::FeatureDrift& f : decision.drift().features()) {
      if (f.feature() == "level") return f;
    }
    ADD_FAILURE() << "no drift result for 'level': " << r.out;
    return v1::FeatureDrift();
  };
  WriteFile(dir_ / "train.csv", MakeLevelsCsv(1, 100000, 0));
  WriteFile(dir_ / "same.csv", MakeLevelsCsv(2, 100000, 0));
  WriteFile(dir_ / "new.csv", MakeLevelsCsv(3, 100000, 300));
  ASSERT_EQ(Cli({"register", "--model", "m", "--version", "v1"}).code, 0);
  CliResult r = Cli({"set-reference", "--model", "m", "--csv", Path("train.csv"), "--categorical",
                     "level", "--top-k", "5000", "--accuracy", "0.9", "--evaluation-rows", "1000"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;

  // profile --model, no --top-k: the reference's 5000, so all 1200 levels and no `other`.
  r = Cli({"profile", "--csv", Path("same.csv"), "--model", "m", "--out", Path("same.json")});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("options: top-k 5000, sample size 1000, joint sample 0, seed 1 "
                               "(the reference's, unless given)"));
  EXPECT_EQ(RecordedOptions(Path("same.json")).top_k(), 5000);
  const v1::CategoricalProfile same = Level(Path("same.json"));
  EXPECT_TRUE(same.reference_aligned());
  EXPECT_EQ(same.counts_size(), kLevels);
  EXPECT_EQ(same.other(), 0);
  EXPECT_THAT(same.unseen(), IsEmpty());

  // should-retrain --csv, no flag either: nothing unseen, no drift.
  const v1::FeatureDrift no_drift = should_retrain_on_csv(Path("same.csv"));
  EXPECT_EQ(no_drift.test(), "jensen_shannon");
  EXPECT_THAT(no_drift.unseen_categories(), IsEmpty());
  EXPECT_FALSE(no_drift.drifted()) << no_drift.statistic();

  // A genuinely new category: listed with its count, reported unseen.
  r = Cli({"profile", "--csv", Path("new.csv"), "--model", "m", "--out", Path("new.json")});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const v1::CategoricalProfile with_new = Level(Path("new.json"));
  EXPECT_THAT(with_new.unseen(), ElementsAre("NEW"));
  EXPECT_EQ(with_new.counts().at("NEW"), 300);
  EXPECT_THAT(should_retrain_on_csv(Path("new.csv")).unseen_categories(), ElementsAre("NEW"));

  // Shards profiled on the model and merged without repeating --top-k: the one-pass counts.
  WriteFile(dir_ / "part0.csv", MakeLevelsCsv(3, 100000, 300, 0, 60000));
  WriteFile(dir_ / "part1.csv", MakeLevelsCsv(3, 100000, 300, 60000));
  for (const char* part : {"part0", "part1"}) {
    r = Cli({"profile", "--csv", Path(absl::StrCat(part, ".csv")), "--model", "m", "--out",
             Path(absl::StrCat(part, ".json"))});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
  }
  r = Cli(
      {"profile", "merge", Path("part0.json"), Path("part1.json"), "--out", Path("merged.json")});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const v1::CategoricalProfile merged = Level(Path("merged.json"));
  EXPECT_EQ(merged.counts_size(), with_new.counts_size());
  for (const auto& [name, count] : with_new.counts()) {
    EXPECT_EQ(merged.counts().at(name), count) << name;
  }
  EXPECT_EQ(merged.other(), with_new.other());
  EXPECT_THAT(merged.unseen(), ElementsAre("NEW"));
  EXPECT_EQ(RecordedOptions(Path("merged.json")).top_k(), 5000);
}

}  // namespace
}  // namespace greengate::client

namespace greengate::client {
namespace {

// SIGTERM drains and exits 0; what was acknowledged before is in the database after a restart.
// Bad server flags stop the server before it touches the database: exit 1, the flag named,
// no file created.
TEST_F(CliEndToEndTest, BadServerFlagsExitBeforeCreatingTheDatabase) {
  const std::string db = Path("never.db");
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--fleet_energy_budget_kwh=-1"},
        std::vector<std::string>{"--fleet_budget_window_s=0"}}) {
    std::vector<std::string> args = {"--db=" + db, "--listen=127.0.0.1:0", "--metrics_listen="};
    args.insert(args.end(), flags.begin(), flags.end());
    const CliResult r = testing::RunBinary(kServerBinary, args, dir_);
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr(flags[0].substr(2, flags[0].find('=') - 2))) << r.err;
    EXPECT_FALSE(std::filesystem::exists(db));
  }
}

TEST_F(CliEndToEndTest, SigtermExitsZeroAndTheLogSurvivesARestart) {
  ASSERT_EQ(Cli({"register", "--model", "churn", "--version", "v7"}).code, 0);
  EXPECT_EQ(server_->Terminate(), 0) << server_->log();
  std::filesystem::remove(dir_ / "port");  // the restarted server writes its own
  server_ = std::make_unique<ServerProcess>(kServerBinary, dir_);
  ASSERT_TRUE(server_->ok()) << server_->log();
  CliResult model = Cli({"get-model", "--model", "churn"});
  EXPECT_EQ(model.code, 0) << model.err;
  EXPECT_THAT(model.out, HasSubstr("v7"));
}

}  // namespace
}  // namespace greengate::client

namespace greengate::client {
namespace {

// The server keeps per-model approvals in memory, right only while it is the database's only
// writer: a second server on the same database exits 1 and says why.
TEST_F(CliEndToEndTest, ASecondServerOnTheSameDatabaseRefusesToStart) {
  const CliResult r = testing::RunBinary(
      kServerBinary, {"--db=" + Path("gg.db"), "--listen=127.0.0.1:0", "--metrics_listen="}, dir_);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("in use by another greengate-server")) << r.err;
  EXPECT_EQ(Cli({"register", "--model", "churn", "--version", "v1"}).code, 0);  // first serves on
}

}  // namespace
}  // namespace greengate::client
