#include "server/core/governance/report.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "server/core/governance/iso_week.h"

namespace greengate::governance {
namespace {

// The ISO weeks overlapping [start, end), in order.
std::vector<WeeklyEnergy> EmptyWeeks(absl::Time start, absl::Time end) {
  std::vector<WeeklyEnergy> weeks;
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilDay last = absl::ToCivilDay(end - absl::Nanoseconds(1), utc);
  std::string previous;
  for (absl::CivilDay day = absl::ToCivilDay(start, utc); day <= last; ++day) {
    std::string label = IsoWeekLabel(day);
    if (label != previous) weeks.push_back(WeeklyEnergy{label, 0, 0});
    previous = std::move(label);
  }
  return weeks;
}

WeeklyEnergy& WeekOf(std::vector<WeeklyEnergy>& weeks, absl::Time t) {
  const std::string label = IsoWeekLabel(t);
  for (WeeklyEnergy& w : weeks) {
    if (w.week == label) return w;
  }
  weeks.push_back(WeeklyEnergy{label, 0, 0});  // unreachable for times inside the period
  return weeks.back();
}

void CountAvoided(const DecisionInput& d, Summary& s) {
  s.avoided_energy_kwh += d.energy_kwh;
  s.avoided_co2e_kg += d.co2e_kg;
  ++s.avoided_jobs;
  WeekOf(s.weeks, d.time).avoided_energy_kwh += d.energy_kwh;
}

// One model's decisions, oldest first, into `s` (verdicts, energy, overrides, drift).
void AddDecisions(const std::vector<const DecisionInput*>& decisions, Summary& s,
                  std::map<std::string, int64_t>& drift_counts) {
  const DecisionInput* open_deferral = nullptr;  // latest DEFER of the open run
  for (const DecisionInput* d : decisions) {
    ++s.decisions.total;
    if (d->accuracy_floor_override) ++s.accuracy_floor_overrides;
    for (const std::string& f : d->drifted_features) ++drift_counts[f];
    switch (d->verdict) {
      case Verdict::kApprove:
        ++s.decisions.approved;
        s.approved_energy_kwh += d->energy_kwh;
        s.approved_co2e_kg += d->co2e_kg;
        WeekOf(s.weeks, d->time).approved_energy_kwh += d->energy_kwh;
        if (open_deferral != nullptr) ++s.deferrals_later_approved;
        open_deferral = nullptr;
        break;
      case Verdict::kReject:
        ++s.decisions.rejected;
        CountAvoided(*d, s);
        open_deferral = nullptr;  // the rejection counts the postponed job
        break;
      case Verdict::kDefer:
        ++s.decisions.deferred;
        open_deferral = d;
        break;
    }
  }
  if (open_deferral != nullptr) {
    CountAvoided(*open_deferral, s);
    ++s.deferrals_pending;
  }
}

void AddOutcomes(const std::vector<const OutcomeInput*>& outcomes, Summary& s) {
  double expected_sum = 0, realised_sum = 0;
  for (const OutcomeInput* o : outcomes) {
    ++s.outcomes;
    s.measured_energy_kwh += o->measured_energy_kwh;
    s.estimated_energy_kwh += o->estimated_energy_kwh;
    if (o->measured_co2e_kg) s.measured_co2e_kg += *o->measured_co2e_kg;
    if (o->accuracy_before && o->accuracy_after) {
      const double realised = *o->accuracy_after - *o->accuracy_before;
      ++s.outcomes_with_gain;
      expected_sum += o->expected_gain;
      realised_sum += realised;
      s.gains.push_back(GainPoint{o->model, o->decision_seq, o->expected_gain, realised});
    }
  }
  if (s.outcomes_with_gain > 0) {
    s.mean_expected_gain = expected_sum / static_cast<double>(s.outcomes_with_gain);
    s.mean_realised_gain = realised_sum / static_cast<double>(s.outcomes_with_gain);
  }
}

std::vector<FeatureCount> TopFeatures(const std::map<std::string, int64_t>& counts) {
  std::vector<FeatureCount> top;
  for (const auto& [feature, n] : counts) top.push_back(FeatureCount{feature, n});
  std::stable_sort(top.begin(), top.end(), [](const FeatureCount& a, const FeatureCount& b) {
    return a.drifted_decisions > b.drifted_decisions;  // ties stay in name order
  });
  if (top.size() > static_cast<size_t>(kMaxDriftedFeatures)) top.resize(kMaxDriftedFeatures);
  return top;
}

// used / budget; 0 without a budget, and for a budget of 0 (a freeze), of which no share is
// defined: the report shows what was used beside it.
double UsedShare(double used, const std::optional<double>& budget) {
  return budget && *budget > 0 ? used / *budget : 0;
}

// A budget and the shares of it used.
void SetBudget(const BudgetInput& budget, Summary& s) {
  s.budget = budget;
  s.budget_used_share = UsedShare(budget.used_kwh, budget.energy_budget_kwh);
  s.carbon_budget_used_share = UsedShare(budget.used_co2e_kg, budget.carbon_budget_kg);
}

// Adds a model's totals into the overall summary (everything but budget and means).
void Accumulate(const Summary& m, Summary& all) {
  all.decisions.approved += m.decisions.approved;
  all.decisions.rejected += m.decisions.rejected;
  all.decisions.deferred += m.decisions.deferred;
  all.decisions.total += m.decisions.total;
  all.approved_energy_kwh += m.approved_energy_kwh;
  all.approved_co2e_kg += m.approved_co2e_kg;
  all.avoided_energy_kwh += m.avoided_energy_kwh;
  all.avoided_co2e_kg += m.avoided_co2e_kg;
  all.avoided_jobs += m.avoided_jobs;
  all.deferrals_later_approved += m.deferrals_later_approved;
  all.deferrals_pending += m.deferrals_pending;
  all.accuracy_floor_overrides += m.accuracy_floor_overrides;
  for (size_t i = 0; i < all.weeks.size() && i < m.weeks.size(); ++i) {
    all.weeks[i].approved_energy_kwh += m.weeks[i].approved_energy_kwh;
    all.weeks[i].avoided_energy_kwh += m.weeks[i].avoided_energy_kwh;
  }
}

std::vector<std::string> Notes(const Report& r) {
  std::vector<std::string> notes;
  if (r.overall.decisions.total == 0) notes.push_back("No decisions in this period.");
  if (r.overall.outcomes == 0) {
    notes.push_back(
        "No outcomes were reported for this period's decisions: measured energy and realised "
        "gains are unknown.");
  }
  if (r.overall.deferrals_pending > 0) {
    notes.push_back(absl::StrCat(
        r.overall.deferrals_pending,
        " deferred job(s) were still waiting at the period's end; they are counted as avoided "
        "but may be approved later."));
  }
  notes.push_back(
      "Avoided = estimated cost of rejected jobs, plus deferred jobs not approved within the "
      "period (consecutive deferrals of a model count as one job).");
  return notes;
}

}  // namespace

absl::StatusOr<Report> BuildReport(const ReportInput& input) {
  if (input.end <= input.start) {
    return absl::InvalidArgumentError(absl::StrCat("end_time: must be after start_time (",
                                                   absl::FormatTime(input.start), "), got ",
                                                   absl::FormatTime(input.end)));
  }
  // Group by model, keeping each model's decisions in log order.
  std::map<std::string, std::vector<const DecisionInput*>> by_model;
  for (const DecisionInput& d : input.decisions) {
    if (d.time < input.start || d.time >= input.end) continue;
    by_model[d.model].push_back(&d);
  }
  std::map<std::string, std::vector<const OutcomeInput*>> outcomes_by_model;
  for (const OutcomeInput& o : input.outcomes) outcomes_by_model[o.model].push_back(&o);
  for (auto& [model, list] : outcomes_by_model) {
    by_model.try_emplace(model);  // an outcome implies its model had decisions
    std::sort(list.begin(), list.end(), [](const OutcomeInput* a, const OutcomeInput* b) {
      return a->decision_seq < b->decision_seq;
    });
  }

  Report report;
  report.start = input.start;
  report.end = input.end;
  report.overall.weeks = EmptyWeeks(input.start, input.end);
  std::map<std::string, int64_t> all_drift;
  std::vector<const OutcomeInput*> all_outcomes;
  for (auto& [model, decisions] : by_model) {
    std::sort(decisions.begin(), decisions.end(),
              [](const DecisionInput* a, const DecisionInput* b) {
                return std::tie(a->time, a->seq) < std::tie(b->time, b->seq);
              });
    Summary s;
    s.model = model;
    s.weeks = EmptyWeeks(input.start, input.end);
    std::map<std::string, int64_t> drift;
    AddDecisions(decisions, s, drift);
    const auto outcomes = outcomes_by_model.find(model);
    if (outcomes != outcomes_by_model.end()) {
      AddOutcomes(outcomes->second, s);
      all_outcomes.insert(all_outcomes.end(), outcomes->second.begin(), outcomes->second.end());
    }
    s.most_drifted_features = TopFeatures(drift);
    for (const auto& [feature, n] : drift) all_drift[feature] += n;
    if (const auto budget = input.budgets.find(model); budget != input.budgets.end()) {
      SetBudget(budget->second, s);
    }
    Accumulate(s, report.overall);
    report.models.push_back(std::move(s));
  }
  std::sort(all_outcomes.begin(), all_outcomes.end(),
            [](const OutcomeInput* a, const OutcomeInput* b) {
              return a->decision_seq < b->decision_seq;
            });
  AddOutcomes(all_outcomes, report.overall);
  if (input.fleet_budget) SetBudget(*input.fleet_budget, report.overall);
  report.overall.most_drifted_features = TopFeatures(all_drift);
  report.notes = Notes(report);
  return report;
}

}  // namespace greengate::governance
