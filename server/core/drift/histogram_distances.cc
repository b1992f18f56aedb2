#include "server/core/drift/histogram_distances.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace greengate::drift {
namespace {

absl::StatusOr<std::vector<double>> Fractions(absl::Span<const double> counts,
                                              std::string_view field) {
  double total = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (!std::isfinite(counts[i]) || counts[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(field), "[", i, "]: must be finite and >= 0, got ", counts[i]));
    }
    total += counts[i];
  }
  if (!(total > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(field), ": counts sum to 0"));
  }
  std::vector<double> fractions(counts.begin(), counts.end());
  for (double& f : fractions) f /= total;
  return fractions;
}

struct FractionPair {
  std::vector<double> reference;
  std::vector<double> current;
};

absl::StatusOr<FractionPair> BothFractions(absl::Span<const double> reference_counts,
                                           absl::Span<const double> current_counts) {
  if (reference_counts.empty()) {
    return absl::InvalidArgumentError("reference_counts: must not be empty");
  }
  if (reference_counts.size() != current_counts.size()) {
    return absl::InvalidArgumentError(absl::StrCat("current_counts: has ", current_counts.size(),
                                                   " bins, reference_counts ",
                                                   reference_counts.size()));
  }
  FractionPair pair;
  ASSIGN_OR_RETURN(pair.reference, Fractions(reference_counts, "reference_counts"));
  ASSIGN_OR_RETURN(pair.current, Fractions(current_counts, "current_counts"));
  return pair;
}

// Evidently's rule: zeros become 1e-4, or min_nonzero / 1e6 when min_nonzero <= 1e-4.
void FillZeros(std::vector<double>& fractions) {
  double min_nonzero = 1.0;
  for (double f : fractions) {
    if (f > 0) min_nonzero = std::min(min_nonzero, f);
  }
  const double eps = min_nonzero <= 1e-4 ? min_nonzero / 1e6 : 1e-4;
  for (double& f : fractions) {
    if (f == 0) f = eps;
  }
}

// x ln(x / y) with scipy.special.rel_entr's conventions for zeros (y > 0 whenever x > 0 here).
double RelativeEntropy(double x, double y) { return x > 0 ? x * std::log(x / y) : 0.0; }

}  // namespace

absl::StatusOr<double> PopulationStabilityIndex(absl::Span<const double> reference_counts,
                                                absl::Span<const double> current_counts) {
  ASSIGN_OR_RETURN(FractionPair f, BothFractions(reference_counts, current_counts));
  FillZeros(f.reference);
  FillZeros(f.current);
  double psi = 0;
  for (size_t i = 0; i < f.reference.size(); ++i) {
    psi += (f.reference[i] - f.current[i]) * std::log(f.reference[i] / f.current[i]);
  }
  return psi;
}

absl::StatusOr<double> KullbackLeibler(absl::Span<const double> reference_counts,
                                       absl::Span<const double> current_counts) {
  ASSIGN_OR_RETURN(FractionPair f, BothFractions(reference_counts, current_counts));
  FillZeros(f.reference);
  FillZeros(f.current);
  double sum_r = 0;
  double sum_c = 0;
  for (size_t i = 0; i < f.reference.size(); ++i) {
    sum_r += f.reference[i];
    sum_c += f.current[i];
  }
  double kl = 0;
  for (size_t i = 0; i < f.reference.size(); ++i) {
    kl += RelativeEntropy(f.reference[i] / sum_r, f.current[i] / sum_c);
  }
  return kl;
}

absl::StatusOr<double> JensenShannonDivergence(absl::Span<const double> reference_counts,
                                               absl::Span<const double> current_counts,
                                               double base) {
  if (!(base > 0) || base == 1 || !std::isfinite(base)) {
    return absl::InvalidArgumentError(
        absl::StrCat("base: must be finite, > 0 and != 1, got ", base));
  }
  ASSIGN_OR_RETURN(const FractionPair f, BothFractions(reference_counts, current_counts));
  double left = 0;
  double right = 0;
  for (size_t i = 0; i < f.reference.size(); ++i) {
    const double m = (f.reference[i] + f.current[i]) / 2;
    left += RelativeEntropy(f.reference[i], m);
    right += RelativeEntropy(f.current[i], m);
  }
  // Rounding can leave -1e-17 for identical inputs; a divergence is never negative.
  return std::max(0.0, (left + right) / std::log(base) / 2);
}

absl::StatusOr<double> JensenShannonDistance(absl::Span<const double> reference_counts,
                                             absl::Span<const double> current_counts, double base) {
  ASSIGN_OR_RETURN(const double divergence,
                   JensenShannonDivergence(reference_counts, current_counts, base));
  return std::sqrt(divergence);
}

absl::StatusOr<double> HellingerDistance(absl::Span<const double> reference_counts,
                                         absl::Span<const double> current_counts) {
  ASSIGN_OR_RETURN(const FractionPair f, BothFractions(reference_counts, current_counts));
  double squares = 0;
  for (size_t i = 0; i < f.reference.size(); ++i) {
    const double diff = std::sqrt(f.reference[i]) - std::sqrt(f.current[i]);
    squares += diff * diff;
  }
  return std::sqrt(squares / 2);
}

absl::StatusOr<double> LInfinityDistance(absl::Span<const double> reference_counts,
                                         absl::Span<const double> current_counts) {
  ASSIGN_OR_RETURN(const FractionPair f, BothFractions(reference_counts, current_counts));
  double largest = 0;
  for (size_t i = 0; i < f.reference.size(); ++i) {
    largest = std::max(largest, std::fabs(f.reference[i] - f.current[i]));
  }
  return largest;
}

}  // namespace greengate::drift
