#pragma once

// The bodies alert sinks send. Pure functions of the decision and the options.

#include <string>

#include "absl/time/time.h"
#include "greengate/v1/greengate.pb.h"

namespace greengate::alerts {

struct AlertmanagerOptions {
  // An alert resolves (endsAt) this long after the decision: a decision is an event, not a
  // lasting condition, so it must not stay firing forever.
  absl::Duration resolve_after = absl::Hours(1);
  // generatorURL = prefix + decision name (e.g. "https://greengate.example/" ->
  // "https://greengate.example/decisions/abc"); omitted when empty.
  std::string link_prefix;
};

// "GreengateRetrainApproved", "GreengateRetrainRejected", "GreengateRetrainDeferred".
std::string AlertName(v1::Verdict verdict);

// AlertmanagerPayload()
//
// The body of POST /api/v2/alerts for one decision: a JSON array holding one alert with
// labels alertname, model (the model id, without "models/"), verdict and severity ("warning"
// for REJECT, "info" otherwise); annotations summary (the decision's reason), description,
// decision (its name), decided_by, energy_kwh, energy_joules and co2e_kg; startsAt = the
// decision's create_time, endsAt = startsAt + resolve_after (RFC 3339, UTC, milliseconds).
std::string AlertmanagerPayload(const v1::Decision& decision, const AlertmanagerOptions& options);

// The body a generic webhook receives: the Decision as standard protobuf JSON.
std::string WebhookPayload(const v1::Decision& decision);

}  // namespace greengate::alerts
