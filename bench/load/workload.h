#pragma once

// The two request shapes bench/load drives ShouldRetrain with, built deterministically from a
// seed so every run sends the same bytes:
//   light: 20 numeric features, histograms only (decile bins, moments; no samples), the
//          shape a pipeline sends when it profiles a day of data with `greengate profile`;
//   heavy: 100 numeric features, each with a 1,000-value reservoir sample beside its bins,
//          so the server runs a two-sample test per feature.
// A policy without cooldown or budgets, so every request is decided on its data alone and no
// verdict depends on the previous one. Pure functions; thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "greengate/v1/greengate.pb.h"

namespace greengate::bench {

enum class Workload { kLight, kHeavy };

// "light" or "heavy"; InvalidArgument otherwise.
absl::StatusOr<Workload> ParseWorkload(absl::string_view text);
absl::string_view WorkloadName(Workload workload);

// Features per profile and sample values per feature (0 = histograms only).
struct WorkloadShape {
  int features = 0;
  int sample_values = 0;
};
WorkloadShape ShapeOf(Workload workload);

// The reference profile SetReference stores for every model of the run (10,000 rows), with
// the deployed model's accuracy on its evaluation set.
v1::DataProfile ReferenceProfile(Workload workload);
inline constexpr double kReferenceAccuracy = 0.91;
inline constexpr int kReferenceEvaluationRows = 5000;

// A policy for `model_name` ("models/<id>") with no cooldown and no energy or carbon budget.
v1::Policy LoadPolicy(const std::string& model_name);

// `variants` distinct ShouldRetrain requests for `model_name`: current profiles of 2,000
// rows, half the reference's distribution and half shifted with a labeled window showing an
// accuracy drop (so verdicts vary), all with the same plan.
// No idempotency key: every call makes a new decision.
std::vector<v1::ShouldRetrainRequest> MakeRequests(Workload workload, const std::string& model_name,
                                                   int variants);

}  // namespace greengate::bench
