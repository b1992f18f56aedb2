#include "client/csv_blocks.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <string>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace greengate::client {
namespace {

bool IsLineBreak(char c) { return c == '\n' || c == '\r'; }

// Bytes that end or break an unquoted field: ',', '"', LF and CR.
constexpr auto kDelimiter = [] {
  std::array<bool, 256> table{};
  table[static_cast<unsigned char>(',')] = true;
  table[static_cast<unsigned char>('"')] = true;
  table[static_cast<unsigned char>('\n')] = true;
  table[static_cast<unsigned char>('\r')] = true;
  return table;
}();

std::string Describe(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return absl::StrFormat("'%c'", c);
  return absl::StrFormat("byte 0x%02x", u);
}

// Line breaks in [begin, end): LF, CRLF and a lone CR count once each. A CR at `end - 1`
// counts as a lone CR (blocks never end between the CR and LF of a pair).
int64_t CountLineBreaks(const char* begin, const char* end) {
  // memchr (vectorised in libc) from one LF to the next: several times fewer instructions
  // than a byte loop on records of tens of bytes or more.
  int64_t lines = 0;
  for (const char* p = begin; p < end; ++lines) {
    p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (p == nullptr) break;
    ++p;
  }
  if (std::memchr(begin, '\r', end - begin) == nullptr) return lines;  // the usual case
  for (const char* p = begin; p < end; ++p) {
    if (*p == '\r' && (p + 1 == end || p[1] != '\n')) ++lines;
  }
  return lines;
}

// The first byte in [p, end) that is a delimiter, or the last up to 15 bytes before `end`
// (the caller's byte loop finishes from there). With SSE2 (every x86-64) 16 bytes take a
// handful of instructions, where a byte loop takes several per byte.
char* SkipOrdinary(char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  while (end - p >= 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, comma), _mm_cmpeq_epi8(bytes, quote)),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, lf), _mm_cmpeq_epi8(bytes, cr)));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
    if (mask != 0) return p + std::countr_zero(mask);
    p += 16;
  }
#else
  (void)end;
#endif
  return p;
}

}  // namespace

namespace internal {

ByteMasks DelimiterMasks64(const char* p, const char* end) {
  if (end - p < 64) {  // the block's last bytes: padded with zeros, which are neither
    alignas(16) char tail[64] = {};
    std::memcpy(tail, p, static_cast<size_t>(end - p));
    return DelimiterMasks64(tail, tail + 64);
  }
  ByteMasks masks{0, 0};
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i quote = _mm_set1_epi8('"');
  for (int i = 0; i < 4; ++i) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    const __m128i hits =
        _mm_or_si128(_mm_cmpeq_epi8(bytes, comma),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, lf), _mm_cmpeq_epi8(bytes, cr)));
    const auto bits = [](__m128i m) {
      return static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(m)));
    };
    masks.delimiters |= bits(hits) << (16 * i);
    masks.quotes |= bits(_mm_cmpeq_epi8(bytes, quote)) << (16 * i);
  }
#else
  for (int i = 0; i < 64; ++i) {
    const char c = p[i];
    masks.delimiters |= static_cast<uint64_t>(c == ',' || c == '\n' || c == '\r') << i;
    masks.quotes |= static_cast<uint64_t>(c == '"') << i;
  }
#endif
  return masks;
}

}  // namespace internal

CsvBlockReader::CsvBlockReader(std::istream* in, size_t block_bytes, int64_t max_record_bytes)
    : in_(in),
      block_bytes_(std::max<size_t>(block_bytes, 1)),
      max_record_bytes_(max_record_bytes) {}

bool CsvBlockReader::Fill(size_t want) {
  while (!eof_ && pending_.size() < want) {
    const size_t old = pending_.size();
    pending_.resize(want);
    in_->read(pending_.data() + old, static_cast<std::streamsize>(want - old));
    const std::streamsize n = in_->gcount();
    pending_.resize(old + static_cast<size_t>(std::max<std::streamsize>(n, 0)));
    if (in_->bad()) bad_ = true;
    if (!*in_) eof_ = true;
  }
  return !pending_.empty();
}

absl::StatusOr<bool> CsvBlockReader::Next(CsvBlock* block) {
  if (!started_) {
    started_ = true;
    Fill(block_bytes_);
    if (pending_.size() >= 3 && std::memcmp(pending_.data(), "\xEF\xBB\xBF", 3) == 0) {
      pending_.erase(pending_.begin(), pending_.begin() + 3);
    }
  }
  size_t want = block_bytes_;
  size_t cut = 0;  // bytes of pending_ that form whole records
  for (;;) {
    Fill(want);
    if (bad_) return absl::DataLossError(absl::StrCat("line ", line_, ": read error"));
    if (pending_.empty()) return false;
    const char* begin = pending_.data();
    const char* end = begin + pending_.size();
    if (eof_) {
      cut = pending_.size();
      break;
    }
    // The last line break outside quotes; a CR only when what follows it is known not to be
    // the LF of a CRLF pair.
    auto usable = [&](const char* p) { return *p == '\n' || (p + 1 < end && p[1] != '\n'); };
    const char* last = nullptr;
    if (std::memchr(begin, '"', end - begin) == nullptr) {
      for (const char* p = end; p > begin;) {
        --p;
        if (IsLineBreak(*p) && usable(p)) {
          last = p;
          break;
        }
      }
    } else {
      bool quoted = false;
      for (const char* p = begin; p < end; ++p) {
        if (*p == '"') {
          quoted = !quoted;
        } else if (!quoted && IsLineBreak(*p) && usable(p)) {
          last = p;
        }
      }
    }
    if (last != nullptr) {
      cut = static_cast<size_t>(last - begin) + 1;
      break;
    }
    if (static_cast<int64_t>(pending_.size()) > max_record_bytes_) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_, ": record longer than ",
                                                     max_record_bytes_,
                                                     " bytes (an unclosed quote?)"));
    }
    want = pending_.size() * 2;  // one record is longer than a block: read more
  }
  block->text.swap(pending_);
  pending_.assign(block->text.begin() + static_cast<std::ptrdiff_t>(cut), block->text.end());
  block->text.resize(cut);
  block->first_line = line_;
  block->lines = CountLineBreaks(block->text.data(), block->text.data() + cut);
  line_ += block->lines;
  return true;
}

int64_t CsvRecordParser::LineAt(const char* p) const {
  return block_->first_line + CountLineBreaks(block_->text.data(), p);
}

int64_t CsvRecordParser::RecordLine() const {
  return LineAt(record_start_ != nullptr ? record_start_ : pos_);
}

absl::Status CsvRecordParser::Error(const char* at, const std::string& what) const {
  return absl::InvalidArgumentError(absl::StrCat("line ", LineAt(at), ": ", what));
}

absl::StatusOr<bool> CsvRecordParser::Next(std::vector<std::string_view>* fields) {
  fields->clear();
  while (pos_ < end_ && IsLineBreak(*pos_)) ++pos_;  // blank lines
  if (pos_ == end_) return false;
  record_start_ = pos_;
  for (;;) {  // one field per iteration
    if (pos_ < end_ && *pos_ == '"') {
      const char* open = pos_;
      char* out = pos_;  // unescaped text is written over the raw text, never past it
      ++pos_;
      for (;;) {
        if (pos_ == end_) {
          return Error(open, "quoted field is not closed before the end of the input");
        }
        const char c = *pos_++;
        if (c == '"') {
          if (pos_ < end_ && *pos_ == '"') {
            ++pos_;
          } else {
            break;  // closing quote
          }
        }
        *out++ = c;
      }
      char* start = const_cast<char*>(open);
      fields->emplace_back(start, static_cast<size_t>(out - start));
      // The bytes left over by moving the text one place left (past the opening quote) and
      // by unescaping become quotes: they then hold no line break, so LineAt() still counts
      // each line once.
      std::fill(out, pos_, '"');
      if (pos_ == end_) return true;
      const char c = *pos_;
      if (c == ',') {
        ++pos_;
        continue;
      }
      if (!IsLineBreak(c)) {
        return Error(pos_, absl::StrCat("unexpected ", Describe(c), " after a closing quote"));
      }
    } else {
      const char* start = pos_;
      pos_ = SkipOrdinary(pos_, end_);
      while (pos_ < end_) {
        const char c = *pos_;
        if (!kDelimiter[static_cast<unsigned char>(c)]) {  // one test per ordinary byte
          ++pos_;
          continue;
        }
        if (c != '"') break;  // ',' or a line break
        return Error(pos_,
                     absl::StrCat("quote inside an unquoted field (field ", fields->size() + 1,
                                  "); enclose the whole field in quotes and double the "
                                  "inner quote"));
      }
      fields->emplace_back(start, static_cast<size_t>(pos_ - start));
      if (pos_ == end_) return true;
      if (*pos_ == ',') {
        ++pos_;
        continue;
      }
    }
    // A line break ends the record.
    if (*pos_ == '\r' && pos_ + 1 < end_ && pos_[1] == '\n') ++pos_;
    ++pos_;
    return true;
  }
}

}  // namespace greengate::client
