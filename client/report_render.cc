#include "client/report_render.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "client/json_io.h"
#include "client/output.h"

namespace greengate::client {
namespace {

// Enough digits to round-trip in practice without printing binary noise.
std::string Exact(double v) { return absl::StrFormat("%.10g", v); }
// An optional field: empty when unset (a budget: unlimited).
std::string ExactIf(bool set, double v) { return set ? Exact(v) : ""; }
std::string Kwh(double v) { return absl::StrFormat("%.3f", v); }
std::string Points(double fraction) { return absl::StrFormat("%+.2f", 100 * fraction); }
std::string Percent(double share) { return absl::StrFormat("%.1f%%", 100 * share); }

std::string ScopeName(const v1::GovernanceSummary& s) {
  return s.model().empty() ? "overall" : s.model();
}

std::string TopFeatures(const v1::GovernanceSummary& s, int n) {
  std::vector<std::string> parts;
  for (const v1::FeatureDriftCount& f : s.most_drifted_features()) {
    if (static_cast<int>(parts.size()) == n) break;
    parts.push_back(absl::StrCat(f.feature(), " (", f.drifted_decisions(), ")"));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

// A Markdown table cell: pipes escaped, newlines flattened.
std::string Cell(const std::string& s) {
  return absl::StrReplaceAll(s, {{"|", "\\|"}, {"\n", " "}});
}

std::string MarkdownRow(const std::vector<std::string>& cells) {
  std::vector<std::string> escaped;
  for (const std::string& c : cells) escaped.push_back(Cell(c));
  return absl::StrCat("| ", absl::StrJoin(escaped, " | "), " |\n");
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

std::vector<const v1::GovernanceSummary*> Scopes(const v1::GovernanceReport& r) {
  std::vector<const v1::GovernanceSummary*> scopes = {&r.overall()};
  for (const v1::GovernanceSummary& m : r.models()) scopes.push_back(&m);
  return scopes;
}

}  // namespace

std::string BudgetUse(const v1::GovernanceSummary& s) {
  // The overall summary has budgets only when the server has fleet budgets.
  if (s.model().empty() && !s.has_energy_budget_kwh() && !s.has_carbon_budget_kg()) return "-";
  // "used / budget (share)"; a budget of 0 is a freeze, of which no share is defined.
  const auto of = [](double used, double budget, double share, absl::string_view unit) {
    return absl::StrCat(Kwh(used), " / ", Kwh(budget), unit, " (",
                        budget > 0 ? Percent(share) : "freeze", ")");
  };
  std::string text = s.has_energy_budget_kwh()
                         ? of(s.budget_used_kwh(), s.energy_budget_kwh(), s.budget_used_share(), "")
                         : absl::StrCat(Kwh(s.budget_used_kwh()), " (no budget)");
  if (s.has_carbon_budget_kg()) {
    absl::StrAppend(&text, "; ",
                    of(s.budget_used_co2e_kg(), s.carbon_budget_kg(), s.carbon_budget_used_share(),
                       " kg CO2e"));
  }
  return text;
}

absl::StatusOr<ReportFormat> ParseReportFormat(const std::string& text, const std::string& field) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "markdown" || lower == "md") return ReportFormat::kMarkdown;
  if (lower == "csv") return ReportFormat::kCsv;
  if (lower == "json") return ReportFormat::kJson;
  if (lower == "html") return ReportFormat::kHtml;
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": expected markdown, csv, json or html, got \"", text, "\""));
}

std::string AuditLine(const v1::GovernanceReport& r) {
  if (!r.has_audit()) return "Not verified.";
  const v1::AuditLogVerification& a = r.audit();
  if (!a.intact()) {
    return absl::StrCat("NOT intact: decision seq ", a.problem_seq(), " ",
                        a.problem() == v1::AuditLogVerification::MISSING ? "missing" : "altered",
                        " (", a.detail(), ").");
  }
  return absl::StrCat("Intact: ", a.checked_rows(),
                      " chained decisions verified. Anchor: ", a.head_seq(), ":", a.head_hash(),
                      " (record it; greengate audit verify --anchor checks it later).");
}

std::string FormatPeriod(const v1::GovernanceReport& r) {
  return absl::StrCat(FormatTimestamp(r.start_time()), " to ", FormatTimestamp(r.end_time()),
                      " (end exclusive)");
}

std::string RenderReport(const v1::GovernanceReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kMarkdown:
      return RenderMarkdown(report);
    case ReportFormat::kCsv:
      return RenderCsv(report);
    case ReportFormat::kJson:
      return ToJson(report);
    case ReportFormat::kHtml:
      return RenderHtml(report);
  }
  return RenderMarkdown(report);  // unreachable: every format is listed
}

std::string RenderMarkdown(const v1::GovernanceReport& r) {
  std::string md = absl::StrCat("# greengate governance report\n\n", "Period: ", FormatPeriod(r),
                                "  \nGenerated: ", FormatTimestamp(r.generate_time()), "\n\n");
  absl::StrAppend(&md, "## Decisions and energy\n\n",
                  MarkdownRow({"Scope", "Decisions", "Approved", "Rejected", "Deferred",
                               "Approved kWh", "Approved kg CO2e", "Avoided kWh", "Avoided kg CO2e",
                               "Avoided jobs", "Floor overrides", "Budget used"}),
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (const v1::GovernanceSummary* s : Scopes(r)) {
    absl::StrAppend(
        &md, MarkdownRow({ScopeName(*s), absl::StrCat(s->decisions().total()),
                          absl::StrCat(s->decisions().approved()),
                          absl::StrCat(s->decisions().rejected()),
                          absl::StrCat(s->decisions().deferred()), Kwh(s->approved_energy_kwh()),
                          Kwh(s->approved_co2e_kg()), Kwh(s->avoided_energy_kwh()),
                          Kwh(s->avoided_co2e_kg()), absl::StrCat(s->avoided_jobs()),
                          absl::StrCat(s->accuracy_floor_overrides()), BudgetUse(*s)}));
  }
  absl::StrAppend(
      &md, "\n## Outcomes: measured against estimated\n\n",
      MarkdownRow({"Scope", "Outcomes", "Measured kWh", "Estimated kWh", "Measured kg CO2e",
                   "With accuracy", "Mean expected gain (pt)", "Mean realised gain (pt)"}),
      "|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const v1::GovernanceSummary* s : Scopes(r)) {
    const bool gains = s->outcomes_with_gain() > 0;
    absl::StrAppend(
        &md, MarkdownRow({ScopeName(*s), absl::StrCat(s->outcomes()), Kwh(s->measured_energy_kwh()),
                          Kwh(s->estimated_energy_kwh()), Kwh(s->measured_co2e_kg()),
                          absl::StrCat(s->outcomes_with_gain()),
                          gains ? Points(s->mean_expected_gain()) : "-",
                          gains ? Points(s->mean_realised_gain()) : "-"}));
  }
  absl::StrAppend(&md, "\n## Most drifted features\n\n");
  for (const v1::GovernanceSummary* s : Scopes(r)) {
    absl::StrAppend(&md, "- ", Cell(ScopeName(*s)), ": ", Cell(TopFeatures(*s, 10)), "\n");
  }
  absl::StrAppend(&md, "\n## Energy per ISO week (kWh)\n\n",
                  MarkdownRow({"Week", "Approved", "Avoided"}), "|---|---:|---:|\n");
  for (const v1::WeeklyEnergy& w : r.overall().weeks()) {
    absl::StrAppend(
        &md, MarkdownRow({w.week(), Kwh(w.approved_energy_kwh()), Kwh(w.avoided_energy_kwh())}));
  }
  absl::StrAppend(&md, "\n## Audit log\n\n", AuditLine(r), "\n");
  if (r.notes_size() > 0) {
    absl::StrAppend(&md, "\n## Notes\n\n");
    for (const std::string& note : r.notes()) absl::StrAppend(&md, "- ", Cell(note), "\n");
  }
  return md;
}

std::string RenderCsv(const v1::GovernanceReport& r) {
  std::string csv =
      "period_start,period_end,scope,decisions,approved,rejected,deferred,"
      "approved_energy_kwh,approved_co2e_kg,avoided_energy_kwh,avoided_co2e_kg,avoided_jobs,"
      "deferrals_later_approved,deferrals_pending,accuracy_floor_overrides,outcomes,"
      "measured_energy_kwh,estimated_energy_kwh,measured_co2e_kg,outcomes_with_gain,"
      "mean_expected_gain,mean_realised_gain,energy_budget_kwh,budget_used_kwh,"
      "budget_used_share,most_drifted_features,carbon_budget_kg,budget_used_co2e_kg,"
      "carbon_budget_used_share\n";
  const std::string start = FormatTimestamp(r.start_time());
  const std::string end = FormatTimestamp(r.end_time());
  for (const v1::GovernanceSummary* s : Scopes(r)) {
    std::vector<std::string> features;
    for (const v1::FeatureDriftCount& f : s->most_drifted_features()) {
      features.push_back(absl::StrCat(f.feature(), ":", f.drifted_decisions()));
    }
    const std::vector<std::string> row = {
        start,
        end,
        ScopeName(*s),
        absl::StrCat(s->decisions().total()),
        absl::StrCat(s->decisions().approved()),
        absl::StrCat(s->decisions().rejected()),
        absl::StrCat(s->decisions().deferred()),
        Exact(s->approved_energy_kwh()),
        Exact(s->approved_co2e_kg()),
        Exact(s->avoided_energy_kwh()),
        Exact(s->avoided_co2e_kg()),
        absl::StrCat(s->avoided_jobs()),
        absl::StrCat(s->deferrals_later_approved()),
        absl::StrCat(s->deferrals_pending()),
        absl::StrCat(s->accuracy_floor_overrides()),
        absl::StrCat(s->outcomes()),
        Exact(s->measured_energy_kwh()),
        Exact(s->estimated_energy_kwh()),
        Exact(s->measured_co2e_kg()),
        absl::StrCat(s->outcomes_with_gain()),
        Exact(s->mean_expected_gain()),
        Exact(s->mean_realised_gain()),
        ExactIf(s->has_energy_budget_kwh(), s->energy_budget_kwh()),
        Exact(s->budget_used_kwh()),
        Exact(s->budget_used_share()),
        absl::StrJoin(features, ";"),
        ExactIf(s->has_carbon_budget_kg(), s->carbon_budget_kg()),
        Exact(s->budget_used_co2e_kg()),
        Exact(s->carbon_budget_used_share())};
    std::vector<std::string> fields;
    for (const std::string& f : row) fields.push_back(CsvField(f));
    absl::StrAppend(&csv, absl::StrJoin(fields, ","), "\n");
  }
  return csv;
}

}  // namespace greengate::client
