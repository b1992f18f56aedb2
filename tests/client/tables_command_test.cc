// `greengate tables` against a real server (127.0.0.1:0): every row of the energy tables the
// server lists, one line each under its table's heading, or one table, or JSON.

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "server/common/clock.h"
#include "server/core/energy/tables.h"
#include "tests/client/cli_test.h"
#include "tests/service/loopback_server.h"

namespace greengate::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The line `greengate tables` prints for `row`.
std::string TableLine(const energy::DataRow& row) {
  return absl::StrFormat("  %-28s %10.4g  %s (%s, %d)", row.key, row.value, row.label, row.source,
                         row.year);
}

class TablesCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start(&clock_).ok()); }

  testing::CliResult Run(const std::vector<std::string>& args) {
    return testing::RunInProcess(args, server_.address());
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  greengate::testing::LoopbackServer server_{"tablescli"};  // after clock_
};

TEST_F(TablesCommandTest, EveryRowUnderItsTable) {
  const testing::CliResult r = Run({"tables"});
  ASSERT_EQ(r.code, 0) << r.err;
  const energy::Tables& shipped = energy::Tables::Shipped();
  std::vector<std::string> expected = {"accelerators (--accelerator) (W per device):"};
  for (const energy::DataRow& row : shipped.accelerators()) expected.push_back(TableLine(row));
  expected.push_back("cpus (--cpu) (W per core):");
  for (const energy::DataRow& row : shipped.cpus()) expected.push_back(TableLine(row));
  expected.push_back("providers (--provider) (PUE):");
  for (const energy::DataRow& row : shipped.pues()) expected.push_back(TableLine(row));
  expected.push_back("regions (--region) (g CO2e per kWh):");
  for (const energy::DataRow& row : shipped.carbon_intensities()) {
    expected.push_back(TableLine(row));
  }
  const std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines, expected);
  EXPECT_THAT(r.out,
              HasSubstr("  nvidia-a100-40gb                    250  NVIDIA A100 40GB PCIe ("));
  EXPECT_THAT(r.out,
              HasSubstr("  world                               475  World average (fallback) ("));
}

TEST_F(TablesCommandTest, OneTableOrJson) {
  testing::CliResult r = Run({"tables", "regions"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "regions (--region) (g CO2e per kWh):");
  EXPECT_EQ(lines.size(), energy::Tables::Shipped().carbon_intensities().size() + 1);
  EXPECT_THAT(r.out, Not(HasSubstr("accelerators")));

  r = Run({"--json", "tables", "providers"});
  ASSERT_EQ(r.code, 0) << r.err;
  v1::EnergyTables parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &parsed).ok()) << r.out;
  EXPECT_EQ(parsed.providers_size(), static_cast<int>(energy::Tables::Shipped().pues().size()));
  EXPECT_EQ(parsed.accelerators_size(), 0);
  EXPECT_EQ(parsed.regions_size(), 0);
  EXPECT_EQ(parsed.providers(0).key(), "unknown");
  EXPECT_EQ(parsed.providers(0).value(), 1.56);

  r = Run({"tables", "gpus"});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("gpus"));
}

}  // namespace
}  // namespace greengate::client
