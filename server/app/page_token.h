#pragma once

// Opaque ListDecisions page tokens: the keyset position (the last seq returned) bound to the
// filters of the request that produced it (AIP-158: other parameters must match).

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace greengate::app {

std::string EncodePageToken(int64_t before_seq, absl::string_view filters);
// InvalidArgument ("page_token: ...") for malformed tokens or tokens of other filters.
absl::StatusOr<int64_t> DecodePageToken(absl::string_view token, absl::string_view filters);

}  // namespace greengate::app
