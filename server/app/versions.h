#pragma once

// What the service learns about a model's versions and outcomes for the gain estimate: shadow
// scores turned into the outcome's accuracies, and the accuracy each earlier version reached.
// No gRPC calls and no store access: the caller loads the rows.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "greengate/v1/greengate.pb.h"
#include "server/store/store.h"

namespace greengate::app {

// ApprovalSeq(): the log position of `decision_name` ("decisions/{id}", field
// "reference.approved_by"), which must be an APPROVE decision of model `model_id`. Every error
// names the field: InvalidArgument for a malformed name, NotFound for an unknown decision,
// FailedPrecondition for another model's decision or one that did not approve.
absl::StatusOr<int64_t> ApprovalSeq(store::Store& store, int64_t model_id,
                                    const std::string& decision_name);

// ApplyShadowScore(): with outcome.shadow set, checks it ("outcome.shadow.rows" > 0,
// "outcome.shadow.correct_before" / "correct_after" in [0, rows]), refuses accuracy_before /
// accuracy_after sent as well ("outcome.accuracy_after: ..."), and fills them and
// evaluation_rows from the counts. Without shadow: requires accuracy_after or nothing more.
absl::Status ApplyShadowScore(v1::Outcome* outcome);

// AttainedAccuracies(): for every version other than `deployed_version`, in order of first
// deployment, the accuracy it reached:
// the shadow-scored accuracy_after of the outcome of the decision that approved it when one
// was reported, else its reference accuracy; versions with neither are skipped.
std::vector<double> AttainedAccuracies(const std::vector<store::VersionRow>& versions,
                                       const std::vector<store::OutcomeRow>& outcomes,
                                       absl::string_view deployed_version);

}  // namespace greengate::app
