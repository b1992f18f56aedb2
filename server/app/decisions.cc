// Gatekeeper: GetDecision (with its outcome, when reported) and ListDecisions (filters and
// page tokens bound to them).

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/app/gatekeeper.h"
#include "server/app/names.h"
#include "server/app/page_token.h"
#include "server/app/time_range.h"
#include "server/common/status_macros.h"
#include "server/mapping/stored_json.h"

namespace greengate::app {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

absl::StatusOr<std::string> VerdictFilter(v1::Verdict verdict) {
  switch (verdict) {
    case v1::VERDICT_UNSPECIFIED:
      return std::string();
    case v1::APPROVE:
    case v1::REJECT:
    case v1::DEFER:
      return v1::Verdict_Name(verdict);
    default:
      return absl::InvalidArgumentError(absl::StrCat("verdict: unknown value ", verdict));
  }
}

}  // namespace

absl::StatusOr<v1::Decision> Gatekeeper::GetDecision(const v1::GetDecisionRequest& r) {
  ASSIGN_OR_RETURN(std::string id, ParseDecisionName(r.name(), "name"));
  ASSIGN_OR_RETURN(store::DecisionRow row, store_->GetDecision(id));
  v1::Decision out;
  RETURN_IF_ERROR(mapping::FromStoredJson(row.payload, &out));
  RETURN_IF_ERROR(AttachOutcome(row, &out));
  return out;
}

absl::Status Gatekeeper::AttachOutcome(const store::DecisionRow& row, v1::Decision* decision) {
  ASSIGN_OR_RETURN(std::optional<store::OutcomeRow> outcome, store_->GetOutcome(row.seq));
  if (!outcome) return absl::OkStatus();
  return mapping::FromStoredJson(outcome->payload, decision->mutable_outcome());
}

absl::StatusOr<v1::ListDecisionsResponse> Gatekeeper::ListDecisions(
    const v1::ListDecisionsRequest& r) {
  if (r.page_size() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be >= 0, got ", r.page_size()));
  }
  const int page_size =
      r.page_size() == 0 ? kDefaultPageSize : std::min(r.page_size(), kMaxPageSize);
  ASSIGN_OR_RETURN(std::string verdict, VerdictFilter(r.verdict()));
  store::DecisionFilter filter;
  RETURN_IF_ERROR(ApplyTimeRange(r, &filter));  // time_range.h
  const std::string filters = absl::StrCat(r.model(), "|", verdict, TimeRangeBinding(filter));
  if (!r.model().empty()) {
    ASSIGN_OR_RETURN(std::string id, ParseModelName(r.model(), "model"));
    ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
    filter.model_id = model.id;
  }
  if (!verdict.empty()) filter.verdict = verdict;
  if (!r.page_token().empty()) {
    ASSIGN_OR_RETURN(filter.before_seq, DecodePageToken(r.page_token(), filters));
  }
  filter.limit = page_size + 1;  // one extra row tells whether another page exists
  ASSIGN_OR_RETURN(std::vector<store::DecisionRow> rows, store_->ListDecisions(filter));
  const bool more = static_cast<int>(rows.size()) > page_size;
  if (more) rows.resize(page_size);
  v1::ListDecisionsResponse out;
  for (const store::DecisionRow& row : rows) {
    RETURN_IF_ERROR(mapping::FromStoredJson(row.payload, out.add_decisions()));
  }
  if (more) out.set_next_page_token(EncodePageToken(rows.back().seq, filters));
  return out;
}

}  // namespace greengate::app
