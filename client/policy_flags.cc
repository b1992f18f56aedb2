#include "client/policy_flags.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace greengate::client {
namespace {

constexpr char kGroup[] = "Policy fields (instead of --policy)";

template <typename T>
void Add(CLI::App* sub, const std::string& name, std::optional<T>* field, const std::string& help,
         const CLI::Validator& check) {
  sub->add_option_function<T>(
         name, [field](const T& value) { *field = value; }, help)
      ->check(check)
      ->group(kGroup);
}

int64_t RoundSeconds(double seconds) { return static_cast<int64_t>(std::llround(seconds)); }

// A budget flag's value: a finite number >= 0, or "unlimited" (nullopt: the field is cleared).
absl::StatusOr<std::optional<double>> ParseBudget(const std::string& text,
                                                  const std::string& flag) {
  if (absl::AsciiStrToLower(text) == "unlimited") return std::optional<double>();
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value) || value < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": must be a number >= 0 (0 = nothing may be spent) or 'unlimited', got '", text,
        "'"));
  }
  return std::optional<double>(value);
}

void AddBudget(CLI::App* sub, const std::string& name, std::optional<std::string>* field,
               const std::string& help) {
  sub->add_option_function<std::string>(
         name, [field](const std::string& value) { *field = value; }, help)
      ->type_name("NUMBER|unlimited")
      ->group(kGroup);
}

}  // namespace

bool PolicyFlags::empty() const {
  return !p_value_threshold && !distance_threshold && !drift_share && !correction &&
         !large_sample_rows && !accuracy_floor && !min_gain && !min_gain_points_per_kwh &&
         !recovery_ratio && !confidence && !cooldown_hours && !energy_budget_kwh &&
         !budget_window_days && !value_per_accuracy_point && !energy_price_per_kwh &&
         !carbon_price_per_kg && !carbon_budget_kg && !max_deferral_hours && !min_deferral_saving;
}

void AddPolicyFlags(CLI::App* sub, PolicyFlags* f) {
  const CLI::Range unit(0.0, 1.0);
  const CLI::Validator& non_negative = CLI::NonNegativeNumber;
  Add(sub, "--p-value-threshold", &f->p_value_threshold,
      "Drift: per-feature (corrected) p-value below which a feature has drifted", unit);
  Add(sub, "--distance-threshold", &f->distance_threshold,
      "Drift: effect size (Wasserstein/std, PSI, Jensen-Shannon) above which a feature has "
      "drifted, for large samples",
      non_negative);
  Add(sub, "--drift-share", &f->drift_share,
      "Drift: share of drifted features that makes dataset drift", unit);
  sub->add_option_function<std::string>(
         "--correction", [f](const std::string& v) { f->correction = v; },
         "Drift: multiple-testing correction: bh (Benjamini-Hochberg), bonferroni, none")
      ->type_name("NAME")
      ->group(kGroup);
  Add(sub, "--large-sample-rows", &f->large_sample_rows,
      "Drift: rows of the reference profile (missing values included) above which effect "
      "sizes, not p-values, decide",
      CLI::PositiveNumber);
  Add(sub, "--accuracy-floor", &f->accuracy_floor,
      "Gain: labeled accuracy below which retraining is approved at once (flagged)", unit);
  Add(sub, "--min-gain", &f->min_gain,
      "Gain: minimum lower-bound accuracy gain, as a fraction (0.005 = half a point)", unit);
  Add(sub, "--min-gain-points-per-kwh", &f->min_gain_points_per_kwh,
      "Efficiency: minimum lower-bound gain in accuracy points per kWh", non_negative);
  Add(sub, "--recovery-ratio", &f->recovery_ratio,
      "Gain: share of the degradation a retrain is expected to recover", unit);
  Add(sub, "--confidence", &f->confidence, "Gain: one-sided confidence level of the lower bounds",
      unit);
  Add(sub, "--cooldown-hours", &f->cooldown_hours,
      "Cadence: hours since the last approval before another may be approved", non_negative);
  AddBudget(sub, "--energy-budget-kwh", &f->energy_budget_kwh,
            "Budget: approved kWh per window; 0 = nothing may be spent (a freeze), 'unlimited' "
            "removes the budget (the default)");
  Add(sub, "--budget-window-days", &f->budget_window_days,
      "Budget: length of the rolling budget window, in days", CLI::PositiveNumber);
  Add(sub, "--value-per-point", &f->value_per_accuracy_point,
      "Value rule (replaces the efficiency threshold when > 0): worth of one accuracy point",
      non_negative);
  Add(sub, "--energy-price-per-kwh", &f->energy_price_per_kwh,
      "Value rule: price of one kWh, in the same currency", non_negative);
  Add(sub, "--carbon-price-per-kg", &f->carbon_price_per_kg,
      "Value rule: price of one kg CO2e, in the same currency", non_negative);
  AddBudget(sub, "--carbon-budget-kg", &f->carbon_budget_kg,
            "Budget: approved kg CO2e per window; 0 = no emission allowed, 'unlimited' removes "
            "the budget (the default)");
  Add(sub, "--max-deferral-hours", &f->max_deferral_hours,
      "Carbon-aware deferral: how long an approval may wait for a cleaner grid (0 = off)",
      non_negative);
  Add(sub, "--min-deferral-saving", &f->min_deferral_saving,
      "Carbon-aware deferral: share of CO2e a later start must save", CLI::Range(0.0, 1.0));
}

absl::Status ApplyPolicyFlags(const PolicyFlags& f, v1::Policy* p) {
  if (f.p_value_threshold) p->set_p_value_threshold(*f.p_value_threshold);
  if (f.distance_threshold) p->set_distance_threshold(*f.distance_threshold);
  if (f.drift_share) p->set_drift_share_threshold(*f.drift_share);
  if (f.correction) {
    const std::string c = absl::AsciiStrToLower(*f.correction);
    if (c == "bh" || c == "benjamini-hochberg" || c == "benjamini_hochberg") {
      p->set_correction(v1::BENJAMINI_HOCHBERG);
    } else if (c == "bonferroni") {
      p->set_correction(v1::BONFERRONI);
    } else if (c == "none" || c == "no_correction") {
      p->set_correction(v1::NO_CORRECTION);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--correction: must be bh, bonferroni or none, got '", *f.correction, "'"));
    }
  }
  if (f.large_sample_rows) p->set_large_sample_rows(*f.large_sample_rows);
  if (f.accuracy_floor) p->set_accuracy_floor(*f.accuracy_floor);
  if (f.min_gain) p->set_min_gain(*f.min_gain);
  if (f.min_gain_points_per_kwh) p->set_min_gain_points_per_kwh(*f.min_gain_points_per_kwh);
  if (f.recovery_ratio) p->set_recovery_ratio(*f.recovery_ratio);
  if (f.confidence) p->set_confidence(*f.confidence);
  if (f.cooldown_hours) p->set_cooldown_s(RoundSeconds(*f.cooldown_hours * 3600));
  if (f.energy_budget_kwh) {
    ASSIGN_OR_RETURN(const std::optional<double> kwh,
                     ParseBudget(*f.energy_budget_kwh, "--energy-budget-kwh"));
    if (kwh) {
      p->set_energy_budget_kwh(*kwh);
    } else {
      p->clear_energy_budget_kwh();
    }
  }
  if (f.budget_window_days) p->set_budget_window_s(RoundSeconds(*f.budget_window_days * 86400));
  if (f.value_per_accuracy_point) p->set_value_per_accuracy_point(*f.value_per_accuracy_point);
  if (f.energy_price_per_kwh) p->set_energy_price_per_kwh(*f.energy_price_per_kwh);
  if (f.carbon_price_per_kg) p->set_carbon_price_per_kg(*f.carbon_price_per_kg);
  if (f.carbon_budget_kg) {
    ASSIGN_OR_RETURN(const std::optional<double> kg,
                     ParseBudget(*f.carbon_budget_kg, "--carbon-budget-kg"));
    if (kg) {
      p->set_carbon_budget_kg(*kg);
    } else {
      p->clear_carbon_budget_kg();
    }
  }
  if (f.max_deferral_hours) p->set_max_deferral_s(RoundSeconds(*f.max_deferral_hours * 3600));
  if (f.min_deferral_saving) p->set_min_deferral_saving(*f.min_deferral_saving);
  return absl::OkStatus();
}

}  // namespace greengate::client
