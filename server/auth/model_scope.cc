#include "server/auth/model_scope.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/common/quote.h"

namespace greengate::auth {
namespace {

constexpr size_t kMaxModelIdLength = 63;  // as the service's model ids

bool IsIdChar(char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-'; }

}  // namespace

absl::StatusOr<ModelScope> ModelScope::Parse(absl::string_view list) {
  ModelScope scope;
  scope.all_ = false;
  for (absl::string_view entry : absl::StrSplit(list, ',')) {
    const bool prefix = absl::EndsWith(entry, "*");
    const absl::string_view id = prefix ? entry.substr(0, entry.size() - 1) : entry;
    bool valid = id.size() <= kMaxModelIdLength && (prefix || !id.empty());
    for (char c : id) valid = valid && IsIdChar(c);
    if (!valid) {
      return absl::InvalidArgumentError(absl::StrCat(
          "models: ", QuoteForMessage(entry),
          " is neither a model id (a-z, 0-9, '-') nor a prefix of one followed by '*'"));
    }
    (prefix ? scope.prefixes_ : scope.names_).emplace_back(id);
  }
  return scope;
}

bool ModelScope::Allows(absl::string_view model_id) const {
  if (all_) return true;
  for (const std::string& name : names_) {
    if (model_id == name) return true;
  }
  for (const std::string& prefix : prefixes_) {
    if (absl::StartsWith(model_id, prefix)) return true;
  }
  return false;
}

std::string ModelScope::Describe() const {
  if (all_) return "every model";
  std::vector<std::string> parts(names_.begin(), names_.end());
  for (const std::string& prefix : prefixes_) parts.push_back(absl::StrCat(prefix, "*"));
  return absl::StrJoin(parts, ",");
}

}  // namespace greengate::auth
