#include "server/common/host_port.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate {
namespace {

using ::testing::HasSubstr;

TEST(ValidateHostPortTest, AcceptsNamesIpv4AndBracketedIpv6) {
  for (const char* address :
       {"127.0.0.1:50051", "0.0.0.0:0", "localhost:9464", "greengate.internal:65535", "[::1]:50051",
        "[::]:9464", "[fe80::1%eth0]:50051", "[::ffff:10.0.0.1]:1"}) {
    EXPECT_TRUE(ValidateHostPort(address, "--listen").ok()) << address;
  }
}

TEST(ValidateHostPortTest, RefusesWhatIsNotHostPortNamingTheFlag) {
  for (const char* address : {"garbage", ":50051", "127.0.0.1", "::1:50051", "[::1]", "[]:1",
                              "host name:1", "http://x:80", "[zz::1]:1", "a/b:1"}) {
    const absl::Status status = ValidateHostPort(address, "--listen");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << address;
    EXPECT_THAT(std::string(status.message()), HasSubstr("--listen: ")) << address;
  }
}

TEST(ValidateHostPortTest, PortMustBeADecimalNumberUpTo65535) {
  for (const char* address :
       {"127.0.0.1:99999", "127.0.0.1:65536", "127.0.0.1:", "127.0.0.1:-1", "127.0.0.1:abc",
        "127.0.0.1:+80", "127.0.0.1:0x50", "127.0.0.1:000080"}) {
    const absl::Status status = ValidateHostPort(address, "--metrics_listen");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << address;
    EXPECT_THAT(std::string(status.message()), HasSubstr("--metrics_listen: port ")) << address;
  }
}

}  // namespace
}  // namespace greengate
