#pragma once

// The token file: who may call the server, with which role.
//
//   # name      role      token
//   ci-churn    pipeline  3f9c...   (at least 16 visible ASCII characters)
//   alice       reviewer  a81d...  models=churn,fraud-*
//   ops         admin     77e0...
//
// An optional fourth field `models=<list>` limits the token to those models (model_scope.h).
// One entry per line, fields separated by blanks; '#' starts a comment line; blank lines are
// ignored. Only the SHA-256 of each token is kept in memory. Thread-safe (pure functions).

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/model_scope.h"
#include "server/auth/roles.h"

namespace greengate::auth {

using Sha256 = std::array<uint8_t, 32>;

// SHA-256 of `data`.
Sha256 HashToken(absl::string_view data);

// One line of the token file.
struct TokenEntry {
  std::string name;  // the caller's name, recorded with each decision
  Role role = Role::kPipeline;
  Sha256 token_sha256{};
  ModelScope models;  // every model unless the line limits it
  int line = 0;       // 1-based line in the file
};

// Shortest token accepted: 16 characters (e.g. `openssl rand -hex 32` gives 64).
inline constexpr size_t kMinTokenLength = 16;

// ParseTokenFile()
//
// Parses the text of a token file; `path` only names the file in errors, which read
// "PATH:LINE: ..." and never contain a token. InvalidArgument for a malformed line, an unknown
// role, a malformed `models=` field, a short token, the example file's REPLACE-ME placeholder, a
// duplicate name or token, or a file without any entry.
absl::StatusOr<std::vector<TokenEntry>> ParseTokenFile(absl::string_view text,
                                                       absl::string_view path);

// LoadTokenFile()
//
// Reads and parses the token file at `path`. Refuses (PermissionDenied) a file that others
// may read or write (mode o+r or o+w): the tokens would be exposed. NotFound when missing.
absl::StatusOr<std::vector<TokenEntry>> LoadTokenFile(const std::string& path);

}  // namespace greengate::auth
