// ListEnergyTables on a real server (127.0.0.1:0): it lists the energy tables the core costs
// plans with, row for row, and every name it lists is one a training plan may use.

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "gtest/gtest.h"
#include "server/core/energy/tables.h"
#include "server/service/server.h"
#include "tests/service/loopback_server.h"
#include "tests/service/test_profiles.h"

namespace greengate::service {
namespace {

using greengate::testing::MakeProfile;
using RepeatedRows = google::protobuf::RepeatedPtrField<v1::EnergyTableRow>;

// Data rows of a shipped CSV (lines after the header), counted without the parser under test.
int CsvRows(const std::string& name) {
  std::ifstream in(std::string(GG_SOURCE_DIR) + "/server/core/energy/data/" + name);
  int lines = 0;
  for (std::string line; std::getline(in, line);) lines += !line.empty();
  return lines - 1;
}

const v1::EnergyTableRow* Row(const RepeatedRows& rows, const std::string& key) {
  for (const v1::EnergyTableRow& row : rows) {
    if (row.key() == key) return &row;
  }
  return nullptr;
}

class EnergyTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Status started = loop_.Start(&clock_);
    ASSERT_TRUE(started.ok()) << started;
    grpc::ClientContext ctx;
    const grpc::Status status = loop_.stub()->ListEnergyTables(&ctx, {}, &tables_);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  greengate::testing::LoopbackServer loop_{"tables"};  // after clock_: stops before it goes
  v1::EnergyTables tables_;
};

void ExpectSameRows(const std::vector<energy::DataRow>& core, const RepeatedRows& listed) {
  ASSERT_EQ(listed.size(), static_cast<int>(core.size()));
  for (int i = 0; i < listed.size(); ++i) {
    SCOPED_TRACE(listed[i].key());
    EXPECT_EQ(listed[i].key(), core[i].key);
    EXPECT_EQ(listed[i].label(), core[i].label);
    EXPECT_EQ(listed[i].value(), core[i].value);
    EXPECT_EQ(listed[i].source(), core[i].source);
    EXPECT_EQ(listed[i].year(), core[i].year);
    EXPECT_EQ(listed[i].licence(), core[i].licence);
    EXPECT_FALSE(listed[i].label().empty());
    EXPECT_FALSE(listed[i].source().empty());
    EXPECT_GT(listed[i].year(), 2000);
    EXPECT_EQ(listed[i].key(), absl::AsciiStrToLower(listed[i].key()));  // keys are lower case
  }
}

TEST_F(EnergyTablesTest, ListsTheTablesTheCoreCostsPlansWith) {
  const energy::Tables& core = energy::Tables::Shipped();
  ExpectSameRows(core.accelerators(), tables_.accelerators());
  ExpectSameRows(core.cpus(), tables_.cpus());
  ExpectSameRows(core.pues(), tables_.providers());
  ExpectSameRows(core.carbon_intensities(), tables_.regions());
  // Every row of the shipped CSVs, none lost in parsing.
  EXPECT_EQ(tables_.accelerators_size(), CsvRows("accelerators.csv"));
  EXPECT_EQ(tables_.cpus_size(), CsvRows("cpus.csv"));
  EXPECT_EQ(tables_.providers_size(), CsvRows("pue.csv"));
  EXPECT_EQ(tables_.regions_size(), CsvRows("carbon_intensity.csv"));
}

// Rows the documentation and the examples name, with their values.
TEST_F(EnergyTablesTest, KnownNamesAndValues) {
  struct Known {
    const RepeatedRows* rows;
    const char* key;
    double value;
  };
  for (const Known& k : std::vector<Known>{{&tables_.accelerators(), "nvidia-a100-40gb", 250},
                                           {&tables_.accelerators(), "any", 200},
                                           {&tables_.accelerators(), "nvidia-t4", 70},
                                           {&tables_.cpus(), "any", 12},
                                           {&tables_.cpus(), "intel-xeon-gold-6248", 7.5},
                                           {&tables_.providers(), "unknown", 1.56},
                                           {&tables_.providers(), "gcp", 1.12},
                                           {&tables_.regions(), "world", 475}}) {
    const v1::EnergyTableRow* row = Row(*k.rows, k.key);
    ASSERT_NE(row, nullptr) << k.key;
    EXPECT_EQ(row->value(), k.value) << k.key;
  }
  for (const char* provider : {"gcp", "aws", "azure", "on-prem"}) {
    EXPECT_NE(Row(tables_.providers(), provider), nullptr) << provider;
  }
  for (const char* region : {"fr", "de", "us", "europe-west9", "us-east-1"}) {
    EXPECT_NE(Row(tables_.regions(), region), nullptr) << region;
  }
}

// Each listed key is found by the core's lookups, in any case, with the listed value.
TEST_F(EnergyTablesTest, EveryListedNameIsOneAPlanMayUse) {
  const energy::Tables& core = energy::Tables::Shipped();
  for (const v1::EnergyTableRow& row : tables_.accelerators()) {
    EXPECT_EQ(core.Accelerator(absl::AsciiStrToUpper(row.key()))->value, row.value()) << row.key();
  }
  for (const v1::EnergyTableRow& row : tables_.cpus()) {
    EXPECT_EQ(core.Cpu(absl::AsciiStrToUpper(row.key()))->value, row.value()) << row.key();
  }
  for (const v1::EnergyTableRow& row : tables_.providers()) {
    EXPECT_EQ(core.Pue(absl::AsciiStrToUpper(row.key()))->value, row.value()) << row.key();
  }
  for (const v1::EnergyTableRow& row : tables_.regions()) {
    EXPECT_EQ(core.CarbonIntensity(absl::AsciiStrToUpper(row.key()))->value, row.value())
        << row.key();
  }
}

// A decision costs a plan naming the first and the last row of each table with their values.
TEST_F(EnergyTablesTest, DecisionsCostPlansWithTheListedValues) {
  v1::RegisterModelRequest reg;
  reg.set_model_id("churn");
  reg.mutable_model()->set_deployed_version("v1");
  v1::Model model;
  ASSERT_TRUE(loop_.stub()->RegisterModel(Context().get(), reg, &model).ok());
  v1::SetReferenceRequest ref;
  ref.mutable_reference()->set_model("models/churn");
  *ref.mutable_reference()->mutable_profile() = MakeProfile(800, 0, 1);
  v1::Reference stored;
  ASSERT_TRUE(loop_.stub()->SetReference(Context().get(), ref, &stored).ok());

  for (const bool last : {false, true}) {
    SCOPED_TRACE(last ? "last rows" : "first rows");
    const auto pick = [last](const RepeatedRows& rows) -> const v1::EnergyTableRow& {
      return rows[last ? rows.size() - 1 : 0];
    };
    const v1::EnergyTableRow& accelerator = pick(tables_.accelerators());
    const v1::EnergyTableRow& cpu = pick(tables_.cpus());
    const v1::EnergyTableRow& provider = pick(tables_.providers());
    const v1::EnergyTableRow& region = pick(tables_.regions());
    v1::ShouldRetrainRequest req;
    req.set_model("models/churn");
    *req.mutable_current() = MakeProfile(600, 1.0, 100);
    v1::TrainingPlan* plan = req.mutable_plan();
    plan->set_accelerator(absl::AsciiStrToUpper(accelerator.key()));
    plan->set_accelerator_count(1);
    plan->set_cpu(cpu.key());
    plan->set_cpu_cores(1);
    plan->set_provider(provider.key());
    plan->set_region(absl::AsciiStrToUpper(region.key()));
    plan->set_hours(1);
    v1::Decision d;
    const grpc::Status status = loop_.stub()->ShouldRetrain(Context().get(), req, &d);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(d.cost().pue(), provider.value());
    EXPECT_EQ(d.cost().carbon_intensity_g_per_kwh(), region.value());
    ASSERT_GE(d.cost().breakdown_size(), 2);
    EXPECT_EQ(d.cost().breakdown(0).name(), "accelerator");
    EXPECT_EQ(d.cost().breakdown(0).power_w(), accelerator.value());
    EXPECT_EQ(d.cost().breakdown(1).name(), "cpu");
    EXPECT_EQ(d.cost().breakdown(1).power_w(), cpu.value());
  }
}

}  // namespace
}  // namespace greengate::service
