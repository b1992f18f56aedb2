#include "server/core/profile/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace greengate::profile {

double Variance(double m2, int64_t count, int ddof) {
  if (count <= ddof) return std::numeric_limits<double>::quiet_NaN();
  return std::max(m2, 0.0) / static_cast<double>(count - ddof);
}

double StdDev(double m2, int64_t count, int ddof) { return std::sqrt(Variance(m2, count, ddof)); }

}  // namespace greengate::profile
