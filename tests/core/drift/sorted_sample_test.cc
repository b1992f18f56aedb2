// SortedCopy(): radix sort above 2048 values, std::sort below; both must agree with std::sort.

#include "server/core/drift/sorted_sample.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/drift/test_samples.h"

namespace greengate::drift::internal {
namespace {

TEST(SortedCopyTest, MatchesStdSortAcrossSignsAndMagnitudes) {
  for (int n : {1, 7, 2047, 2048, 5000, 100000}) {
    SCOPED_TRACE(n);
    std::vector<double> v = testing::LcgSample(static_cast<uint64_t>(n), n, -50.0);
    // Spread the magnitudes and add the awkward values a sort must order.
    for (size_t i = 0; i < v.size(); ++i) v[i] *= std::pow(10.0, static_cast<double>(i % 9) - 4);
    if (n > 10) {
      v[0] = -0.0;
      v[1] = 0.0;
      v[2] = std::numeric_limits<double>::infinity();
      v[3] = -std::numeric_limits<double>::infinity();
      v[4] = std::numeric_limits<double>::denorm_min();
      v[5] = -std::numeric_limits<double>::max();
    }
    auto sorted = SortedCopy(v, "v");
    ASSERT_TRUE(sorted.ok());
    std::vector<double> expected = v;
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(sorted->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ((*sorted)[i], expected[i]) << i;  // -0.0 == 0.0, so their order is free
    }
    EXPECT_TRUE(CheckSortedSample(*sorted, "sorted").ok());
  }
}

TEST(SortedCopyTest, AllEqualAndRejectsNaN) {
  std::vector<double> same(5000, 3.25);
  auto sorted = SortedCopy(same, "same");
  ASSERT_TRUE(sorted.ok());
  EXPECT_EQ(*sorted, same);
  same[4000] = NAN;
  EXPECT_EQ(SortedCopy(same, "same").status().message(), "same[4000]: is NaN");
}

}  // namespace
}  // namespace greengate::drift::internal
