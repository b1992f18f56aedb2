#pragma once

// HttpClient: the one HTTP operation alert sinks need, behind an interface so tests can
// replace the network. CurlHttpClient is the real one (libcurl).

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace greengate::alerts {

struct HttpResponse {
  int status = 0;    // HTTP status code
  std::string body;  // at most the client's max_body_bytes
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends `body` to `url`. Unavailable when no response arrived (connection refused,
  // timeout, DNS); any HTTP status is a response. Thread-safe.
  virtual absl::StatusOr<HttpResponse> Post(const std::string& url, const std::string& content_type,
                                            const std::string& body) = 0;
  // Fetches `url` (tests and readiness checks). Same errors as Post. Thread-safe.
  virtual absl::StatusOr<HttpResponse> Get(const std::string& url) = 0;
};

// libcurl, one easy handle per request (requests are rare: one per alert). Thread-safe.
class CurlHttpClient final : public HttpClient {
 public:
  // `timeout` bounds a whole request, connect included. Response bodies are cut to
  // `max_body_bytes` (a sink only quotes them in errors).
  explicit CurlHttpClient(absl::Duration timeout = absl::Seconds(5), size_t max_body_bytes = 4096);
  absl::StatusOr<HttpResponse> Post(const std::string& url, const std::string& content_type,
                                    const std::string& body) override;
  absl::StatusOr<HttpResponse> Get(const std::string& url) override;

 private:
  absl::StatusOr<HttpResponse> Perform(const std::string& url, const std::string* content_type,
                                       const std::string* body);
  const absl::Duration timeout_;
  const size_t max_body_bytes_;
};

}  // namespace greengate::alerts
