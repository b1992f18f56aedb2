#include "client/csv_reader.h"

#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Records = std::vector<std::vector<std::string>>;

struct Read {
  Records records;
  std::vector<int64_t> lines;  // record_line() of each record
  absl::Status status;
};

Read ReadAll(const std::string& text,
             int64_t max_record_bytes = CsvReader::kDefaultMaxRecordBytes) {
  std::istringstream in(text);
  CsvReader reader(&in, max_record_bytes);
  Read result;
  std::vector<std::string> fields;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&fields);
    if (!more.ok()) {
      result.status = more.status();
      return result;
    }
    if (!*more) return result;
    result.records.push_back(fields);
    result.lines.push_back(reader.record_line());
  }
}

struct GoodCase {
  std::string name;
  std::string input;
  Records expected;
};

class CsvReaderGoodTest : public ::testing::TestWithParam<GoodCase> {};

TEST_P(CsvReaderGoodTest, Reads) {
  const Read read = ReadAll(GetParam().input);
  ASSERT_TRUE(read.status.ok()) << read.status;
  EXPECT_EQ(read.records, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4180, CsvReaderGoodTest,
    ::testing::Values(GoodCase{"Simple", "a,b\n1,2\n", {{"a", "b"}, {"1", "2"}}},
                      GoodCase{"Crlf", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
                      GoodCase{"LoneCr", "a,b\r1,2\r", {{"a", "b"}, {"1", "2"}}},
                      GoodCase{"NoFinalNewline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}},
                      GoodCase{"EmptyInput", "", {}}, GoodCase{"OnlyNewlines", "\n\r\n\n", {}},
                      GoodCase{"EmptyFields", ",\n,,x\n", {{"", ""}, {"", "", "x"}}},
                      GoodCase{"TrailingComma", "a,b,\n", {{"a", "b", ""}}},
                      GoodCase{"TrailingCommaAtEnd", "a,", {{"a", ""}}},
                      GoodCase{"QuotedComma", "\"x,y\",z\n", {{"x,y", "z"}}},
                      GoodCase{"DoubledQuotes", "\"say \"\"hi\"\"\",b\n", {{"say \"hi\"", "b"}}},
                      GoodCase{"OnlyAQuote", "\"\"\"\"\n", {{"\""}}},
                      GoodCase{"QuotedEmpty", "\"\",\"\"\n", {{"", ""}}},
                      GoodCase{"QuotedLf", "\"l1\nl2\",b\nc,d\n", {{"l1\nl2", "b"}, {"c", "d"}}},
                      GoodCase{"QuotedCrlfKept", "\"l1\r\nl2\"\r\n", {{"l1\r\nl2"}}},
                      GoodCase{"QuotedAtEndOfInput", "a,\"b\"", {{"a", "b"}}},
                      GoodCase{"BlankLinesSkipped", "a\n\n\r\nb\n\n", {{"a"}, {"b"}}},
                      GoodCase{"ByteOrderMark",
                               "\xEF\xBB\xBF"
                               "a,b\n",
                               {{"a", "b"}}},
                      GoodCase{"BomOnlyAtStart",
                               "a\n\xEF\xBB\xBF"
                               "b\n",
                               {{"a"},
                                {"\xEF\xBB\xBF"
                                 "b"}}},
                      GoodCase{"SpacesKept", " a , b \n", {{" a ", " b "}}},
                      GoodCase{"Utf8PassesThrough",
                               "\xC3\xA9t\xC3\xA9,\xE2\x82\xAC\n",
                               {{"\xC3\xA9t\xC3\xA9", "\xE2\x82\xAC"}}},
                      GoodCase{
                          "NulByte", std::string("a\0b,c\n", 6), {{std::string("a\0b", 3), "c"}}}),
    [](const ::testing::TestParamInfo<GoodCase>& info) { return info.param.name; });

struct BadCase {
  std::string name;
  std::string input;
  std::string message;  // expected substring, with the line
};

class CsvReaderBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(CsvReaderBadTest, Rejects) {
  const Read read = ReadAll(GetParam().input);
  EXPECT_EQ(read.status.code(), absl::StatusCode::kInvalidArgument) << read.status;
  EXPECT_THAT(std::string(read.status.message()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, CsvReaderBadTest,
    ::testing::Values(
        BadCase{"Unterminated", "a\n\"abc,d\n", "line 2: quoted field is not closed"},
        BadCase{"UnterminatedAfterNewlines", "\"x\ny\nz", "line 1: quoted field is not closed"},
        BadCase{"QuoteInUnquoted", "a,b\"c\n", "line 1: quote inside an unquoted field (field 2)"},
        BadCase{"TextAfterClosingQuote", "\"ab\"c,d\n",
                "line 1: unexpected 'c' after a closing quote"},
        BadCase{"SpaceAfterClosingQuote", "\"ab\" ,d\n", "unexpected ' ' after a closing quote"},
        BadCase{"SpaceBeforeOpeningQuote", "a, \"b\"\n", "line 1: quote inside an unquoted field"},
        BadCase{"LineCountsQuotedBreaks", "\"x\ny\",1\n\"z\"!\n", "line 3: unexpected '!'"},
        BadCase{"ControlByteDescribed", "\"a\"\x01\n", "unexpected byte 0x01"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(CsvReaderTest, RecordLineCountsBreaksInsideQuotesAndBlankLines) {
  const Read read = ReadAll("h\n\"a\nb\nc\"\n\nd\r\ne\n");
  ASSERT_TRUE(read.status.ok()) << read.status;
  EXPECT_EQ(read.records, (Records{{"h"}, {"a\nb\nc"}, {"d"}, {"e"}}));
  EXPECT_THAT(read.lines, ElementsAre(1, 2, 6, 7));
}

TEST(CsvReaderTest, RecordLongerThanTheLimitIsRejected) {
  EXPECT_TRUE(ReadAll("abcde,fghij\n", 10).status.ok());
  const Read read = ReadAll("ab\nabcde,fghijk\n", 10);
  EXPECT_EQ(read.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(read.status.message()), HasSubstr("line 2: record longer than 10 bytes"));
  // An unclosed quote runs into the limit instead of reading the rest of the input.
  EXPECT_THAT(std::string(ReadAll("\"" + std::string(50, 'x'), 10).status.message()),
              HasSubstr("record longer than 10 bytes"));
}

TEST(CsvReaderTest, FieldsSpanningTheReadBufferAreWhole) {
  // The reader fills 64 KiB at a time; a quoted field of 200 KB with escaped quotes, CRLF
  // and commas must come back intact, and so must the records around it.
  std::string big;
  for (int i = 0; i < 20000; ++i) big += (i % 3 == 0) ? "q\"\"," : (i % 3 == 1 ? "\r\nab" : "xyz");
  std::string expected;
  for (int i = 0; i < 20000; ++i)
    expected += (i % 3 == 0) ? "q\"," : (i % 3 == 1 ? "\r\nab" : "xyz");
  std::string input = "first,1\n\"" + big + "\",2\n";
  for (int i = 0; i < 5000; ++i) input += "row" + std::to_string(i) + ",\"v,\"\"\"\r\n";
  const Read read = ReadAll(input);
  ASSERT_TRUE(read.status.ok()) << read.status;
  ASSERT_EQ(read.records.size(), 5002u);
  EXPECT_EQ(read.records[1][0], expected);
  EXPECT_EQ(read.records[1][1], "2");
  EXPECT_EQ(read.records[5001], (std::vector<std::string>{"row4999", "v,\""}));
  // The big field starts on line 2 and holds 6667 line breaks (i = 1, 4, ..., 19999).
  EXPECT_EQ(read.lines[2], 2 + 6667 + 1);
}

}  // namespace
}  // namespace greengate::client
