// Replays a year of drifting data through four retraining strategies and prints what each
// spends and keeps: a weekly schedule (always retrain), a plain drift trigger (retrain on
// dataset drift, as an Evidently-triggered pipeline would), greengate (retrain on APPROVE),
// and never retraining. This is the measure users judge greengate by: a small fraction of
// the schedule's energy, fewer retrains than the drift trigger, and mean accuracy within a
// fraction of a point of always retraining.
//
// The world (stated, so the figures can be judged):
// - 6 numeric features, each N(mu_j(week), 1), 5,000 rows a week. Features 0-2 carry the
//   concept: shifting them hurts the model. Features 3-5 do not (covariate shift the model
//   is robust to, which a drift trigger cannot tell apart).
// - A model trained on week t0 has accuracy 0.92 - 0.08 * |mu_concept(week) - mu_concept(t0)|
//   (Euclidean), floored at 0.5: accuracy falls with the distance from its training data.
// - Events: quarterly seasonality (amplitude 0.6) in features 3-5; sudden concept shift at
//   week 10; covariate-only shift at week 20; sudden concept shift at week 30; gradual
//   concept drift of 0.05/week on feature 0 from week 40.
// - Every week the pipeline has 1,000 labeled rows (correct ~ Binomial(1000, accuracy)); the
//   reference accuracy was measured on 4,000 rows when the model was trained.
// - A retrain uses that week's data, costs the plan below, and serves from the next week.
//
// Usage: replay_bench [--weeks-detail] [--check]   (deterministic: fixed seeds)
// --check exits 1 unless greengate spends under 25% of the weekly schedule's energy, retrains
// less often than the drift trigger, and keeps mean accuracy within 0.3 points of the
// schedule: the outcome the thresholds are tuned for, guarded in ctest.

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/core/drift/drift.h"
#include "server/core/energy/energy.h"
#include "server/core/energy/tables.h"
#include "server/core/evaluate.h"
#include "server/core/policy/policy.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/numeric_builder.h"

namespace greengate::bench {
namespace {

constexpr int kWeeks = 52;
constexpr int kFeatures = 6;
constexpr int kConceptFeatures = 3;
constexpr int kRowsPerWeek = 5000;
constexpr int kLabeledRows = 1000;
constexpr int kReferenceEvalRows = 4000;
constexpr double kMaxAccuracy = 0.92;
constexpr double kAccuracyLossPerUnitShift = 0.08;

using Means = std::vector<double>;

// The mean of every feature in `week`.
Means WorldMeans(int week) {
  Means mu(kFeatures, 0.0);
  if (week >= 10) mu[0] += 0.8, mu[1] += 0.4;
  // Quarterly seasonality in the features the model is robust to, and a one-off covariate
  // shift at week 20: drift the data shows, but not the model's accuracy.
  const double season = 0.6 * std::sin(2 * M_PI * week / 13.0);
  for (int j = kConceptFeatures; j < kFeatures; ++j) mu[j] += season + (week >= 20 ? 1.0 : 0.0);
  if (week >= 30) mu[1] -= 0.6, mu[2] += 0.5;
  if (week >= 40) mu[0] += 0.05 * (week - 39);
  return mu;
}

double TrueAccuracy(const Means& trained_on, const Means& now) {
  double d2 = 0;
  for (int j = 0; j < kConceptFeatures; ++j) d2 += std::pow(now[j] - trained_on[j], 2);
  return std::max(0.5, kMaxAccuracy - kAccuracyLossPerUnitShift * std::sqrt(d2));
}

// One week's rows, column-major.
std::vector<std::vector<double>> DrawWeek(int week, uint64_t seed) {
  std::mt19937_64 rng(seed * 7919 + week);
  const Means mu = WorldMeans(week);
  std::vector<std::vector<double>> columns(kFeatures, std::vector<double>(kRowsPerWeek));
  for (int j = 0; j < kFeatures; ++j) {
    std::normal_distribution<double> dist(mu[j], 1.0);
    for (double& v : columns[j]) v = dist(rng);
  }
  return columns;
}

profile::DataProfile Profile(const std::vector<std::vector<double>>& columns,
                             const std::vector<std::vector<double>>* edges) {
  profile::DataProfile out;
  out.rows = kRowsPerWeek;
  for (int j = 0; j < kFeatures; ++j) {
    profile::NumericBuilderOptions options;
    if (edges != nullptr) {
      options.bin_edges = (*edges)[j];
    } else {
      std::vector<double> sorted = columns[j];
      std::sort(sorted.begin(), sorted.end());
      options.bin_edges = *profile::QuantileEdges(sorted, 10);
    }
    options.seed = j + 1;
    profile::NumericBuilder builder = *profile::NumericBuilder::Create(options);
    for (double v : columns[j]) builder.Add(v);
    profile::FeatureProfile feature;
    feature.name = "f" + std::to_string(j);
    feature.count = kRowsPerWeek;
    feature.kind = builder.Finish();
    out.features.push_back(std::move(feature));
  }
  return out;
}

std::vector<std::vector<double>> EdgesOf(const profile::DataProfile& reference) {
  std::vector<std::vector<double>> edges;
  for (const auto& f : reference.features) edges.push_back(f.numeric().bin_edges);
  return edges;
}

energy::TrainingPlan Plan() {
  energy::TrainingPlan plan;
  plan.name = "full";
  plan.accelerator = "nvidia-a100-40gb";
  plan.accelerator_count = 4;
  plan.cpu_cores = 32;
  plan.memory_gb = 256;
  plan.hours = 6;
  plan.region = "us-east4";
  plan.provider = "gcp";
  return plan;
}

enum class Strategy { kWeekly, kDriftTrigger, kGreengate, kNever };
const char* Name(Strategy s) {
  switch (s) {
    case Strategy::kWeekly:
      return "weekly schedule";
    case Strategy::kDriftTrigger:
      return "drift trigger";
    case Strategy::kGreengate:
      return "greengate";
    case Strategy::kNever:
      return "never retrain";
  }
  return "";
}

struct Result {
  int retrains = 0;
  double energy_kwh = 0;
  double co2e_kg = 0;
  double accuracy_sum = 0;
  double accuracy_min = 1;
  int weeks = 0;
  std::string timeline;  // one character a week: R retrain, . keep, d defer
};

Result Replay(Strategy strategy, bool detail) {
  const energy::Tables& tables = energy::Tables::Shipped();
  const energy::TrainingPlan plan = Plan();
  const energy::CostEstimate cost = *energy::EstimateCost(plan, tables);
  policy::Policy policy;  // the documented defaults
  std::mt19937_64 label_rng(42);

  int trained_week = 0;
  profile::DataProfile reference = Profile(DrawWeek(0, 1), nullptr);
  double reference_accuracy =
      std::binomial_distribution<int>(kReferenceEvalRows, kMaxAccuracy)(label_rng) /
      double{kReferenceEvalRows};
  policy::History history;
  const absl::Time start = absl::FromUnixSeconds(1'767'225'600);  // 2026-01-01

  Result r;
  for (int week = 1; week < kWeeks; ++week) {
    const double accuracy = TrueAccuracy(WorldMeans(trained_week), WorldMeans(week));
    r.accuracy_sum += accuracy;
    r.accuracy_min = std::min(r.accuracy_min, accuracy);
    ++r.weeks;

    const auto columns = DrawWeek(week, 1);
    const std::vector<std::vector<double>> edges = EdgesOf(reference);
    const profile::DataProfile current = Profile(columns, &edges);
    const int correct = std::binomial_distribution<int>(kLabeledRows, accuracy)(label_rng);

    bool retrain = false;
    char mark = '.';
    switch (strategy) {
      case Strategy::kWeekly:
        retrain = true;
        break;
      case Strategy::kNever:
        break;
      case Strategy::kDriftTrigger:
        retrain = drift::DetectDrift(reference, current, policy.drift)->dataset_drift;
        break;
      case Strategy::kGreengate: {
        EvaluationInput input;
        input.reference = &reference;
        input.reference_accuracy = gain::ReferenceAccuracy{reference_accuracy, kReferenceEvalRows};
        input.current = &current;
        input.labeled = gain::LabeledWindow{kLabeledRows, correct};
        input.plan = &plan;
        input.policy = &policy;
        input.tables = &tables;
        input.history = history;
        input.now = start + absl::Hours(24 * 7 * week);
        absl::StatusOr<Evaluation> e = Evaluate(input);
        if (!e.ok()) {
          std::fprintf(stderr, "week %d: %s\n", week, e.status().ToString().c_str());
          std::exit(1);
        }
        retrain = e->decision.verdict == policy::Verdict::kApprove;
        if (e->decision.verdict == policy::Verdict::kDefer) mark = 'd';
        if (detail) {
          std::printf("  week %2d  acc %.3f  %-7s  %-16s  %s\n", week, accuracy,
                      policy::VerdictName(e->decision.verdict), e->decision.decided_by.c_str(),
                      e->decision.reason.c_str());
        }
        if (retrain) {
          history.last_approval = input.now;
          history.approved_energy_kwh_in_window += cost.energy_kwh;  // budget is unlimited
        }
        break;
      }
    }
    if (retrain) {
      mark = 'R';
      ++r.retrains;
      r.energy_kwh += cost.energy_kwh;
      r.co2e_kg += cost.co2e_kg;
      trained_week = week;
      reference = Profile(columns, nullptr);
      reference_accuracy =
          std::binomial_distribution<int>(kReferenceEvalRows, kMaxAccuracy)(label_rng) /
          double{kReferenceEvalRows};
    }
    r.timeline.push_back(mark);
  }
  return r;
}

}  // namespace
}  // namespace greengate::bench

int main(int argc, char** argv) {
  using namespace greengate::bench;
  bool detail = false, check = false;
  for (int i = 1; i < argc; ++i) {
    detail |= std::strcmp(argv[i], "--weeks-detail") == 0;
    check |= std::strcmp(argv[i], "--check") == 0;
  }
  const Strategy strategies[] = {Strategy::kWeekly, Strategy::kDriftTrigger, Strategy::kGreengate,
                                 Strategy::kNever};
  Result results[4];
  for (int i = 0; i < 4; ++i) {
    if (detail && strategies[i] == Strategy::kGreengate) std::printf("greengate, week by week:\n");
    results[i] = Replay(strategies[i], detail && strategies[i] == Strategy::kGreengate);
  }
  const Result& weekly = results[0];
  const Result& trigger = results[1];
  std::printf(
      "\nreplay: 51 weekly batches (weeks 1-51), plan 4 x A100-40GB, 32 cores, 256 GB, "
      "6 h, gcp us-east4\n");
  std::printf("%-16s %8s %10s %10s %9s %9s %12s  %s\n", "strategy", "retrains", "kWh", "kg CO2e",
              "mean acc", "min acc", "kWh/weekly", "timeline (R retrain, d defer)");
  for (int i = 0; i < 4; ++i) {
    const Result& r = results[i];
    std::printf("%-16s %8d %10.1f %10.2f %9.4f %9.4f %12.3f  %s\n", Name(strategies[i]), r.retrains,
                r.energy_kwh, r.co2e_kg, r.accuracy_sum / r.weeks, r.accuracy_min,
                r.energy_kwh / weekly.energy_kwh, r.timeline.c_str());
  }
  const Result& gg = results[2];
  std::printf("\ngreengate vs weekly schedule: %.1f%% of the energy, mean accuracy %+.2f points\n",
              100 * gg.energy_kwh / weekly.energy_kwh,
              100 * (gg.accuracy_sum / gg.weeks - weekly.accuracy_sum / weekly.weeks));
  std::printf("greengate vs drift trigger:   %d vs %d retrains, mean accuracy %+.2f points\n",
              gg.retrains, trigger.retrains,
              100 * (gg.accuracy_sum / gg.weeks - trigger.accuracy_sum / trigger.weeks));
  if (check) {
    const double energy_share = gg.energy_kwh / weekly.energy_kwh;
    const double accuracy_gap = weekly.accuracy_sum / weekly.weeks - gg.accuracy_sum / gg.weeks;
    const bool ok = energy_share < 0.25 && gg.retrains < trigger.retrains && accuracy_gap < 0.003;
    std::printf(
        "check: energy share %.3f < 0.25, retrains %d < %d, accuracy gap %.4f < 0.003: %s\n",
        energy_share, gg.retrains, trigger.retrains, accuracy_gap, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
  }
  return 0;
}
