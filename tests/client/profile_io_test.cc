// Profile files: binary and JSON round trips, format detection, old JSON files, and the
// errors for corrupt binary files.

#include "client/profile_io.h"

#include <sstream>
#include <string>

#include "client/app.h"
#include "client/json_io.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/client/cli_test.h"
#include "tests/client/test_files.h"

namespace greengate::client {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using ::testing::StartsWith;
using testing::TestDir;
using testing::WriteFile;

// A profile with a numeric feature (sample, edges, counts), a categorical one, importance
// and a joint sample: every kind of field a profile file carries.
v1::DataProfile SampleProfile() {
  v1::DataProfile p;
  p.set_rows(4);
  v1::FeatureProfile* age = p.add_features();
  age->set_name("age");
  age->set_count(4);
  age->set_missing(1);
  v1::NumericProfile* n = age->mutable_numeric();
  n->add_bin_edges(30.5);
  n->add_bin_counts(1);
  n->add_bin_counts(2);
  n->set_min(20.25);
  n->set_max(0.1 + 0.2 + 40);  // a value whose shortest decimal has many digits
  n->set_mean(31);
  n->set_m2(200.5);
  for (double v : {20.25, 31.0, 40.3}) n->add_sample(v);
  n->set_sample_seen(3);
  v1::FeatureProfile* city = p.add_features();
  city->set_name("city");
  city->set_count(4);
  (*city->mutable_categorical()->mutable_counts())["Paris"] = 3;
  (*city->mutable_categorical()->mutable_counts())["New York, NY"] = 1;
  (*p.mutable_feature_importance())["age"] = 0.75;
  p.mutable_joint()->add_features("age");
  p.mutable_joint()->set_rows(1);
  p.mutable_joint()->add_values(31);
  p.mutable_joint()->set_seen(3);
  return p;
}

bool Same(const v1::DataProfile& a, const v1::DataProfile& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

TEST(ProfileFormatTest, ParsesTheFlag) {
  EXPECT_EQ(*ParseProfileFormat("auto", "--format"), ProfileFormat::kAuto);
  EXPECT_EQ(*ParseProfileFormat("json", "--format"), ProfileFormat::kJson);
  EXPECT_EQ(*ParseProfileFormat("binary", "--format"), ProfileFormat::kBinary);
  const auto bad = ParseProfileFormat("yaml", "--format");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), StartsWith("--format: "));
}

// A JSON profile is printed a feature at a time and spliced (profile_io.cc): byte for byte
// protobuf's printing of the whole message, with every kind of field, several features, an
// empty feature list and a profile without importance or joint sample.
TEST(ProfileFormatTest, JsonIsTheWholeMessagePrintedAtOnce) {
  v1::DataProfile full = SampleProfile();
  *full.add_features() = full.features(0);
  full.mutable_features(2)->set_name("age2");
  v1::DataProfile bare;
  bare.set_rows(7);
  *bare.add_features() = full.features(1);
  v1::DataProfile empty;
  empty.set_rows(0);
  for (const v1::DataProfile& p : {full, bare, empty, SampleProfile()}) {
    EXPECT_EQ(EncodeProfile(p, ProfileFormat::kJson, "x.json"), ToJson(p));
    v1::DataProfile back;
    ASSERT_TRUE(ParseJson(EncodeProfile(p, ProfileFormat::kJson, "x.json"), "x", &back).ok());
    EXPECT_TRUE(Same(back, p));
  }
}

TEST(ProfileFormatTest, AutoIsBinaryForPbFilesOnly) {
  const v1::DataProfile p = SampleProfile();
  struct Case {
    ProfileFormat format;
    std::string path;
    bool binary;
  };
  for (const Case& c :
       {Case{ProfileFormat::kAuto, "ref.pb", true}, Case{ProfileFormat::kAuto, "ref.json", false},
        Case{ProfileFormat::kAuto, "", false}, Case{ProfileFormat::kAuto, "pb", false},
        Case{ProfileFormat::kJson, "ref.pb", false}, Case{ProfileFormat::kBinary, "ref.json", true},
        Case{ProfileFormat::kBinary, "", true}}) {
    SCOPED_TRACE(c.path);
    const std::string bytes = EncodeProfile(p, c.format, c.path);
    EXPECT_EQ(bytes.rfind(kBinaryProfileHeader, 0) == 0, c.binary);
    if (!c.binary) {
      EXPECT_EQ(bytes, ToJson(p));
    }
  }
}

TEST(ProfileFormatTest, BothFormatsRoundTripExactly) {
  const v1::DataProfile p = SampleProfile();
  for (ProfileFormat format : {ProfileFormat::kJson, ProfileFormat::kBinary}) {
    v1::DataProfile back;
    ASSERT_TRUE(DecodeProfile(EncodeProfile(p, format, ""), "x", &back).ok());
    EXPECT_TRUE(Same(p, back)) << back.DebugString();
  }
}

// The same profile gives the same bytes: map entries are written sorted by key, not in the
// order of the map's hash table (which depends on the insertion order and a per-process seed).
TEST(ProfileFormatTest, BinaryIsTheSameBytesForTheSameProfile) {
  v1::DataProfile forward = SampleProfile();
  v1::DataProfile backward = SampleProfile();
  auto* f = forward.mutable_features(1)->mutable_categorical()->mutable_counts();
  auto* b = backward.mutable_features(1)->mutable_categorical()->mutable_counts();
  for (int i = 0; i < 500; ++i) (*f)["c" + std::to_string(i)] = i;
  for (int i = 499; i >= 0; --i) (*b)["c" + std::to_string(i)] = i;
  ASSERT_TRUE(Same(forward, backward));
  const std::string bytes = EncodeProfile(forward, ProfileFormat::kBinary, "");
  EXPECT_EQ(bytes, EncodeProfile(backward, ProfileFormat::kBinary, ""));
  // Sorted by key: "c0" is written before "c1", and "c1" before "c10".
  EXPECT_LT(bytes.find("c0"), bytes.find("c1"));
  EXPECT_LT(bytes.find("c1"), bytes.find("c10"));
  EXPECT_LT(bytes.find("c10"), bytes.find("c2"));
}

TEST(ProfileFormatTest, BinaryIsSmallerThanJson) {
  v1::DataProfile p = SampleProfile();
  for (int i = 0; i < 2000; ++i) p.mutable_features(0)->mutable_numeric()->add_sample(i / 7.0);
  EXPECT_LT(EncodeProfile(p, ProfileFormat::kBinary, "").size() * 2,
            EncodeProfile(p, ProfileFormat::kJson, "").size());
}

TEST(ProfileFormatTest, ReadsJsonWrittenByEarlierVersions) {
  // The JSON layout `greengate profile` has always written (proto field names, every field),
  // with leading blanks and lowerCamelCase names, which the JSON reader also takes.
  const std::string dir = TestDir().string();
  const std::string path = WriteFile(dir + "/old.json", R"(
  {
   "features": [
    {"name": "age", "count": "4", "missing": "1",
     "numeric": {"bin_edges": [30.5], "bin_counts": [1, 2], "min": 20.25, "max": 40.3,
                 "mean": 31, "m2": 200.5, "sample": [20.25, 31, 40.3], "sampleSeen": "3"}}
   ],
   "rows": "4"
  })");
  v1::DataProfile p;
  ASSERT_TRUE(ReadProfileFile(path, &p).ok());
  EXPECT_EQ(p.rows(), 4);
  ASSERT_EQ(p.features_size(), 1);
  EXPECT_EQ(p.features(0).numeric().sample_size(), 3);
  EXPECT_EQ(p.features(0).numeric().sample_seen(), 3);
}

TEST(ProfileFormatTest, WrittenFilesReadBack) {
  const std::string dir = TestDir().string();
  const v1::DataProfile p = SampleProfile();
  std::ostringstream unused;
  for (const std::string name : {"/p.pb", "/p.json"}) {
    ASSERT_TRUE(WriteProfile(p, ProfileFormat::kAuto, dir + name, unused).ok());
    v1::DataProfile back;
    ASSERT_TRUE(ReadProfileFile(dir + name, &back).ok()) << name;
    EXPECT_TRUE(Same(p, back)) << name;
  }
  EXPECT_EQ(ReadFile(dir + "/p.pb").rfind(kBinaryProfileHeader, 0), 0u);
  EXPECT_EQ(ReadFile(dir + "/p.json").front(), '{');
  EXPECT_EQ(unused.str(), "");
}

TEST(ProfileFormatTest, CorruptOrTruncatedBinaryIsAClearError) {
  const std::string bytes = EncodeProfile(SampleProfile(), ProfileFormat::kBinary, "");
  // Cut inside the message, and the header followed by bytes that are no protobuf (a
  // length-delimited field running past the end).
  for (const std::string& bad :
       {bytes.substr(0, bytes.size() - 5), std::string(kBinaryProfileHeader) + "\x0a\x7f{}"}) {
    v1::DataProfile p;
    const absl::Status status = DecodeProfile(bad, "cur.pb", &p);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()),
                StartsWith("cur.pb: not a valid binary DataProfile"));
  }
  // Neither binary nor JSON: the JSON reader's message.
  v1::DataProfile p;
  const absl::Status status = DecodeProfile("GGPROF", "x.json", &p);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("x.json: not a valid DataProfile JSON"));
}

TEST(ProfileFormatTest, MissingFileIsNotFound) {
  v1::DataProfile p;
  EXPECT_EQ(ReadProfileFile(TestDir().string() + "/none.pb", &p).code(),
            absl::StatusCode::kNotFound);
}

// The CLI end to end without a server: `profile` writes binary for a .pb file and JSON
// otherwise, `profile merge` reads both, and a corrupt binary file fails with exit 1 and
// a message naming the file.
TEST(ProfileFormatCliTest, ProfileAndMergeTakeBothFormats) {
  const std::string dir = TestDir().string();
  WriteFile(dir + "/a.csv", "x,c\n1.5,a\n2.5,b\n,a\n4,b\n");
  using testing::RunInProcess;
  testing::CliResult r =
      RunInProcess({"profile", "--csv", dir + "/a.csv", "--out", dir + "/ref.pb"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("-> " + dir + "/ref.pb"));
  ASSERT_EQ(ReadFile(dir + "/ref.pb").rfind(kBinaryProfileHeader, 0), 0u);
  r = RunInProcess({"profile", "--csv", dir + "/a.csv", "--out", dir + "/ref.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  v1::DataProfile from_binary, from_json;
  ASSERT_TRUE(ReadProfileFile(dir + "/ref.pb", &from_binary).ok());
  ASSERT_TRUE(ReadProfileFile(dir + "/ref.json", &from_json).ok());
  EXPECT_TRUE(Same(from_binary, from_json));

  r = RunInProcess({"profile", "--csv", dir + "/a.csv", "--format", "binary"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(kBinaryProfileHeader, 0), 0u);  // to stdout as asked

  r = RunInProcess({"profile", "merge", dir + "/ref.pb", dir + "/ref.json", "--format", "json",
                    "--out", dir + "/merged.pb"});
  ASSERT_EQ(r.code, 0) << r.err;
  v1::DataProfile merged;
  ASSERT_TRUE(ParseJson(ReadFile(dir + "/merged.pb"), "merged", &merged).ok());
  EXPECT_EQ(merged.rows(), 8);

  const std::string good = ReadFile(dir + "/ref.pb");
  WriteFile(dir + "/bad.pb", good.substr(0, good.size() / 2));
  r = RunInProcess({"profile", "merge", dir + "/ref.pb", dir + "/bad.pb"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir + "/bad.pb: not a valid binary DataProfile"));

  r = RunInProcess({"profile", "--csv", dir + "/a.csv", "--format", "xml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--format"));
}

}  // namespace
}  // namespace greengate::client
