#include "server/core/gain/learned.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace greengate::gain {

LearnedRecovery LearnRecoveryRatio(const std::vector<PastOutcome>& outcomes, double prior) {
  double sum = 0;
  int n = 0;
  for (const PastOutcome& o : outcomes) {
    if (!o.expected_degradation || !o.accuracy_before || !o.accuracy_after) continue;
    if (!(*o.expected_degradation >= kMinExpectedDegradation)) continue;
    const double realised = (*o.accuracy_after - *o.accuracy_before) / *o.expected_degradation;
    if (!std::isfinite(realised)) continue;
    sum += std::clamp(realised, 0.0, 1.0);
    ++n;
  }
  LearnedRecovery out;
  out.outcomes_used = n;
  if (n == 0) {
    out.ratio = prior;
    out.source = "policy prior";
    return out;
  }
  out.realised_mean = sum / n;
  const double w = n / (n + kRecoveryPriorWeight);
  out.ratio = std::clamp(w * out.realised_mean + (1 - w) * prior, 0.01, 1.0);
  out.source = absl::StrFormat(
      "learned: %d outcomes realised %.3f of the expected degradation on average, shrunk to "
      "the policy prior %.3f with weight n/(n+%g) = %.3f",
      n, out.realised_mean, prior, kRecoveryPriorWeight, w);
  return out;
}

std::optional<DegradationFit> FitDegradation(const std::vector<PastOutcome>& outcomes,
                                             double drifted_share) {
  std::vector<double> xs, ys;
  for (const PastOutcome& o : outcomes) {
    if (!o.reference_accuracy || !o.accuracy_before) continue;
    const double y = *o.reference_accuracy - *o.accuracy_before;
    if (!std::isfinite(y) || !std::isfinite(o.drifted_share)) continue;
    xs.push_back(o.drifted_share);
    ys.push_back(y);
  }
  const int n = static_cast<int>(xs.size());
  if (n < 3) return std::nullopt;
  const bool constant_x = std::all_of(xs.begin(), xs.end(), [&](double x) { return x == xs[0]; });
  const int p = constant_x ? 1 : 2;
  Eigen::MatrixXd X(n, p);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    X(i, 0) = 1;
    if (p == 2) X(i, 1) = xs[i];
    y(i) = ys[i];
  }
  const Eigen::VectorXd beta = X.colPivHouseholderQr().solve(y);
  const Eigen::VectorXd residuals = y - X * beta;
  const double s2 = residuals.squaredNorm() / (n - p);
  Eigen::VectorXd x0(p);
  x0(0) = 1;
  if (p == 2) x0(1) = drifted_share;
  const Eigen::MatrixXd xtx_inv = (X.transpose() * X).inverse();
  const double leverage = x0.dot(xtx_inv * x0);

  DegradationFit fit;
  fit.intercept = beta(0);
  fit.slope = p == 2 ? beta(1) : 0;
  fit.predicted = x0.dot(beta);
  fit.standard_error = std::sqrt(std::max(0.0, s2 * (1 + leverage)));
  fit.outcomes_used = n;
  fit.detail = absl::StrFormat(
      "degradation = %.4f + %.4f x drifted share (least squares over %d outcomes%s): %.4f at "
      "share %.3f, prediction SE %.4f",
      fit.intercept, fit.slope, n, p == 1 ? ", equal shares: mean only" : "", fit.predicted,
      drifted_share, fit.standard_error);
  return fit;
}

}  // namespace greengate::gain
