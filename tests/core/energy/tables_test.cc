#include "server/core/energy/tables.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::energy {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kAccelerators =
    "key,label,value,source,year,licence\n"
    "any,Any,200,GA default,2024,CC BY 4.0\n"
    "nvidia-a100-40gb,A100,250,\"GA TDP_gpu.csv, NVIDIA datasheet\",2020,CC BY 4.0\n";
constexpr std::string_view kCpus =
    "key,label,value,source,year,licence\n"
    "any,Any core,12,GA default,2024,CC BY 4.0\n";
constexpr std::string_view kPues =
    "key,label,value,source,year,licence\n"
    "unknown,Unknown,1.56,GA defaults_PUE.csv,2024,CC BY 4.0\n"
    "gcp,Google,1.12,GA defaults_PUE.csv,2023,CC BY 4.0\n";
constexpr std::string_view kCarbon =
    "key,label,value,source,year,licence\n"
    "world,World,475,IEA 2019,2019,MIT\n"
    "fr,France,56,OWID,2023,CC BY 4.0\n"
    "europe-west9,Paris,34,Google,2023,MIT\n";

TEST(TablesParseTest, ParsesRowsInOrder) {
  absl::StatusOr<Tables> tables = Tables::Parse(kAccelerators, kCpus, kPues, kCarbon);
  ASSERT_TRUE(tables.ok()) << tables.status();
  ASSERT_EQ(tables->accelerators().size(), 2u);
  const DataRow& a100 = tables->accelerators()[1];
  EXPECT_EQ(a100.key, "nvidia-a100-40gb");
  EXPECT_EQ(a100.label, "A100");
  EXPECT_EQ(a100.value, 250);
  EXPECT_EQ(a100.source, "GA TDP_gpu.csv, NVIDIA datasheet");  // quoted comma kept
  EXPECT_EQ(a100.year, 2020);
  EXPECT_EQ(a100.licence, "CC BY 4.0");
  EXPECT_EQ(tables->cpus().size(), 1u);
  EXPECT_EQ(tables->pues().size(), 2u);
  EXPECT_EQ(tables->carbon_intensities().size(), 3u);
}

TEST(TablesParseTest, QuotedFieldsWithEscapedQuotesAndCrlf) {
  const std::string cpus =
      "key,label,value,source,year,licence\r\n"
      "any,\"Any, generic\",12,\"a \"\"quoted\"\", source\",2024,\"CC BY 4.0\"\r\n"
      "empty-last,x,3,s,2020,\"\"\r\n";
  // The last row has an empty (quoted) licence, which is rejected; drop it to check quoting.
  const std::string ok_cpus = cpus.substr(0, cpus.find("empty-last"));
  absl::StatusOr<Tables> tables = Tables::Parse(kAccelerators, ok_cpus, kPues, kCarbon);
  ASSERT_TRUE(tables.ok()) << tables.status();
  const DataRow& any = tables->cpus()[0];
  EXPECT_EQ(any.label, "Any, generic");
  EXPECT_EQ(any.source, "a \"quoted\", source");
  EXPECT_EQ(any.licence, "CC BY 4.0");

  absl::StatusOr<Tables> bad = Tables::Parse(kAccelerators, cpus, kPues, kCarbon);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("cpus.csv:3: licence is empty"));
}

TEST(TablesParseTest, NoTrailingNewlineIsAccepted) {
  const std::string carbon(kCarbon.substr(0, kCarbon.size() - 1));
  EXPECT_TRUE(Tables::Parse(kAccelerators, kCpus, kPues, carbon).ok());
}

TEST(TablesLookupTest, CaseInsensitive) {
  absl::StatusOr<Tables> tables = Tables::Parse(kAccelerators, kCpus, kPues, kCarbon);
  ASSERT_TRUE(tables.ok()) << tables.status();
  ASSERT_TRUE(tables->Accelerator("NVIDIA-A100-40GB").has_value());
  EXPECT_EQ(tables->Accelerator("Nvidia-A100-40gb")->value, 250);
  EXPECT_EQ(tables->Cpu("ANY")->value, 12);
  EXPECT_EQ(tables->Pue("GCP")->value, 1.12);
  EXPECT_EQ(tables->CarbonIntensity("FR")->value, 56);
  EXPECT_EQ(tables->CarbonIntensity("Europe-West9")->value, 34);
}

TEST(TablesLookupTest, UnknownKeysAreNullopt) {
  absl::StatusOr<Tables> tables = Tables::Parse(kAccelerators, kCpus, kPues, kCarbon);
  ASSERT_TRUE(tables.ok()) << tables.status();
  EXPECT_FALSE(tables->Accelerator("nvidia-a100").has_value());
  EXPECT_FALSE(tables->Cpu("").has_value());
  EXPECT_FALSE(tables->Pue("hetzner").has_value());
  EXPECT_FALSE(tables->CarbonIntensity("xx").has_value());
  EXPECT_FALSE(tables->CarbonIntensity("fr ").has_value());  // no trimming
}

TEST(TablesLookupTest, DefaultConstructedTablesAreEmpty) {
  const Tables tables;
  EXPECT_FALSE(tables.CarbonIntensity("world").has_value());
  EXPECT_TRUE(tables.accelerators().empty());
}

struct ParseErrorCase {
  std::string name;
  std::string pue_csv;   // replaces kPues
  std::string expected;  // substring of the error message
};

class TablesParseErrorTest : public ::testing::TestWithParam<ParseErrorCase> {};

TEST_P(TablesParseErrorTest, RejectsWithFileAndLine) {
  absl::StatusOr<Tables> tables = Tables::Parse(kAccelerators, kCpus, GetParam().pue_csv, kCarbon);
  ASSERT_FALSE(tables.ok());
  EXPECT_EQ(tables.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(tables.status().message()), HasSubstr(GetParam().expected));
}

constexpr char kHeader[] = "key,label,value,source,year,licence\n";
constexpr char kUnknown[] = "unknown,Unknown,1.56,GA,2024,CC BY 4.0\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, TablesParseErrorTest,
    ::testing::Values(
        ParseErrorCase{"EmptyFile", "", "pue.csv: empty file"},
        ParseErrorCase{"WrongHeader", "key,label,value,source,year\nunknown,U,1.5,s,2024\n",
                       "pue.csv:1: header must be 'key,label,value,source,year,licence'"},
        ParseErrorCase{"TooFewFields", std::string(kHeader) + "unknown,U,1.56,GA,2024\n",
                       "pue.csv:2: expected 6 fields, got 5"},
        ParseErrorCase{"TooManyFields",
                       std::string(kHeader) + "unknown,U,1.56,GA, with comma,2024,MIT\n",
                       "pue.csv:2: expected 6 fields, got 7"},
        ParseErrorCase{"ValueNotNumber", std::string(kHeader) + "unknown,U,abc,GA,2024,MIT\n",
                       "pue.csv:2: value 'abc' is not a finite number"},
        ParseErrorCase{"ValueEmpty", std::string(kHeader) + "unknown,U,,GA,2024,MIT\n",
                       "pue.csv:2: value '' is not a finite number"},
        ParseErrorCase{"ValueNan", std::string(kHeader) + "unknown,U,nan,GA,2024,MIT\n",
                       "pue.csv:2: value 'nan' is not a finite number"},
        ParseErrorCase{"PueBelowOne", std::string(kHeader) + "unknown,U,0.9,GA,2024,MIT\n",
                       "pue.csv:2: value 0.9 outside [1, 3]"},
        ParseErrorCase{"YearNotInteger", std::string(kHeader) + "unknown,U,1.5,GA,2024.5,MIT\n",
                       "pue.csv:2: year '2024.5' is not a year"},
        ParseErrorCase{"YearAbsurd", std::string(kHeader) + "unknown,U,1.5,GA,24,MIT\n",
                       "pue.csv:2: year '24' is not a year"},
        ParseErrorCase{"EmptySource", std::string(kHeader) + "unknown,U,1.5,,2024,MIT\n",
                       "pue.csv:2: source is empty"},
        ParseErrorCase{"EmptyLicence", std::string(kHeader) + "unknown,U,1.5,GA,2024,\n",
                       "pue.csv:2: licence is empty"},
        ParseErrorCase{"EmptyLabel", std::string(kHeader) + "unknown,,1.5,GA,2024,MIT\n",
                       "pue.csv:2: label is empty"},
        ParseErrorCase{"UpperCaseKey",
                       std::string(kHeader) + kUnknown + "GCP,Google,1.1,GA,2023,MIT\n",
                       "pue.csv:3: key 'GCP' must be"},
        ParseErrorCase{"KeyWithSpace",
                       std::string(kHeader) + kUnknown + " gcp,Google,1.1,GA,2023,MIT\n",
                       "pue.csv:3: key ' gcp' must be"},
        ParseErrorCase{"DuplicateKey", std::string(kHeader) + kUnknown + kUnknown,
                       "pue.csv:3: duplicate key 'unknown' (first on line 2)"},
        ParseErrorCase{"UnterminatedQuote", std::string(kHeader) + "unknown,U,1.5,\"GA, 2024,MIT\n",
                       "pue.csv:2: unterminated quoted field"},
        ParseErrorCase{"QuoteInsideUnquotedField",
                       std::string(kHeader) + "unknown,U,1.5,G\"A,2024,MIT\n",
                       "pue.csv:2: quote inside unquoted field 4"},
        ParseErrorCase{"TextAfterClosingQuote",
                       std::string(kHeader) + "unknown,U,1.5,\"GA\"x,2024,MIT\n",
                       "pue.csv:2: unexpected character after closing quote in field 4"},
        ParseErrorCase{"BlankLineInside",
                       std::string(kHeader) + kUnknown + "\n" + "gcp,G,1.1,GA,2023,MIT\n",
                       "pue.csv:3: blank line"},
        ParseErrorCase{"MissingFallbackRow",
                       std::string(kHeader) + "gcp,Google,1.12,GA,2023,CC BY 4.0\n",
                       "pue.csv: missing required row 'unknown'"}),
    [](const ::testing::TestParamInfo<ParseErrorCase>& info) { return info.param.name; });

TEST(TablesParseFileErrorTest, EachFileIsNamed) {
  const std::string broken = "key,label,value\n";
  EXPECT_THAT(std::string(Tables::Parse(broken, kCpus, kPues, kCarbon).status().message()),
              HasSubstr("accelerators.csv:1:"));
  EXPECT_THAT(std::string(Tables::Parse(kAccelerators, broken, kPues, kCarbon).status().message()),
              HasSubstr("cpus.csv:1:"));
  EXPECT_THAT(std::string(Tables::Parse(kAccelerators, kCpus, kPues, broken).status().message()),
              HasSubstr("carbon_intensity.csv:1:"));
}

TEST(TablesParseFileErrorTest, ValueBoundsPerTable) {
  const std::string header = kHeader;
  // Accelerator power must be > 0; carbon intensity may be 0 but not above 2000.
  EXPECT_THAT(std::string(Tables::Parse(header + "any,Any,0,GA,2024,MIT\n", kCpus, kPues, kCarbon)
                              .status()
                              .message()),
              HasSubstr("accelerators.csv:2: value 0 outside (0, 5000]"));
  EXPECT_TRUE(Tables::Parse(kAccelerators, kCpus, kPues,
                            header + "world,W,475,IEA,2019,MIT\nxx,X,0,OWID,2023,MIT\n")
                  .ok());
  EXPECT_THAT(
      std::string(Tables::Parse(kAccelerators, kCpus, kPues,
                                header + "world,W,475,IEA,2019,MIT\nxx,X,2001,OWID,2023,MIT\n")
                      .status()
                      .message()),
      HasSubstr("carbon_intensity.csv:3: value 2001 outside [0, 2000]"));
}

}  // namespace
}  // namespace greengate::energy
