// MMD and PCA reconstruction error against numpy re-implementations of alibi-detect's and
// NannyML's formulas (reference/drift.md §6 case 10; the other values: /usr/bin/python3 with
// numpy 1.24, the script's formulas given in each test).

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "server/core/drift/mmd.h"
#include "server/core/drift/pca_error.h"
#include "tests/core/drift/test_samples.h"

namespace greengate::drift {
namespace {

using testing::LcgSample;

RowMatrix Column(std::vector<double> v) {
  RowMatrix m(static_cast<Eigen::Index>(v.size()), 1);
  for (size_t i = 0; i < v.size(); ++i) m(static_cast<Eigen::Index>(i), 0) = v[i];
  return m;
}

// sample(seed, rows * cols, offset).reshape(rows, cols) in the Python of test_samples.h.
RowMatrix Lcg(uint64_t seed, int rows, int cols, double offset) {
  const std::vector<double> v = LcgSample(seed, rows * cols, offset);
  RowMatrix m(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) m(r, c) = v[static_cast<size_t>(r * cols + c)];
  }
  return m;
}

TEST(MmdTest, CaseTenValues) {
  // drift.md §6 case 10, alibi's unbiased MMD^2 with sigma = 1.
  const RowMatrix x = Column({0, 1, 2});
  auto r = Mmd2Unbiased(x, Column({0.5, 1.5, 2.5}), 1.0);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(*r, -0.3078197868079541, 1e-12);
  r = Mmd2Unbiased(x, Column({3, 4, 5}), 1.0);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(*r, 0.6964415422835726, 1e-12);
  // alibi sigma_median(x, y, dist): 0.3535534 for the first pair (§6 case 10); MMDDrift
  // infers its bandwidth on the reference against itself, which gives sqrt(0.5).
  EXPECT_NEAR(MedianHeuristicSigma(x, Column({0.5, 1.5, 2.5})), 0.3535533905932738, 1e-15);
  EXPECT_NEAR(MedianHeuristicSigma(x, x), 0.7071067811865476, 1e-15);
}

TEST(MmdTest, MultivariateMatchesNumpy) {
  // numpy: A = sample(7, 200, 0).reshape(40, 5), B = sample(11, 150, 10).reshape(30, 5);
  // s = sigma_median(A, A) = 42.70923494983257, mmd2(A, B, s) = 0.02594032975889049.
  const RowMatrix a = Lcg(7, 40, 5, 0);
  const RowMatrix b = Lcg(11, 30, 5, 10);
  const auto r = MmdTest(a, b, {.permutations = 0});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->sigma, 42.70923494983257, 1e-12);
  EXPECT_NEAR(r->mmd2, 0.02594032975889049, 1e-13);
  // Same distribution: C = sample(13, 150, 0).reshape(30, 5) -> 0.0002573731485604469.
  const auto same = Mmd2Unbiased(a, Lcg(13, 30, 5, 0), r->sigma);
  ASSERT_TRUE(same.ok());
  EXPECT_NEAR(*same, 0.0002573731485604469, 1e-13);
}

TEST(MmdTest, PermutationPValueSeparatesShiftFromNoShift) {
  const RowMatrix ref = Lcg(21, 200, 4, 0);
  const auto shifted = MmdTest(ref, Lcg(22, 150, 4, 15), {.permutations = 200, .seed = 3});
  ASSERT_TRUE(shifted.ok());
  EXPECT_EQ(shifted->p_value, 0.0);  // no re-split comes close to a 15-unit shift
  const auto same = MmdTest(ref, Lcg(23, 150, 4, 0), {.permutations = 200, .seed = 3});
  ASSERT_TRUE(same.ok());
  EXPECT_GT(same->p_value, 0.05);
  EXPECT_EQ(same->permutations, 200);
}

TEST(MmdTest, DeterministicAcrossThreadCounts) {
  // Blocks of 128 rows: 330 rows make 3 blocks, so 1, 2 and 3 workers split them differently.
  const RowMatrix ref = Lcg(31, 180, 3, 0);
  const RowMatrix cur = Lcg(32, 150, 3, 1);
  const auto one = MmdTest(ref, cur, {.permutations = 50, .seed = 9, .threads = 1});
  const auto two = MmdTest(ref, cur, {.permutations = 50, .seed = 9, .threads = 2});
  const auto three = MmdTest(ref, cur, {.permutations = 50, .seed = 9, .threads = 3});
  ASSERT_TRUE(one.ok() && two.ok() && three.ok());
  EXPECT_EQ(one->mmd2, two->mmd2);
  EXPECT_EQ(one->mmd2, three->mmd2);
  EXPECT_EQ(one->p_value, two->p_value);
  EXPECT_EQ(one->p_value, three->p_value);
  // The block-wise sums agree with the direct formula.
  const auto direct = Mmd2Unbiased(ref, cur, one->sigma);
  ASSERT_TRUE(direct.ok());
  EXPECT_NEAR(one->mmd2, *direct, 1e-12);
}

TEST(MmdTest, RejectsBadInput) {
  EXPECT_FALSE(MmdTest(Column({1}), Column({1, 2}), {}).ok());
  RowMatrix two_cols(2, 2);
  two_cols << 1, 2, 3, 4;
  EXPECT_FALSE(MmdTest(Column({1, 2}), two_cols, {}).ok());
  EXPECT_FALSE(MmdTest(Column({1, NAN}), Column({1, 2}), {}).ok());
  EXPECT_FALSE(Mmd2Unbiased(Column({1, 2}), Column({1, 2}), 0.0).ok());
  EXPECT_FALSE(MmdTest(Column({1, 2}), Column({1, 2}), {.permutations = -1}).ok());
}

TEST(PcaErrorTest, MatchesNumpyNannyMLMethod) {
  // numpy: StandardScaler (ddof 0) on A, PCA by SVD of the centred standardised rows, k = 3
  // components (cumulative ratios 0.263, 0.487, 0.677 > 0.65), per-row error
  // ||z - z W W'||, 4 reference chunks: band [0.8547274033029261, 1.4074354726853535];
  // current mean errors: B 1.5446140780319564, C 1.4435268697371941.
  const RowMatrix a = Lcg(7, 40, 5, 0);
  auto shifted = PcaReconstructionTest(a, Lcg(11, 30, 5, 10), 0.65, 4);
  ASSERT_TRUE(shifted.ok()) << shifted.status();
  EXPECT_EQ(shifted->components, 3);
  EXPECT_NEAR(shifted->error, 1.5446140780319564, 1e-11);
  EXPECT_NEAR(shifted->lower, 0.8547274033029261, 1e-11);
  EXPECT_NEAR(shifted->upper, 1.4074354726853535, 1e-11);
  EXPECT_TRUE(shifted->drifted);
  auto other = PcaReconstructionTest(a, Lcg(13, 30, 5, 0), 0.65, 4);
  ASSERT_TRUE(other.ok());
  EXPECT_NEAR(other->error, 1.4435268697371941, 1e-11);
  EXPECT_TRUE(other->drifted);  // 1.4435 > 1.4074: small reference chunks give a narrow band
  EXPECT_FALSE(PcaReconstructionTest(a, a, 0.65, 41).ok());
  EXPECT_FALSE(PcaReconstructionTest(a, a, 1.5, 4).ok());
}

}  // namespace
}  // namespace greengate::drift
