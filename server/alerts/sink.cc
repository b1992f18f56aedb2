#include "server/alerts/sink.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace greengate::alerts {

absl::Status ClassifyHttpResult(const absl::StatusOr<HttpResponse>& response,
                                const std::string& url) {
  if (!response.ok()) return absl::UnavailableError(response.status().message());
  const int code = response->status;
  if (code >= 200 && code < 300) return absl::OkStatus();
  const std::string detail =
      absl::StrCat(url, ": HTTP ", code, ": ", response->body.substr(0, 200));
  if (code >= 400 && code < 500 && code != 408 && code != 429) {
    return absl::InvalidArgumentError(detail);
  }
  return absl::UnavailableError(detail);
}

AlertmanagerSink::AlertmanagerSink(std::string base_url, AlertmanagerOptions options,
                                   HttpClient* http)
    : url_(absl::StrCat(absl::StripSuffix(base_url, "/"), "/api/v2/alerts")),
      options_(std::move(options)),
      http_(http) {}

absl::Status AlertmanagerSink::Send(const v1::Decision& decision) {
  return ClassifyHttpResult(
      http_->Post(url_, "application/json", AlertmanagerPayload(decision, options_)), url_);
}

WebhookSink::WebhookSink(std::string url, HttpClient* http) : url_(std::move(url)), http_(http) {}

absl::Status WebhookSink::Send(const v1::Decision& decision) {
  return ClassifyHttpResult(http_->Post(url_, "application/json", WebhookPayload(decision)), url_);
}

}  // namespace greengate::alerts
