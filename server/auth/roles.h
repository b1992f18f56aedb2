#pragma once

// Roles of token holders and which RPC each role may call. The table is the one place that
// decides access; the gRPC handlers only look it up. Pure and thread-safe (constant data).

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace greengate::auth {

// What a token may do. `kAdmin` may call every method; see AllowedRoles() for the others.
enum class Role : uint8_t { kPipeline = 1, kReviewer = 2, kAdmin = 4 };

// "pipeline", "reviewer", "admin".
absl::string_view RoleName(Role role);
// The inverse of RoleName (exact, lower case); nullopt for anything else.
std::optional<Role> ParseRole(absl::string_view text);

// A set of roles as a bit mask of Role values.
using RoleSet = uint8_t;
constexpr RoleSet RoleBit(Role role) { return static_cast<RoleSet>(role); }

// AllowedRoles()
//
// The roles that may call `method`, the RPC's short name ("ShouldRetrain"). Admin is in every
// set. A method missing from the table (e.g. an RPC added later) is admin-only: the table
// fails closed.
RoleSet AllowedRoles(absl::string_view method);

// True when `role` may call `method`.
bool MayCall(Role role, absl::string_view method);

// "pipeline or admin": the roles in `roles`, for messages.
std::string DescribeRoles(RoleSet roles);

}  // namespace greengate::auth
