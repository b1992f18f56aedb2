#pragma once

// Protobuf JSON for stored payloads: proto field names (snake_case, so SQL json_extract reads
// them as in the .proto) and every field printed, so a stored record is explicit.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace greengate::mapping {

std::string ToStoredJson(const google::protobuf::Message& message);
// DataLoss when a stored payload no longer parses: the log was damaged outside greengate.
absl::Status FromStoredJson(absl::string_view json, google::protobuf::Message* message);

}  // namespace greengate::mapping
