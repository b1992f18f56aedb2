#include "server/core/profile/decimal.h"

namespace greengate::profile::internal {

bool ParseLongPlainDecimalPadded(const char* p, const char* end, bool negative, double* value) {
  // Digits are counted in 8-byte loads that may run past the field: cap them to the field.
  const int avail = static_cast<int>(std::min<std::ptrdiff_t>(end - p, 9));
  const uint64_t int_chunk = Load8(p);
  const int int_digits = std::min(LeadingDigits(int_chunk), avail);
  if (int_digits == 0 || int_digits == 8) return false;  // none, or maybe more than 8
  const char* const point = p + int_digits;
  if (point == end || *point != '.') return false;  // 9+ bytes cannot all be integer digits here
  const std::ptrdiff_t frac_avail = end - (point + 1);
  if (frac_avail == 0 || frac_avail > 8) return false;
  const uint64_t frac_chunk = Load8(point + 1);
  const int frac_digits = LeadingDigits(frac_chunk);
  if (frac_digits < frac_avail) return false;
  // At most 7 + 8 = 15 digits, so the mantissa is below 10^15 < 2^53: an exact double.
  const int decimals = static_cast<int>(frac_avail);
  const uint64_t mantissa = DigitsValue(int_chunk, int_digits) * kDecimalScaleInt[decimals] +
                            DigitsValue(frac_chunk, decimals);
  const double magnitude = static_cast<double>(mantissa) / kDecimalScale[decimals];
  *value = magnitude * kSign[negative];
  return true;
}

}  // namespace greengate::profile::internal
