#include "server/core/gain/paired.h"

#include <cstdint>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace greengate::gain {
namespace {

struct PairedCase {
  int64_t a, b, c, d;  // both right, first only, second only, neither
  double confidence;   // two-sided
  double difference, lower, upper, phi;
};

// Expected values: Newcombe (1998) "Improved confidence intervals for the difference between
// binomial proportions based on paired data", Statistics in Medicine 17:2635-2650, method 10,
// evaluated by tests/core/gain/newcombe_reference.py (statsmodels 0.13.5 proportion_confint
// method="wilson" for the single-proportion intervals, the paper's formula for the rest).
constexpr PairedCase kPairedCases[] = {
    {1456, 60, 32, 452, 0.9, 0.014000000000000012, 0.0061239518597117574, 0.021914833922156658,
     0.87765171092224092},
    {12, 9, 2, 2, 0.95, 0.27999999999999992, 0.032144773135282301, 0.48769455546662988,
     0.052753496133999739},
    {30, 2, 0, 8, 0.95, 0.050000000000000044, -0.026364176080660481, 0.13431940083056651,
     0.8660254037844386},
    {400, 25, 25, 50, 0.9, 0, -0.023502969582371077, 0.023502969582371074, 0.60784313725490191},
    {180, 20, 5, 95, 0.95, 0.049999999999999933, 0.017812003434769699, 0.082149101264890334,
     0.8241364814583233},
    // An empty margin: phi is undefined and taken as 0.
    {0, 0, 0, 10, 0.95, 0, -0.2775327998628892, 0.2775327998628892, 0},
};

TEST(NewcombePairedIntervalTest, MatchesPaperFormula) {
  for (const PairedCase& c : kPairedCases) {
    PairedCounts k;
    k.rows = c.a + c.b + c.c + c.d;
    k.first_correct = c.a + c.b;
    k.second_correct = c.a + c.c;
    k.first_only_correct = c.b;
    k.second_only_correct = c.c;
    absl::StatusOr<DifferenceInterval> got = NewcombePairedInterval(k, c.confidence, "holdout");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(got->paired);
    EXPECT_NEAR(got->difference, c.difference, 1e-12) << c.a << "," << c.b << "," << c.c;
    EXPECT_NEAR(got->lower, c.lower, 1e-12) << c.a << "," << c.b << "," << c.c;
    EXPECT_NEAR(got->upper, c.upper, 1e-12) << c.a << "," << c.b << "," << c.c;
    EXPECT_NEAR(got->phi, c.phi, 1e-12) << c.a << "," << c.b << "," << c.c;
  }
}

struct IndependentCase {
  int64_t first, second, rows;
  double confidence, lower, upper;
};

// Without discordant counts phi = 0: Newcombe's interval for independent proportions, as
// statsmodels 0.13.5 confint_proportions_2indep(first, rows, second, rows, method="newcomb",
// compare="diff", alpha=1 - confidence).
constexpr IndependentCase kIndependentCases[] = {
    {1516, 1488, 2000, 0.9, -0.0084939391614865835, 0.036476194852071958},
    {81, 72, 100, 0.95, -0.027835764846147068, 0.20492655775769808},
    {9, 3, 10, 0.95, 0.17052272393450302, 0.8090179735354881},
};

TEST(NewcombePairedIntervalTest, WithoutDiscordantCountsMatchesStatsmodelsIndependent) {
  for (const IndependentCase& c : kIndependentCases) {
    PairedCounts k{c.rows, c.first, c.second, std::nullopt, std::nullopt};
    absl::StatusOr<DifferenceInterval> got = NewcombePairedInterval(k, c.confidence, "holdout");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_FALSE(got->paired);
    EXPECT_EQ(got->phi, 0);
    EXPECT_NEAR(got->lower, c.lower, 1e-12) << c.first << "/" << c.second;
    EXPECT_NEAR(got->upper, c.upper, 1e-12) << c.first << "/" << c.second;
  }
}

TEST(NewcombePairedIntervalTest, PairingNarrowsTheIntervalOfCorrelatedModels) {
  PairedCounts independent{2000, 1516, 1488, std::nullopt, std::nullopt};
  PairedCounts paired = independent;
  paired.first_only_correct = 60;  // 1456 right by both
  paired.second_only_correct = 32;
  absl::StatusOr<DifferenceInterval> wide = NewcombePairedInterval(independent, 0.9, "h");
  absl::StatusOr<DifferenceInterval> narrow = NewcombePairedInterval(paired, 0.9, "h");
  ASSERT_TRUE(wide.ok() && narrow.ok());
  EXPECT_LT(wide->lower, 0);    // unpaired: a 1.4-point difference is not significant
  EXPECT_GT(narrow->lower, 0);  // paired: it is
}

TEST(NewcombePairedIntervalTest, RejectsInconsistentCountsNamingTheField) {
  struct Bad {
    PairedCounts counts;
    const char* field;
  };
  const Bad bad[] = {
      {{0, 0, 0, std::nullopt, std::nullopt}, "holdout.rows"},
      {{10, 11, 5, std::nullopt, std::nullopt}, "holdout.first_correct"},
      {{10, 5, -1, std::nullopt, std::nullopt}, "holdout.second_correct"},
      {{10, 5, 5, 2, std::nullopt}, "holdout.second_only_correct"},
      {{10, 5, 5, std::nullopt, 2}, "holdout.first_only_correct"},
      {{10, 5, 5, 6, 0}, "holdout.first_only_correct"},
      {{10, 5, 5, 2, 1}, "holdout.second_only_correct"},  // a = 3, but a + c = 4 != 5
      {{10, 8, 8, 3, 3}, "holdout.second_only_correct"},  // a = 5, d = 10 - 11 < 0
  };
  for (const Bad& b : bad) {
    absl::StatusOr<DifferenceInterval> got = NewcombePairedInterval(b.counts, 0.9, "holdout");
    ASSERT_FALSE(got.ok()) << b.field;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find(b.field), std::string::npos) << got.status();
  }
  PairedCounts ok{10, 5, 5, std::nullopt, std::nullopt};
  EXPECT_FALSE(NewcombePairedInterval(ok, 1.0, "holdout").ok());
}

}  // namespace
}  // namespace greengate::gain
