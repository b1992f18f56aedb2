// `greengate health` against real servers: SERVING, NOT_SERVING, an unknown service, and
// nothing listening.

#include <memory>

#include "absl/strings/str_cat.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "server/common/clock.h"
#include "tests/client/cli_test.h"
#include "tests/service/loopback_server.h"

namespace greengate::client {
namespace {

TEST(HealthCommandTest, ServingServerExitsZero) {
  greengate::testing::LoopbackServer server("healthcli");
  FakeClock clock(absl::FromUnixSeconds(1'790'000'000));
  ASSERT_TRUE(server.Start(&clock).ok());
  for (const std::string service : {"", "greengate.v1.RetrainGatekeeper"}) {
    const testing::CliResult r =
        testing::RunInProcess({"health", "--service", service}, server.address());
    EXPECT_EQ(r.code, 0) << service << r.err;
    EXPECT_NE(r.out.find("is SERVING"), std::string::npos) << r.out;
  }
  const testing::CliResult json = testing::RunInProcess({"health", "--json"}, server.address());
  EXPECT_EQ(json.code, 0);
  EXPECT_EQ(json.out, "{\"status\": \"SERVING\"}\n");
}

TEST(HealthCommandTest, UnknownServiceIsNotFound) {
  greengate::testing::LoopbackServer server("healthcli");
  FakeClock clock(absl::FromUnixSeconds(1'790'000'000));
  ASSERT_TRUE(server.Start(&clock).ok());
  const testing::CliResult r =
      testing::RunInProcess({"health", "--service", "no.Such"}, server.address());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("greengate: NOT_FOUND: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'no.Such'"), std::string::npos) << r.err;
}

// A bare gRPC server whose overall health is NOT_SERVING (as during a shutdown).
TEST(HealthCommandTest, NotServingExitsOne) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  server->GetHealthCheckService()->SetServingStatus(false);
  const std::string address = absl::StrCat("127.0.0.1:", port);
  const testing::CliResult r = testing::RunInProcess({"health"}, address);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "greengate: UNAVAILABLE: the server at " + address + " is NOT_SERVING\n");
  server->Shutdown();
}

TEST(HealthCommandTest, NothingListeningSaysSo) {
  const std::string address = absl::StrCat("127.0.0.1:", testing::UnusedPort());
  const testing::CliResult r = testing::RunInProcess({"--timeout", "5", "health"}, address);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot reach greengate at " + address), std::string::npos) << r.err;
}

}  // namespace
}  // namespace greengate::client
