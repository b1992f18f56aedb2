#include "server/auth/authenticator.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::auth {
namespace {

using ::testing::HasSubstr;

constexpr char kPipelineToken[] = "pipeline-token-0123456789";
constexpr char kReviewerToken[] = "reviewer-token-0123456789";
constexpr char kAdminToken[] = "admin-token-0123456789abc";

Authenticator MakeAuthenticator() {
  absl::StatusOr<std::vector<TokenEntry>> entries =
      ParseTokenFile(absl::StrCat("ci pipeline ", kPipelineToken, "\nalice reviewer ",
                                  kReviewerToken, "\nops admin ", kAdminToken, "\n"),
                     "tokens");
  EXPECT_TRUE(entries.ok()) << entries.status();
  return Authenticator(entries.ok() ? *std::move(entries) : std::vector<TokenEntry>{});
}

struct AuthCase {
  std::optional<std::string> authorization;
  absl::StatusCode code;
  std::string name;  // when OK
  std::optional<Role> role;
};

TEST(AuthenticatorTest, AuthenticatesBearerTokens) {
  const Authenticator authenticator = MakeAuthenticator();
  const std::string p = kPipelineToken;
  const AuthCase cases[] = {
      {"Bearer " + p, absl::StatusCode::kOk, "ci", Role::kPipeline},
      {"bearer " + p, absl::StatusCode::kOk, "ci", Role::kPipeline},  // scheme: any case
      {"BEARER  " + p + " ", absl::StatusCode::kOk, "ci", Role::kPipeline},
      {std::string("Bearer ") + kReviewerToken, absl::StatusCode::kOk, "alice", Role::kReviewer},
      {std::string("Bearer ") + kAdminToken, absl::StatusCode::kOk, "ops", Role::kAdmin},
      {std::nullopt, absl::StatusCode::kUnauthenticated, "", std::nullopt},
      {"", absl::StatusCode::kUnauthenticated, "", std::nullopt},
      {"Bearer ", absl::StatusCode::kUnauthenticated, "", std::nullopt},
      {p, absl::StatusCode::kUnauthenticated, "", std::nullopt},  // no scheme
      {"Basic " + p, absl::StatusCode::kUnauthenticated, "", std::nullopt},
      {"Bearer " + p.substr(1), absl::StatusCode::kUnauthenticated, "", std::nullopt},
      {"Bearer " + p + "x", absl::StatusCode::kUnauthenticated, "", std::nullopt},
  };
  for (const AuthCase& c : cases) {
    const std::optional<absl::string_view> value =
        c.authorization ? std::optional<absl::string_view>(*c.authorization) : std::nullopt;
    absl::StatusOr<Caller> caller = authenticator.Authenticate(value);
    const std::string label = c.authorization.value_or("<none>");
    ASSERT_EQ(caller.status().code(), c.code) << label << ": " << caller.status();
    if (caller.ok()) {
      EXPECT_EQ(caller->name, c.name) << label;
      EXPECT_EQ(caller->role, c.role) << label;
    } else {
      EXPECT_THAT(caller.status().message(), ::testing::Not(HasSubstr(p))) << label;
    }
  }
}

struct RoleCase {
  std::string method;
  bool pipeline;
  bool reviewer;
  bool admin;
};

TEST(AuthenticatorTest, RoleTable) {
  // The table documented in docs/operations.md, "Roles".
  const RoleCase cases[] = {
      {"ShouldRetrain", true, false, true},     {"ReportOutcome", true, false, true},
      {"GetModel", true, true, true},           {"GetReference", true, true, true},
      {"GetPolicy", true, true, true},          {"GetDecision", true, true, true},
      {"ListModels", false, true, true},        {"ListDecisions", false, true, true},
      {"WatchDecisions", false, true, true},    {"GetGovernanceReport", false, true, true},
      {"VerifyAuditLog", false, true, true},    {"RegisterModel", false, false, true},
      {"SetReference", false, false, true},     {"SetPolicy", false, false, true},
      {"SomeFutureMethod", false, false, true},  // not in the table: admin only
  };
  for (const RoleCase& c : cases) {
    EXPECT_EQ(MayCall(Role::kPipeline, c.method), c.pipeline) << c.method;
    EXPECT_EQ(MayCall(Role::kReviewer, c.method), c.reviewer) << c.method;
    EXPECT_EQ(MayCall(Role::kAdmin, c.method), c.admin) << c.method;
  }
}

TEST(AuthenticatorTest, AuthorizeExplainsTheRefusal) {
  Caller reviewer;
  reviewer.name = "alice";
  reviewer.role = Role::kReviewer;
  const absl::Status refused = Authenticator::Authorize(reviewer, "ShouldRetrain");
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.message(),
            "caller 'alice' (role reviewer) may not call ShouldRetrain; it needs role pipeline "
            "or admin");
  EXPECT_TRUE(Authenticator::Authorize(reviewer, "ListDecisions").ok());
  const Caller anonymous;
  EXPECT_EQ(Authenticator::Authorize(anonymous, "GetModel").code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(AuthenticatorTest, RoleNamesRoundTrip) {
  for (Role role : {Role::kPipeline, Role::kReviewer, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(ParseRole("root"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
}

}  // namespace
}  // namespace greengate::auth

namespace greengate::auth {
namespace {

struct ScopeCase {
  std::string line_scope;  // the token file line's fourth field, or ""
  std::string model_id;
  bool allowed;
};

// A token limited to models acts on those only; the refusal names the model and the scope.
TEST(AuthenticatorTest, TokensScopedToModels) {
  const std::string token = "0123456789abcdef0123";
  const std::vector<ScopeCase> cases = {
      {"", "anything", true},
      {"models=churn", "churn", true},
      {"models=churn", "churn-eu", false},
      {"models=churn", "fraud", false},
      {"models=churn,fraud-*", "fraud-eu", true},
      {"models=churn,fraud-*", "fraud", false},
      {"models=fraud-*", "fraud-", true},
      {"models=*", "anything", true},
  };
  for (const ScopeCase& c : cases) {
    absl::StatusOr<std::vector<TokenEntry>> entries =
        ParseTokenFile(absl::StrCat("ci pipeline ", token, " ", c.line_scope, "\n"), "tokens");
    ASSERT_TRUE(entries.ok()) << entries.status();
    const Authenticator authenticator(*std::move(entries));
    absl::StatusOr<Caller> caller = authenticator.Authenticate(absl::StrCat("Bearer ", token));
    ASSERT_TRUE(caller.ok()) << caller.status();
    const absl::Status status = Authenticator::AuthorizeModel(*caller, c.model_id);
    EXPECT_EQ(status.ok(), c.allowed) << c.line_scope << " " << c.model_id;
    if (!c.allowed) {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_EQ(status.message(),
                absl::StrCat("caller 'ci' may not act on 'models/", c.model_id,
                             "'; its token is limited to models ", c.line_scope.substr(7)));
    }
  }
}

}  // namespace
}  // namespace greengate::auth
