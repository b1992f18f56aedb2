#include "server/alerts/backoff.h"

#include "gtest/gtest.h"

namespace greengate::alerts {
namespace {

TEST(BackoffTest, ExponentialCappedWithJitter) {
  BackoffPolicy policy;  // 1 s, x2, cap 5 min, jitter 0.5
  struct Case {
    int64_t attempts;
    double u;
    double seconds;
  };
  // Hand-computed: min(300, 1 * 2^(n-1)) * (1 - 0.5 u).
  const std::vector<Case> cases = {
      {0, 0, 1},  // treated as the first failure
      {1, 0, 1},      {2, 0, 2},
      {3, 0, 4},      {9, 0, 256},
      {10, 0, 300},    // 512 capped at 300
      {1000, 0, 300},  // no overflow far out
      {1, 0.5, 0.75}, {3, 0.999, 4 * (1 - 0.5 * 0.999)},
      {10, 1.5, 150},  // u clamped to 1
      {4, -1, 8},      // u clamped to 0
  };
  for (const Case& c : cases) {
    EXPECT_DOUBLE_EQ(absl::ToDoubleSeconds(BackoffDelay(policy, c.attempts, c.u)), c.seconds)
        << "attempts " << c.attempts << " u " << c.u;
  }
}

TEST(BackoffTest, NoJitterIsDeterministic) {
  BackoffPolicy policy;
  policy.initial = absl::Milliseconds(100);
  policy.multiplier = 3;
  policy.max = absl::Seconds(2);
  policy.jitter = 0;
  EXPECT_EQ(BackoffDelay(policy, 1, 0.9), absl::Milliseconds(100));
  EXPECT_EQ(BackoffDelay(policy, 2, 0.9), absl::Milliseconds(300));
  EXPECT_EQ(BackoffDelay(policy, 3, 0.9), absl::Milliseconds(900));
  EXPECT_EQ(BackoffDelay(policy, 4, 0.9), absl::Seconds(2));
}

}  // namespace
}  // namespace greengate::alerts
