#pragma once

// The alert sinks' URLs (--alertmanager_url, --webhook_url, --alert_link_prefix), checked when
// the server starts: a URL that libcurl cannot parse, or that is not HTTP, would otherwise be
// accepted and fail every delivery.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace greengate::alerts {

// ValidateHttpUrl()
//
// OK for an absolute http:// or https:// URL with a host, as libcurl parses it (a port, when
// given, in [1, 65535]). InvalidArgument naming `flag` otherwise. Thread-safe.
absl::Status ValidateHttpUrl(absl::string_view url, absl::string_view flag);

}  // namespace greengate::alerts
