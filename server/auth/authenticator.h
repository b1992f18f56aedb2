#pragma once

// Checks a call's bearer token against the token file and its role against the method table.
// No gRPC here: the service passes the `authorization` metadata in and maps the status codes
// (Unauthenticated, PermissionDenied) one to one.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/roles.h"
#include "server/auth/token_file.h"

namespace greengate::auth {

// Who made a call. Recorded with each decision.
struct Caller {
  std::string name = "anonymous";   // the token's name, or "anonymous" without tokens
  std::optional<Role> role;         // unset for anonymous callers
  std::string certificate_subject;  // the mTLS client certificate's subject, when there is one
  ModelScope models;                // the models its token may act on
};

// Immutable after construction; thread-safe.
class Authenticator {
 public:
  explicit Authenticator(std::vector<TokenEntry> entries);

  // Loads the token file (see LoadTokenFile()).
  static absl::StatusOr<std::unique_ptr<Authenticator>> FromFile(const std::string& path);

  size_t size() const { return entries_.size(); }

  // Authenticate()
  //
  // `authorization` is the value of the call's `authorization` metadata, or nullopt when the
  // call has none. Accepts "Bearer <token>" (scheme in any case) with a token from the file.
  // Unauthenticated otherwise; the message never repeats the token. The comparison takes the
  // same time whichever entry matches, or none: every entry's SHA-256 is compared in
  // constant time.
  absl::StatusOr<Caller> Authenticate(std::optional<absl::string_view> authorization) const;

  // PermissionDenied unless `caller`'s role may call `method` (the RPC's short name).
  static absl::Status Authorize(const Caller& caller, absl::string_view method);

  // PermissionDenied, naming the model and the token's scope, unless `caller`'s token may act
  // on the model `model_id` (no "models/" prefix).
  static absl::Status AuthorizeModel(const Caller& caller, absl::string_view model_id);

 private:
  std::vector<TokenEntry> entries_;
};

}  // namespace greengate::auth
