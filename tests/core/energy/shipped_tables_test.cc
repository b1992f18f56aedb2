// The data shipped in server/core/energy/data/*.csv: it parses, every row is sourced and
// shippable, and the headline values match the references in shared/reference/energy.md.

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/energy/tables.h"

namespace greengate::energy {
namespace {

const std::vector<const std::vector<DataRow>*> AllTables(const Tables& t) {
  return {&t.accelerators(), &t.cpus(), &t.pues(), &t.carbon_intensities()};
}

TEST(ShippedTablesTest, ParsedOnceAndShared) {
  const Tables* first = &Tables::Shipped();
  std::vector<const Tables*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = &Tables::Shipped(); });
  }
  for (std::thread& t : threads) t.join();
  for (const Tables* t : seen) EXPECT_EQ(t, first);
  EXPECT_FALSE(first->accelerators().empty());
  EXPECT_FALSE(first->cpus().empty());
  EXPECT_FALSE(first->pues().empty());
  EXPECT_FALSE(first->carbon_intensities().empty());
}

TEST(ShippedTablesTest, EveryRowHasSourceYearAndShippableLicence) {
  for (const std::vector<DataRow>* table : AllTables(Tables::Shipped())) {
    for (const DataRow& row : *table) {
      SCOPED_TRACE(row.key);
      EXPECT_FALSE(row.label.empty());
      EXPECT_FALSE(row.source.empty());
      EXPECT_GE(row.year, 2010);
      EXPECT_LE(row.year, 2026);
      EXPECT_FALSE(row.licence.empty());
      // energy.md section 4: no non-commercial (WikiChip CC BY-NC-SA) or share-alike ODbL
      // (Electricity Maps) data may ship.
      EXPECT_FALSE(absl::StrContains(row.licence, "-NC"));
      EXPECT_FALSE(absl::StrContains(row.licence, "-SA"));
      EXPECT_FALSE(absl::StrContains(row.licence, "ODbL"));
      const std::string source = absl::AsciiStrToLower(row.source);
      EXPECT_FALSE(absl::StrContains(source, "electricity maps"));
      EXPECT_FALSE(absl::StrContains(source, "wikichip"));
    }
  }
}

TEST(ShippedTablesTest, AtLeastFiftyCountries) {
  int countries = 0;
  for (const DataRow& row : Tables::Shipped().carbon_intensities()) {
    if (row.key.size() == 2) ++countries;  // ISO 3166-1 alpha-2 keys
  }
  EXPECT_GE(countries, 50);
}

struct Expected {
  std::string key;
  double value;
};

// Values from shared/reference/energy.md: section 2.2 (Green Algorithms defaults), 3.2 (CPU
// TDP / cores), 3.3 (OWID 2023 via CodeCarbon, rounded to 0.1; GCP 2023 region figures).
TEST(ShippedTablesTest, ReferenceValues) {
  const Tables& t = Tables::Shipped();
  for (const Expected& e : std::vector<Expected>{{"any", 200},
                                                 {"nvidia-a100-40gb", 250},
                                                 {"nvidia-a100-80gb", 300},
                                                 {"nvidia-h100-sxm", 700},
                                                 {"nvidia-v100", 300},
                                                 {"nvidia-t4", 70},
                                                 {"nvidia-l4", 72},
                                                 {"nvidia-a10g", 150},
                                                 {"nvidia-l40s", 350},
                                                 {"nvidia-rtx-4090", 450},
                                                 {"google-tpu-v3", 220}}) {
    ASSERT_TRUE(t.Accelerator(e.key).has_value()) << e.key;
    EXPECT_DOUBLE_EQ(t.Accelerator(e.key)->value, e.value) << e.key;
  }
  for (const Expected& e : std::vector<Expected>{
           {"any", 12}, {"intel-xeon-gold-6248", 7.5}, {"amd-epyc-7763", 4.375}}) {
    ASSERT_TRUE(t.Cpu(e.key).has_value()) << e.key;
    EXPECT_DOUBLE_EQ(t.Cpu(e.key)->value, e.value) << e.key;
  }
  for (const Expected& e : std::vector<Expected>{{"unknown", 1.56},
                                                 {"gcp", 1.12},
                                                 {"aws", 1.2},
                                                 {"azure", 1.12},
                                                 {"ovh", 1.09},
                                                 {"oracle", 1.2},
                                                 {"on-prem", 1.56},
                                                 {"personal", 1.0}}) {
    ASSERT_TRUE(t.Pue(e.key).has_value()) << e.key;
    EXPECT_DOUBLE_EQ(t.Pue(e.key)->value, e.value) << e.key;
  }
  for (const Expected& e : std::vector<Expected>{{"world", 475},
                                                 {"us", 369.5},
                                                 {"ca", 170.0},
                                                 {"gb", 237.6},
                                                 {"de", 381.0},
                                                 {"fr", 56.0},
                                                 {"nl", 267.6},
                                                 {"ie", 290.8},
                                                 {"se", 40.7},
                                                 {"no", 30.1},
                                                 {"fi", 79.2},
                                                 {"pl", 661.9},
                                                 {"es", 174.1},
                                                 {"it", 330.7},
                                                 {"ch", 34.8},
                                                 {"cn", 582.3},
                                                 {"in", 713.4},
                                                 {"jp", 485.4},
                                                 {"kr", 430.6},
                                                 {"au", 548.7},
                                                 {"br", 98.3},
                                                 {"za", 707.7},
                                                 {"sg", 470.8},
                                                 {"us-central1", 430},
                                                 {"us-east1", 560},
                                                 {"us-east4", 322},
                                                 {"us-west1", 94},
                                                 {"northamerica-northeast2", 47},
                                                 {"europe-west2", 136},
                                                 {"europe-west3", 345},
                                                 {"europe-west9", 34},
                                                 {"europe-west4", 236},
                                                 {"europe-north1", 46},
                                                 {"europe-central2", 723},
                                                 {"europe-southwest1", 131},
                                                 {"europe-west8", 249},
                                                 {"europe-west6", 59},
                                                 {"asia-south1", 648},
                                                 {"asia-northeast1", 459},
                                                 {"asia-northeast3", 378},
                                                 {"australia-southeast1", 501},
                                                 {"southamerica-east1", 56},
                                                 {"africa-south1", 646},
                                                 {"asia-southeast1", 369}}) {
    ASSERT_TRUE(t.CarbonIntensity(e.key).has_value()) << e.key;
    EXPECT_DOUBLE_EQ(t.CarbonIntensity(e.key)->value, e.value) << e.key;
  }
}

TEST(ShippedTablesTest, AwsAndAzureRegionsUseTheirCountryGridAndSayHow) {
  const Tables& t = Tables::Shipped();
  const std::vector<std::pair<std::string, std::string>> region_country = {
      {"us-east-1", "us"},   {"eu-west-1", "ie"},      {"eu-central-1", "de"},
      {"eu-west-3", "fr"},   {"ap-northeast-2", "kr"}, {"westeurope", "nl"},
      {"northeurope", "ie"}, {"eastus", "us"},         {"uksouth", "gb"}};
  for (const auto& [region, country] : region_country) {
    ASSERT_TRUE(t.CarbonIntensity(region).has_value()) << region;
    EXPECT_EQ(t.CarbonIntensity(region)->value, t.CarbonIntensity(country)->value) << region;
    EXPECT_EQ(t.CarbonIntensity(region)->year, t.CarbonIntensity(country)->year) << region;
    EXPECT_THAT(t.CarbonIntensity(region)->source, ::testing::HasSubstr("country grid figure"))
        << region;
  }
}

}  // namespace
}  // namespace greengate::energy
