#include "server/core/drift/special_functions.h"

#include <cassert>
#include <cmath>
#include <unsupported/Eigen/SpecialFunctions>

namespace greengate::drift {

double ChiSquareSf(double x, double dof) {
  assert(dof > 0);
  if (!(x > 0)) return 1.0;  // also maps NaN to "no evidence", never a NaN p-value
  if (std::isinf(x)) return 0.0;
  // Eigen's igammac is a port of Cephes igamc, the routine behind scipy's chdtrc.
  return Eigen::numext::igammac(0.5 * dof, 0.5 * x);
}

double NormalSf(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

}  // namespace greengate::drift
