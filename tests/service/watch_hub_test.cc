// WatchHub unit tests: filters, bounded queues and overflow, close. No threads needed: Pop
// with a zero timeout returns at once.

#include "server/service/watch_hub.h"

#include "gtest/gtest.h"

namespace greengate::service {
namespace {

v1::Decision MakeDecision(const std::string& model, v1::Verdict verdict, const std::string& id) {
  v1::Decision d;
  d.set_name("decisions/" + id);
  d.set_model(model);
  d.set_verdict(verdict);
  return d;
}

TEST(WatchFilterTest, MatchesModelAndVerdicts) {
  struct Case {
    WatchFilter filter;
    std::string model;
    v1::Verdict verdict;
    bool matches;
  };
  const std::vector<Case> cases = {
      {{}, "models/a", v1::APPROVE, true},
      {{"models/a", {}}, "models/a", v1::DEFER, true},
      {{"models/a", {}}, "models/b", v1::APPROVE, false},
      {{"", {v1::REJECT}}, "models/a", v1::REJECT, true},
      {{"", {v1::REJECT}}, "models/a", v1::APPROVE, false},
      {{"models/a", {v1::APPROVE, v1::REJECT}}, "models/a", v1::REJECT, true},
      {{"models/a", {v1::APPROVE, v1::REJECT}}, "models/b", v1::REJECT, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(cases[i].filter.Matches(MakeDecision(cases[i].model, cases[i].verdict, "x")),
              cases[i].matches)
        << "case " << i;
  }
}

TEST(WatchHubTest, DeliversMatchingDecisionsInOrder) {
  WatchHub hub(8);
  auto all = hub.Subscribe({});
  auto rejects = hub.Subscribe({"", {v1::REJECT}});
  hub.OnDecision(MakeDecision("models/a", v1::APPROVE, "1"), 1);
  hub.OnDecision(MakeDecision("models/a", v1::REJECT, "2"), 2);
  hub.OnDecision(MakeDecision("models/b", v1::REJECT, "3"), 3);

  for (const char* id : {"decisions/1", "decisions/2", "decisions/3"}) {
    WatchSubscription::Next next = all->Pop(absl::ZeroDuration());
    ASSERT_NE(next.decision, nullptr) << id;
    EXPECT_EQ(next.decision->name(), id);
  }
  EXPECT_EQ(all->Pop(absl::ZeroDuration()).decision, nullptr);
  for (const char* id : {"decisions/2", "decisions/3"}) {
    WatchSubscription::Next next = rejects->Pop(absl::ZeroDuration());
    ASSERT_NE(next.decision, nullptr) << id;
    EXPECT_EQ(next.decision->name(), id);
  }
  const WatchSubscription::Next idle = rejects->Pop(absl::ZeroDuration());
  EXPECT_EQ(idle.decision, nullptr);
  EXPECT_EQ(idle.state, WatchSubscription::State::kOpen);
}

TEST(WatchHubTest, FullQueueOverflowsOnlyThatSubscriber) {
  WatchHub hub(2);
  auto slow = hub.Subscribe({});
  auto fast = hub.Subscribe({});
  for (int i = 1; i <= 5; ++i) {
    hub.OnDecision(MakeDecision("models/a", v1::APPROVE, std::to_string(i)), i);
    // The fast subscriber keeps up; the slow one never pops.
    WatchSubscription::Next next = fast->Pop(absl::ZeroDuration());
    ASSERT_NE(next.decision, nullptr);
    EXPECT_EQ(next.decision->name(), "decisions/" + std::to_string(i));
  }
  // Two queued, the third overflowed it: nothing more is handed out, the state says why.
  const WatchSubscription::Next next = slow->Pop(absl::ZeroDuration());
  EXPECT_EQ(next.decision, nullptr);
  EXPECT_EQ(next.state, WatchSubscription::State::kOverflowed);
  EXPECT_EQ(fast->Pop(absl::ZeroDuration()).state, WatchSubscription::State::kOpen);
}

TEST(WatchHubTest, CloseDrainsQueuedThenReportsClosed) {
  WatchHub hub(4);
  auto s = hub.Subscribe({});
  hub.OnDecision(MakeDecision("models/a", v1::APPROVE, "1"), 1);
  hub.Close();
  hub.OnDecision(MakeDecision("models/a", v1::APPROVE, "2"), 2);  // after close: not queued
  WatchSubscription::Next first = s->Pop(absl::ZeroDuration());
  ASSERT_NE(first.decision, nullptr);
  EXPECT_EQ(first.decision->name(), "decisions/1");
  EXPECT_EQ(s->Pop(absl::ZeroDuration()).state, WatchSubscription::State::kClosed);
  // A subscription after Close starts closed.
  EXPECT_EQ(hub.Subscribe({})->Pop(absl::ZeroDuration()).state, WatchSubscription::State::kClosed);
}

TEST(WatchHubTest, UnsubscribeRemoves) {
  WatchHub hub(4);
  auto a = hub.Subscribe({});
  auto b = hub.Subscribe({});
  EXPECT_EQ(hub.subscriber_count(), 2u);
  hub.Unsubscribe(a);
  EXPECT_EQ(hub.subscriber_count(), 1u);
  hub.Unsubscribe(a);  // twice is harmless
  EXPECT_EQ(hub.subscriber_count(), 1u);
}

}  // namespace
}  // namespace greengate::service
