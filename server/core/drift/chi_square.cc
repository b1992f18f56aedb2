#include "server/core/drift/chi_square.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/core/drift/special_functions.h"

namespace greengate::drift {
namespace {

absl::Status CheckCounts(absl::Span<const double> counts, const char* field) {
  for (size_t i = 0; i < counts.size(); ++i) {
    if (!std::isfinite(counts[i]) || counts[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "]: must be finite and >= 0, got ", counts[i]));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ChiSquareResult> ChiSquareHomogeneity(absl::Span<const double> reference_counts,
                                                     absl::Span<const double> current_counts) {
  if (reference_counts.empty()) {
    return absl::InvalidArgumentError("reference_counts: must not be empty");
  }
  if (reference_counts.size() != current_counts.size()) {
    return absl::InvalidArgumentError(absl::StrCat("current_counts: has ", current_counts.size(),
                                                   " categories, reference_counts ",
                                                   reference_counts.size()));
  }
  if (absl::Status s = CheckCounts(reference_counts, "reference_counts"); !s.ok()) return s;
  if (absl::Status s = CheckCounts(current_counts, "current_counts"); !s.ok()) return s;

  // Keep the columns with any count (see the header on why empty columns are dropped).
  std::array<std::vector<double>, 2> rows;
  std::array<double, 2> row_totals = {0, 0};
  for (size_t j = 0; j < reference_counts.size(); ++j) {
    if (reference_counts[j] == 0 && current_counts[j] == 0) continue;
    rows[0].push_back(reference_counts[j]);
    rows[1].push_back(current_counts[j]);
    row_totals[0] += reference_counts[j];
    row_totals[1] += current_counts[j];
  }
  if (!(row_totals[0] > 0)) return absl::InvalidArgumentError("reference_counts: sum to 0");
  if (!(row_totals[1] > 0)) return absl::InvalidArgumentError("current_counts: sum to 0");

  const size_t k = rows[0].size();
  const int64_t dof = static_cast<int64_t>(k) - 1;
  if (dof == 0) return ChiSquareResult{0.0, 0, 1.0};

  const double total = row_totals[0] + row_totals[1];
  double statistic = 0;
  for (size_t r = 0; r < 2; ++r) {
    for (size_t j = 0; j < k; ++j) {
      const double expected = row_totals[r] * (rows[0][j] + rows[1][j]) / total;
      double observed = rows[r][j];
      if (dof == 1) {  // Yates, never overshooting the expectation (scipy gh-13875)
        const double diff = expected - observed;
        observed += std::copysign(std::min(0.5, std::fabs(diff)), diff);
      }
      const double deviation = observed - expected;
      statistic += deviation * deviation / expected;
    }
  }
  return ChiSquareResult{statistic, dof, ChiSquareSf(statistic, static_cast<double>(dof))};
}

}  // namespace greengate::drift
