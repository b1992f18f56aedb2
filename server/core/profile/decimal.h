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

}  // namespace internal

// ParsePlainDecimalPadded()
//
// The value of `field` when it is a plain decimal "-?d{1,8}(.d{1,8})?" of at most 15 digits,
// exactly as ParseNumericField() gives it; false (nothing written) for anything else, which
// the caller then parses with ParseNumericField(). Reads up to 8 bytes past the end of
// `field`: the caller guarantees they are readable.
[[gnu::always_inline]] inline bool ParsePlainDecimalPadded(std::string_view field,
                                                     double* value) {
  const char* p = field.data();
  const char* const end = p + field.size();
  if (p == end) return false;
  const bool negative = *p == '-';
  p += negative;
  // Digits are counted in 8-byte loads that may run past the field: cap them to the field.
  const int avail = static_cast<int>(std::min<std::ptrdiff_t>(end - p, 9));
  const uint64_t int_chunk = internal::Load8(p);
  const int int_digits = std::min(internal::LeadingDigits(int_chunk), avail);
  if (int_digits == 0 || int_digits == 8) return false;  // none, or maybe more than 8
  const char* const point = p + int_digits;
  if (point == end) {
    const double magnitude = static_cast<double>(internal::DigitsValue(int_chunk, int_digits));
    *value = negative ? -magnitude : magnitude;
    return true;
  }
  if (*point != '.') return false;
  const std::ptrdiff_t frac_avail = end - (point + 1);
  if (frac_avail == 0 || frac_avail > 8) return false;
  const uint64_t frac_chunk = internal::Load8(point + 1);
  const int frac_digits = internal::LeadingDigits(frac_chunk);
  if (frac_digits < frac_avail) return false;
  // At most 7 + 8 = 15 digits, so the mantissa is below 10^15 < 2^53: an exact double.
  const int decimals = static_cast<int>(frac_avail);
  const uint64_t mantissa =
      internal::DigitsValue(int_chunk, int_digits) * internal::kDecimalScaleInt[decimals] +
      internal::DigitsValue(frac_chunk, decimals);
  const double magnitude = static_cast<double>(mantissa) / internal::kDecimalScale[decimals];
  *value = negative ? -magnitude : magnitude;
  return true;
}

}  // namespace greengate::profile
