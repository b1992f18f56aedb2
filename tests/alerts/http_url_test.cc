#include "server/alerts/http_url.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::alerts {
namespace {

using ::testing::HasSubstr;

TEST(ValidateHttpUrlTest, AcceptsHttpAndHttpsUrls) {
  for (const char* url :
       {"http://alertmanager:9093", "https://hooks.example.com/greengate?x=1", "HTTP://127.0.0.1/",
        "http://[::1]:8080/api", "https://greengate.example/"}) {
    EXPECT_TRUE(ValidateHttpUrl(url, "--webhook_url").ok()) << url;
  }
}

TEST(ValidateHttpUrlTest, RefusesOtherSchemesAndNonUrlsNamingTheFlag) {
  for (const char* url : {"notaurl", "ftp://x", "file:///etc/passwd", "alertmanager:9093",
                          "http://", "http://x:99999", "//x/y", "http://exa mple.com"}) {
    const absl::Status status = ValidateHttpUrl(url, "--alertmanager_url");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(std::string(status.message()), HasSubstr("--alertmanager_url: '")) << url;
  }
}

}  // namespace
}  // namespace greengate::alerts
