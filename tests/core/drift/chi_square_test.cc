#include "server/core/drift/chi_square.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace greengate::drift {
namespace {

struct Case {
  const char* source;
  std::vector<double> reference;
  std::vector<double> current;
  double statistic;
  int64_t dof;
  double p_value;
};

TEST(ChiSquareHomogeneityTest, MatchesScipyChi2Contingency) {
  // scipy 1.10.1 stats.chi2_contingency([reference, current]) (correction=True), with
  // columns that are zero in both rows removed first.
  const Case cases[] = {
      {"ref. drift.md case 6",
       {16, 18, 16, 14, 12, 12},
       {16, 16, 16, 16, 16, 8},
       1.6224089635854342,
       5,
       0.8985262394026607},
      {"case 6, 2x2 with Yates", {10, 10}, {15, 5}, 1.7066666666666666, 1, 0.19141842523760358},
      {"scipy gh-13875: Yates never overshoots", {1573, 3}, {4, 0}, 0.0, 1, 1.0},
      {"3 categories", {30, 10, 5}, {20, 20, 9}, 6.31741712558039, 2, 0.042480566655470196},
      {"empty middle column dropped -> 2x2, Yates",
       {5, 0, 7},
       {3, 0, 9},
       0.1875,
       1,
       0.6650055421020291},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ChiSquareResult> r = ChiSquareHomogeneity(c.reference, c.current);
    ASSERT_TRUE(r.ok()) << c.source << ": " << r.status();
    EXPECT_NEAR(r->statistic, c.statistic, 1e-12 * (1 + c.statistic)) << c.source;
    EXPECT_EQ(r->dof, c.dof) << c.source;
    EXPECT_NEAR(r->p_value, c.p_value, 1e-12) << c.source;
  }
}

TEST(ChiSquareHomogeneityTest, EmptyColumnIsDroppedBeforeYatesIsDecided) {
  // [[10,10,0],[15,5,0]] would be dof 2 (no Yates) in a 2x3 table; dropping the empty column
  // makes it ref. drift.md case 6's 2x2 table, where Yates gives 1.70667 (2.6667 without).
  absl::StatusOr<ChiSquareResult> r = ChiSquareHomogeneity({10, 10, 0}, {15, 5, 0});
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 1.7066666666666666, 1e-12);
}

TEST(ChiSquareHomogeneityTest, SingleCategoryIsNoEvidenceNotNaN) {
  // A constant categorical feature: dof 0 -> statistic 0, p 1 (Evidently issue #1929 got NaN).
  absl::StatusOr<ChiSquareResult> r = ChiSquareHomogeneity({40, 0}, {7, 0});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dof, 0);
  EXPECT_EQ(r->statistic, 0.0);
  EXPECT_EQ(r->p_value, 1.0);
}

TEST(ChiSquareHomogeneityTest, RejectsBadInput) {
  EXPECT_EQ(ChiSquareHomogeneity({}, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ChiSquareHomogeneity({1, 2}, {1}).ok());
  EXPECT_FALSE(ChiSquareHomogeneity({1, -2}, {1, 2}).ok());
  EXPECT_FALSE(ChiSquareHomogeneity({0, 0}, {1, 2}).ok());  // empty reference row
  EXPECT_FALSE(ChiSquareHomogeneity({1, 2}, {0, 0}).ok());  // empty current row
}

}  // namespace
}  // namespace greengate::drift
