#include "server/core/profile/grid_index.h"

#include <cmath>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "server/core/profile/edges.h"

namespace greengate::profile {
namespace {

// Find() must agree with BinIndex() everywhere: on the edges themselves, between them, outside
// them, on smooth and on heavy-tailed grids (whose edges crowd a few cells).
TEST(GridIndexTest, AgreesWithBinIndexOnSmoothAndHeavyTailedGrids) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  std::cauchy_distribution<double> cauchy;
  for (int kind = 0; kind < 3; ++kind) {
    std::vector<double> sample(8000);
    for (double& v : sample) {
      v = kind == 0 ? normal(rng) : kind == 1 ? cauchy(rng) : std::round(normal(rng) * 3);
    }
    std::sort(sample.begin(), sample.end());
    absl::StatusOr<std::vector<double>> edges = QuantileEdges(sample, 1000);
    ASSERT_TRUE(edges.ok());
    const GridIndex index(*edges);
    std::vector<double> probes = *edges;
    for (double e : *edges) {
      probes.push_back(std::nextafter(e, -INFINITY));
      probes.push_back(std::nextafter(e, INFINITY));
    }
    for (int i = 0; i < 20000; ++i) probes.push_back(kind == 1 ? cauchy(rng) : 4 * normal(rng));
    probes.push_back(-1e300);
    probes.push_back(1e300);
    for (double v : probes) {
      ASSERT_EQ(index.Find(v), BinIndex(*edges, v)) << "kind " << kind << " value " << v;
    }
  }
}

TEST(GridIndexTest, HandlesNoEdgeAndOneEdge) {
  const std::vector<double> none;
  EXPECT_EQ(GridIndex(none).Find(3.0), 0u);
  const std::vector<double> one = {2.0};
  const GridIndex index(one);
  EXPECT_EQ(index.Find(1.0), 0u);
  EXPECT_EQ(index.Find(2.0), 1u);
  EXPECT_EQ(index.Find(5.0), 1u);
}

TEST(GridIndexTest, EdgesSpanningTheDoubleRangeStillFindTheirBins) {
  const std::vector<double> wide = {-1e308, -1.0, 0.0, 1.0, 1e308};
  const GridIndex index(wide);
  for (double v : {-1.5e308, -1e308, -2.0, -0.5, 0.0, 0.5, 2.0, 1e308, 1.7e308}) {
    EXPECT_EQ(index.Find(v), BinIndex(wide, v)) << v;
  }
}

}  // namespace
}  // namespace greengate::profile
