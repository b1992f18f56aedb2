#pragma once

// ApprovalLedger: the approvals a model's decisions weigh (cooldown, energy and carbon budget
// windows), kept in memory between decisions.
//
// Every decision needs its model's latest approval and the sums over the budget window. Read
// from SQLite, that is a query per decision whose cost grows with the approvals in the window
// (and reads pages again after every commit); the ledger is loaded once per model (and again
// only when a longer window than it holds is asked for, or after a failed commit) and then
// follows the approvals the gatekeeper queues for commit itself, so a decision already counts
// for the next one while its commit is on its way. It is correct because this server is the
// only writer of its database (greengate-server holds a lock on the file) and decisions are
// append-only.
//
// Not thread-safe: the gatekeeper uses a model's ledger under that model's lock (the fleet's
// under the fleet lock).

#include <cstdint>
#include <deque>
#include <optional>

#include "server/store/store.h"

namespace greengate::app {

// Cooldown and budget inputs over a window [since_ms, now].
struct ApprovalSummary {
  std::optional<int64_t> last_approval_ms;    // latest approval, however old
  double approved_energy_kwh = 0;             // approvals with create_time_ms >= since_ms
  double approved_co2e_kg = 0;                // the same approvals' carbon
  std::optional<int64_t> oldest_approval_ms;  // oldest approval with create_time_ms >= since_ms
};

class ApprovalLedger {
 public:
  // True when the ledger holds every approval at or after since_ms.
  bool Covers(int64_t since_ms) const { return loaded_ && since_ms >= horizon_ms_; }

  // Replaces the contents with `history`: every approval at or after horizon_ms.
  void Reset(int64_t horizon_ms, store::ApprovalHistory history);

  // Records an approval as its decision is queued for commit.
  void Add(const store::ApprovalRow& approval);

  // After a commit failed: Covers() is false until the next Reset.
  void Invalidate() { loaded_ = false; }

  // The window from since_ms; requires Covers(since_ms). Forgets approvals before since_ms
  // (a later, longer window makes Covers false and the caller reloads). Sums in time order.
  ApprovalSummary Summarize(int64_t since_ms);

 private:
  bool loaded_ = false;
  int64_t horizon_ms_ = 0;
  std::deque<store::ApprovalRow> approvals_;  // create_time_ms >= horizon_ms_, in time order
  std::optional<int64_t> last_approval_ms_;
};

}  // namespace greengate::app
