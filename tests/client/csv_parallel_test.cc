// The block-parallel CSV profiler: the same profile (bit for bit) and the same errors for any
// number of threads and any block size, and the same profile as feeding the rows one by one
// to ProfileBuilder::AddRow (the sequential definition).

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/csv_profiler.h"
#include "client/csv_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/profile/builder.h"
#include "tests/client/test_files.h"

namespace greengate::client {
namespace {

using ::testing::HasSubstr;
using testing::TestDir;
using testing::WriteFile;

// 3000 rows, deterministic: numbers with missing markers and blanks, a text column with
// quoted commas, doubled quotes and line breaks (or, with `quotes` false, plain text only:
// the profiler's quote-free path), CRLF, LF and lone CR line ends, blank lines, and a column
// that looks numeric until row 2500.
std::string BigCsv(bool quotes = true) {
  std::string csv = "x,y,city,late,code\r\n";
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int r = 0; r < 3000; ++r) {
    const uint64_t a = next(), b = next(), c = next();
    std::string x = absl::StrCat(static_cast<int64_t>(a % 20000) - 10000, ".", a % 97);
    if (a % 50 == 0) x = "";
    if (a % 77 == 0) x = "NA";
    std::string y = absl::StrCat(b % 1000, "e-2");
    if (b % 61 == 0) y = " 3.5 ";
    std::string city = std::vector<std::string>{
        "Paris", "\"New York, NY\"", "\"Say \"\"hi\"\"\"", "\"two\nlines\"", "Lyon", ""}[c % 6];
    if (!quotes && city.find('"') != std::string::npos) city = "New York";
    std::string late = r == 2500 ? "n/a-ish" : absl::StrCat(c % 13);
    const char* end = r % 3 == 0 ? "\r\n" : (!quotes && r % 7 == 0 ? "\r" : "\n");
    csv += absl::StrCat(x, ",", y, ",", city, ",", late, ",", c % 7, end);
    if (r % 500 == 499) csv += "\n";
  }
  return csv;
}

void ExpectSameProfile(const profile::DataProfile& a, const profile::DataProfile& b) {
  ASSERT_EQ(a.rows, b.rows);
  ASSERT_EQ(a.features.size(), b.features.size());
  for (size_t i = 0; i < a.features.size(); ++i) {
    const profile::FeatureProfile& fa = a.features[i];
    const profile::FeatureProfile& fb = b.features[i];
    SCOPED_TRACE(fa.name);
    EXPECT_EQ(fa.name, fb.name);
    EXPECT_EQ(fa.count, fb.count);
    EXPECT_EQ(fa.missing, fb.missing);
    ASSERT_EQ(fa.is_numeric(), fb.is_numeric());
    if (fa.is_numeric()) {
      const profile::NumericProfile& na = fa.numeric();
      const profile::NumericProfile& nb = fb.numeric();
      EXPECT_EQ(na.bin_edges, nb.bin_edges);
      EXPECT_EQ(na.bin_counts, nb.bin_counts);
      EXPECT_EQ(na.min, nb.min);
      EXPECT_EQ(na.max, nb.max);
      EXPECT_EQ(na.mean, nb.mean);  // exact: the same additions in the same order
      EXPECT_EQ(na.m2, nb.m2);
      EXPECT_EQ(na.sample, nb.sample);
      EXPECT_EQ(na.sample_seen, nb.sample_seen);
    } else {
      EXPECT_EQ(fa.categorical().counts, fb.categorical().counts);
      EXPECT_EQ(fa.categorical().other, fb.categorical().other);
    }
  }
  ASSERT_EQ(a.joint.has_value(), b.joint.has_value());
  if (a.joint.has_value()) {
    EXPECT_EQ(a.joint->features, b.joint->features);
    EXPECT_EQ(a.joint->values, b.joint->values);
    EXPECT_EQ(a.joint->seen, b.joint->seen);
  }
}

struct Layout {
  int threads;
  size_t block_bytes;
};

// Tiny blocks cut the file at almost every record (and every quoted line break must be
// kept whole); three threads leave a partial last group.
const Layout kLayouts[] = {
    {1, size_t{4} << 20}, {2, size_t{4} << 20}, {1, 64}, {2, 64}, {3, 1000}, {2, 1}};

CsvProfileOptions Options(const Layout& layout) {
  CsvProfileOptions o;
  o.sample_size = 100;  // smaller than the rows, so the reservoirs replace values
  o.joint_sample_size = 50;
  o.threads = layout.threads;
  o.block_bytes = layout.block_bytes;
  return o;
}

// With and without quoted fields: blocks without a quote take the profiler's quote-free path.
class CsvParallelTest : public ::testing::TestWithParam<bool> {};

// The sequential definition: the builder options behind Options(), for a builder fed row by
// row.
profile::ProfileBuilderOptions SequentialOptions() { return BuilderOptions(Options(kLayouts[0])); }

// AddRow() of every record after the header of `csv`, read by the streaming CsvReader.
absl::Status AddEveryRow(const std::string& csv, profile::ProfileBuilder& builder) {
  std::ifstream in(csv, std::ios::binary);
  CsvReader reader(&in);
  std::vector<std::string> fields;
  if (!*reader.Next(&fields)) return absl::InternalError("no header");
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&fields);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    absl::Status added = builder.AddRow(absl::MakeConstSpan(fields));
    if (!added.ok()) return added;
  }
}

TEST_P(CsvParallelTest, ReferenceProfileDoesNotDependOnThreadsOrBlocks) {
  const std::string csv = WriteFile(TestDir() / "big.csv", BigCsv(GetParam()));
  absl::StatusOr<CsvProfile> first = ProfileReferenceCsv(csv, Options(kLayouts[0]));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->profile.rows, 3000);
  // `late` turns categorical at its one non-number, found wherever the blocks are cut.
  ASSERT_EQ(first->notes.size(), 2u);
  EXPECT_THAT(first->notes[0], HasSubstr("city: categorical"));
  EXPECT_THAT(first->notes[1], HasSubstr("late: categorical"));
  for (const Layout& layout : kLayouts) {
    SCOPED_TRACE(absl::StrCat(layout.threads, " threads, blocks of ", layout.block_bytes));
    absl::StatusOr<CsvProfile> again = ProfileReferenceCsv(csv, Options(layout));
    ASSERT_TRUE(again.ok()) << again.status();
    ExpectSameProfile(first->profile, again->profile);
    EXPECT_EQ(first->notes, again->notes);
  }
}

// The current profile equals AddRow() of every record read by the streaming CsvReader.
TEST_P(CsvParallelTest, CurrentProfileEqualsRowByRowBuilder) {
  const std::string csv = WriteFile(TestDir() / "big.csv", BigCsv(GetParam()));
  CsvProfileOptions ref_options = Options(kLayouts[0]);
  ref_options.categorical = {"late"};
  absl::StatusOr<CsvProfile> reference = ProfileReferenceCsv(csv, ref_options);
  ASSERT_TRUE(reference.ok()) << reference.status();

  absl::StatusOr<profile::ProfileBuilder> builder =
      profile::ProfileBuilder::ForReference(reference->profile, SequentialOptions());
  ASSERT_TRUE(builder.ok()) << builder.status();
  ASSERT_TRUE(AddEveryRow(csv, *builder).ok());
  const profile::DataProfile sequential = builder->Finish();

  for (const Layout& layout : kLayouts) {
    SCOPED_TRACE(absl::StrCat(layout.threads, " threads, blocks of ", layout.block_bytes));
    absl::StatusOr<CsvProfile> current =
        ProfileCurrentCsv(csv, reference->profile, Options(layout));
    ASSERT_TRUE(current.ok()) << current.status();
    ExpectSameProfile(sequential, current->profile);
  }
}

INSTANTIATE_TEST_SUITE_P(Quotes, CsvParallelTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Quoted" : "QuoteFree";
                         });

// The reference profile of a quote-free file equals BuildReferenceProfile() over its rows
// read one by one (the sequential definition of both passes).
TEST(CsvParallelQuoteFreeTest, ReferenceProfileEqualsRowByRowBuilder) {
  const std::string csv = WriteFile(TestDir() / "plain.csv", BigCsv(false));
  CsvProfileOptions options = Options(kLayouts[0]);
  options.categorical = {"city", "late"};
  absl::StatusOr<CsvProfile> profiled = ProfileReferenceCsv(csv, options);
  ASSERT_TRUE(profiled.ok()) << profiled.status();

  std::vector<profile::FeatureSpec> schema = {{"x", profile::FeatureKind::kNumeric},
                                              {"y", profile::FeatureKind::kNumeric},
                                              {"city", profile::FeatureKind::kCategorical},
                                              {"late", profile::FeatureKind::kCategorical},
                                              {"code", profile::FeatureKind::kNumeric}};
  absl::StatusOr<profile::DataProfile> sequential = profile::BuildReferenceProfile(
      schema, SequentialOptions(), options.bins,
      [&](profile::ProfileBuilder& builder) { return AddEveryRow(csv, builder); });
  ASSERT_TRUE(sequential.ok()) << sequential.status();
  for (const Layout& layout : kLayouts) {
    SCOPED_TRACE(absl::StrCat(layout.threads, " threads, blocks of ", layout.block_bytes));
    options.threads = layout.threads;
    options.block_bytes = layout.block_bytes;
    absl::StatusOr<CsvProfile> again = ProfileReferenceCsv(csv, options);
    ASSERT_TRUE(again.ok()) << again.status();
    ExpectSameProfile(*sequential, again->profile);
  }
}

struct ErrorCase {
  std::string name;
  std::string tail;  // appended after 200 good rows
  std::string message;
  bool quoted = true;  // the good rows hold a quoted line break (else: no quote in the file)
};

class CsvParallelErrorTest : public ::testing::TestWithParam<ErrorCase> {};

// Errors name the same line (and row) however the file is cut.
TEST_P(CsvParallelErrorTest, SameErrorForAnyLayout) {
  std::string text = "a,b\n";
  for (int r = 0; r < 200; ++r) {
    text += GetParam().quoted ? absl::StrCat(r, ",\"q\nq\"\n")  // 2 lines per row
                              : absl::StrCat(r, ",q\n");
  }
  text += GetParam().tail;
  const auto dir = TestDir();
  const std::string csv = WriteFile(dir / "bad.csv", text);
  profile::DataProfile reference;
  {
    const std::string good = WriteFile(dir / "good.csv", "a,b\n1,x\n2,y\n");
    absl::StatusOr<CsvProfile> r = ProfileReferenceCsv(good, {});
    ASSERT_TRUE(r.ok()) << r.status();
    reference = r->profile;
  }
  for (const Layout& layout : kLayouts) {
    SCOPED_TRACE(absl::StrCat(layout.threads, " threads, blocks of ", layout.block_bytes));
    absl::StatusOr<CsvProfile> result = ProfileCurrentCsv(csv, reference, Options(layout));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(result.status().message()), HasSubstr(GetParam().message));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Errors, CsvParallelErrorTest,
    ::testing::Values(
        ErrorCase{"Ragged", "7\n", "bad.csv line 402: has 1 fields"},
        ErrorCase{"NotANumber", "1,x\nold,y\n",
                  "bad.csv line 403: row 202, feature 'a': cannot parse 'old'"},
        ErrorCase{"StrayQuote", "1,x\n2,a\"b\n", "bad.csv: line 403: quote inside"},
        // Found in a 16-byte stride of the tokeniser, not its byte loop.
        ErrorCase{"StrayQuoteInLongField", "1,x\n2,abcdefghij\"klmnopqrstuvwxyz\n",
                  "bad.csv: line 403: quote inside an unquoted field (field 2)"},
        ErrorCase{"Unclosed", "1,x\n2,\"open\n", "bad.csv: line 403: quoted field is not closed"},
        ErrorCase{"AfterQuote", "1,\"x\"y\n", "bad.csv: line 402: unexpected 'y'"},
        // The same errors in files without quotes (the quote-free path).
        ErrorCase{"QuoteFreeRagged", "7\n", "bad.csv line 202: has 1 fields", false},
        ErrorCase{"QuoteFreeTooManyFields", "1,x\n2,y,z\n", "bad.csv line 203: has 3 fields",
                  false},
        ErrorCase{"QuoteFreeNotANumber", "1,x\r\n\r\nold,y\r\n",
                  "bad.csv line 204: row 202, feature 'a': cannot parse 'old'", false},
        // A ragged record's error is about its fields, not its values.
        ErrorCase{"QuoteFreeRaggedNotANumber", "old\n", "bad.csv line 202: has 1 fields", false},
        ErrorCase{"QuoteFreeNoLineBreakAtTheEnd", "1,x\nold,y",
                  "bad.csv line 203: row 202, feature 'a': cannot parse 'old'", false}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

}  // namespace
}  // namespace greengate::client
