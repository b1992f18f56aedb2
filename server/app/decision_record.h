#pragma once

// The record of one decision: the Decision message (the stored payload, what ShouldRetrain
// and GetDecision return and what WatchDecisions streams: its proto JSON is the log's format,
// so the application builds the message itself) and the log row with its indexed columns.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "greengate/v1/greengate.pb.h"
#include "server/auth/authenticator.h"
#include "server/core/evaluate.h"
#include "server/store/store.h"

namespace greengate::app {

// What a decision is about and who asked, besides the evaluation.
struct DecisionFacts {
  std::string decision_id;  // NewDecisionId()
  std::string model_id;     // "churn"
  int64_t model_row_id = 0;
  std::string model_version;  // the reference's
  int64_t policy_version = 0;
  std::string idempotency_key;
  auth::Caller caller;
  absl::Time now;
};

struct DecisionRecord {
  v1::Decision decision;
  store::DecisionRow row;
  bool approved() const { return decision.verdict() == v1::APPROVE; }
  // What an approval adds to the budget ledgers; nullopt unless approved.
  std::optional<store::ApprovalRow> approval() const;
};

// 128 random bits as hex: unguessable and unique without coordination. Thread-safe.
std::string NewDecisionId();

DecisionRecord MakeDecisionRecord(const DecisionFacts& facts, const Evaluation& evaluation);

}  // namespace greengate::app
