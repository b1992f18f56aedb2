#include "server/alerts/payload.h"

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"

namespace greengate::alerts {
namespace {

constexpr double kJoulesPerKwh = 3.6e6;

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

// Annotations are strings; %.6g keeps them short and exact enough for people.
std::string Number(double value) { return absl::StrFormat("%.6g", value); }

}  // namespace

std::string AlertName(v1::Verdict verdict) {
  switch (verdict) {
    case v1::APPROVE:
      return "GreengateRetrainApproved";
    case v1::REJECT:
      return "GreengateRetrainRejected";
    case v1::DEFER:
      return "GreengateRetrainDeferred";
    default:
      return "GreengateRetrainDecision";
  }
}

std::string AlertmanagerPayload(const v1::Decision& decision, const AlertmanagerOptions& options) {
  const absl::Time starts = absl::FromUnixMillis(
      google::protobuf::util::TimeUtil::TimestampToMilliseconds(decision.create_time()));
  const double energy_kwh = decision.cost().energy_kwh();
  nlohmann::json alert = {
      {"labels",
       {{"alertname", AlertName(decision.verdict())},
        {"model", std::string(absl::StripPrefix(decision.model(), "models/"))},
        {"verdict", v1::Verdict_Name(decision.verdict())},
        {"severity", decision.verdict() == v1::REJECT ? "warning" : "info"}}},
      {"annotations",
       {{"summary", decision.reason()},
        {"description",
         absl::StrFormat("%s: retrain %s (decided by %s)", decision.model(),
                         v1::Verdict_Name(decision.verdict()), decision.decided_by())},
        {"decision", decision.name()},
        {"decided_by", decision.decided_by()},
        {"energy_kwh", Number(energy_kwh)},
        {"energy_joules", Number(energy_kwh * kJoulesPerKwh)},
        {"co2e_kg", Number(decision.cost().co2e_kg())}}},
      {"startsAt", Rfc3339(starts)},
      {"endsAt", Rfc3339(starts + options.resolve_after)},
  };
  if (!options.link_prefix.empty()) alert["generatorURL"] = options.link_prefix + decision.name();
  // replace: a reason with invalid UTF-8 must not make dump() throw.
  return nlohmann::json::array({alert}).dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace);
}

std::string WebhookPayload(const v1::Decision& decision) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  // Cannot fail for a message whose fields are all set through its generated API.
  (void)google::protobuf::util::MessageToJsonString(decision, &json, options);
  return json;
}

}  // namespace greengate::alerts
