#pragma once

// Listen addresses given as server flags (--listen, --metrics_listen), checked before the
// server creates any file, so a mistyped address refuses the start instead of failing (or
// binding a port the operator did not ask for) after the database exists.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace greengate {

// ValidateHostPort()
//
// OK for "host:port": host a DNS name or IPv4 address ([A-Za-z0-9.-]+), or an IPv6 address in
// brackets ("[::1]"); port decimal, in [0, 65535] (0 picks a free port). InvalidArgument
// naming `flag` ("--listen: ...") otherwise. Syntax only: whether the host resolves and the
// port is free is learnt when binding. Thread-safe.
absl::Status ValidateHostPort(absl::string_view address, absl::string_view flag);

}  // namespace greengate
