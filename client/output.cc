#include "client/output.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace greengate::client {
namespace {

std::string CorrectionName(v1::Correction correction) {
  switch (correction) {
    case v1::BONFERRONI:
      return "Bonferroni";
    case v1::NO_CORRECTION:
      return "none";
    default:
      return "Benjamini-Hochberg";
  }
}

// A p-value of -1 means the test has none.
std::string PValue(double p) { return p < 0 ? "-" : FormatNumber(p, 3); }

std::string CheckResult(const v1::PolicyCheck& check) {
  if (!check.evaluated()) return "skipped";
  return check.passed() ? "pass" : "FAIL";
}

void AppendChecks(const v1::Decision& d, std::string* out) {
  if (d.checks().empty()) return;
  std::vector<std::vector<std::string>> rows = {
      {"", "check", "result", "observed", "limit", "detail"}};
  for (const v1::PolicyCheck& c : d.checks()) {
    const bool shown = c.evaluated();
    rows.push_back({c.decisive() ? "*" : "", c.name(), CheckResult(c),
                    shown ? FormatNumber(c.observed()) : "", shown ? FormatNumber(c.limit()) : "",
                    c.detail()});
  }
  absl::StrAppend(out, "\nchecks (* decided the verdict):\n", FormatTable(rows, "  "));
}

void AppendDrift(const v1::DriftSummary& drift, std::string* out) {
  if (drift.features().empty()) return;
  absl::StrAppend(out, "\ndrift: ", drift.drifted_features(), " of ", drift.features_size(),
                  " features drifted (share ", FormatNumber(drift.drifted_share()), ", threshold ",
                  FormatNumber(drift.share_threshold()), ", correction ",
                  CorrectionName(drift.correction()),
                  "): ", drift.dataset_drift() ? "dataset drift" : "no dataset drift", "\n");
  std::vector<std::vector<std::string>> rows = {
      {"feature", "test", "statistic", "p-value", "adj. p", "threshold", "psi", "why"}};
  for (const v1::FeatureDrift& f : drift.features()) {
    if (!f.drifted()) continue;
    std::string feature = f.feature();
    if (!f.unseen_categories().empty()) {
      absl::StrAppend(&feature, " (unseen: ", absl::StrJoin(f.unseen_categories(), ", "), ")");
    }
    rows.push_back({feature, f.test(), FormatNumber(f.statistic()), PValue(f.p_value()),
                    PValue(f.adjusted_p_value()), FormatNumber(f.threshold()),
                    FormatNumber(f.psi(), 3), f.why()});
  }
  if (rows.size() > 1) {
    absl::StrAppend(out, "drifted features:\n", FormatTable(rows, "  "));
  }
}

void AppendGain(const v1::GainEstimate& g, std::string* out) {
  if (g.method().empty()) return;
  absl::StrAppend(out, "\ngain (", g.method(), "): ");
  if (g.method() == "none") {
    absl::StrAppend(out, "no estimate\n");
  } else {
    absl::StrAppend(out, "expected ", FormatNumber(g.expected()), ", lower bound ",
                    FormatNumber(g.lower_bound()), ", upper bound ", FormatNumber(g.upper_bound()),
                    " (accuracy ", FormatNumber(g.reference_accuracy()), " at deployment, ",
                    FormatNumber(g.current_accuracy()), " now; degradation ",
                    FormatNumber(g.degradation()), ", recovery ratio ",
                    FormatNumber(g.recovery_ratio()), ")\n");
  }
  if (!g.evidence().empty()) absl::StrAppend(out, "  evidence: ", g.evidence(), "\n");
  if (g.current_accuracy_upper() > 0) {
    absl::StrAppend(
        out, "  current accuracy interval (Wilson): ", FormatNumber(g.current_accuracy_lower()),
        " - ", FormatNumber(g.current_accuracy_upper()), "\n");
  }
  if (!g.recovery_ratio_source().empty() && g.recovery_ratio_source() != "policy prior") {
    absl::StrAppend(out, "  recovery ratio: ", g.recovery_ratio_source(), "\n");
  }
}

void AppendCost(const v1::CostEstimate& c, std::string* out) {
  if (c.method().empty()) return;
  absl::StrAppend(out, "\ncost (", c.method(), c.plan().empty() ? "" : ", plan ", c.plan(),
                  "): ", FormatNumber(c.energy_kwh()), " kWh, ", FormatNumber(c.co2e_kg()),
                  " kg CO2e\n");
  absl::StrAppend(out, "  PUE ", FormatNumber(c.pue()), " (", c.pue_source(), "), ",
                  FormatNumber(c.carbon_intensity_g_per_kwh()), " gCO2e/kWh (",
                  c.carbon_intensity_source(), ")\n");
  if (c.energy_kwh_upper() > c.energy_kwh_lower()) {
    absl::StrAppend(out, "  interval ", FormatNumber(c.energy_kwh_lower()), " - ",
                    FormatNumber(c.energy_kwh_upper()), " kWh from ", c.outcomes_used(),
                    " measured outcomes (Green Algorithms alone: ",
                    FormatNumber(c.green_algorithms_energy_kwh()), " kWh)\n");
  }
  if (!c.method_detail().empty()) absl::StrAppend(out, "  method: ", c.method_detail(), "\n");
  if (c.breakdown().empty()) return;
  std::vector<std::vector<std::string>> rows = {{"component", "kWh", "power W", "source"}};
  for (const v1::CostComponent& part : c.breakdown()) {
    rows.push_back({part.name(), FormatNumber(part.energy_kwh()), FormatNumber(part.power_w()),
                    part.source()});
  }
  absl::StrAppend(out, FormatTable(rows, "  "));
}

// The server's reason may already start with the verdict ("REJECT: ..."); print it once.
std::string Reason(const v1::Decision& d) {
  const std::string prefix = v1::Verdict_Name(d.verdict()) + ": ";
  if (d.reason().rfind(prefix, 0) == 0) return d.reason().substr(prefix.size());
  return d.reason();
}

}  // namespace

std::string FormatNumber(double value, int digits) {
  if (value == 0) return "0";  // also turns -0 into 0
  return absl::StrFormat("%.*g", digits, value);
}

std::string FormatTimestamp(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows,
                        const std::string& indent) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = indent;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0 && widths[i - 1] > 0) line.append("  ");
      line.append(row[i]);
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size(), ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string FormatDecision(const v1::Decision& d) {
  std::string out = absl::StrCat(v1::Verdict_Name(d.verdict()), ": ", Reason(d), "\n");
  absl::StrAppend(&out, "\ndecision:   ", d.name(), " (", FormatTimestamp(d.create_time()),
                  ")\nmodel:      ", d.model(), " version ", d.model_version(), ", policy v",
                  d.policy_version(), "\ndecided by: ", d.decided_by(), "\n");
  if (d.has_retry_after()) {
    absl::StrAppend(&out, "retry after: ", FormatTimestamp(d.retry_after()), "\n");
  }
  if (d.accuracy_floor_override()) {
    absl::StrAppend(&out,
                    "override:   accuracy floor breached: approved despite the other checks\n");
  }
  if (!d.idempotency_key().empty()) {
    absl::StrAppend(&out, "idempotency key: ", d.idempotency_key(), "\n");
  }
  if (!d.caller().empty()) {  // decisions made before callers were recorded have none
    absl::StrAppend(&out, "caller:     ", d.caller());
    if (!d.caller_role().empty()) absl::StrAppend(&out, " (", d.caller_role(), ")");
    if (!d.caller_certificate().empty()) {
      absl::StrAppend(&out, ", certificate ", d.caller_certificate());
    }
    absl::StrAppend(&out, "\n");
  }
  AppendChecks(d, &out);
  AppendDrift(d.drift(), &out);
  AppendGain(d.gain(), &out);
  AppendCost(d.cost(), &out);
  if (d.has_suggested_start()) {
    absl::StrAppend(&out, "\ncarbon-aware start: ", FormatTimestamp(d.suggested_start()), " saves ",
                    FormatNumber(d.co2e_saved_kg()), " kg CO2e\n");
  }
  if (!d.plan_choice().empty()) absl::StrAppend(&out, "\nplans: ", d.plan_choice(), "\n");
  if (d.has_outcome()) {
    const v1::Outcome& o = d.outcome();
    absl::StrAppend(&out, "\noutcome (", o.source(), "): ", FormatNumber(o.energy_kwh()),
                    " kWh measured vs ", FormatNumber(o.estimated_energy_kwh()), " estimated, ",
                    FormatNumber(o.co2e_kg()), " kg CO2e");
    if (o.has_accuracy_after()) {
      absl::StrAppend(&out, "; accuracy ",
                      o.has_accuracy_before() ? FormatNumber(o.accuracy_before()) : "-", " -> ",
                      FormatNumber(o.accuracy_after()));
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string FormatDecisionList(const std::vector<v1::Decision>& decisions) {
  std::vector<std::vector<std::string>> rows = {
      {"decision", "time", "model", "verdict", "kWh", "reason"}};
  for (const v1::Decision& d : decisions) {
    rows.push_back({d.name(), FormatTimestamp(d.create_time()), d.model(),
                    v1::Verdict_Name(d.verdict()), FormatNumber(d.cost().energy_kwh()), Reason(d)});
  }
  return FormatTable(rows, "");
}

std::string FormatModel(const v1::Model& m) {
  std::vector<std::vector<std::string>> rows = {
      {"name:", m.name()},
      {"display name:", m.display_name()},
      {"deployed version:", m.deployed_version()},
      {"task:", m.task()},
      {"reference:", m.has_reference() ? "yes" : "no (run set-reference)"},
      {"policy version:",
       m.policy_version() == 0 ? "0 (defaults)" : absl::StrCat(m.policy_version())},
      {"created:", FormatTimestamp(m.create_time())},
      {"updated:", FormatTimestamp(m.update_time())},
  };
  return FormatTable(rows, "");
}

std::string FormatModelList(const v1::ListModelsResponse& response) {
  std::vector<std::vector<std::string>> rows = {
      {"model", "version", "reference", "policy", "task", "display name"}};
  for (const v1::Model& m : response.models()) {
    rows.push_back({m.name(), m.deployed_version(), m.has_reference() ? "yes" : "no",
                    absl::StrCat("v", m.policy_version()), m.task(), m.display_name()});
  }
  return FormatTable(rows, "");
}

std::string FormatPolicy(const v1::Policy& p) {
  auto optional = [](bool has, double value, const std::string& unset) {
    return has ? FormatNumber(value) : unset;
  };
  std::vector<std::vector<std::string>> rows = {
      {"model:", p.model()},
      {"version:", p.version() == 0 ? "0 (defaults)" : absl::StrCat(p.version())},
      {"created:", FormatTimestamp(p.create_time())},
      {"p_value_threshold:", FormatNumber(p.p_value_threshold())},
      {"distance_threshold:", FormatNumber(p.distance_threshold())},
      {"drift_share_threshold:", FormatNumber(p.drift_share_threshold())},
      {"correction:", CorrectionName(p.correction())},
      {"large_sample_rows:", absl::StrCat(p.large_sample_rows())},
      {"accuracy_floor:", optional(p.has_accuracy_floor(), p.accuracy_floor(), "none")},
      {"min_gain:", optional(p.has_min_gain(), p.min_gain(), "default")},
      {"min_gain_points_per_kwh:",
       optional(p.has_min_gain_points_per_kwh(), p.min_gain_points_per_kwh(), "default")},
      {"recovery_ratio:", FormatNumber(p.recovery_ratio())},
      {"confidence:", FormatNumber(p.confidence())},
      {"cooldown:", p.has_cooldown_s() ? FormatNumber(p.cooldown_s() / 3600.0) + " h" : "default"},
      {"energy_budget_kwh:",
       optional(p.has_energy_budget_kwh(), p.energy_budget_kwh(), "unlimited")},
      {"budget_window:", FormatNumber(p.budget_window_s() / 86400.0) + " days"},
      {"value_per_accuracy_point:", p.value_per_accuracy_point() == 0
                                        ? "off (efficiency rule)"
                                        : FormatNumber(p.value_per_accuracy_point())},
      {"energy_price_per_kwh:", FormatNumber(p.energy_price_per_kwh())},
      {"carbon_price_per_kg:", FormatNumber(p.carbon_price_per_kg())},
      {"carbon_budget_kg:", optional(p.has_carbon_budget_kg(), p.carbon_budget_kg(), "unlimited")},
      {"max_deferral:",
       p.max_deferral_s() == 0 ? "off" : FormatNumber(p.max_deferral_s() / 3600.0) + " h"},
      {"min_deferral_saving:", FormatNumber(p.min_deferral_saving())},
  };
  return FormatTable(rows, "");
}

std::string FormatReference(const v1::Reference& r) {
  int numeric = 0;
  for (const v1::FeatureProfile& f : r.profile().features()) numeric += f.has_numeric();
  std::string out =
      absl::StrCat("reference of ", r.model(), " version ", r.model_version(), " (",
                   FormatTimestamp(r.create_time()), "): ", r.profile().rows(), " rows, ",
                   r.profile().features_size(), " features (", numeric, " numeric, ",
                   r.profile().features_size() - numeric, " categorical)");
  if (r.evaluation_rows() > 0) {
    absl::StrAppend(&out, ", accuracy ", FormatNumber(r.accuracy()), " on ", r.evaluation_rows(),
                    " evaluation rows");
  }
  if (!r.calibration_detail().empty()) {
    absl::StrAppend(&out, "\nscores: ", r.calibration_detail());
  }
  return out + "\n";
}

}  // namespace greengate::client
