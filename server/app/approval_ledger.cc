#include "server/app/approval_ledger.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace greengate::app {

void ApprovalLedger::Reset(int64_t horizon_ms, store::ApprovalHistory history) {
  loaded_ = true;
  horizon_ms_ = horizon_ms;
  approvals_.assign(history.approvals.begin(), history.approvals.end());
  last_approval_ms_ = history.last_approval_ms;
}

void ApprovalLedger::Add(const store::ApprovalRow& approval) {
  if (!last_approval_ms_ || approval.create_time_ms > *last_approval_ms_) {
    last_approval_ms_ = approval.create_time_ms;
  }
  if (approval.create_time_ms < horizon_ms_) return;  // before any window still asked for
  // Approvals arrive in time order unless the clock stepped back; keep the order anyway.
  const auto later = std::upper_bound(
      approvals_.begin(), approvals_.end(), approval.create_time_ms,
      [](int64_t time_ms, const store::ApprovalRow& a) { return time_ms < a.create_time_ms; });
  approvals_.insert(later, approval);
}

ApprovalSummary ApprovalLedger::Summarize(int64_t since_ms) {
  assert(Covers(since_ms));
  while (!approvals_.empty() && approvals_.front().create_time_ms < since_ms) {
    approvals_.pop_front();
  }
  horizon_ms_ = since_ms;
  ApprovalSummary summary;
  summary.last_approval_ms = last_approval_ms_;
  if (!approvals_.empty()) summary.oldest_approval_ms = approvals_.front().create_time_ms;
  for (const store::ApprovalRow& a : approvals_) {
    summary.approved_energy_kwh += a.energy_kwh;
    summary.approved_co2e_kg += a.co2e_kg;
  }
  return summary;
}

}  // namespace greengate::app
