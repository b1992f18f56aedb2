#pragma once

// The difference of two accuracies measured on the same rows (paired proportions), with a
// confidence interval. Pure and thread-safe.

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace greengate::gain {

// Two classifiers scored on the same `rows` labeled rows: the first (a challenger) and the
// second (the deployed model). The discordant counts (rows only one of them got right) make
// the pair's correlation known; without them it is taken as zero, which widens the interval
// when the two models mostly agree (the usual case), so the bound stays conservative.
struct PairedCounts {
  int64_t rows = 0;
  int64_t first_correct = 0;
  int64_t second_correct = 0;
  std::optional<int64_t> first_only_correct;   // right by the first, wrong by the second
  std::optional<int64_t> second_only_correct;  // right by the second, wrong by the first
};

// The difference first - second of the two accuracies, with its interval.
struct DifferenceInterval {
  double difference = 0;
  double lower = 0;
  double upper = 0;
  double phi = 0;       // correlation of the pair used (0 when the discordant counts are unknown)
  bool paired = false;  // the discordant counts were given
};

// The names errors give the counts (after `field` + "."), so a caller's own names show, e.g.
// a challenger's "proxy_correct" for `first_correct`.
struct PairedNames {
  absl::string_view first_correct = "first_correct";
  absl::string_view second_correct = "second_correct";
  absl::string_view first_only_correct = "first_only_correct";
  absl::string_view second_only_correct = "second_only_correct";
};

// ValidatePairedCounts(): InvalidArgument naming `field` + ".rows" (<= 0),
// ".first_correct" / ".second_correct" (outside [0, rows]), ".first_only_correct" /
// ".second_only_correct" (given alone, negative, or inconsistent with the totals: the 2 x 2
// table a = first - first_only, b = first_only, c = second_only, d = rows - a - b - c must have
// no negative cell and a + c = second_correct).
absl::Status ValidatePairedCounts(const PairedCounts& counts, absl::string_view field,
                                  const PairedNames& names = {});

// NewcombePairedInterval(): Newcombe's hybrid score interval for a difference of paired
// proportions (Newcombe 1998, "Improved confidence intervals for the difference between
// binomial proportions based on paired data", Statistics in Medicine 17:2635-2650, method 10):
// with the 2 x 2 table a (both right), b (first only), c (second only), d (neither), n rows,
//   p1 = (a + b) / n, p2 = (a + c) / n, (l1, u1), (l2, u2) their Wilson score intervals,
//   phi = (a d - b c) / sqrt((a + b)(c + d)(a + c)(b + d))   (0 when a margin is empty),
//   lower = p1 - p2 - sqrt((p1 - l1)^2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)^2),
//   upper = p1 - p2 + sqrt((u1 - p1)^2 - 2 phi (u1 - p1)(p2 - l2) + (p2 - l2)^2),
// two-sided at `confidence` (0.9: each end one-sided at 0.95). Without discordant counts phi
// is 0 and this is Newcombe's interval for independent proportions (Newcombe 1998, Statistics
// in Medicine 17:873-890, method 10; statsmodels confint_proportions_2indep(method="newcomb")).
// Errors as ValidatePairedCounts, and "confidence" outside (0, 1).
absl::StatusOr<DifferenceInterval> NewcombePairedInterval(const PairedCounts& counts,
                                                          double confidence,
                                                          absl::string_view field,
                                                          const PairedNames& names = {});

}  // namespace greengate::gain
