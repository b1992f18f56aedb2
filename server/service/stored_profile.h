#pragma once

// Reference profiles in the store. New rows hold the serialized protobuf, base64-encoded
// (the column is STRICT TEXT): a reference's samples are hundreds of thousands of doubles,
// and printing them as JSON on SetReference and parsing that JSON back on GetReference and
// the first ShouldRetrain was most of those calls' time. Rows written before hold JSON
// (ToStoredJson, always starting with '{'), which stays readable: base64 never holds '{'.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "greengate/v1/greengate.pb.h"

namespace greengate::service {

// The text stored for `profile` (base64 of the binary protobuf). Thread-safe.
std::string ProfileToStored(const v1::DataProfile& profile);

// Parses a stored profile, binary or JSON. DataLoss when it does not parse (the database was
// damaged outside greengate). Thread-safe.
absl::Status ProfileFromStored(absl::string_view stored, v1::DataProfile* profile);

}  // namespace greengate::service
