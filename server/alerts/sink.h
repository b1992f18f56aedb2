#pragma once

// Alert sinks: where a decision is delivered. A sink is called by one dispatcher thread.

#include <string>

#include "absl/status/status.h"
#include "greengate/v1/greengate.pb.h"
#include "server/alerts/http_client.h"
#include "server/alerts/payload.h"

namespace greengate::alerts {

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Stable name, the key of the sink's cursor in the database ("alertmanager", "webhook").
  virtual const std::string& name() const = 0;
  // Delivers one decision. OK once the receiver acknowledged it (2xx). InvalidArgument when
  // the receiver rejected it for good (a 4xx other than 408/429: retrying cannot help);
  // Unavailable for anything worth retrying (no connection, timeout, 5xx, 408, 429).
  virtual absl::Status Send(const v1::Decision& decision) = 0;
};

// Maps an HTTP outcome to the statuses Send() documents. Pure.
absl::Status ClassifyHttpResult(const absl::StatusOr<HttpResponse>& response,
                                const std::string& url);

// POST {base_url}/api/v2/alerts. `http` must outlive the sink.
class AlertmanagerSink final : public AlertSink {
 public:
  AlertmanagerSink(std::string base_url, AlertmanagerOptions options, HttpClient* http);
  const std::string& name() const override { return name_; }
  absl::Status Send(const v1::Decision& decision) override;

 private:
  const std::string name_ = "alertmanager";
  const std::string url_;
  const AlertmanagerOptions options_;
  HttpClient* const http_;
};

// POST {url} with the decision as protobuf JSON. `http` must outlive the sink.
class WebhookSink final : public AlertSink {
 public:
  WebhookSink(std::string url, HttpClient* http);
  const std::string& name() const override { return name_; }
  absl::Status Send(const v1::Decision& decision) override;

 private:
  const std::string name_ = "webhook";
  const std::string url_;
  HttpClient* const http_;
};

}  // namespace greengate::alerts
