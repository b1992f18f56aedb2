#include "server/core/profile/edges.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::profile {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

struct QuantileCase {
  std::string name;
  std::vector<double> sorted_sample;
  int bins;
  std::vector<double> expected;
};

class QuantileEdgesTest : public ::testing::TestWithParam<QuantileCase> {};

// Expected values: numpy 1.24.2,
//   np.quantile(np.sort(x), np.arange(1, bins) / bins, method="linear")
// (numpy's default method), with repeated values dropped.
TEST_P(QuantileEdgesTest, MatchesNumpyLinear) {
  const QuantileCase& c = GetParam();
  absl::StatusOr<std::vector<double>> edges = QuantileEdges(c.sorted_sample, c.bins);
  ASSERT_TRUE(edges.ok()) << edges.status();
  ASSERT_EQ(edges->size(), c.expected.size());
  for (std::size_t i = 0; i < c.expected.size(); ++i) {
    EXPECT_DOUBLE_EQ((*edges)[i], c.expected[i]) << "edge " << i;
  }
}

std::vector<double> SquaresOverSeven() {
  std::vector<double> x;
  for (int i = 0; i < 20; ++i) x.push_back(i * i / 7.0);
  return x;
}

INSTANTIATE_TEST_SUITE_P(
    Numpy, QuantileEdgesTest,
    ::testing::Values(
        // x = [0.5, 1.25, 2, 3.5, 3.5, 3.5, 7, 8.25, 9, 20]; quartiles.
        QuantileCase{
            "Quartiles", {0.5, 1.25, 2, 3.5, 3.5, 3.5, 7, 8.25, 9, 20}, 4, {2.375, 3.5, 7.9375}},
        // x = [i*i/7 for i in range(20)]; deciles.
        QuantileCase{
            "Deciles",
            SquaresOverSeven(),
            10,
            {0.5285714285714286, 2.085714285714286, 4.671428571428572, 8.285714285714286,
             12.928571428571429, 18.6, 25.299999999999997, 33.02857142857143, 41.78571428571429}},
        // x = [0.1*i for i in range(1, 8)]; terciles.
        QuantileCase{
            "Terciles",
            {0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001},
            3,
            {0.30000000000000004, 0.5}},
        // x = [0]*9 + [1]: numpy gives eight 0.0 and 0.09999999999999964; ties collapse.
        QuantileCase{
            "TiesCollapse", {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 10, {0.0, 0.09999999999999964}},
        // x = [5]: every quantile is 5.
        QuantileCase{"SingleValue", {5}, 10, {5}}, QuantileCase{"EmptySampleHasOneBin", {}, 10, {}},
        QuantileCase{"OneBinHasNoEdges", {1, 2, 3}, 1, {}}),
    [](const ::testing::TestParamInfo<QuantileCase>& info) { return info.param.name; });

TEST(QuantileEdgesTest, EdgesAreStrictlyIncreasing) {
  std::vector<double> x;
  for (int i = 0; i < 1000; ++i) x.push_back(std::floor(i / 100.0));  // ten tied blocks
  absl::StatusOr<std::vector<double>> edges = QuantileEdges(x, 100);
  ASSERT_TRUE(edges.ok());
  EXPECT_TRUE(ValidateBinEdges(*edges, "edges").ok());
  EXPECT_GT(edges->size(), 9u);
}

TEST(QuantileEdgesTest, RejectsBadInput) {
  EXPECT_THAT(std::string(QuantileEdges({1, 2}, 0).status().message()),
              HasSubstr("bins: must be in [1, 10001], got 0"));
  EXPECT_EQ(QuantileEdges({1, 2}, 10'002).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QuantileEdges({1, 3, 2}, 4).status().message(),
            "sorted_sample[2]: 2 is less than the previous value; the sample must be sorted "
            "ascending");
  EXPECT_EQ(QuantileEdges({1, std::numeric_limits<double>::quiet_NaN()}, 4).status().message(),
            "sorted_sample[1]: must be finite, got nan");
}

TEST(QuantileTest, EndsAreMinAndMax) {
  const std::vector<double> x = {-3, 1, 4, 9};
  EXPECT_EQ(Quantile(x, 0), -3);
  EXPECT_EQ(Quantile(x, 1), 9);
  // numpy.quantile([-3, 1, 4, 9], 0.5) = 2.5
  EXPECT_EQ(Quantile(x, 0.5), 2.5);
}

struct BinCase {
  double value;
  std::size_t bin;
};

TEST(BinIndexTest, ValuesOnAnEdgeOpenTheNextBin) {
  const std::vector<double> edges = {0, 1, 2};
  const double inf = std::numeric_limits<double>::infinity();
  const BinCase cases[] = {{-inf, 0}, {-5, 0},  {-1e-300, 0},
                           {-0.0, 1}, {0, 1},   {0.5, 1},
                           {1, 2},    {1.5, 2}, {std::nextafter(2.0, 0.0), 2},
                           {2, 3},    {3, 3},   {inf, 3}};
  for (const BinCase& c : cases) EXPECT_EQ(BinIndex(edges, c.value), c.bin) << c.value;
  EXPECT_EQ(BinIndex({}, 42), 0u);
}

TEST(ValidateBinEdgesTest, NamesTheEntry) {
  EXPECT_TRUE(ValidateBinEdges({}, "e").ok());
  EXPECT_TRUE(ValidateBinEdges({-1, 0, 2.5}, "e").ok());
  EXPECT_EQ(ValidateBinEdges({0, 1, 1}, "e").message(),
            "e[2]: must be greater than the previous edge [1] (1), got 1; bin edges must be "
            "strictly increasing");
  EXPECT_EQ(ValidateBinEdges({0, -std::numeric_limits<double>::infinity()}, "e").message(),
            "e[1]: must be finite, got -inf");
  EXPECT_EQ(ValidateBinEdges(std::vector<double>(10'001, 0), "e").message(),
            "e: has 10001 edges; at most 10000 are allowed");
}

}  // namespace
}  // namespace greengate::profile
