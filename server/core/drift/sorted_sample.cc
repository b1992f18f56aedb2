#include "server/core/drift/sorted_sample.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"

namespace greengate::drift::internal {
namespace {

absl::Status Empty(std::string_view field) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(field), ": must not be empty"));
}

absl::Status NaNAt(std::string_view field, size_t i) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(field), "[", i, "]: is NaN"));
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

absl::StatusOr<std::vector<double>> SortedCopy(absl::Span<const double> values,
                                               std::string_view field) {
  if (values.empty()) return Empty(field);
  for (size_t i = 0; i < values.size(); ++i) {
    // std::sort needs a strict weak order, which NaN breaks.
    if (std::isnan(values[i])) return NaNAt(field, i);
  }
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

}  // namespace greengate::drift::internal
