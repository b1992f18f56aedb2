#include "server/auth/roles.h"

#include <vector>

#include "absl/strings/str_join.h"

namespace greengate::auth {
namespace {

constexpr RoleSet kPipeline = RoleBit(Role::kPipeline);
constexpr RoleSet kReviewer = RoleBit(Role::kReviewer);
constexpr RoleSet kAdmin = RoleBit(Role::kAdmin);

struct MethodRoles {
  absl::string_view method;
  RoleSet roles;
};

// Pipeline: asks the gate and reports what the retrain did; reads only what its own flow needs
// (the model, the reference `greengate profile --model` profiles against, the policy, and the
// decision it was given). Reviewer: every read, nothing that changes state. Admin: everything.
constexpr MethodRoles kTable[] = {
    {"ShouldRetrain", kPipeline | kAdmin},
    {"ReportOutcome", kPipeline | kAdmin},
    {"GetModel", kPipeline | kReviewer | kAdmin},
    {"GetReference", kPipeline | kReviewer | kAdmin},
    {"GetPolicy", kPipeline | kReviewer | kAdmin},
    {"GetDecision", kPipeline | kReviewer | kAdmin},
    {"ListEnergyTables", kPipeline | kReviewer | kAdmin},
    {"ListModels", kReviewer | kAdmin},
    {"ListDecisions", kReviewer | kAdmin},
    {"WatchDecisions", kReviewer | kAdmin},
    {"GetGovernanceReport", kReviewer | kAdmin},
    {"VerifyAuditLog", kReviewer | kAdmin},
    {"RegisterModel", kAdmin},
    {"SetReference", kAdmin},
    {"SetPolicy", kAdmin},
};

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kPipeline:
      return "pipeline";
    case Role::kReviewer:
      return "reviewer";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view text) {
  for (Role role : {Role::kPipeline, Role::kReviewer, Role::kAdmin}) {
    if (text == RoleName(role)) return role;
  }
  return std::nullopt;
}

RoleSet AllowedRoles(absl::string_view method) {
  for (const MethodRoles& entry : kTable) {
    if (entry.method == method) return entry.roles;
  }
  return kAdmin;
}

bool MayCall(Role role, absl::string_view method) {
  return (AllowedRoles(method) & RoleBit(role)) != 0;
}

std::string DescribeRoles(RoleSet roles) {
  std::vector<absl::string_view> names;
  for (Role role : {Role::kPipeline, Role::kReviewer, Role::kAdmin}) {
    if ((roles & RoleBit(role)) != 0) names.push_back(RoleName(role));
  }
  return absl::StrJoin(names, " or ");
}

}  // namespace greengate::auth
