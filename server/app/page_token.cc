#include "server/app/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace greengate::app {

std::string EncodePageToken(int64_t before_seq, absl::string_view filters) {
  return absl::WebSafeBase64Escape(absl::StrCat("v1|", before_seq, "|", filters));
}

absl::StatusOr<int64_t> DecodePageToken(absl::string_view token, absl::string_view filters) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) {
    return absl::InvalidArgumentError("page_token: malformed; pass back next_page_token as is");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(raw, absl::MaxSplits('|', 2));
  int64_t seq = 0;
  if (parts.size() != 3 || parts[0] != "v1" || !absl::SimpleAtoi(parts[1], &seq) || seq <= 0) {
    return absl::InvalidArgumentError("page_token: malformed; pass back next_page_token as is");
  }
  if (parts[2] != filters) {
    return absl::InvalidArgumentError(
        "page_token: was issued for different filters; repeat the original request's filters");
  }
  return seq;
}

}  // namespace greengate::app
