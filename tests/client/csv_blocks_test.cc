// ScanQuoteFreeRecords(): the same records, fields and record starts as CsvRecordParser on
// every quote-free text (line ends of all kinds, blank lines, empty fields, fields across the
// 64-byte strides, no line break at the end), and it stops where it says it does.

#include "client/csv_blocks.h"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::client {
namespace {

using ::testing::ElementsAre;

struct Split {
  std::vector<std::vector<std::string>> records;
  std::vector<size_t> starts;  // byte offset of each record's start
};

CsvBlock Block(const std::string& text) {
  CsvBlock block;
  block.text.assign(text.begin(), text.end());
  return block;
}

Split ByParser(const std::string& text) {
  CsvBlock block = Block(text);
  CsvRecordParser parser(&block);
  Split split;
  std::vector<std::string_view> fields;
  for (;;) {
    absl::StatusOr<bool> more = parser.Next(&fields);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) return split;
    split.records.emplace_back(fields.begin(), fields.end());
    split.starts.push_back(static_cast<size_t>(parser.record_start() - block.text.data()));
  }
}

Split ByScan(const std::string& text, ScanEnd* end = nullptr) {
  Split split;
  std::vector<std::string> fields;
  const char* const begin = text.data();
  const ScanEnd result = ScanQuoteFreeRecords(
      begin, begin + text.size(),
      [&](size_t column, const char* field, const char* field_end) {
        EXPECT_EQ(column, fields.size());
        fields.emplace_back(field, field_end);
        return true;
      },
      [&](size_t count, const char* record) {
        EXPECT_EQ(count, fields.size());
        split.records.push_back(fields);
        split.starts.push_back(static_cast<size_t>(record - begin));
        fields.clear();
        return true;
      });
  if (end != nullptr) *end = result;
  return split;
}

TEST(ScanQuoteFreeRecordsTest, SplitsLikeTheParser) {
  for (const std::string& text : std::vector<std::string>{
           "", "\n", "\r\n\r\n", "a", "a,b", "a,b\n", "a,b\r\nc,d\r\n", "a,b\rc,d\r", "a,\n,b\n,\n",
           "\n\na,b\n\n\nc,d", "a,b\r\r\n\nc,d\n", ",", ",,,\n", "x\n\ny\r\rz",
           std::string(100, 'x') + "," + std::string(63, 'y') + "\n" + std::string(64, ','),
           "1.5,-2.25,NA,\r\n3,,4e5,x\n"}) {
    SCOPED_TRACE(testing::PrintToString(text));
    const Split want = ByParser(text);
    ScanEnd end;
    const Split got = ByScan(text, &end);
    EXPECT_EQ(end, ScanEnd::kDone);
    EXPECT_EQ(got.records, want.records);
    EXPECT_EQ(got.starts, want.starts);
  }
}

// Random quote-free text from an alphabet rich in delimiters, at every length up to a few
// strides: any difference in field boundaries, blank-line skipping or the last record shows.
TEST(ScanQuoteFreeRecordsTest, RandomTextSplitsLikeTheParser) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "ab1.-,,,\n\n\r ";
  for (int i = 0; i < 3000; ++i) {
    std::string text(rng() % 300, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    SCOPED_TRACE(testing::PrintToString(text));
    const Split want = ByParser(text);
    const Split got = ByScan(text);
    ASSERT_EQ(got.records, want.records);
    ASSERT_EQ(got.starts, want.starts);
  }
}

// A quote anywhere ends the scan before any field of its 64-byte stride, so the caller can
// start over with the parser; records of earlier strides were handed out.
TEST(ScanQuoteFreeRecordsTest, StopsAtAQuote) {
  const std::string first(63, 'a');  // one record filling the first stride with its LF
  for (const std::string tail : {"\"b\"\n", "c,\"d\n", "e\"\n"}) {
    ScanEnd end;
    const Split got = ByScan(first + "\n" + tail, &end);
    EXPECT_EQ(end, ScanEnd::kQuote);
    EXPECT_THAT(got.records, ElementsAre(ElementsAre(first)));
  }
  ScanEnd end;
  EXPECT_TRUE(ByScan("a,\"b\"\n", &end).records.empty());
  EXPECT_EQ(end, ScanEnd::kQuote);
}

TEST(ScanQuoteFreeRecordsTest, StopsWhenACallbackSaysSo) {
  const std::string text = "a,b\nc,d\ne,f\n";
  int records = 0;
  const ScanEnd end = ScanQuoteFreeRecords(
      text.data(), text.data() + text.size(), [](size_t, const char*, const char*) { return true; },
      [&](size_t, const char*) { return ++records < 2; });
  EXPECT_EQ(end, ScanEnd::kStopped);
  EXPECT_EQ(records, 2);
  int fields = 0;
  EXPECT_EQ(ScanQuoteFreeRecords(
                text.data(), text.data() + text.size(),
                [&](size_t, const char*, const char*) { return ++fields < 3; },
                [](size_t, const char*) { return true; }),
            ScanEnd::kStopped);
  EXPECT_EQ(fields, 3);
}

}  // namespace
}  // namespace greengate::client
