// The self-contained HTML rendering of a governance report: one file a reviewer can open
// offline or attach to minutes. Charts are inline SVG generated here; there is no script.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/output.h"
#include "client/report_render.h"
#include "client/report_render_svg.h"

namespace greengate::client {
namespace {

constexpr char kApprovedColor[] = "#c62828";  // energy spent
constexpr char kAvoidedColor[] = "#2e7d32";   // energy saved

constexpr char kStyle[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;"
    "color:#212121;background:#fafafa}"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}"
    ".meta{color:#616161;margin:0 0 16px}"
    "table{border-collapse:collapse;background:#fff;margin:8px 0}"
    "th,td{border:1px solid #e0e0e0;padding:4px 8px;font-size:13px}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f5f5f5}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}"
    ".card{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:10px 14px;"
    "min-width:150px}.card .v{font-size:22px;font-weight:bold}.card .l{color:#616161;"
    "font-size:12px}.chart{background:#fff;border:1px solid #e0e0e0;margin:8px 0;"
    "display:inline-block}ul.notes li{margin:4px 0}";

std::string Kwh(double v) { return absl::StrFormat("%.3f", v); }
std::string Points(double fraction) { return absl::StrFormat("%+.2f", 100 * fraction); }

std::string Td(const std::string& text, bool numeric = false) {
  return absl::StrCat(numeric ? "<td class=\"n\">" : "<td>", HtmlEscape(text), "</td>");
}

std::string Th(const std::vector<std::string>& headers) {
  std::string row = "<tr>";
  for (const std::string& h : headers) absl::StrAppend(&row, "<th>", HtmlEscape(h), "</th>");
  return absl::StrCat(row, "</tr>\n");
}

std::string Card(const std::string& value, const std::string& label) {
  return absl::StrCat("<div class=\"card\"><div class=\"v\">", HtmlEscape(value),
                      "</div><div class=\"l\">", HtmlEscape(label), "</div></div>\n");
}

std::string ScopeName(const v1::GovernanceSummary& s) {
  return s.model().empty() ? "overall" : s.model();
}

std::string DecisionsTable(const v1::GovernanceReport& r) {
  std::string html =
      absl::StrCat("<table id=\"decisions\">\n",
                   Th({"Scope", "Decisions", "Approved", "Rejected", "Deferred", "Approved kWh",
                       "Approved kg CO2e", "Avoided kWh", "Avoided kg CO2e", "Avoided jobs",
                       "Deferred, later approved", "Deferred, pending", "Accuracy-floor overrides",
                       "Budget used"}));
  std::vector<const v1::GovernanceSummary*> scopes = {&r.overall()};
  for (const v1::GovernanceSummary& m : r.models()) scopes.push_back(&m);
  for (const v1::GovernanceSummary* s : scopes) {
    absl::StrAppend(
        &html, "<tr>", Td(ScopeName(*s)), Td(absl::StrCat(s->decisions().total()), true),
        Td(absl::StrCat(s->decisions().approved()), true),
        Td(absl::StrCat(s->decisions().rejected()), true),
        Td(absl::StrCat(s->decisions().deferred()), true), Td(Kwh(s->approved_energy_kwh()), true),
        Td(Kwh(s->approved_co2e_kg()), true), Td(Kwh(s->avoided_energy_kwh()), true),
        Td(Kwh(s->avoided_co2e_kg()), true), Td(absl::StrCat(s->avoided_jobs()), true),
        Td(absl::StrCat(s->deferrals_later_approved()), true),
        Td(absl::StrCat(s->deferrals_pending()), true),
        Td(absl::StrCat(s->accuracy_floor_overrides()), true), Td(BudgetUse(*s)), "</tr>\n");
  }
  return absl::StrCat(html, "</table>\n");
}

std::string OutcomesTable(const v1::GovernanceReport& r) {
  std::string html = absl::StrCat("<table id=\"outcomes\">\n",
                                  Th({"Scope", "Outcomes", "Measured kWh", "Estimated kWh",
                                      "Measured / estimated", "Measured kg CO2e", "With accuracy",
                                      "Mean expected gain (pt)", "Mean realised gain (pt)"}));
  std::vector<const v1::GovernanceSummary*> scopes = {&r.overall()};
  for (const v1::GovernanceSummary& m : r.models()) scopes.push_back(&m);
  for (const v1::GovernanceSummary* s : scopes) {
    const bool gains = s->outcomes_with_gain() > 0;
    const std::string ratio =
        s->estimated_energy_kwh() > 0
            ? absl::StrFormat("%.2f", s->measured_energy_kwh() / s->estimated_energy_kwh())
            : "-";
    absl::StrAppend(&html, "<tr>", Td(ScopeName(*s)), Td(absl::StrCat(s->outcomes()), true),
                    Td(Kwh(s->measured_energy_kwh()), true),
                    Td(Kwh(s->estimated_energy_kwh()), true), Td(ratio, true),
                    Td(Kwh(s->measured_co2e_kg()), true),
                    Td(absl::StrCat(s->outcomes_with_gain()), true),
                    Td(gains ? Points(s->mean_expected_gain()) : "-", true),
                    Td(gains ? Points(s->mean_realised_gain()) : "-", true), "</tr>\n");
  }
  return absl::StrCat(html, "</table>\n");
}

std::string DriftTable(const v1::GovernanceReport& r) {
  std::string html = absl::StrCat("<table id=\"drift\">\n",
                                  Th({"Scope", "Feature", "Decisions finding it drifted"}));
  std::vector<const v1::GovernanceSummary*> scopes = {&r.overall()};
  for (const v1::GovernanceSummary& m : r.models()) scopes.push_back(&m);
  for (const v1::GovernanceSummary* s : scopes) {
    for (const v1::FeatureDriftCount& f : s->most_drifted_features()) {
      absl::StrAppend(&html, "<tr>", Td(ScopeName(*s)), Td(f.feature()),
                      Td(absl::StrCat(f.drifted_decisions()), true), "</tr>\n");
    }
  }
  return absl::StrCat(html, "</table>\n");
}

std::string Charts(const v1::GovernanceReport& r) {
  std::vector<std::string> weeks;
  BarSeries week_approved{"Approved kWh", kApprovedColor, {}};
  BarSeries week_avoided{"Avoided kWh", kAvoidedColor, {}};
  for (const v1::WeeklyEnergy& w : r.overall().weeks()) {
    weeks.push_back(w.week());
    week_approved.values.push_back(w.approved_energy_kwh());
    week_avoided.values.push_back(w.avoided_energy_kwh());
  }
  std::vector<std::string> models;
  BarSeries model_approved{"Approved kWh", kApprovedColor, {}};
  BarSeries model_avoided{"Avoided kWh", kAvoidedColor, {}};
  for (const v1::GovernanceSummary& m : r.models()) {
    models.push_back(m.model());
    model_approved.values.push_back(m.approved_energy_kwh());
    model_avoided.values.push_back(m.avoided_energy_kwh());
  }
  std::vector<ScatterPoint> gains;
  for (const v1::GainComparison& g : r.overall().gains()) {
    gains.push_back(ScatterPoint{
        100 * g.expected_gain(), 100 * g.realised_gain(),
        absl::StrFormat("%s, decision #%d: expected %s pt, realised %s pt", g.model(),
                        g.decision_seq(), Points(g.expected_gain()), Points(g.realised_gain()))});
  }
  return absl::StrCat(
      "<h2>Energy approved and avoided</h2>\n<div class=\"chart\">",
      GroupedBarChart("chart-weekly", "Energy approved vs avoided per ISO week", weeks,
                      {week_approved, week_avoided}, "kWh"),
      "</div>\n<div class=\"chart\">",
      GroupedBarChart("chart-models", "Energy approved vs avoided per model", models,
                      {model_approved, model_avoided}, "kWh"),
      "</div>\n<h2>Expected and realised accuracy gain</h2>\n<div class=\"chart\">",
      ScatterChart("chart-gains", "Expected vs realised gain per retrain (accuracy points)", gains,
                   "expected gain (points)", "realised gain (points)",
                   "No outcome with accuracy before and after was reported for this period"),
      "</div>\n");
}

}  // namespace

std::string RenderHtml(const v1::GovernanceReport& r) {
  const v1::GovernanceSummary& all = r.overall();
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>greengate governance report, ",
      HtmlEscape(FormatPeriod(r)), "</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<h1>greengate governance report</h1>\n<p class=\"meta\">",
      HtmlEscape(FormatPeriod(r)), " &middot; generated ",
      HtmlEscape(FormatTimestamp(r.generate_time())), "</p>\n<div class=\"cards\">\n",
      Card(absl::StrCat(all.decisions().total()), "decisions"),
      Card(absl::StrFormat("%d / %d / %d", all.decisions().approved(), all.decisions().rejected(),
                           all.decisions().deferred()),
           "approved / rejected / deferred"),
      Card(Kwh(all.approved_energy_kwh()) + " kWh",
           absl::StrCat("approved (", Kwh(all.approved_co2e_kg()), " kg CO2e)")),
      Card(Kwh(all.avoided_energy_kwh()) + " kWh",
           absl::StrCat("avoided (", Kwh(all.avoided_co2e_kg()), " kg CO2e)")),
      Card(absl::StrCat(all.accuracy_floor_overrides()), "accuracy-floor overrides"),
      Card(absl::StrCat(all.outcomes()), "outcomes reported"), "</div>\n");
  absl::StrAppend(&html, Charts(r), "<h2>Decisions and energy</h2>\n", DecisionsTable(r),
                  "<h2>Outcomes: measured against estimated</h2>\n", OutcomesTable(r),
                  "<h2>Most drifted features</h2>\n", DriftTable(r));
  absl::StrAppend(&html, "<h2>Audit log</h2>\n<p id=\"audit\">", HtmlEscape(AuditLine(r)),
                  "</p>\n");
  if (r.notes_size() > 0) {
    absl::StrAppend(&html, "<h2>Notes</h2>\n<ul class=\"notes\">\n");
    for (const std::string& note : r.notes()) {
      absl::StrAppend(&html, "<li>", HtmlEscape(note), "</li>\n");
    }
    absl::StrAppend(&html, "</ul>\n");
  }
  absl::StrAppend(&html, "</body>\n</html>\n");
  return html;
}

}  // namespace greengate::client
