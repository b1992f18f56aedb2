#pragma once

// Renderings of a GovernanceReport for `greengate report`: Markdown (for a review's notes),
// CSV (one row per scope, for spreadsheets), JSON (protobuf JSON) and a self-contained HTML
// page with inline SVG charts. Pure and thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "greengate/v1/greengate.pb.h"

namespace greengate::client {

enum class ReportFormat { kMarkdown, kCsv, kJson, kHtml };

// "markdown" (or "md"), "csv", "json", "html"; InvalidArgument naming `field` otherwise.
absl::StatusOr<ReportFormat> ParseReportFormat(const std::string& text, const std::string& field);

// The report in `format`; every rendering ends with '\n'.
std::string RenderReport(const v1::GovernanceReport& report, ReportFormat format);

std::string RenderMarkdown(const v1::GovernanceReport& report);

// Header row, then one row for "overall" and one per model. Energy in kWh, emissions in kg
// CO2e, gains as accuracy fractions; fields quoted as RFC 4180 requires.
std::string RenderCsv(const v1::GovernanceReport& report);

// A complete HTML5 document: inline CSS, three inline SVG charts (ids chart-weekly,
// chart-models, chart-gains), the summary and per-model tables, drifted features and notes.
// No script and no external reference.
std::string RenderHtml(const v1::GovernanceReport& report);

// One sentence on the audit log's state when the report was made, with the anchor to record.
std::string AuditLine(const v1::GovernanceReport& report);

// A summary's budget use for the tables: "200.000 / 500.000 (40.0%)" (kWh), "; 1.500 /
// 10.000 kg CO2e (15.0%)" appended when it has a carbon budget, "12.000 (no budget)" for a
// model without an energy budget, "-" for the overall summary without fleet budgets.
std::string BudgetUse(const v1::GovernanceSummary& summary);

// "2026-11-16 00:00 UTC to 2026-11-23 00:00 UTC"-style period text shared by the renderings.
std::string FormatPeriod(const v1::GovernanceReport& report);

}  // namespace greengate::client
