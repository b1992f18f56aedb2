#include "server/core/profile/numeric_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/profile/edges.h"

namespace greengate::profile {
namespace {

using ::testing::ElementsAre;

NumericBuilder MakeBuilder(std::vector<double> edges, int64_t capacity, uint64_t seed = 0) {
  absl::StatusOr<NumericBuilder> b = NumericBuilder::Create(
      {.bin_edges = std::move(edges), .sample_capacity = capacity, .seed = seed});
  EXPECT_TRUE(b.ok()) << b.status();
  return *std::move(b);
}

// Deterministic, irregular data far from zero, where a naive sum of squares would cancel.
std::vector<double> Data(int n) {
  std::vector<double> x;
  for (int i = 0; i < n; ++i) x.push_back(1e6 + std::sin(i * 0.7) * 3 + (i % 13) * 0.01);
  return x;
}

TEST(NumericBuilderTest, MomentsMatchTwoPassComputation) {
  const std::vector<double> x = Data(5000);
  NumericBuilder b = MakeBuilder({}, 10);
  for (double v : x) b.Add(v);
  const NumericProfile p = b.Finish();

  // Direct two-pass computation in long double.
  long double sum = 0;
  for (double v : x) sum += v;
  const long double mean = sum / x.size();
  long double m2 = 0;
  for (double v : x) m2 += (v - mean) * (v - mean);

  EXPECT_NEAR(p.mean, static_cast<double>(mean), 1e-9 * std::abs(static_cast<double>(mean)));
  EXPECT_NEAR(p.m2, static_cast<double>(m2), 1e-9 * static_cast<double>(m2));
  EXPECT_EQ(p.min, *std::min_element(x.begin(), x.end()));
  EXPECT_EQ(p.max, *std::max_element(x.begin(), x.end()));
  EXPECT_EQ(b.count(), 5000);
  EXPECT_EQ(b.missing(), 0);
}

TEST(NumericBuilderTest, CountsBinsWithValuesOnEdgesInTheUpperBin) {
  NumericBuilder b = MakeBuilder({0, 1, 2}, 100);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // (-inf,0): -5 | [0,1): -0.0, 0, 0.5 | [1,2): 1, 1, 1.999 | [2,inf): 2, 3.
  for (double v : {-5.0, -0.0, 0.0, 0.5, 1.0, 1.0, 1.999, 2.0, 3.0, nan}) b.Add(v);
  const NumericProfile p = b.Finish();
  EXPECT_THAT(p.bin_counts, ElementsAre(1, 3, 3, 2));
  EXPECT_THAT(p.bin_edges, ElementsAre(0, 1, 2));
  EXPECT_EQ(b.count(), 10);
  EXPECT_EQ(b.missing(), 1);
  EXPECT_EQ(p.sample_seen, 9);
}

// Bin tallies are counted in 32 bits and added into 64-bit ones every max_unflushed values
// (2^31 in production): flushing every 7 values, in spans of any length, counts the same.
TEST(NumericBuilderTest, FlushedTalliesCountTheSame) {
  std::vector<double> edges;
  for (int i = 0; i < 100; ++i) edges.push_back(i * 0.5);
  std::vector<double> x;
  for (int i = 0; i < 3000; ++i) x.push_back(i % 11 == 0 ? (i % 100) * 0.5 : std::sin(i) * 60);
  absl::StatusOr<NumericBuilder> flushing = NumericBuilder::Create(
      {.bin_edges = edges, .sample_capacity = 0, .seed = 0, .max_unflushed = 7});
  ASSERT_TRUE(flushing.ok()) << flushing.status();
  NumericBuilder whole = MakeBuilder(edges, 0);
  whole.AddValues(x);
  for (std::size_t start = 0; start < x.size(); start += 1 + start % 23) {
    flushing->AddValues(absl::Span<const double>(x).subspan(start, 1 + start % 23));
  }
  const NumericProfile a = whole.Finish(), b = flushing->Finish();
  EXPECT_EQ(a.bin_counts, b.bin_counts);
  EXPECT_EQ(a.edge_counts, b.edge_counts);
  EXPECT_GT(a.edge_counts[10], 0);  // the ties are counted too
}

TEST(NumericBuilderTest, NonFiniteValuesAreMissing) {
  NumericBuilder b = MakeBuilder({}, 100);
  b.Add(std::numeric_limits<double>::quiet_NaN());
  b.Add(std::numeric_limits<double>::infinity());
  b.Add(-std::numeric_limits<double>::infinity());
  b.AddMissing();
  b.Add(2.5);
  const NumericProfile p = b.Finish();
  EXPECT_EQ(b.count(), 5);
  EXPECT_EQ(b.missing(), 4);
  EXPECT_EQ(p.min, 2.5);
  EXPECT_EQ(p.max, 2.5);
  EXPECT_EQ(p.mean, 2.5);
  EXPECT_EQ(p.m2, 0);
  EXPECT_THAT(p.sample, ElementsAre(2.5));
}

TEST(NumericBuilderTest, NoValuesGiveZeroPlaceholders) {
  NumericBuilder b = MakeBuilder({1}, 100);
  b.AddMissing();
  const NumericProfile p = b.Finish();
  EXPECT_EQ(p.min, 0);
  EXPECT_EQ(p.max, 0);
  EXPECT_EQ(p.mean, 0);
  EXPECT_EQ(p.m2, 0);
  EXPECT_THAT(p.bin_counts, ElementsAre(0, 0));
  EXPECT_TRUE(p.sample.empty());
  EXPECT_EQ(p.sample_seen, 0);
}

TEST(NumericBuilderTest, ReservoirHoldsEverythingBelowCapacity) {
  NumericBuilder b = MakeBuilder({}, 100);
  for (int i = 49; i >= 0; --i) b.Add(i);
  const NumericProfile p = b.Finish();
  ASSERT_EQ(p.sample.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(p.sample[i], i);  // sorted ascending
  EXPECT_EQ(p.sample_seen, 50);
}

TEST(NumericBuilderTest, ReservoirIsBoundedSortedAndDrawnFromInput) {
  NumericBuilder b = MakeBuilder({}, 100, 7);
  for (int i = 0; i < 10'000; ++i) b.Add(i);
  const NumericProfile p = b.Finish();
  ASSERT_EQ(p.sample.size(), 100u);
  EXPECT_EQ(p.sample_seen, 10'000);
  EXPECT_TRUE(std::is_sorted(p.sample.begin(), p.sample.end()));
  const std::set<double> distinct(p.sample.begin(), p.sample.end());
  EXPECT_EQ(distinct.size(), 100u);  // each input value at most once
  for (double v : p.sample) {
    EXPECT_EQ(v, std::floor(v));
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 10'000);
  }
  // A uniform sample of 0..9999 reaches past the first capacity's worth of values.
  EXPECT_GT(p.sample.back(), 5000);
}

TEST(NumericBuilderTest, SameSeedSameSampleOtherSeedOtherSample) {
  NumericBuilder a = MakeBuilder({}, 50, 42);
  NumericBuilder b = MakeBuilder({}, 50, 42);
  NumericBuilder c = MakeBuilder({}, 50, 43);
  for (double v : Data(3000)) {
    a.Add(v);
    b.Add(v);
    c.Add(v);
  }
  EXPECT_EQ(a.Finish().sample, b.Finish().sample);
  EXPECT_NE(a.Finish().sample, c.Finish().sample);
}

// Algorithm R keeps each of n values with probability capacity / n. Over 2000 seeds, each
// of 100 values should be kept about 2000 * 10/100 = 200 times (binomial sd = 13.4); the
// bound is 5 sd. Deterministic: fixed seeds.
TEST(NumericBuilderTest, ReservoirKeepsEveryValueEquallyOften) {
  std::vector<int> kept(100, 0);
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    NumericBuilder b = MakeBuilder({}, 10, seed);
    for (int i = 0; i < 100; ++i) b.Add(i);
    for (double v : b.Finish().sample) ++kept[static_cast<int>(v)];
  }
  for (int i = 0; i < 100; ++i) EXPECT_NEAR(kept[i], 200, 67) << "value " << i;
}

TEST(NumericBuilderTest, ZeroCapacityKeepsNoSample) {
  NumericBuilder b = MakeBuilder({}, 0);
  for (int i = 0; i < 10; ++i) b.Add(i);
  EXPECT_TRUE(b.Finish().sample.empty());
  EXPECT_EQ(b.Finish().sample_seen, 10);
}

// Bins are found by a fixed search for up to 15 edges and a binary search above: for every
// number of edges from 0 to 20, values on, between and outside the edges land where
// BinIndex() puts them.
TEST(NumericBuilderTest, BinsMatchBinIndexForAnyNumberOfEdges) {
  for (int k = 0; k <= 20; ++k) {
    SCOPED_TRACE(k);
    std::vector<double> edges;
    for (int i = 0; i < k; ++i) edges.push_back(i * 1.5 - 7);
    std::vector<double> values;
    for (double e : edges) {
      values.push_back(e);
      values.push_back(std::nextafter(e, -1e9));
      values.push_back(e + 0.75);
    }
    values.push_back(-1e300);
    values.push_back(1e300);
    std::vector<double> expected(edges.size() + 1, 0);
    for (double v : values) ++expected[BinIndex(edges, v)];
    NumericBuilder one_by_one = *NumericBuilder::Create({.bin_edges = edges});
    for (double v : values) one_by_one.Add(v);
    NumericBuilder column = *NumericBuilder::Create({.bin_edges = edges});
    column.AddValues(values);
    EXPECT_EQ(one_by_one.Finish().bin_counts, expected);
    EXPECT_EQ(column.Finish().bin_counts, expected);
  }
}

// SampleLazily() (pass 1 of a reference) draws the very sample AddValues() draws and counts
// the same values, in one call or in pieces.
TEST(NumericBuilderTest, SampleLazilyDrawsTheSameSample) {
  std::vector<double> values;
  for (int i = 0; i < 5000; ++i) {
    values.push_back(i % 97 == 0 ? std::numeric_limits<double>::quiet_NaN() : std::sin(i) * i);
  }
  NumericBuilder full = *NumericBuilder::Create({.sample_capacity = 100, .seed = 9});
  full.AddValues(values);
  NumericBuilder sampled = *NumericBuilder::Create({.sample_capacity = 100, .seed = 9});
  const auto sample = [&sampled](absl::Span<const double> piece) {
    sampled.SampleLazily(
        piece.size(), [piece](std::size_t i) { return std::isfinite(piece[i]); },
        [piece](std::size_t i) { return piece[i]; });
  };
  sample(absl::Span<const double>(values).subspan(0, 1234));
  sample(absl::Span<const double>(values).subspan(1234));
  EXPECT_EQ(sampled.count(), full.count());
  EXPECT_EQ(sampled.missing(), full.missing());
  EXPECT_EQ(sampled.SortedSample(), full.SortedSample());
  EXPECT_EQ(sampled.Finish().sample_seen, full.Finish().sample_seen);
}

// The moments take values a chunk at a time, cut by count from the first value: one Add()
// at a time, one AddValues() or AddValues() in uneven pieces give the same profile, bit for
// bit, and it agrees with a two-pass computation.
TEST(NumericBuilderTest, HowValuesArriveDoesNotChangeTheProfile) {
  std::vector<double> values = Data(1000);
  for (size_t i = 0; i < values.size(); i += 37)
    values[i] = std::numeric_limits<double>::quiet_NaN();
  NumericBuilder one = MakeBuilder({1e6 - 1, 1e6, 1e6 + 1}, 50, 3);
  for (double v : values) one.Add(v);
  NumericBuilder whole = MakeBuilder({1e6 - 1, 1e6, 1e6 + 1}, 50, 3);
  whole.AddValues(values);
  NumericBuilder pieces = MakeBuilder({1e6 - 1, 1e6, 1e6 + 1}, 50, 3);
  for (size_t start = 0, size = 1; start < values.size(); start += size, size = size * 3 % 301) {
    size = std::min(std::max<size_t>(size, 1), values.size() - start);
    pieces.AddValues(absl::Span<const double>(values).subspan(start, size));
  }
  const NumericProfile a = one.Finish(), b = whole.Finish(), c = pieces.Finish();
  for (const NumericProfile* p : {&b, &c}) {
    EXPECT_EQ(p->mean, a.mean);
    EXPECT_EQ(p->m2, a.m2);
    EXPECT_EQ(p->min, a.min);
    EXPECT_EQ(p->max, a.max);
    EXPECT_EQ(p->bin_counts, a.bin_counts);
    EXPECT_EQ(p->sample, a.sample);
  }
  long double sum = 0, n = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    sum += v;
    ++n;
  }
  const long double mean = sum / n;
  long double m2 = 0;
  for (double v : values) {
    if (!std::isnan(v)) m2 += (v - mean) * (v - mean);
  }
  EXPECT_NEAR(a.mean, static_cast<double>(mean), 1e-12 * 1e6);
  EXPECT_NEAR(a.m2, static_cast<double>(m2), 1e-10 * static_cast<double>(m2));
}

// Values near the top of the double range: a chunk's plain sum overflows, and the moments
// still come out finite and right (Welford's update within that chunk).
TEST(NumericBuilderTest, ValuesNearTheDoubleRangeKeepFiniteMoments) {
  NumericBuilder b = MakeBuilder({}, 10);
  for (int i = 0; i < 600; ++i) b.Add(i % 2 == 0 ? 1.5e308 : 1.7e308);
  const NumericProfile p = b.Finish();
  EXPECT_DOUBLE_EQ(p.mean, 1.6e308);
  EXPECT_TRUE(std::isfinite(p.mean));
  EXPECT_EQ(p.min, 1.5e308);
  EXPECT_EQ(p.max, 1.7e308);
}

TEST(NumericBuilderTest, RejectsBadOptions) {
  EXPECT_EQ(NumericBuilder::Create({.bin_edges = {1, 0}}).status().message(),
            "bin_edges[1]: must be greater than the previous edge [0] (1), got 0; bin edges "
            "must be strictly increasing");
  EXPECT_EQ(NumericBuilder::Create({.sample_capacity = -1}).status().message(),
            "sample_capacity: must be in [0, 100000], got -1");
  EXPECT_EQ(NumericBuilder::Create({.sample_capacity = 100'001}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace greengate::profile
