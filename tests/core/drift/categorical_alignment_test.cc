// Categorical drift on a current profile counted on its reference (ProfileBuilder::
// ForReference): equally likely levels without drift give no unseen category and no drift,
// a new category is reported with its count, and the statistics on the aligned counts are
// scipy's on the same counts.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/drift/chi_square.h"
#include "server/core/drift/drift.h"
#include "server/core/drift/feature_drift.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/validate.h"

namespace greengate::drift {
namespace {

using profile::DataProfile;
using profile::ProfileBuilder;
using profile::ProfileBuilderOptions;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// splitmix64: the generator tests/core/drift/categorical_alignment.py replicates.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// `rows` values of `levels` equally likely categories "L0", "L1", ..., then `extra_rows`
// rows of the category `extra` (when not empty).
std::vector<std::string> Levels(uint64_t seed, int64_t rows, uint64_t levels,
                                const std::string& extra = "", int64_t extra_rows = 0) {
  SplitMix64 rng(seed);
  std::vector<std::string> out;
  out.reserve(rows + extra_rows);
  for (int64_t i = 0; i < rows; ++i) out.push_back(absl::StrCat("L", rng.Next() % levels));
  for (int64_t i = 0; i < extra_rows; ++i) out.push_back(extra);
  return out;
}

// Half the rows of `levels` frequent levels, half (seed + 100) of `tail` levels: "L0" ..
// "L{levels-1}" are frequent, the rest rare.
std::vector<std::string> HeadAndTail(uint64_t seed, int64_t rows, uint64_t levels, uint64_t tail) {
  std::vector<std::string> out = Levels(seed, rows / 2, levels);
  for (std::string& v : Levels(seed + 100, rows / 2, tail)) out.push_back(std::move(v));
  return out;
}

DataProfile Profile(ProfileBuilder builder, const std::vector<std::string>& values) {
  for (const std::string& v : values) EXPECT_TRUE(builder.AddRow({&v, 1}).ok());
  return builder.Finish();
}

DataProfile Reference(const std::vector<std::string>& values, const ProfileBuilderOptions& o) {
  absl::StatusOr<ProfileBuilder> b =
      ProfileBuilder::Create({{"c", profile::FeatureKind::kCategorical}}, o);
  EXPECT_TRUE(b.ok()) << b.status();
  return Profile(*std::move(b), values);
}

DataProfile Current(const DataProfile& reference, const std::vector<std::string>& values) {
  absl::StatusOr<ProfileBuilder> b =
      ProfileBuilder::ForReference(reference, profile::ReferenceOptions(reference));
  EXPECT_TRUE(b.ok()) << b.status();
  return Profile(*std::move(b), values);
}

constexpr int64_t kRows = 100000;

// Equally likely levels and no drift, on the default profile options (top-K 1000, 10,000
// tracked categories): the current side counts exactly the reference's categories and puts
// the rest in `other`, as the reference did, so nothing is unseen and nothing drifts. Each
// side keeping its own top 1000 (before) reported 156 unseen categories at 1,200 levels.
// With 50,000 levels the reference's top 1000 are the luckiest of ~2 rows each, so their
// counts overstate their frequency (the current side counts about 2 each); compared one by
// one they gave a Jensen-Shannon distance of 0.095 to 0.11 without drift. Listed categories
// with fewer than kRareReferenceCount rows are compared inside `other`, so the distance is 0.
TEST(CategoricalAlignmentTest, EquallyLikelyLevelsWithoutDriftShowNoUnseenAndNoDrift) {
  for (uint64_t levels : {1200u, 50000u}) {
    SCOPED_TRACE(levels);
    const DataProfile ref = Reference(Levels(1, kRows, levels), {});
    const DataProfile cur = Current(ref, Levels(2, kRows, levels));
    ASSERT_TRUE(profile::ValidateAgainstReference(ref, cur, "current").ok());
    EXPECT_TRUE(cur.features[0].categorical().reference_aligned);
    EXPECT_THAT(cur.features[0].categorical().unseen, IsEmpty());
    absl::StatusOr<DriftReport> report = DetectDrift(ref, cur, {});
    ASSERT_TRUE(report.ok()) << report.status();
    const FeatureDrift& f = report->features[0];
    EXPECT_EQ(f.test, "jensen_shannon");
    EXPECT_THAT(f.unseen_categories, IsEmpty());
    EXPECT_LT(f.statistic, 0.1);
    EXPECT_FALSE(f.drifted);
    EXPECT_FALSE(report->dataset_drift);
  }
}

struct ScipyCase {
  std::string name;
  uint64_t levels;
  uint64_t tail;  // 0, or rare levels drawn in half the rows (HeadAndTail())
  int64_t top_k;
  std::string extra;  // a category only the current data has, with extra_rows rows
  int64_t extra_rows;
  std::vector<std::string> unseen;
  int64_t cells;
  double chi2, p_value;
  int dof;
  double js;
};

// Chi-square and Jensen-Shannon on the aligned counts equal scipy's on the same counts.
// Tracking every category (tracked_categories 100,000) makes the counts exact, so
// tests/core/drift/categorical_alignment.py derives them from the same draws on its own:
// scipy.stats.chi2_contingency(correction=False) and
// scipy.spatial.distance.jensenshannon(base=2), scipy 1.10.1.
TEST(CategoricalAlignmentTest, StatisticsOnAlignedCountsEqualScipy) {
  const std::vector<ScipyCase> cases = {
      {"1200 levels, top-k 1000",
       1200,
       0,
       1000,
       "",
       0,
       {},
       1001,
       1113.2653471603226,
       0.0069915030456395846,
       1000,
       0.063438809963487289},
      // Every listed category has fewer than 25 rows: all are compared inside `other`.
      {"50000 levels, top-k 1000", 50000, 0, 1000, "", 0, {}, 1, 0, 1, 0, 0},
      {"one new category",
       1200,
       0,
       5000,
       "NEW",
       500,
       {"NEW"},
       1201,
       1729.7552860205765,
       6.4389850528588991e-22,
       1200,
       0.08327366329497074},
      // The 100 frequent levels are compared one by one; the 900 lucky rare ones in `other`.
      {"100 frequent levels and a tail of 50000, top-k 1000",
       100,
       50000,
       1000,
       "",
       0,
       {},
       101,
       93.648326767919201,
       0.65968073998588639,
       100,
       0.018381970825004885},
  };
  for (const ScipyCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> ref_values = Levels(1, kRows, c.levels);
    std::vector<std::string> cur_values = Levels(2, kRows, c.levels, c.extra, c.extra_rows);
    if (c.tail > 0) {
      ref_values = HeadAndTail(1, kRows, c.levels, c.tail);
      cur_values = HeadAndTail(2, kRows, c.levels, c.tail);
    }
    const DataProfile ref =
        Reference(ref_values, {.max_categories = c.top_k, .tracked_categories = 100000});
    const DataProfile cur = Current(ref, cur_values);
    ASSERT_TRUE(profile::ValidateAgainstReference(ref, cur, "current").ok());
    const internal::AlignedCounts a =
        internal::Align(ref.features[0].categorical(), cur.features[0].categorical());
    EXPECT_EQ(static_cast<int64_t>(a.reference.size()), c.cells);
    EXPECT_EQ(a.unseen, c.unseen);
    absl::StatusOr<ChiSquareResult> chi = ChiSquareHomogeneity(a.reference, a.current);
    ASSERT_TRUE(chi.ok()) << chi.status();
    EXPECT_NEAR(chi->statistic, c.chi2, 1e-12 * c.chi2);
    EXPECT_NEAR(chi->p_value, c.p_value, 1e-9 * c.p_value);  // dof 0: scipy has no value, 1
    EXPECT_EQ(chi->dof, c.dof);
    // The policy's tests: chi-square at or below large_sample_rows, Jensen-Shannon above.
    DriftOptions small;
    small.large_sample_rows = 2 * kRows;
    absl::StatusOr<DriftReport> tested = DetectDrift(ref, cur, small);
    ASSERT_TRUE(tested.ok()) << tested.status();
    EXPECT_EQ(tested->features[0].test, "chi_square");
    EXPECT_NEAR(tested->features[0].statistic, c.chi2, 1e-12 * c.chi2);
    EXPECT_EQ(tested->features[0].unseen_categories, c.unseen);
    absl::StatusOr<DriftReport> large = DetectDrift(ref, cur, {});
    ASSERT_TRUE(large.ok()) << large.status();
    EXPECT_EQ(large->features[0].test, "jensen_shannon");
    EXPECT_NEAR(large->features[0].statistic, c.js, 1e-12);
  }
}

// A category the reference never saw, when the reference listed every category it saw, is
// reported with its count; when the reference folded categories into `other`, it may be
// one of those, so it counts in `other` and is not claimed unseen.
TEST(CategoricalAlignmentTest, NewCategoryIsUnseenOnlyWhenTheReferenceListedEverything) {
  const std::vector<std::string> current = Levels(2, 10000, 200, "NEW", 37);
  const DataProfile listed_all = Reference(Levels(1, 10000, 200), {.max_categories = 1000});
  ASSERT_EQ(listed_all.features[0].categorical().other, 0);
  const DataProfile cur = Current(listed_all, current);
  const profile::CategoricalProfile& c = cur.features[0].categorical();
  EXPECT_THAT(c.unseen, ElementsAre("NEW"));
  EXPECT_EQ(c.counts.at("NEW"), 37);
  EXPECT_EQ(c.other, 0);
  absl::StatusOr<DriftReport> report = DetectDrift(listed_all, cur, {});
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(report->features[0].unseen_categories, ElementsAre("NEW"));

  const DataProfile folded = Reference(Levels(1, 10000, 200), {.max_categories = 150});
  ASSERT_GT(folded.features[0].categorical().other, 0);
  const DataProfile on_folded = Current(folded, current);
  const profile::CategoricalProfile& f = on_folded.features[0].categorical();
  EXPECT_THAT(f.unseen, IsEmpty());
  EXPECT_FALSE(f.counts.contains("NEW"));
  EXPECT_EQ(f.counts.size(), 150u);  // exactly the reference's categories
  int64_t listed = 0;
  for (const auto& [name, count] : f.counts) listed += count;
  EXPECT_EQ(listed + f.other, 10037);
  report = DetectDrift(folded, on_folded, {});
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(report->features[0].unseen_categories, IsEmpty());
}

}  // namespace
}  // namespace greengate::drift
