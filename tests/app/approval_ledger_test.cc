// ApprovalLedger: the window sums a decision weighs, kept in memory (values by hand; energies
// are exact binary fractions so every sum below is exact).

#include "server/app/approval_ledger.h"

#include <optional>

#include "gtest/gtest.h"

namespace greengate::app {
namespace {

using store::ApprovalHistory;
using store::ApprovalRow;

// Approvals at 1000, 3000 and 5000 ms; the latest ever at 5000.
ApprovalHistory Churn() {
  ApprovalHistory h;
  h.approvals = {{1000, 1.5, 0.25}, {3000, 2.25, 0.5}, {5000, 0.5, 2.0}};
  h.last_approval_ms = 5000;
  return h;
}

TEST(ApprovalLedgerTest, SummarizesTheWindowFromSince) {
  struct Case {
    int64_t since_ms;
    double energy_kwh;
    double co2e_kg;
    std::optional<int64_t> oldest;
  };
  const Case cases[] = {
      {0, 4.25, 2.75, 1000},   {1000, 4.25, 2.75, 1000},  // since is inclusive
      {1001, 2.75, 2.5, 3000}, {5000, 0.5, 2.0, 5000},   {5001, 0.0, 0.0, std::nullopt},
  };
  for (const Case& c : cases) {
    ApprovalLedger ledger;
    ledger.Reset(0, Churn());
    const ApprovalSummary s = ledger.Summarize(c.since_ms);
    EXPECT_EQ(s.last_approval_ms, 5000) << c.since_ms;  // however old
    EXPECT_EQ(s.approved_energy_kwh, c.energy_kwh) << c.since_ms;
    EXPECT_EQ(s.approved_co2e_kg, c.co2e_kg) << c.since_ms;
    EXPECT_EQ(s.oldest_approval_ms, c.oldest) << c.since_ms;
  }
}

TEST(ApprovalLedgerTest, CoversOnlyWindowsItHolds) {
  ApprovalLedger ledger;
  EXPECT_FALSE(ledger.Covers(0));  // nothing loaded yet
  ledger.Reset(1000, Churn());
  EXPECT_FALSE(ledger.Covers(999));
  EXPECT_TRUE(ledger.Covers(1000));
  // A window starting later forgets what is before it: a longer window then needs a reload.
  ledger.Summarize(3000);
  EXPECT_FALSE(ledger.Covers(2999));
  EXPECT_TRUE(ledger.Covers(3000));
  EXPECT_EQ(ledger.Summarize(3000).approved_energy_kwh, 2.75);
}

TEST(ApprovalLedgerTest, CommittedApprovalsJoinTheWindowInTimeOrder) {
  ApprovalLedger ledger;
  ledger.Reset(0, {});
  EXPECT_EQ(ledger.Summarize(0).last_approval_ms, std::nullopt);
  ledger.Add({4000, 1.0, 0.5});
  ledger.Add({2000, 0.25, 0.125});  // the clock stepped back
  ApprovalSummary s = ledger.Summarize(0);
  EXPECT_EQ(s.last_approval_ms, 4000);
  EXPECT_EQ(s.oldest_approval_ms, 2000);
  EXPECT_EQ(s.approved_energy_kwh, 1.25);
  EXPECT_EQ(s.approved_co2e_kg, 0.625);
  s = ledger.Summarize(3000);  // the out-of-order one is the one that leaves
  EXPECT_EQ(s.oldest_approval_ms, 4000);
  EXPECT_EQ(s.approved_energy_kwh, 1.0);
  // Older than every window still asked for: only the latest-approval time could change.
  ledger.Add({1000, 8.0, 8.0});
  EXPECT_EQ(ledger.Summarize(3000).approved_energy_kwh, 1.0);
}

}  // namespace
}  // namespace greengate::app
