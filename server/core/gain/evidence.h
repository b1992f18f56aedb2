#pragma once

// The gain estimate from whatever evidence a request brings, strongest first:
//   0. a challenger          -> EstimateChallengerGain (method "challenger"): what a proxy
//                               retrain wins over the deployed model on the same holdout,
//                               scaled by what past full retrains realised (challenger.h);
//   1. a labeled window      -> EstimateGain (method "labeled_window", Wilson interval too),
//                               or, with dataset drift, EstimateHeadroomGain (method
//                               "headroom", headroom.h) when its lower bound is higher: the
//                               degradation against the reference misses the opportunity of a
//                               model whose reference is low;
//   2. confidence scores     -> CBPE (method "cbpe"), only when the reference's own scores were
//                               found calibrated when it was set;
//   3. the model's history   -> degradation regressed on drift magnitude over >= 3 outcomes
//                               (method "history_regression");
//   4. nothing               -> method "none", `evidence` says what to send.
// In every case the recovery ratio is learned from past outcomes of the same plan and shrunk
// to the prior in options (the policy's, or the plan's own) (learned.h). Pure and thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/core/gain/cbpe.h"
#include "server/core/gain/gain.h"
#include "server/core/gain/learned.h"
#include "server/core/gain/paired.h"

namespace greengate::gain {

struct GainEvidence {
  std::optional<ReferenceAccuracy> reference;
  std::optional<LabeledWindow> labeled;
  std::optional<ScoreSummary> scores;  // top-class confidence on the current rows
  // Whether the reference's scores passed CheckCalibration, and its detail; an empty detail
  // means the reference was set without scores.
  bool reference_scores_calibrated = false;
  std::string reference_calibration_detail;
  std::vector<PastOutcome> history;  // the model's outcomes, any order
  double drifted_share = 0;          // of the current request
  // The plan whose gain is estimated: its recovery ratio is learned only from outcomes of
  // plans with this name (a fine-tune recovers differently from a full retrain), while the
  // degradation, a property of the data, is learned from all of them.
  std::string plan;
  // Opportunity evidence. A challenger: the proxy (first) and the deployed model (second)
  // scored on the same recent holdout.
  std::optional<PairedCounts> challenger;
  // The accuracy each version deployed before the current one reached, oldest first
  // (headroom.h), and whether the
  // request's data drifted from the reference (headroom is only used then).
  std::vector<double> attained_accuracies;
  bool dataset_drift = false;
};

// With CBPE or the regression, the degradation d and its standard error se give
//   expected = r max(0, d), lower_bound = r max(0, d - z se), upper_bound = r max(0, d + z se)
// as for a labeled window (gain.h), r the learned recovery ratio. CBPE:
// d = reference accuracy - mean confidence, se^2 = reference binomial variance + the CBPE
// variance (cbpe.h). InvalidArgument as EstimateGain, and "scores.*" as
// EstimateAccuracyFromScores, "challenger.*" as ValidatePairedCounts. The chosen estimate's
// `considered` names the other estimates and why it was kept; a challenger keeps the labeled
// window's fields (has_labels, labeled counts, current accuracy and its interval) for the
// accuracy floor.
absl::StatusOr<GainEstimate> EstimateGainFromEvidence(const GainEvidence& evidence,
                                                      const GainOptions& options);

}  // namespace greengate::gain
