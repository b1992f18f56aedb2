// Renderings of a governance report: structure of the self-contained HTML (charts, tables,
// escaping, no external reference), Markdown and CSV shape, and the SVG helpers.

#include "client/report_render.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "client/report_render_svg.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "tests/client/cli_test.h"

namespace greengate::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

v1::GovernanceSummary Summary(const std::string& model, double approved, double avoided) {
  v1::GovernanceSummary s;
  s.set_model(model);
  s.mutable_decisions()->set_approved(2);
  s.mutable_decisions()->set_rejected(1);
  s.mutable_decisions()->set_deferred(1);
  s.mutable_decisions()->set_total(4);
  s.set_approved_energy_kwh(approved);
  s.set_approved_co2e_kg(approved / 10);
  s.set_avoided_energy_kwh(avoided);
  s.set_avoided_co2e_kg(avoided / 10);
  s.set_avoided_jobs(1);
  s.set_outcomes(1);
  s.set_measured_energy_kwh(approved * 1.1);
  s.set_estimated_energy_kwh(approved);
  s.set_outcomes_with_gain(1);
  s.set_mean_expected_gain(0.02);
  s.set_mean_realised_gain(0.015);
  if (!model.empty()) s.set_energy_budget_kwh(500);  // the overall: no fleet budget
  s.set_budget_used_kwh(approved);
  s.set_budget_used_share(model.empty() ? 0 : approved / 500);
  v1::FeatureDriftCount* f = s.add_most_drifted_features();
  f->set_feature("age, \"years\"");
  f->set_drifted_decisions(3);
  for (const char* week : {"2026-W46", "2026-W47", "2026-W48"}) {
    v1::WeeklyEnergy* w = s.add_weeks();
    w->set_week(week);
    w->set_approved_energy_kwh(approved / 3);
    w->set_avoided_energy_kwh(avoided / 3);
  }
  return s;
}

// Two models over three weeks, two gain comparisons, and text that must be escaped.
v1::GovernanceReport Fixture() {
  using google::protobuf::util::TimeUtil;
  v1::GovernanceReport r;
  *r.mutable_start_time() = TimeUtil::SecondsToTimestamp(1'794'787'200);  // 2026-11-16
  *r.mutable_end_time() = TimeUtil::SecondsToTimestamp(1'795'392'000);    // 2026-11-23
  *r.mutable_generate_time() = TimeUtil::SecondsToTimestamp(1'795'400'000);
  *r.mutable_overall() = Summary("", 300, 120);
  *r.add_models() = Summary("models/churn", 200, 20);
  *r.add_models() = Summary("models/fraud", 100, 100);
  for (int i = 0; i < 2; ++i) {
    v1::GainComparison* g = r.mutable_overall()->add_gains();
    g->set_model("models/churn");
    g->set_decision_seq(i + 1);
    g->set_expected_gain(0.02 + 0.01 * i);
    g->set_realised_gain(0.01 - 0.02 * i);
  }
  r.add_notes("Deferred <script>alert(1)</script> & more");
  r.mutable_audit()->set_intact(true);
  r.mutable_audit()->set_checked_rows(42);
  r.mutable_audit()->set_head_seq(42);
  r.mutable_audit()->set_head_hash(std::string(64, 'a'));
  return r;
}

TEST(RenderHtmlTest, IsOneSelfContainedDocumentWithThreeCharts) {
  const std::string html = RenderHtml(Fixture());
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>\n<html lang=\"en\">"));
  EXPECT_TRUE(absl::EndsWith(html, "</body>\n</html>\n"));
  EXPECT_EQ(Count(html, "<html"), 1);
  EXPECT_EQ(Count(html, "<body>"), 1);
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  // Three inline charts, each closed.
  EXPECT_EQ(Count(html, "<svg "), 3);
  EXPECT_EQ(Count(html, "</svg>"), 3);
  for (const char* id : {"id=\"chart-weekly\"", "id=\"chart-models\"", "id=\"chart-gains\""}) {
    EXPECT_EQ(Count(html, id), 1) << id;
  }
  // Bars: 3 weeks x 2 series + 2 models x 2 series; one point per gain comparison.
  EXPECT_EQ(Count(html, "<rect class=\"bar\""), 3 * 2 + 2 * 2);
  EXPECT_EQ(Count(html, "<circle class=\"point\""), 2);
  EXPECT_THAT(html, HasSubstr("id=\"chart-gains-diagonal\""));
  // Nothing is fetched: no script, stylesheet link, image, frame or URL besides the SVG
  // namespace name.
  for (const char* banned : {"<script", "<link", "<img", "<iframe", "src=", "url(", "@import"}) {
    EXPECT_THAT(html, Not(HasSubstr(banned))) << banned;
  }
  EXPECT_EQ(Count(html, "http"), Count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  // Tables, escaped text.
  for (const char* id : {"id=\"decisions\"", "id=\"outcomes\"", "id=\"drift\""}) {
    EXPECT_EQ(Count(html, id), 1) << id;
  }
  EXPECT_EQ(Count(html, "<table"), Count(html, "</table>"));
  EXPECT_EQ(Count(html, "<tr>"), Count(html, "</tr>"));
  EXPECT_THAT(html, HasSubstr("Deferred &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
  EXPECT_THAT(html, HasSubstr("age, &quot;years&quot;"));
  EXPECT_THAT(html, HasSubstr("models/fraud"));
  EXPECT_THAT(html, HasSubstr("200.000 / 500.000 (40.0%)"));  // churn's budget
  EXPECT_THAT(html,
              HasSubstr("<p id=\"audit\">Intact: 42 chained decisions verified. Anchor: 42:aaaa"));
}

TEST(RenderHtmlTest, EmptyReportStillHasItsCharts) {
  v1::GovernanceReport r;
  r.mutable_overall()->add_weeks()->set_week("2026-W47");
  const std::string html = RenderHtml(r);
  EXPECT_EQ(Count(html, "<svg "), 3);
  EXPECT_THAT(html, HasSubstr("No data in this period"));
  EXPECT_THAT(html, HasSubstr("No outcome with accuracy"));
  EXPECT_EQ(Count(html, "<circle"), 0);
}

TEST(RenderMarkdownTest, HasEverySectionAndARowPerScope) {
  const std::string md = RenderMarkdown(Fixture());
  EXPECT_THAT(md, StartsWith("# greengate governance report\n"));
  EXPECT_THAT(md, HasSubstr("Period: 2026-11-16T00:00:00Z to 2026-11-23T00:00:00Z"));
  for (const char* section : {"## Decisions and energy", "## Outcomes: measured against",
                              "## Most drifted features", "## Energy per ISO week", "## Notes"}) {
    EXPECT_THAT(md, HasSubstr(section)) << section;
  }
  EXPECT_THAT(md, HasSubstr("| overall | 4 | 2 | 1 | 1 | 300.000 | 30.000 | 120.000 | 12.000 |"));
  EXPECT_THAT(md, HasSubstr("| models/churn | 4 |"));
  EXPECT_THAT(md, HasSubstr("| +2.00 | +1.50 |"));  // mean gains in accuracy points
  EXPECT_THAT(md, HasSubstr("| 2026-W47 | 100.000 | 40.000 |"));
  EXPECT_THAT(md, HasSubstr("## Audit log\n\nIntact: 42 chained decisions verified."));
}

// Splits one CSV line, honouring RFC 4180 quotes (enough for this test's data).
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(RenderCsvTest, OneRowPerScopeWithTheHeaderWidth) {
  const std::string csv = RenderCsv(Fixture());
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u);  // header, overall, two models
  const std::vector<std::string> header = SplitCsv(lines[0]);
  EXPECT_EQ(header[2], "scope");
  EXPECT_EQ(header[25], "most_drifted_features");
  EXPECT_EQ(header.back(), "carbon_budget_used_share");
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> row = SplitCsv(lines[i]);
    ASSERT_EQ(row.size(), header.size()) << lines[i];
    EXPECT_EQ(row[25], "age, \"years\":3");
  }
  const std::vector<std::string> churn = SplitCsv(lines[2]);
  EXPECT_EQ(churn[2], "models/churn");
  EXPECT_EQ(churn[7], "200");             // approved_energy_kwh
  EXPECT_EQ(churn[24], "0.4");            // budget_used_share
  EXPECT_EQ(churn[22], "500");            // energy_budget_kwh
  EXPECT_EQ(churn[26], "");               // carbon_budget_kg: unset, unlimited
  EXPECT_EQ(SplitCsv(lines[1])[22], "");  // the overall: no fleet budget
}

TEST(BudgetUseTest, EnergyThenCarbonAndTheFleetOverall) {
  v1::GovernanceSummary overall;
  EXPECT_EQ(BudgetUse(overall), "-");  // no fleet budget on the server
  overall.set_energy_budget_kwh(100);
  overall.set_budget_used_kwh(25);
  overall.set_budget_used_share(0.25);
  EXPECT_EQ(BudgetUse(overall), "25.000 / 100.000 (25.0%)");
  v1::GovernanceSummary model;
  model.set_model("models/churn");
  model.set_budget_used_kwh(50);
  EXPECT_EQ(BudgetUse(model), "50.000 (no budget)");
  model.set_carbon_budget_kg(8);
  model.set_budget_used_co2e_kg(2);
  model.set_carbon_budget_used_share(0.25);
  EXPECT_EQ(BudgetUse(model), "50.000 (no budget); 2.000 / 8.000 kg CO2e (25.0%)");
}

// A budget of 0 is set, not unlimited: a freeze, of which no share is defined.
TEST(BudgetUseTest, ZeroBudgetIsAFreeze) {
  v1::GovernanceSummary model;
  model.set_model("models/churn");
  model.set_energy_budget_kwh(0);
  model.set_budget_used_kwh(3);
  model.set_carbon_budget_kg(0);
  EXPECT_EQ(BudgetUse(model), "3.000 / 0.000 (freeze); 0.000 / 0.000 kg CO2e (freeze)");
}

TEST(ParseReportFormatTest, AcceptsTheFourFormats) {
  EXPECT_EQ(*ParseReportFormat("markdown", "--format"), ReportFormat::kMarkdown);
  EXPECT_EQ(*ParseReportFormat("MD", "--format"), ReportFormat::kMarkdown);
  EXPECT_EQ(*ParseReportFormat("csv", "--format"), ReportFormat::kCsv);
  EXPECT_EQ(*ParseReportFormat("json", "--format"), ReportFormat::kJson);
  EXPECT_EQ(*ParseReportFormat("Html", "--format"), ReportFormat::kHtml);
  EXPECT_THAT(ParseReportFormat("pdf", "--format").status().message(),
              HasSubstr("--format: expected markdown, csv, json or html"));
  EXPECT_THAT(RenderReport(Fixture(), ReportFormat::kJson), HasSubstr("\"avoided_jobs\""));
}

TEST(SvgTest, NiceCeilingAndEscaping) {
  struct Case {
    double value;
    double ceiling;
  };
  for (const Case& c : std::vector<Case>{{0, 1},
                                         {-3, 1},
                                         {0.7, 1},
                                         {1, 1},
                                         {1.2, 2},
                                         {2.1, 2.5},
                                         {3, 5},
                                         {7, 10},
                                         {10, 10},
                                         {11, 20},
                                         {240, 250},
                                         {0.031, 0.05}}) {
    EXPECT_DOUBLE_EQ(NiceCeiling(c.value), c.ceiling) << c.value;
  }
  EXPECT_EQ(HtmlEscape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
}

TEST(SvgTest, BarHeightsAreProportional) {
  // Max 40 -> axis to 50; plot height 300 - 40 - 60 = 200 px: 40 -> 160 px, 10 -> 40 px.
  const std::string svg = GroupedBarChart("c", "t", {"a", "b"}, {{"s", "#000", {40, 10}}}, "kWh");
  EXPECT_THAT(svg, HasSubstr("height=\"160.0\""));
  EXPECT_THAT(svg, HasSubstr("height=\"40.0\""));
  EXPECT_THAT(svg, HasSubstr(">50</text>"));
}

TEST(ReportCommandTest, UsageErrorsBeforeAnyCall) {
  using testing::RunInProcess;
  testing::CliResult r = RunInProcess({"report"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--week"));
  r = RunInProcess({"report", "--week", "2026-W47", "--from", "2026-11-01", "--to", "2026-11-02"});
  EXPECT_EQ(r.code, 2);
  r = RunInProcess({"report", "--from", "2026-11-01"});
  EXPECT_EQ(r.code, 2);
  r = RunInProcess({"report", "--week", "2026-47"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("INVALID_ARGUMENT: --week: expected an ISO week"));
  r = RunInProcess({"report", "--from", "2026-11-05", "--to", "2026-11-01"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--to: must not be before --from"));
  r = RunInProcess({"report", "--from", "2026-13-01", "--to", "2026-11-01"});
  EXPECT_THAT(r.err, HasSubstr("--from: expected a date YYYY-MM-DD"));
  r = RunInProcess({"report", "--week", "2026-W47", "--format", "pdf"});
  EXPECT_EQ(r.code, 2);
  r = RunInProcess({"audit", "verify", "--anchor", "5:abc"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--anchor: expected SEQ:HASH"));
  r = RunInProcess({"audit"});
  EXPECT_EQ(r.code, 2);
}

TEST(DecisionsCommandTest, RejectsMalformedTimeFlags) {
  testing::CliResult r = testing::RunInProcess({"decisions", "--since", "yesterday"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--since: expected a date YYYY-MM-DD or an RFC 3339 time"));
  r = testing::RunInProcess({"decisions", "--until", "2026-11-16T25:00:00Z"});
  EXPECT_THAT(r.err, HasSubstr("--until: expected"));
}

}  // namespace
}  // namespace greengate::client
