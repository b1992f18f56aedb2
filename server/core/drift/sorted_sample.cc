#include "server/core/drift/sorted_sample.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace greengate::drift::internal {
namespace {

absl::Status Empty(std::string_view field) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(field), ": must not be empty"));
}

absl::Status NaNAt(std::string_view field, size_t i) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(field), "[", i, "]: is NaN"));
}

// Below this size std::sort beats the radix sort's fixed histogram cost.
constexpr size_t kRadixMinSize = 2048;
constexpr int kDigitBits = 11;  // 6 passes over 64-bit keys, 2048 counters each
constexpr int kPasses = 6;
constexpr size_t kBuckets = size_t{1} << kDigitBits;

// An unsigned key with the order of the (NaN-free) double: flip all bits of negatives, set
// the sign bit of the rest. -0.0 lands just below +0.0; they compare equal as doubles, so the
// result is still sorted for `<`.
uint64_t Key(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return (bits & 0x8000000000000000ULL) ? ~bits : bits | 0x8000000000000000ULL;
}

double FromKey(uint64_t key) {
  const uint64_t bits = (key & 0x8000000000000000ULL) ? key & ~0x8000000000000000ULL : ~key;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// LSD radix sort of NaN-free doubles from `in` into `out` (same size): the new sample's sort
// is most of a KS or Wasserstein comparison against a stored-sorted reference. One pass
// computes the keys and all digit histograms; passes whose digit is the same for every key
// are skipped; the last pass writes doubles straight into `out`. The two key buffers are
// kept per thread and reused: fresh ones would be mapped and page-faulted in on every call,
// which costs as much as the sort itself (each thread keeps 16 bytes per value of the largest
// sample it sorted).
void RadixSort(absl::Span<const double> in, double* out) {
  const size_t n = in.size();
  thread_local std::vector<uint64_t> keys_buffer;
  thread_local std::vector<uint64_t> scratch_buffer;
  if (keys_buffer.size() < n) {
    keys_buffer.resize(n);
    scratch_buffer.resize(n);
  }
  uint64_t* keys = keys_buffer.data();
  uint64_t* scratch = scratch_buffer.data();
  std::vector<std::array<uint32_t, kBuckets>> counts(kPasses);
  for (auto& c : counts) c.fill(0);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = Key(in[i]);
    keys[i] = k;
    for (int p = 0; p < kPasses; ++p) ++counts[p][(k >> (p * kDigitBits)) & (kBuckets - 1)];
  }
  std::array<int, kPasses> active{};
  int passes = 0;
  for (int p = 0; p < kPasses; ++p) {
    const uint64_t first_digit = (keys[0] >> (p * kDigitBits)) & (kBuckets - 1);
    if (counts[p][first_digit] != n) active[passes++] = p;  // else every key has this digit
  }
  if (passes == 0) {  // all keys equal
    for (size_t i = 0; i < n; ++i) out[i] = FromKey(keys[i]);
    return;
  }
  for (int a = 0; a < passes; ++a) {
    const int p = active[a];
    auto& c = counts[p];
    uint32_t offset = 0;
    for (auto& slot : c) {
      const uint32_t count = slot;
      slot = offset;
      offset += count;
    }
    const int shift = p * kDigitBits;
    if (a + 1 == passes) {
      for (size_t i = 0; i < n; ++i) {
        const uint64_t k = keys[i];
        out[c[(k >> shift) & (kBuckets - 1)]++] = FromKey(k);
      }
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      const uint64_t k = keys[i];
      scratch[c[(k >> shift) & (kBuckets - 1)]++] = k;
    }
    std::swap(keys, scratch);
  }
}

}  // namespace

absl::Status CheckSortedSample(absl::Span<const double> values, std::string_view field) {
  if (values.empty()) return Empty(field);
  if (std::isnan(values[0])) return NaNAt(field, 0);
  for (size_t i = 1; i < values.size(); ++i) {
    if (std::isnan(values[i])) return NaNAt(field, i);
    if (values[i] < values[i - 1]) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(field), ": must be sorted ascending, but [", i,
                       "] = ", values[i], " < [", i - 1, "] = ", values[i - 1]));
    }
  }
  return absl::OkStatus();
}

absl::Status SortInto(absl::Span<const double> values, std::string_view field,
                      std::vector<double>* out) {
  if (values.empty()) return Empty(field);
  for (size_t i = 0; i < values.size(); ++i) {
    // std::sort needs a strict weak order, which NaN breaks.
    if (std::isnan(values[i])) return NaNAt(field, i);
  }
  if (values.size() < kRadixMinSize || values.size() > UINT32_MAX) {
    out->assign(values.begin(), values.end());
    std::sort(out->begin(), out->end());
    return absl::OkStatus();
  }
  out->resize(values.size());
  RadixSort(values, out->data());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<double>> SortedCopy(absl::Span<const double> values,
                                               std::string_view field) {
  std::vector<double> sorted;
  RETURN_IF_ERROR(SortInto(values, field, &sorted));
  return sorted;
}

}  // namespace greengate::drift::internal
