#include "server/alerts/http_url.h"

#include <curl/curl.h>

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/common/quote.h"

namespace greengate::alerts {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

// A part of a parsed URL; "" when it has none.
std::string Part(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

}  // namespace

absl::Status ValidateHttpUrl(absl::string_view url, absl::string_view flag) {
  const auto refused = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", QuoteForMessage(url), " ", why,
                     "; expected an http:// or https:// URL such as http://alertmanager:9093"));
  };
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (parsed == nullptr) return absl::ResourceExhaustedError("curl_url: out of memory");
  const std::string text(url);
  if (const CURLUcode code = curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0);
      code != CURLUE_OK) {
    return refused(absl::StrCat("is not a URL (", curl_url_strerror(code), ")"));
  }
  const std::string scheme = absl::AsciiStrToLower(Part(parsed.get(), CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https") {
    return refused(absl::StrCat("has scheme ", QuoteForMessage(scheme)));
  }
  if (Part(parsed.get(), CURLUPART_HOST).empty()) return refused("has no host");
  return absl::OkStatus();
}

}  // namespace greengate::alerts
