#pragma once

// Plain decimal fields ("-?d+(.d+)?") parsed eight digits at a time, for the CSV profiler's
// inner loop. The result is bit for bit ParseNumericField()'s (builder.h): the digits form an
// integer m < 10^15 < 2^53 and the value is m / 10^k, both exact doubles, so IEEE division
// rounds the exact quotient correctly, as std::from_chars does. Pure and thread-safe.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace greengate::profile {

namespace internal {

// Powers of ten a double and a uint64_t hold exactly, up to 10^8.
inline constexpr double kDecimalScale[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
inline constexpr uint64_t kDecimalScaleInt[] = {1,      10,      100,      1000,     10000,
                                                100000, 1000000, 10000000, 100000000};

// How many of the 8 bytes of `chunk` (the first byte in the lowest bits) are ASCII digits
// before the first one that is not, 0 to 8. Byte-wise: no carry crosses bytes.
inline int LeadingDigits(uint64_t chunk) {
  const uint64_t t = chunk ^ 0x3030303030303030ULL;  // a digit becomes 0..9, high nibble 0
  const uint64_t not_digit = (t & 0xF0F0F0F0F0F0F0F0ULL) |
                             (((t & 0x0F0F0F0F0F0F0F0FULL) + 0x0606060606060606ULL) &
                              0xF0F0F0F0F0F0F0F0ULL);  // low nibble > 9 carries into the high
  return not_digit == 0 ? 8 : std::countr_zero(not_digit) / 8;
}

// The value of the first `n` (1 to 8) bytes of `chunk`, all digits, read as a decimal number.
inline uint64_t DigitsValue(uint64_t chunk, int n) {
  // Digit values, shifted so that the n digits are the high bytes and zeros (leading zero
  // digits) fill the low ones; bytes past the n digits fall off the top.
  uint64_t v = (chunk ^ 0x3030303030303030ULL) << (8 * (8 - n));
  v = v * 10 + (v >> 8);  // pairs of digits: each even byte holds 10 * d_hi + d_lo
  // Pairs -> groups of four -> eight digits, by two multiplications that add the partial
  // products in the top 32 bits.
  constexpr uint64_t kMask = 0x000000FF000000FFULL;
  constexpr uint64_t kMul1 = 100 + (1000000ULL << 32);
  constexpr uint64_t kMul2 = 1 + (10000ULL << 32);
  return (((v & kMask) * kMul1) + (((v >> 16) & kMask) * kMul2)) >> 32;
}

inline uint64_t Load8(const char* p) {
  uint64_t chunk;
  std::memcpy(&chunk, p, 8);
  if constexpr (std::endian::native == std::endian::big) chunk = __builtin_bswap64(chunk);
  return chunk;
}

// ParsePlainDecimalPadded() for fields whose digits and point (after any '-') take 9 to 16
// bytes: two loads. Out of line: the short case is the common one.
bool ParseLongPlainDecimalPadded(const char* p, const char* end, bool negative, double* value);

// 1 or -1 by a sign flag: a multiplication instead of a branch on the sign, which random
// data mispredicts half the time (exact, and -0.0 for "-0" as std::from_chars gives).
inline constexpr double kSign[] = {1.0, -1.0};

// By table, n in [1, 8] (entry 0 unused): a mask of the low n bytes, and the high bits of
// the first and the n-th byte (where a point may not be). A load instead of a shift by a
// variable count.
inline constexpr uint64_t kLowBytes[] = {0,
                                         0xFFULL,
                                         0xFFFFULL,
                                         0xFFFFFFULL,
                                         0xFFFFFFFFULL,
                                         0xFFFFFFFFFFULL,
                                         0xFFFFFFFFFFFFULL,
                                         0xFFFFFFFFFFFFFFULL,
                                         0xFFFFFFFFFFFFFFFFULL};
inline constexpr uint64_t kEndBytesHigh[] = {0,
                                             0x80ULL,
                                             0x8080ULL,
                                             0x800080ULL,
                                             0x80000080ULL,
                                             0x8000000080ULL,
                                             0x800000000080ULL,
                                             0x80000000000080ULL,
                                             0x8000000000000080ULL};

}  // namespace internal

// IsShortPlainDecimalPadded()
//
// True exactly when ParsePlainDecimalPadded() takes `field` with its one-load path: a plain
// decimal "-?d+(.d+)?" of at most 8 bytes after the sign. It classifies without converting,
// for a caller that parses only some of the values it classifies (pass 1 of a CSV reference
// parses only the values its reservoirs draw); about a fifth of the instructions of the
// parse. Reads up to 8 bytes past the end of `field`: the caller guarantees they are
// readable.
[[gnu::always_inline]] inline bool IsShortPlainDecimalPadded(std::string_view field) {
  const char* p = field.data();
  std::size_t n = field.size();
  const bool negative = n != 0 && *p == '-';
  p += negative;
  n -= negative;
  if (n - 1 >= 8) return false;  // none left, or more than one load's worth
  const uint64_t chunk = internal::Load8(p);
  // The first '.' (the lowest zero byte of chunk ^ '.', which is exact) becomes '0'; any
  // other stays a byte that is not a digit.
  const uint64_t t = chunk ^ 0x2E2E2E2E2E2E2E2EULL;
  const uint64_t zero = (t - 0x0101010101010101ULL) & ~t & 0x8080808080808080ULL;
  const uint64_t point = zero & (0 - zero);
  const uint64_t u = (chunk + (point >> 6)) ^ 0x3030303030303030ULL;  // '.' + 2 == '0'
  const uint64_t not_digit =
      (u & 0xF0F0F0F0F0F0F0F0ULL) |
      (((u & 0x0F0F0F0F0F0F0F0FULL) + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL);
  // Every byte of the field a digit or that point, and the point neither first nor last (a
  // point past the field is in neither mask).
  return ((not_digit & internal::kLowBytes[n]) | (point & internal::kEndBytesHigh[n])) == 0;
}

// ParsePlainDecimalPadded()
//
// The value of `field` when it is a plain decimal "-?d+(.d+)?" of at most 15 digits,
// exactly as ParseNumericField() gives it; false (nothing written) for anything else, which
// the caller then parses with ParseNumericField(). Reads up to 8 bytes past the end of
// `field`: the caller guarantees they are readable.
[[gnu::always_inline]] inline bool ParsePlainDecimalPadded(std::string_view field, double* value) {
  const char* p = field.data();
  std::size_t n = field.size();
  if (n == 0) return false;
  const bool negative = *p == '-';
  p += negative;
  n -= negative;
  if (n - 1 >= 8) {  // none left, or more than one load's worth
    return n != 0 && internal::ParseLongPlainDecimalPadded(p, p + n, negative, value);
  }
  // Up to 8 bytes in one load: find the point, close the gap it leaves, and check that what
  // is left is all digits, a SWAR step each.
  const uint64_t chunk = internal::Load8(p) & internal::kLowBytes[n];
  const uint64_t t = chunk ^ 0x2E2E2E2E2E2E2E2EULL;  // '.' becomes a zero byte
  const uint64_t zero = (t - 0x0101010101010101ULL) & ~t & 0x8080808080808080ULL;
  uint64_t digits = chunk;
  std::size_t count = n;
  int decimals = 0;
  if (zero != 0) {
    // The lowest zero byte is exact (the carries of the subtraction only run upwards).
    const std::size_t point = static_cast<std::size_t>(std::countr_zero(zero)) / 8;
    if (point == 0 || point + 1 >= n) return false;  // ".5" and "5." take the long way
    const uint64_t below = chunk & internal::kLowBytes[point];
    digits = below | ((chunk >> (8 * (point + 1))) << (8 * point));
    count = n - 1;
    decimals = static_cast<int>(count - point);
  }
  // A second point, a sign or anything else is a byte that is not a digit.
  if (internal::LeadingDigits(digits) < static_cast<int>(count)) return false;
  const double magnitude =
      static_cast<double>(internal::DigitsValue(digits, static_cast<int>(count))) /
      internal::kDecimalScale[decimals];
  *value = magnitude * internal::kSign[negative];
  return true;
}

}  // namespace greengate::profile
