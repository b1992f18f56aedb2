#include "server/auth/authenticator.h"

#include <openssl/crypto.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/quote.h"

namespace greengate::auth {
namespace {

constexpr absl::string_view kScheme = "bearer ";

}  // namespace

Authenticator::Authenticator(std::vector<TokenEntry> entries) : entries_(std::move(entries)) {}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::FromFile(const std::string& path) {
  absl::StatusOr<std::vector<TokenEntry>> entries = LoadTokenFile(path);
  if (!entries.ok()) return entries.status();
  return std::make_unique<Authenticator>(std::move(*entries));
}

absl::StatusOr<Caller> Authenticator::Authenticate(
    std::optional<absl::string_view> authorization) const {
  if (!authorization) {
    return absl::UnauthenticatedError(
        "no bearer token: send metadata 'authorization: Bearer <token>' (the CLI: "
        "--token-file or GREENGATE_TOKEN_FILE)");
  }
  if (authorization->size() <= kScheme.size() ||
      !absl::StartsWithIgnoreCase(*authorization, kScheme)) {
    return absl::UnauthenticatedError("authorization metadata is not 'Bearer <token>'");
  }
  const absl::string_view token = absl::StripAsciiWhitespace(authorization->substr(kScheme.size()));
  const Sha256 digest = HashToken(token);
  // Compare against every entry, without stopping at a match, so the time taken does not tell
  // which entry (if any) matched.
  const TokenEntry* match = nullptr;
  for (const TokenEntry& entry : entries_) {
    const bool equal = CRYPTO_memcmp(entry.token_sha256.data(), digest.data(), digest.size()) == 0;
    if (equal) match = &entry;
  }
  if (match == nullptr) return absl::UnauthenticatedError("unknown bearer token");
  Caller caller;
  caller.name = match->name;
  caller.role = match->role;
  caller.models = match->models;
  return caller;
}

absl::Status Authenticator::Authorize(const Caller& caller, absl::string_view method) {
  if (caller.role && MayCall(*caller.role, method)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "caller '", caller.name, "' (role ", caller.role ? RoleName(*caller.role) : "none",
      ") may not call ", method, "; it needs role ", DescribeRoles(AllowedRoles(method))));
}

absl::Status Authenticator::AuthorizeModel(const Caller& caller, absl::string_view model_id) {
  if (caller.models.Allows(model_id)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("caller '", caller.name, "' may not act on ",
                   QuoteForMessage(absl::StrCat("models/", model_id)),
                   "; its token is limited to models ", caller.models.Describe()));
}

}  // namespace greengate::auth
