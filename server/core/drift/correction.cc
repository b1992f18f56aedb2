#include "server/core/drift/correction.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace greengate::drift {
namespace {

std::vector<double> BenjaminiHochberg(absl::Span<const double> p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  // NaN sorts last, which keeps the comparison a strict weak order.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return p[a] < p[b] || (!std::isnan(p[a]) && std::isnan(p[b]));
  });
  std::vector<double> adjusted(m);
  double running_min = 1.0;
  for (size_t rank = m; rank >= 1; --rank) {
    const size_t index = order[rank - 1];
    // m / rank first, then the product: the same rounding as scipy.
    const double scaled = p[index] * (static_cast<double>(m) / static_cast<double>(rank));
    running_min = std::isnan(scaled) ? running_min : std::min(running_min, scaled);
    adjusted[index] = std::isnan(scaled) ? scaled : std::clamp(running_min, 0.0, 1.0);
  }
  return adjusted;
}

}  // namespace

std::vector<double> AdjustPValues(absl::Span<const double> p_values, Correction correction) {
  switch (correction) {
    case Correction::kBenjaminiHochberg:
      return BenjaminiHochberg(p_values);
    case Correction::kBonferroni: {
      std::vector<double> adjusted(p_values.begin(), p_values.end());
      const double m = static_cast<double>(adjusted.size());
      for (double& p : adjusted) p = std::isnan(p) ? p : std::min(1.0, p * m);
      return adjusted;
    }
    case Correction::kNone:
      break;
  }
  return std::vector<double>(p_values.begin(), p_values.end());
}

}  // namespace greengate::drift
