#include "server/auth/token_file.h"

#include <openssl/sha.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace greengate::auth {
namespace {

constexpr size_t kMaxNameLength = 64;

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' &&
        c != '@') {
      return false;
    }
  }
  return true;
}

bool VisibleAscii(absl::string_view token) {
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

Sha256 HashToken(absl::string_view data) {
  Sha256 digest;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return digest;
}

absl::StatusOr<std::vector<TokenEntry>> ParseTokenFile(absl::string_view text,
                                                       absl::string_view path) {
  std::vector<TokenEntry> entries;
  absl::flat_hash_set<std::string> names;
  absl::flat_hash_set<std::string> digests;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const absl::string_view content = absl::StripAsciiWhitespace(line);
    if (content.empty() || content.front() == '#') continue;
    auto fail = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", line_number, ": ", what));
    };
    const std::vector<absl::string_view> fields =
        absl::StrSplit(content, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 3 && fields.size() != 4) {
      return fail(absl::StrCat("expected '<name> <role> <token> [models=<list>]', got ",
                               fields.size(), " field", fields.size() == 1 ? "" : "s"));
    }
    ModelScope models;
    if (fields.size() == 4) {
      if (!absl::StartsWith(fields[3], "models=")) {
        return fail("the fourth field must be models=<id or prefix*>,...");
      }
      absl::StatusOr<ModelScope> parsed = ModelScope::Parse(fields[3].substr(7));
      if (!parsed.ok()) return fail(parsed.status().message());
      models = *std::move(parsed);
    }
    const absl::string_view name = fields[0];
    const absl::string_view token = fields[2];
    if (!ValidName(name)) {
      return fail(absl::StrCat("name '", absl::CHexEscape(name.substr(0, kMaxNameLength)),
                               "': use 1 to ", kMaxNameLength, " of A-Z a-z 0-9 . _ - @"));
    }
    if (name == "anonymous") return fail("name 'anonymous' is reserved for calls without a token");
    const std::optional<Role> role = ParseRole(fields[1]);
    if (!role) {
      return fail(absl::StrCat("role '", absl::CHexEscape(fields[1].substr(0, 32)),
                               "': expected pipeline, reviewer or admin"));
    }
    if (token.size() < kMinTokenLength) {
      return fail(absl::StrCat("token of '", name, "' has ", token.size(), " characters; at least ",
                               kMinTokenLength, " (e.g. `openssl rand -hex 32`)"));
    }
    if (absl::StartsWithIgnoreCase(token, "REPLACE-ME")) {
      return fail(absl::StrCat("token of '", name,
                               "' is the example's placeholder; replace it with a secret "
                               "(`openssl rand -hex 32`)"));
    }
    if (!VisibleAscii(token)) {
      return fail(absl::StrCat("token of '", name, "': only visible ASCII characters"));
    }
    if (!names.insert(std::string(name)).second) {
      return fail(absl::StrCat("name '", name, "' appears twice"));
    }
    TokenEntry entry;
    entry.name = std::string(name);
    entry.role = *role;
    entry.token_sha256 = HashToken(token);
    entry.line = line_number;
    entry.models = std::move(models);
    const std::string digest(entry.token_sha256.begin(), entry.token_sha256.end());
    if (!digests.insert(digest).second) {
      return fail(absl::StrCat("token of '", name, "' is also given to another name"));
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no tokens (expected lines '<name> <role> <token>')"));
  }
  return entries;
}

absl::StatusOr<std::vector<TokenEntry>> LoadTokenFile(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    const int error = errno;
    const std::string message = absl::StrCat("token file ", path, ": ", std::strerror(error));
    return error == ENOENT ? absl::NotFoundError(message) : absl::PermissionDeniedError(message);
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("token file ", path, ": not a regular file"));
  }
  if ((info.st_mode & (S_IROTH | S_IWOTH)) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "token file %s: mode %04o lets other users read or write it; run `chmod 600 %s` "
        "(or 640 with a trusted group)",
        path, info.st_mode & 07777, path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::PermissionDeniedError(
        absl::StrCat("token file ", path, ": cannot open: ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseTokenFile(text.str(), path);
}

}  // namespace greengate::auth
