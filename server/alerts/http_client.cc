#include "server/alerts/http_client.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace greengate::alerts {
namespace {

struct BodySink {
  std::string* body;
  size_t max_bytes;
};

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t bytes = size * count;
  if (sink->body->size() < sink->max_bytes) {
    sink->body->append(data, std::min(bytes, sink->max_bytes - sink->body->size()));
  }
  return bytes;  // keep reading (and discarding) the rest
}

struct EasyCloser {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListCloser {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

CurlHttpClient::CurlHttpClient(absl::Duration timeout, size_t max_body_bytes)
    : timeout_(timeout), max_body_bytes_(max_body_bytes) {
  // curl_global_init is not thread-safe; do it once, before any handle exists.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

absl::StatusOr<HttpResponse> CurlHttpClient::Post(const std::string& url,
                                                  const std::string& content_type,
                                                  const std::string& body) {
  return Perform(url, &content_type, &body);
}

absl::StatusOr<HttpResponse> CurlHttpClient::Get(const std::string& url) {
  return Perform(url, nullptr, nullptr);
}

absl::StatusOr<HttpResponse> CurlHttpClient::Perform(const std::string& url,
                                                     const std::string* content_type,
                                                     const std::string* body) {
  std::unique_ptr<CURL, EasyCloser> curl(curl_easy_init());
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  HttpResponse response;
  BodySink body_sink{&response.body, max_body_bytes_};
  std::unique_ptr<curl_slist, ListCloser> headers;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a threaded server
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(timeout_)));
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body_sink);
  if (body != nullptr) {
    headers.reset(
        curl_slist_append(nullptr, absl::StrCat("Content-Type: ", *content_type).c_str()));
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body->data());
  }
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(url, ": ", curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace greengate::alerts
