#include "server/core/gain/evidence.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/status_macros.h"
#include "server/core/gain/challenger.h"
#include "server/core/gain/headroom.h"
#include "server/core/gain/normal.h"

namespace greengate::gain {
namespace {

// Fills the gain fields from a degradation and its standard error.
void FillFromDegradation(double degradation, double se, const GainOptions& options,
                         GainEstimate* out) {
  const double z = NormalQuantile(options.confidence);
  const double r = out->recovery_ratio;
  out->has_evidence = true;
  out->degradation = degradation;
  out->standard_error = se;
  out->degradation_lower_bound = degradation - z * se;
  out->expected = r * std::max(0.0, degradation);
  out->lower_bound = r * std::max(0.0, degradation - z * se);
  out->upper_bound = r * std::max(0.0, degradation + z * se);
}

double ReferenceVariance(const ReferenceAccuracy& ref) {
  if (ref.evaluation_rows <= 0) return 0;
  return ref.accuracy * (1 - ref.accuracy) / static_cast<double>(ref.evaluation_rows);
}

std::string Summary(const GainEstimate& g) {
  return absl::StrFormat("%s: expected %.4f, lower bound %.4f", g.method, g.expected,
                         g.lower_bound);
}

// The challenger measures the opportunity directly, so it replaces the other estimates; the
// labeled window's measurements stay for the accuracy floor.
GainEstimate WithChallenger(GainEstimate challenger, const GainEstimate& base) {
  challenger.reference_accuracy = base.reference_accuracy;
  challenger.has_labels = base.has_labels;
  challenger.labeled_rows = base.labeled_rows;
  challenger.labeled_correct = base.labeled_correct;
  challenger.current_accuracy_lower = base.current_accuracy_lower;
  challenger.current_accuracy_upper = base.current_accuracy_upper;
  if (base.has_labels) challenger.current_accuracy = base.current_accuracy;
  challenger.considered =
      absl::StrCat("challenger kept: it measures what a retrain reaches now; ",
                   base.has_evidence ? Summary(base) : absl::StrCat(base.method, ": no estimate"));
  return challenger;
}

// Of the degradation against the reference and the headroom, the larger lower bound: each is
// a valid bound on what a retrain wins, and the reference misses the opportunity when the
// deployed model was trained in bad conditions.
GainEstimate BestOfLabeledAndHeadroom(GainEstimate base, std::optional<GainEstimate> headroom) {
  if (!headroom) return base;
  if (headroom->lower_bound > base.lower_bound) {
    headroom->reference_accuracy = base.reference_accuracy;
    headroom->current_accuracy_lower = base.current_accuracy_lower;
    headroom->current_accuracy_upper = base.current_accuracy_upper;
    headroom->considered =
        absl::StrCat("headroom kept, its lower bound is higher than ", Summary(base));
    return *std::move(headroom);
  }
  base.considered =
      absl::StrCat(base.method, " kept, its lower bound is not below ", Summary(*headroom));
  return base;
}

}  // namespace

absl::StatusOr<GainEstimate> EstimateGainFromEvidence(const GainEvidence& e,
                                                      const GainOptions& options) {
  std::vector<PastOutcome> same_plan;
  for (const PastOutcome& o : e.history) {
    if (o.plan == e.plan) same_plan.push_back(o);
  }
  const LearnedRecovery recovery = LearnRecoveryRatio(same_plan, options.recovery_ratio);
  GainOptions learned = options;
  learned.recovery_ratio = recovery.ratio;
  // The labeled path (and all validation of reference, labels and options) is EstimateGain's.
  ASSIGN_OR_RETURN(GainEstimate out, EstimateGain(e.reference, e.labeled, learned));
  out.recovery_ratio_source = recovery.source;
  out.outcomes_used = recovery.outcomes_used;
  // Scores are validated even when labels make them unnecessary: bad input is never ignored.
  std::optional<CbpeAccuracy> cbpe;
  if (e.scores) {
    ASSIGN_OR_RETURN(cbpe, EstimateAccuracyFromScores(*e.scores, "scores"));
  }
  if (e.challenger) {
    const ProxyScale scale = LearnProxyScale(e.history);
    ASSIGN_OR_RETURN(GainEstimate challenger,
                     EstimateChallengerGain(*e.challenger, scale, options, "challenger"));
    return WithChallenger(std::move(challenger), out);
  }
  if (e.labeled) {
    std::optional<GainEstimate> headroom =
        EstimateHeadroomGain(e.attained_accuracies, *e.labeled, e.dataset_drift, learned);
    if (headroom) {
      headroom->recovery_ratio_source = recovery.source;
      headroom->outcomes_used = recovery.outcomes_used;
    }
    return BestOfLabeledAndHeadroom(std::move(out), std::move(headroom));
  }

  std::string why_not_cbpe;
  if (cbpe) {
    if (!e.reference) {
      why_not_cbpe = "scores sent, but the reference has no accuracy to compare with";
    } else if (e.reference_calibration_detail.empty()) {
      why_not_cbpe =
          "scores sent, but the reference was set without scores, so their calibration is "
          "unknown: set the reference with its evaluation-set scores";
    } else if (!e.reference_scores_calibrated) {
      why_not_cbpe = absl::StrCat("scores sent, but the reference's scores are not calibrated (",
                                  e.reference_calibration_detail, ")");
    } else {
      out.method = "cbpe";
      out.current_accuracy = cbpe->accuracy;
      const double se =
          std::sqrt(ReferenceVariance(*e.reference) + cbpe->standard_error * cbpe->standard_error);
      FillFromDegradation(e.reference->accuracy - cbpe->accuracy, se, learned, &out);
      out.evidence = absl::StrFormat(
          "CBPE: mean top-class confidence %.4f over %d rows (calibrated scores: expected "
          "accuracy, SE %.4f) vs reference %.3f",
          cbpe->accuracy, e.scores->rows, cbpe->standard_error, e.reference->accuracy);
      return out;
    }
  }

  if (std::optional<DegradationFit> fit = FitDegradation(e.history, e.drifted_share)) {
    out.method = "history_regression";
    out.outcomes_used = std::max(out.outcomes_used, fit->outcomes_used);
    if (e.reference) out.current_accuracy = e.reference->accuracy - fit->predicted;
    FillFromDegradation(fit->predicted, fit->standard_error, learned, &out);
    out.evidence = absl::StrCat("no labels", why_not_cbpe.empty() ? "" : "; ", why_not_cbpe,
                                "; from this model's history: ", fit->detail);
    return out;
  }
  out.evidence = absl::StrCat(
      why_not_cbpe.empty() ? "no labeled window and no scores" : why_not_cbpe,
      ": send labeled rows (rows, correct) or the deployed model's confidence scores on the new "
      "data; with 3 reported outcomes the gain is also learned from history");
  return out;
}

}  // namespace greengate::gain
