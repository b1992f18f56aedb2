#include "server/core/drift/ks.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/drift/test_samples.h"

namespace greengate::drift {
namespace {

using testing::LcgSample;
using testing::Linspace;
using testing::Sorted;

struct FixedCase {
  const char* name;
  std::vector<double> reference;
  std::vector<double> current;
  double statistic;
  double p_value;
  KsMethod method;
};

// Values from ref. drift.md section 6 (scipy's test_stats.py) and scipy 1.10.1
// stats.ks_2samp(reference, current) (method="auto", two-sided).
TEST(KolmogorovSmirnovTest, PublishedCases) {
  const std::vector<double> x1 = {2, 2, 2, 3, 3, 3, 3, 5, 5, 5, 5, 5, 6, 6, 6, 6};
  std::vector<double> y1 = x1;
  for (double& v : y1) v += 1;
  std::vector<double> x2, y2;
  for (auto [value, times] : {std::pair{2.0, 3}, {3.0, 4}, {5.0, 10}, {6.0, 4}}) {
    x2.insert(x2.end(), times, value);
  }
  for (auto [value, times] : {std::pair{3.0, 10}, {4.0, 2}, {6.0, 10}, {7.0, 4}}) {
    y2.insert(y2.end(), times, value);
  }
  const std::vector<double> x3 = Linspace(1, 100, 100);
  std::vector<double> y3 = Linspace(1, 100, 110);
  for (double& v : y3) v += 20.1;
  const std::vector<double> x4 = Linspace(0, 1, 100);
  const std::vector<double> y4 = Linspace(0.2, 1.2, 100);

  const FixedCase cases[] = {
      // case 1 (testRepeatedValues): ties; exact 0.4262934613454952 in the reference doc
      {"case1a", x1, y1, 5.0 / 16, 0.42629346134549484, KsMethod::kExact},
      {"case1b", x2, y2, 190.0 / 546, 0.0919245790168125, KsMethod::kExact},
      // case 2 (test100_110, testTwoVsFour); reference doc: 0.015739183865607353
      {"case2a", x3, y3, 232.0 / 1100, 0.015739183865606153, KsMethod::kExact},
      {"case2b", {1.01, 2.01}, {1, 2, 3, 4}, 0.5, 14.0 / 15, KsMethod::kExact},
      // case 7: Evidently samples
      {"case7a",
       Sorted({38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0}),
       {39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8},
       0.625,
       0.08702408702408701,
       KsMethod::kExact},
      {"case7b", x4, y4, 0.2, 0.03638428787491733, KsMethod::kExact},
  };
  for (const FixedCase& c : cases) {
    absl::StatusOr<KsResult> r = KolmogorovSmirnov(c.reference, c.current);
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status();
    EXPECT_NEAR(r->statistic, c.statistic, 1e-15) << c.name;
    EXPECT_NEAR(r->p_value, c.p_value, 1e-12 * c.p_value) << c.name;
    EXPECT_EQ(r->method, c.method) << c.name;
  }
}

struct SampleCase {
  int n1;
  int n2;
  double offset;  // added to the current sample
  double statistic;
  double p_value;
};

// Samples from test_samples.h (reference seed 1 offset 0, current seed 2), values from scipy
// 1.10.1 stats.ks_2samp(sample(1, n1, 0.0), sample(2, n2, offset)). Many ties (step 0.05).
TEST(KolmogorovSmirnovTest, MatchesScipyOnGeneratedSamples) {
  const SampleCase cases[] = {
      // exact p-values (max(n1, n2) <= 10000), n1 != n2 and n1 == n2
      {30, 45, 3.0, 0.17777777777777778, 0.5806875573099555},
      {200, 150, 2.0, 0.07166666666666667, 0.7469741647352113},
      {1000, 1000, 1.0, 0.039, 0.43260886958153144},
      {1000, 1000, 0.0, 0.026, 0.8881734182535203},
      {3000, 7000, 1.0, 0.02919047619047619, 0.05479633393581905},
      {10000, 9999, 0.5, 0.014366926692669268, 0.2491149083147698},
      {500, 10000, 2.0, 0.054, 0.12036895341180048},
      {7, 13, 10.0, 0.6263736263736264, 0.036377708978328184},
      // asymptotic: kstwo.sf(D, round(n1 n2 / (n1 + n2)))
      {20000, 15000, 0.3, 0.01319999999999999, 0.09999467430726794},
      {20000, 15000, 0.0, 0.008116666666666661, 0.6217314468970956},
      {12000, 800, 4.0, 0.07483333333333331, 0.0004243922359925088},
      {100000, 100000, 0.2, 0.008639999999999981, 0.0011389327894320755},
  };
  for (const SampleCase& c : cases) {
    const std::vector<double> reference = Sorted(LcgSample(1, c.n1, 0.0));
    const std::vector<double> current = LcgSample(2, c.n2, c.offset);
    absl::StatusOr<KsResult> r = KolmogorovSmirnov(reference, current);
    ASSERT_TRUE(r.ok()) << r.status();
    const bool exact = std::max(c.n1, c.n2) <= 10000;
    EXPECT_EQ(r->method, exact ? KsMethod::kExact : KsMethod::kAsymptotic);
    // D is formed with scipy's operations, so it matches to the last bit or so.
    EXPECT_NEAR(r->statistic, c.statistic, 1e-15) << c.n1 << " vs " << c.n2;
    // 1e-9 relative: p-values are sums of thousands of terms; summation order differs.
    EXPECT_NEAR(r->p_value, c.p_value, 1e-9 * c.p_value) << c.n1 << " vs " << c.n2;
  }
}

TEST(KolmogorovSmirnovTest, IdenticalAndConstantSamples) {
  const std::vector<double> constant(50, 3.0);
  absl::StatusOr<KsResult> same = KolmogorovSmirnov(constant, constant);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->statistic, 0.0);
  EXPECT_EQ(same->p_value, 1.0);

  // Two different constants: complete separation. scipy 1.10.1 ks_2samp([3.]*50, [4.]*40)
  // -> D = 1, p = 3.340520538602392e-26 (= 2 / C(90, 40)).
  absl::StatusOr<KsResult> apart = KolmogorovSmirnov(constant, std::vector<double>(40, 4.0));
  ASSERT_TRUE(apart.ok());
  EXPECT_EQ(apart->statistic, 1.0);
  EXPECT_NEAR(apart->p_value, 3.340520538602392e-26, 1e-9 * 3.340520538602392e-26);
  EXPECT_FALSE(std::isnan(apart->p_value));
}

TEST(KolmogorovSmirnovTest, SortedVariantAgrees) {
  const std::vector<double> reference = Sorted(LcgSample(1, 300, 0.0));
  const std::vector<double> current = LcgSample(2, 200, 1.0);
  absl::StatusOr<KsResult> a = KolmogorovSmirnov(reference, current);
  absl::StatusOr<KsResult> b = KolmogorovSmirnovSorted(reference, Sorted(current));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->statistic, b->statistic);
  EXPECT_EQ(a->p_value, b->p_value);
}

TEST(KolmogorovSmirnovTest, RejectsBadInput) {
  const std::vector<double> ok = {1, 2, 3};
  EXPECT_EQ(KolmogorovSmirnov({}, ok).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(KolmogorovSmirnov(ok, {}).status().code(), absl::StatusCode::kInvalidArgument);
  const std::vector<double> unsorted = {3, 1, 2};
  absl::Status s = KolmogorovSmirnov(unsorted, ok).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("reference_sorted"), absl::string_view::npos) << s;
  const std::vector<double> with_nan = {1, NAN, 2};
  s = KolmogorovSmirnov(ok, with_nan).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("current[1]"), absl::string_view::npos) << s;
  EXPECT_FALSE(KolmogorovSmirnovSorted(ok, unsorted).ok());
}

}  // namespace
}  // namespace greengate::drift
