// ParsePlainDecimalPadded: bit for bit std::from_chars (and ParseNumericField) on every field
// it takes, declines everything else, and never reads the bytes after a field as digits.
// IsShortPlainDecimalPadded: true exactly for the fields the parser's one-load path takes.

#include "server/core/profile/decimal.h"

#include <charconv>
#include <cstring>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "server/core/profile/builder.h"

namespace greengate::profile {
namespace {

// `field` followed by `after` (what the CSV holds next: a comma, a line break, or more
// digits in an adversarial test), with 8 readable bytes past the field in every case.
struct Padded {
  std::string storage;
  std::string_view field;
  Padded(const std::string& f, const std::string& after) : storage(f + after) {
    storage.resize(storage.size() + 8, '\0');
    field = std::string_view(storage.data(), f.size());
  }
};

double FromChars(std::string_view s) {
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  EXPECT_TRUE(r.ec == std::errc() && r.ptr == s.data() + s.size()) << s;
  return v;
}

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}

TEST(DecimalTest, TakesPlainDecimalsExactly) {
  struct Case {
    std::string field;
    double expected;  // the decimal literal, rounded by the compiler
  };
  for (const Case& c :
       {Case{"0", 0.0}, Case{"-0", -0.0}, Case{"7", 7.0}, Case{"1234567", 1234567.0},
        Case{"0.1", 0.1}, Case{"-0.12345", -0.12345}, Case{"1.23456", 1.23456},
        Case{"3.14159265", 3.14159265}, Case{"1234567.12345678", 1234567.12345678},
        Case{"0.00000001", 0.00000001}, Case{"-9999999.99999999", -9999999.99999999},
        Case{"000.5", 0.5}, Case{"12345678", 12345678.0}, Case{"-12345678", -12345678.0},
        Case{"1234567.8", 1234567.8}, Case{"-0.000001", -0.000001}, Case{"99.99", 99.99}}) {
    for (const std::string after : {",", "\n", "\r\n", ",123", "9999999999"}) {
      SCOPED_TRACE(c.field + " then " + after);
      const Padded p(c.field, after);
      double v = 42;
      ASSERT_TRUE(ParsePlainDecimalPadded(p.field, &v));
      EXPECT_EQ(Bits(v), Bits(c.expected));
      EXPECT_EQ(Bits(v), Bits(FromChars(c.field)));
    }
  }
}

TEST(DecimalTest, DeclinesTheRestForTheFullParser) {
  for (const std::string field :
       {"",          "-",           ".",           "1.",    ".5",  "-.5",   "+1",
        " 1",        "1 ",          "1e5",         "1.5e3", "NA",  "nan",   "inf",
        "0x10",      "1,5",         "1..2",        "1.2.3", "1-2", "-1.-2", "12.3.4567",
        "123456789", "123456789.5", "1.123456789", "--1",   "1-",  "１",    "1\xff"}) {
    for (const std::string after : {",", "5", "5.5,"}) {
      SCOPED_TRACE(field + " then " + after);
      const Padded p(field, after);
      double v = 42;
      EXPECT_FALSE(ParsePlainDecimalPadded(p.field, &v));
      EXPECT_EQ(v, 42);
    }
  }
}

// Random plain decimals of every shape the fast path takes, and near misses; each field it
// takes must give std::from_chars's double, and each one it takes in the first table must be
// taken here too (checked by counting).
TEST(DecimalTest, RandomFieldsMatchFromChars) {
  std::mt19937_64 rng(20261124);
  const std::string digits = "0123456789";
  const std::string noise = "0123456789.-+eE ,x";
  int taken = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string field;
    if (rng() % 2) field += '-';
    const int int_digits = 1 + static_cast<int>(rng() % 9);
    for (int k = 0; k < int_digits; ++k) field += digits[rng() % 10];
    if (rng() % 4 != 0) {
      field += '.';
      const int frac_digits = 1 + static_cast<int>(rng() % 9);
      for (int k = 0; k < frac_digits; ++k) field += digits[rng() % 10];
    }
    if (rng() % 10 == 0) field[rng() % field.size()] = noise[rng() % noise.size()];
    std::string after;
    for (int k = static_cast<int>(rng() % 10); k > 0; --k) after += noise[rng() % noise.size()];
    const Padded p(field, after);
    double v = 0;
    if (!ParsePlainDecimalPadded(p.field, &v)) continue;
    ++taken;
    ASSERT_EQ(Bits(v), Bits(FromChars(field))) << field;
    const absl::StatusOr<double> full = ParseNumericField(field);
    ASSERT_TRUE(full.ok()) << field;
    ASSERT_EQ(Bits(v), Bits(*full)) << field;
  }
  // Shapes with at most 7 integer and 8 fraction digits and no noise: about 70% of draws.
  EXPECT_GT(taken, 100000);
}

// The classification agrees with the parser on every field: short shapes, near misses of
// every kind (a point first or last, two points, signs, other bytes in any position) and
// whatever follows the field, a point included.
TEST(DecimalTest, ClassifiesExactlyWhatTheShortPathTakes) {
  std::mt19937_64 rng(20261125);
  const std::string alphabet = "0123456789..--+eE ,x\n";
  int classified = 0;
  for (int i = 0; i < 300000; ++i) {
    std::string field;
    const int length = static_cast<int>(rng() % 11);
    for (int k = 0; k < length; ++k) {
      // Mostly digits, so that plain decimals are common.
      field +=
          rng() % 3 != 0 ? static_cast<char>('0' + rng() % 10) : alphabet[rng() % alphabet.size()];
    }
    std::string after;
    for (int k = static_cast<int>(rng() % 10); k > 0; --k)
      after += alphabet[rng() % alphabet.size()];
    const Padded p(field, after);
    const size_t unsigned_size = field.size() - (!field.empty() && field[0] == '-');
    double v = 0;
    const bool short_path = unsigned_size <= 8 && ParsePlainDecimalPadded(p.field, &v);
    ASSERT_EQ(IsShortPlainDecimalPadded(p.field), short_path)
        << "'" << field << "' then '" << after << "'";
    classified += short_path;
  }
  EXPECT_GT(classified, 30000);
  for (const std::string field : {"", "-", ".", "-.", "1.", ".5", "-.5", "5.-", "1..2", "1.2.3"}) {
    EXPECT_FALSE(IsShortPlainDecimalPadded(Padded(field, ".5").field)) << field;
  }
  for (const std::string field : {"0", "-0", "1.5", "-1.5", "12345678", "-123456.8", "0.000001"}) {
    EXPECT_TRUE(IsShortPlainDecimalPadded(Padded(field, ".5").field)) << field;
  }
}

}  // namespace
}  // namespace greengate::profile
