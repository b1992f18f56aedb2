#include "client/csv_profiler.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/merge.h"
#include "server/core/profile/validate.h"
#include "tests/client/test_files.h"

namespace greengate::client {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;
using ::testing::SizeIs;
using testing::TestDir;
using testing::WriteFile;

// 20 rows: `age` numeric; `score` numeric with missing values (empty, NA, nan), blanks and a
// leading '+'; `city` text with quoted commas and quotes and one empty value; `zip` numbers
// that are really categories; `id` to exclude.
constexpr char kTrainCsv[] =
    "id,age,score,city,zip\n"
    "1,23,0.5,Paris,75001\n2,35,1.25,Lyon,69001\n3,47,,\"New York, NY\",10001\n"
    "4,51,2.5,Paris,75002\n5,29,NA,Lyon,69002\n6,62,3.75,Paris,75001\n"
    "7,38,-1,\"Say \"\"hi\"\"\",13001\n8,44,0.125,Lyon,69001\n9,27,nan,Paris,75003\n"
    "10,55,4,,6000\n11,33,2,Paris,75001\n12,41,1.5,Lyon,69003\n13,58,3,Paris,75004\n"
    "14,36,2.25,Nice,6000\n15,49, 0.75 ,Lyon,69001\n16,31,5.5,Paris,75001\n"
    "17,40,1,Nice,6100\n18,45,+2,Paris,75002\n19,53,3.5,Lyon,69002\n20,26,0,Paris,75005\n";

// Deciles, so that the expected counts below can be worked out by hand (the default is the
// 1000-bin grid).
CsvProfileOptions TrainOptions() {
  CsvProfileOptions o;
  o.categorical = {"zip"};
  o.exclude = {"id"};
  o.bins = 10;
  return o;
}

const profile::FeatureProfile& Feature(const profile::DataProfile& p, const std::string& name) {
  for (const profile::FeatureProfile& f : p.features) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no feature " << name;
  static const profile::FeatureProfile kNone;
  return kNone;
}

std::vector<std::string> Names(const profile::DataProfile& p) {
  std::vector<std::string> names;
  for (const auto& f : p.features) names.push_back(f.name);
  return names;
}

TEST(ProfileReferenceCsvTest, DetectsKindsAndComputesCountsMomentsAndQuantileEdges) {
  const std::string csv = WriteFile(TestDir() / "train.csv", kTrainCsv);
  absl::StatusOr<CsvProfile> result = ProfileReferenceCsv(csv, TrainOptions());
  ASSERT_TRUE(result.ok()) << result.status();
  const profile::DataProfile& p = result->profile;
  EXPECT_TRUE(profile::ValidateReference(p, "reference").ok());
  EXPECT_EQ(p.rows, 20);
  EXPECT_THAT(Names(p), ElementsAre("age", "score", "city", "zip"));  // header order, no id

  // Reference values: numpy 1.24 (Debian /usr/bin/python3), on all 20 ages:
  //   x.mean(); ((x - x.mean())**2).sum(); np.quantile(x, [0.1, ..., 0.9]) (method="linear");
  //   np.bincount(np.searchsorted(edges, x, side="right"))
  const profile::FeatureProfile& age = Feature(p, "age");
  ASSERT_TRUE(age.is_numeric());
  EXPECT_EQ(age.count, 20);
  EXPECT_EQ(age.missing, 0);
  EXPECT_EQ(age.numeric().min, 23);
  EXPECT_EQ(age.numeric().max, 62);
  EXPECT_NEAR(age.numeric().mean, 41.15, 1e-12);
  EXPECT_NEAR(age.numeric().m2, 2418.5500000000006, 1e-9);
  EXPECT_THAT(age.numeric().bin_edges,
              Pointwise(DoubleNear(1e-12),
                        std::vector<double>{26.9, 30.6, 34.4, 37.2, 40.5, 44.4, 47.6, 51.4, 55.3}));
  EXPECT_THAT(age.numeric().bin_counts, ElementsAre(2, 2, 2, 2, 2, 2, 2, 2, 2, 2));
  EXPECT_THAT(age.numeric().sample, SizeIs(20));  // sample size 2000 > rows: all of them
  EXPECT_EQ(age.numeric().sample_seen, 20);
  EXPECT_EQ(age.numeric().sample.front(), 23);

  // The same on the 17 non-missing scores (empty, "NA" and "nan" are missing).
  const profile::FeatureProfile& score = Feature(p, "score");
  ASSERT_TRUE(score.is_numeric());
  EXPECT_EQ(score.count, 20);
  EXPECT_EQ(score.missing, 3);
  EXPECT_EQ(score.numeric().min, -1);
  EXPECT_EQ(score.numeric().max, 5.5);
  EXPECT_NEAR(score.numeric().mean, 1.9191176470588236, 1e-12);
  EXPECT_NEAR(score.numeric().m2, 44.90441176470588, 1e-9);
  EXPECT_THAT(score.numeric().bin_edges,
              Pointwise(DoubleNear(1e-12),
                        std::vector<double>{0.075, 0.55, 0.95, 1.35, 2.0, 2.15, 2.6, 3.4, 3.85}));
  EXPECT_THAT(score.numeric().bin_counts, ElementsAre(2, 2, 1, 2, 1, 2, 2, 1, 2, 2));
  EXPECT_EQ(score.numeric().sample_seen, 17);

  const profile::FeatureProfile& city = Feature(p, "city");
  ASSERT_FALSE(city.is_numeric());
  EXPECT_EQ(city.count, 20);
  EXPECT_EQ(city.missing, 1);
  EXPECT_EQ(city.categorical().counts,
            (std::map<std::string, int64_t>{
                {"Lyon", 6}, {"New York, NY", 1}, {"Nice", 2}, {"Paris", 9}, {"Say \"hi\"", 1}}));
  EXPECT_EQ(city.categorical().other, 0);

  const profile::FeatureProfile& zip = Feature(p, "zip");  // numbers, but --categorical
  ASSERT_FALSE(zip.is_numeric());
  EXPECT_EQ(zip.categorical().counts, (std::map<std::string, int64_t>{{"10001", 1},
                                                                      {"13001", 1},
                                                                      {"6000", 2},
                                                                      {"6100", 1},
                                                                      {"69001", 3},
                                                                      {"69002", 2},
                                                                      {"69003", 1},
                                                                      {"75001", 4},
                                                                      {"75002", 2},
                                                                      {"75003", 1},
                                                                      {"75004", 1},
                                                                      {"75005", 1}}));

  // Why city is categorical: its first value.
  ASSERT_THAT(result->notes, SizeIs(1));
  EXPECT_THAT(result->notes[0], HasSubstr("city: categorical"));
  EXPECT_THAT(result->notes[0], HasSubstr("line 2: 'Paris' is not a number"));
}

TEST(ProfileReferenceCsvTest, EdgesComeFromTheStoredSampleAndTheSeedMakesItRepeatable) {
  const std::string csv = WriteFile(TestDir() / "train.csv", kTrainCsv);
  CsvProfileOptions options = TrainOptions();
  options.sample_size = 6;
  options.bins = 4;
  absl::StatusOr<CsvProfile> first = ProfileReferenceCsv(csv, options);
  absl::StatusOr<CsvProfile> again = ProfileReferenceCsv(csv, options);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(again.ok()) << again.status();
  const profile::NumericProfile& age = Feature(first->profile, "age").numeric();
  EXPECT_THAT(age.sample, SizeIs(6));
  EXPECT_EQ(age.sample_seen, 20);
  EXPECT_TRUE(std::is_sorted(age.sample.begin(), age.sample.end()));
  // Pass 1 places the edges from a sample of its own, 8 values per bin (here 32 > 20: every
  // value), so the edges are the quartiles of all the ages, not of the 6 kept.
  const std::vector<double> ages = {23, 26, 27, 29, 31, 33, 35, 36, 38, 40,
                                    41, 44, 45, 47, 49, 51, 53, 55, 58, 62};
  absl::StatusOr<std::vector<double>> edges = profile::QuantileEdges(ages, 4);
  ASSERT_TRUE(edges.ok());
  EXPECT_EQ(age.bin_edges, *edges);
  EXPECT_EQ(Feature(again->profile, "age").numeric().sample, age.sample);
  EXPECT_EQ(Feature(again->profile, "age").numeric().bin_edges, age.bin_edges);
  // Moments and counts do not depend on the sample.
  EXPECT_NEAR(age.mean, 41.15, 1e-12);
  int64_t binned = 0;
  for (double c : age.bin_counts) binned += static_cast<int64_t>(c);
  EXPECT_EQ(binned, 20);
}

TEST(ProfileReferenceCsvTest, ReadsCrlfFilesWithAByteOrderMark) {
  const std::string csv = WriteFile(TestDir() / "crlf.csv",
                                    "\xEF\xBB\xBF"
                                    "a,b\r\n1,x\r\n2,\"y\r\nz\"\r\n\r\n3,x\r\n");
  absl::StatusOr<CsvProfile> result = ProfileReferenceCsv(csv, {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->profile.rows, 3);
  EXPECT_THAT(Names(result->profile), ElementsAre("a", "b"));
  EXPECT_EQ(Feature(result->profile, "a").numeric().mean, 2);
  EXPECT_EQ(Feature(result->profile, "b").categorical().counts,
            (std::map<std::string, int64_t>{{"x", 2}, {"y\r\nz", 1}}));
}

struct ErrorCase {
  std::string name;
  std::string csv;  // empty: the file does not exist
  std::vector<std::string> categorical;
  std::vector<std::string> exclude;
  absl::StatusCode code;
  std::string message;
};

class ProfileReferenceCsvErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ProfileReferenceCsvErrorTest, NamesTheProblem) {
  const ErrorCase& c = GetParam();
  const auto path = TestDir() / "in.csv";
  if (!c.csv.empty()) WriteFile(path, c.csv);
  CsvProfileOptions options;
  options.categorical = c.categorical;
  options.exclude = c.exclude;
  const std::string file = c.name == "StdinNeedsTwoPasses" ? "-" : path.string();
  absl::StatusOr<CsvProfile> result = ProfileReferenceCsv(file, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), c.code) << result.status();
  EXPECT_THAT(std::string(result.status().message()), HasSubstr(c.message));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ProfileReferenceCsvErrorTest,
    ::testing::Values(
        ErrorCase{"MissingFile", "", {}, {}, absl::StatusCode::kNotFound, "in.csv: cannot open"},
        ErrorCase{"EmptyFile",
                  "\n",
                  {},
                  {},
                  absl::StatusCode::kInvalidArgument,
                  "in.csv: empty, no header"},
        ErrorCase{"RaggedRow",
                  "a,b\n1,2\n3\n",
                  {},
                  {},
                  absl::StatusCode::kInvalidArgument,
                  "in.csv line 3: has 1 fields; the header has 2"},
        ErrorCase{"MalformedCsv",
                  "a,b\n1,\"2\n",
                  {},
                  {},
                  absl::StatusCode::kInvalidArgument,
                  "in.csv: line 2: quoted field is not closed"},
        ErrorCase{"DuplicateColumn",
                  "a,b,a\n1,2,3\n",
                  {},
                  {},
                  absl::StatusCode::kInvalidArgument,
                  "column 'a' appears twice (columns 1 and 3)"},
        ErrorCase{"UnnamedColumn",
                  "a,,c\n1,2,3\n",
                  {},
                  {},
                  absl::StatusCode::kInvalidArgument,
                  "column 2 of the header has no name"},
        ErrorCase{"UnknownCategorical",
                  "a,b\n1,2\n",
                  {"c"},
                  {},
                  absl::StatusCode::kInvalidArgument,
                  "--categorical: 'c' is not a column of"},
        ErrorCase{"UnknownExclude",
                  "a,b\n1,2\n",
                  {},
                  {"zz"},
                  absl::StatusCode::kInvalidArgument,
                  "--exclude: 'zz' is not a column of"},
        ErrorCase{"StdinNeedsTwoPasses",
                  "",
                  {},
                  {},
                  absl::StatusCode::kInvalidArgument,
                  "cannot come from stdin"},
        ErrorCase{"SpreadOverflowsADouble",
                  "a,b\n1e200,1\n-1e200,2\n3e200,3\n",
                  {},
                  {},
                  absl::StatusCode::kInvalidArgument,
                  "in.csv: column 'a': its values are too spread out for a double (from "
                  "-1e+200 to 3e+200"},
        ErrorCase{"EverythingExcluded",
                  "a,b\n1,2\n",
                  {},
                  {"a", "b"},
                  absl::StatusCode::kInvalidArgument,
                  "--exclude: leaves no column"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

class ProfileCurrentCsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir();
    absl::StatusOr<CsvProfile> reference =
        ProfileReferenceCsv(WriteFile(dir_ / "train.csv", kTrainCsv), TrainOptions());
    ASSERT_TRUE(reference.ok()) << reference.status();
    reference_ = reference->profile;
  }

  std::filesystem::path dir_;
  profile::DataProfile reference_;
};

TEST_F(ProfileCurrentCsvTest, CountsOnTheReferenceEdgesInReferenceOrder) {
  // Columns in another order, an extra column, a zip never seen in the reference.
  const std::string csv = WriteFile(dir_ / "current.csv",
                                    "zip,extra,city,score,age\n"
                                    "75001,a,Paris,0,20\n"
                                    "99999,b,Berlin,10,27\n"
                                    "75001,c,Paris,,60\n"
                                    "6000,d,,2.2,41\n"
                                    "x,e,Lyon,NA,70\n");
  absl::StatusOr<CsvProfile> result = ProfileCurrentCsv(csv, reference_, {});
  ASSERT_TRUE(result.ok()) << result.status();
  const profile::DataProfile& p = result->profile;
  EXPECT_TRUE(profile::ValidateAgainstReference(reference_, p, "current").ok());
  EXPECT_EQ(p.rows, 5);
  EXPECT_THAT(Names(p), ElementsAre("age", "score", "city", "zip"));

  // Bins on the reference edges (26.9, 30.6, ..., 55.3): 20 -> 0, 27 -> 1, 41 -> 5,
  // 60 and 70 -> 9. Moments: numpy, x.mean() and ((x - x.mean())**2).sum().
  const profile::NumericProfile& age = Feature(p, "age").numeric();
  EXPECT_EQ(age.bin_edges, Feature(reference_, "age").numeric().bin_edges);
  EXPECT_THAT(age.bin_counts, ElementsAre(1, 1, 0, 0, 0, 1, 0, 0, 0, 2));
  EXPECT_EQ(age.min, 20);
  EXPECT_EQ(age.max, 70);
  EXPECT_NEAR(age.mean, 43.6, 1e-12);
  EXPECT_NEAR(age.m2, 1805.1999999999998, 1e-9);

  // score: 0 -> 0, 10 -> 9, 2.2 -> 6 (edges 0.075, 0.55, 0.95, 1.35, 2.0, 2.15, 2.6, ...).
  const profile::FeatureProfile& score = Feature(p, "score");
  EXPECT_EQ(score.missing, 2);
  EXPECT_THAT(score.numeric().bin_counts, ElementsAre(1, 0, 0, 0, 0, 0, 1, 0, 0, 1));
  EXPECT_NEAR(score.numeric().mean, 4.066666666666666, 1e-12);
  EXPECT_NEAR(score.numeric().m2, 55.22666666666667, 1e-9);

  const profile::FeatureProfile& city = Feature(p, "city");
  EXPECT_EQ(city.missing, 1);
  // Counted on the reference's categories, zeros kept; "Berlin" is new to it.
  EXPECT_TRUE(city.categorical().reference_aligned);
  EXPECT_EQ(city.categorical().counts, (std::map<std::string, int64_t>{{"Berlin", 1},
                                                                       {"Lyon", 1},
                                                                       {"New York, NY", 0},
                                                                       {"Nice", 0},
                                                                       {"Paris", 2},
                                                                       {"Say \"hi\"", 0}}));
  EXPECT_THAT(city.categorical().unseen, ElementsAre("Berlin"));
  // zip stays categorical although "x" is the only non-number: the reference decides.
  const profile::CategoricalProfile& zip = Feature(p, "zip").categorical();
  EXPECT_EQ(zip.counts.at("75001"), 2);
  EXPECT_EQ(zip.counts.at("75002"), 0);
  // 6000 is one of the reference's zips (rows 10 and 14): counted, not unseen.
  EXPECT_EQ(zip.counts.at("6000"), 1);
  EXPECT_THAT(zip.unseen, ElementsAre("99999", "x"));
  EXPECT_TRUE(profile::ValidateAgainstReference(reference_, p, "current").ok());
}

TEST_F(ProfileCurrentCsvTest, KeepsAJointSampleWhenTheReferenceHasOne) {
  CsvProfileOptions options = TrainOptions();
  options.joint_sample_size = 5;
  absl::StatusOr<CsvProfile> reference =
      ProfileReferenceCsv((dir_ / "train.csv").string(), options);
  ASSERT_TRUE(reference.ok()) << reference.status();
  ASSERT_TRUE(reference->profile.joint.has_value());
  const profile::JointSample& joint = *reference->profile.joint;
  EXPECT_THAT(joint.features, ElementsAre("age", "score"));
  EXPECT_EQ(joint.seen, 17);  // rows with both numbers present
  EXPECT_EQ(joint.rows, 5);
  EXPECT_THAT(joint.values, SizeIs(10));

  const std::string csv = WriteFile(dir_ / "current.csv",
                                    "age,score,city,zip\n30,1,Paris,75001\n31,,Lyon,69001\n"
                                    "32,2,Lyon,69001\n");
  absl::StatusOr<CsvProfile> current = ProfileCurrentCsv(csv, reference->profile, {});
  ASSERT_TRUE(current.ok()) << current.status();
  ASSERT_TRUE(current->profile.joint.has_value());
  EXPECT_EQ(current->profile.joint->seen, 2);
  EXPECT_EQ(current->profile.joint->values, (std::vector<double>{30, 1, 32, 2}));
  // Without a joint sample in the reference, none is kept by default.
  absl::StatusOr<CsvProfile> plain = ProfileCurrentCsv(csv, reference_, {});
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->profile.joint.has_value());
}

TEST_F(ProfileCurrentCsvTest, AReferenceFeatureMissingFromTheHeaderIsAnError) {
  const std::string csv = WriteFile(dir_ / "current.csv", "age,city,zip\n30,Paris,75001\n");
  absl::StatusOr<CsvProfile> result = ProfileCurrentCsv(csv, reference_, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("current.csv: the reference feature 'score' is not a column"));
}

TEST_F(ProfileCurrentCsvTest, ANonNumberInANumericFeatureNamesLineAndFeature) {
  const std::string csv =
      WriteFile(dir_ / "current.csv", "age,score,city,zip\n30,1,Paris,75001\n31,old,Lyon,69001\n");
  absl::StatusOr<CsvProfile> result = ProfileCurrentCsv(csv, reference_, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(result.status().message());
  EXPECT_THAT(message, HasSubstr("current.csv line 3"));
  EXPECT_THAT(message, HasSubstr("'score'"));
  EXPECT_THAT(message, HasSubstr("'old'"));
}

// Profiles of two shards of the training data, merged, equal the profile of the whole file
// in counts, bins and extremes exactly and in moments to rounding.
TEST_F(ProfileCurrentCsvTest, MergedShardProfilesEqualTheOnePassProfile) {
  const std::string text = kTrainCsv;
  const size_t header_end = text.find('\n') + 1;
  size_t split = header_end;
  for (int i = 0; i < 10; ++i) split = text.find('\n', split) + 1;
  const std::string header = text.substr(0, header_end);
  const std::string shard_a = WriteFile(dir_ / "a.csv", text.substr(0, split));
  const std::string shard_b = WriteFile(dir_ / "b.csv", header + text.substr(split));
  const std::string whole = WriteFile(dir_ / "whole.csv", text);

  absl::StatusOr<CsvProfile> a = ProfileCurrentCsv(shard_a, reference_, {});
  absl::StatusOr<CsvProfile> b = ProfileCurrentCsv(shard_b, reference_, {});
  absl::StatusOr<CsvProfile> one = ProfileCurrentCsv(whole, reference_, {});
  ASSERT_TRUE(a.ok() && b.ok() && one.ok());
  ASSERT_EQ(a->profile.rows, 10);
  ASSERT_EQ(b->profile.rows, 10);
  const std::vector<profile::DataProfile> shards = {a->profile, b->profile};
  absl::StatusOr<profile::DataProfile> merged = profile::MergeAll(shards);
  ASSERT_TRUE(merged.ok()) << merged.status();

  EXPECT_EQ(merged->rows, one->profile.rows);
  ASSERT_EQ(Names(*merged), Names(one->profile));
  for (size_t i = 0; i < merged->features.size(); ++i) {
    const profile::FeatureProfile& m = merged->features[i];
    const profile::FeatureProfile& o = one->profile.features[i];
    SCOPED_TRACE(m.name);
    EXPECT_EQ(m.count, o.count);
    EXPECT_EQ(m.missing, o.missing);
    ASSERT_EQ(m.is_numeric(), o.is_numeric());
    if (m.is_numeric()) {
      EXPECT_EQ(m.numeric().bin_edges, o.numeric().bin_edges);
      EXPECT_EQ(m.numeric().bin_counts, o.numeric().bin_counts);
      EXPECT_EQ(m.numeric().min, o.numeric().min);
      EXPECT_EQ(m.numeric().max, o.numeric().max);
      EXPECT_NEAR(m.numeric().mean, o.numeric().mean, 1e-12);
      EXPECT_NEAR(m.numeric().m2, o.numeric().m2, 1e-9);
      EXPECT_EQ(m.numeric().sample_seen, o.numeric().sample_seen);
    } else {
      EXPECT_EQ(m.categorical().counts, o.categorical().counts);
      EXPECT_EQ(m.categorical().other, o.categorical().other);
    }
  }
  // And the whole-file current profile matches the reference's own counts.
  EXPECT_EQ(Feature(one->profile, "age").numeric().bin_counts,
            Feature(reference_, "age").numeric().bin_counts);
}

// A current profile takes every option it is not given from its reference; given ones win
// (top-K then bounds the new categories listed). A reference of an older client records none:
// the CLI defaults, and its joint sample's size.
TEST(CurrentBuilderOptionsTest, TakesTheReferenceOptionsUnlessGiven) {
  profile::DataProfile reference;
  reference.options = profile::ProfileOptions{.top_k = 5000,
                                              .tracked_categories = 10000,
                                              .sample_size = 300,
                                              .joint_sample_rows = 40,
                                              .seed = 9,
                                              .bins = 20};
  const profile::ProfileBuilderOptions taken = CurrentBuilderOptions({}, reference);
  EXPECT_EQ(taken.max_categories, 5000);
  EXPECT_EQ(taken.tracked_categories, 10000);
  EXPECT_EQ(taken.sample_capacity, 300);
  EXPECT_EQ(taken.joint_sample_capacity, 40);
  EXPECT_EQ(taken.seed, 9u);

  CsvProfileOptions given;
  given.top_k = 20000;
  given.seed = 4;
  const profile::ProfileBuilderOptions overridden = CurrentBuilderOptions(given, reference);
  EXPECT_EQ(overridden.max_categories, 20000);
  EXPECT_EQ(overridden.tracked_categories, 20000);  // never below the kept categories
  EXPECT_EQ(overridden.seed, 4u);
  EXPECT_EQ(overridden.sample_capacity, 300);

  profile::DataProfile older;
  older.joint = profile::JointSample();
  older.joint->features = {"x"};
  older.joint->rows = 7;
  const profile::ProfileBuilderOptions defaults = CurrentBuilderOptions({}, older);
  EXPECT_EQ(defaults.max_categories, kDefaultCsvTopK);
  EXPECT_EQ(defaults.sample_capacity, kDefaultCsvSampleSize);
  EXPECT_EQ(defaults.seed, kDefaultCsvSeed);
  EXPECT_EQ(defaults.joint_sample_capacity, 7);
}

}  // namespace
}  // namespace greengate::client
