#include "server/common/host_port.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/quote.h"

namespace greengate {
namespace {

bool IsNameOrIpv4(absl::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// "[::1]", "[fe80::1%eth0]": hex digits, ':' and '.' (an embedded IPv4), and a zone after '%'.
bool IsBracketedIpv6(absl::string_view host) {
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
  const absl::string_view inside = host.substr(1, host.size() - 2);
  const size_t zone = inside.find('%');
  const absl::string_view address = inside.substr(0, zone);
  if (address.find(':') == absl::string_view::npos) return false;
  for (char c : address) {
    if (!absl::ascii_isxdigit(c) && c != ':' && c != '.') return false;
  }
  if (zone == absl::string_view::npos) return true;
  return zone + 1 < inside.size() && IsNameOrIpv4(inside.substr(zone + 1));
}

}  // namespace

absl::Status ValidateHostPort(absl::string_view address, absl::string_view flag) {
  const size_t colon = address.rfind(':');
  const absl::string_view host =
      colon == absl::string_view::npos ? absl::string_view() : address.substr(0, colon);
  const absl::string_view port =
      colon == absl::string_view::npos ? absl::string_view() : address.substr(colon + 1);
  if (!IsNameOrIpv4(host) && !IsBracketedIpv6(host)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", QuoteForMessage(address),
                     " is not host:port (e.g. 127.0.0.1:50051, 0.0.0.0:50051, [::1]:50051)"));
  }
  uint32_t number = 0;
  const bool digits = !port.empty() && port.size() <= 5 &&
                      std::all_of(port.begin(), port.end(), absl::ascii_isdigit);
  if (!digits || !absl::SimpleAtoi(port, &number) || number > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": port ", QuoteForMessage(port), " of ",
                                                   QuoteForMessage(address),
                                                   " is not a number in [0, 65535]"));
  }
  return absl::OkStatus();
}

}  // namespace greengate
