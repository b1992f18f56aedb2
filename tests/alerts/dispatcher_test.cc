// Dispatcher over a real SQLite store with a fake sink and a FakeClock: order, verdict
// filter, retries with backoff, restarts, permanent failures. Deterministic: RunOnce is
// called directly (no delivery thread), and jitter is fixed.

#include "server/alerts/dispatcher.h"

#include <stdlib.h>

#include <deque>
#include <filesystem>

#include "gtest/gtest.h"
#include "server/mapping/stored_json.h"

namespace greengate::alerts {
namespace {

// Records deliveries; fails with the scripted statuses first.
class FakeSink final : public AlertSink {
 public:
  explicit FakeSink(std::vector<std::string>* sent, std::deque<absl::Status>* script)
      : sent_(sent), script_(script) {}
  const std::string& name() const override { return name_; }
  absl::Status Send(const v1::Decision& decision) override {
    if (!script_->empty()) {
      absl::Status s = script_->front();
      script_->pop_front();
      if (!s.ok()) return s;
    }
    sent_->push_back(decision.name());
    return absl::OkStatus();
  }

 private:
  const std::string name_ = "fake";
  std::vector<std::string>* sent_;
  std::deque<absl::Status>* script_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/greengate-dispatch-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    OpenStore();
    store::ModelRow model;
    model.model_id = "churn";
    model.deployed_version = "v1";
    auto created = store_->CreateModel(model);
    ASSERT_TRUE(created.ok()) << created.status();
    model_id_ = created->id;
  }
  void TearDown() override {
    dispatcher_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenStore() {
    auto store = store::Store::Open(dir_ + "/gg.db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  void NewDispatcher() {
    std::vector<std::unique_ptr<AlertSink>> sinks;
    sinks.push_back(std::make_unique<FakeSink>(&sent_, &script_));
    DispatcherOptions options;
    options.backoff.jitter = 0;  // delays are exactly 1 s, 2 s, 4 s, ...
    options.batch = 2;           // exercise batching with few rows
    auto d = Dispatcher::Create(store_.get(), &clock_, std::move(sinks), options);
    ASSERT_TRUE(d.ok()) << d.status();
    dispatcher_ = std::move(*d);
  }
  // Commits a decision as the gatekeeper would; returns its name.
  std::string Decide(v1::Verdict verdict) {
    const std::string id = "d" + std::to_string(++counter_);
    v1::Decision d;
    d.set_name("decisions/" + id);
    d.set_model("models/churn");
    d.set_verdict(verdict);
    store::DecisionRow row;
    row.decision_id = id;
    row.model_id = model_id_;
    row.model_version = "v1";
    row.verdict = v1::Verdict_Name(verdict);
    row.decided_by = "test";
    row.create_time_ms = absl::ToUnixMillis(clock_.Now());
    row.payload = mapping::ToStoredJson(d);
    auto stored = store_->InsertDecision(row);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return d.name();
  }
  SinkStatus Only() {
    const std::vector<SinkStatus> s = dispatcher_->Status();
    EXPECT_EQ(s.size(), 1u);
    return s.empty() ? SinkStatus{} : s[0];
  }

  std::string dir_;
  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  std::unique_ptr<store::Store> store_;
  int64_t model_id_ = 0;
  int counter_ = 0;
  std::vector<std::string> sent_;
  std::deque<absl::Status> script_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, NewSinkStartsAtTheEndOfTheLog) {
  Decide(v1::APPROVE);  // before the sink existed: not sent
  NewDispatcher();
  const std::string later = Decide(v1::APPROVE);
  dispatcher_->RunOnce();
  EXPECT_EQ(sent_, std::vector<std::string>{later});
}

TEST_F(DispatcherTest, SendsWantedVerdictsInOrderAndSkipsOthers) {
  NewDispatcher();
  const std::string a = Decide(v1::APPROVE);
  Decide(v1::DEFER);
  const std::string b = Decide(v1::REJECT);
  Decide(v1::DEFER);
  Decide(v1::DEFER);
  const std::string c = Decide(v1::APPROVE);
  Decide(v1::DEFER);
  EXPECT_EQ(dispatcher_->RunOnce(), absl::InfiniteFuture());
  EXPECT_EQ(sent_, (std::vector<std::string>{a, b, c}));
  EXPECT_EQ(Only().last_seq, 7);  // past the trailing DEFER too
  EXPECT_EQ(Only().backlog, 0);
  dispatcher_->RunOnce();
  EXPECT_EQ(sent_.size(), 3u);  // nothing twice
}

TEST_F(DispatcherTest, RetriesWithBackoffKeepingOrder) {
  NewDispatcher();
  script_ = {absl::UnavailableError("down"), absl::UnavailableError("down")};
  const std::string a = Decide(v1::APPROVE);
  const std::string b = Decide(v1::REJECT);

  // First failure: retry after 1 s; b waits behind a.
  EXPECT_EQ(dispatcher_->RunOnce(), clock_.Now() + absl::Seconds(1));
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(Only().attempts, 1);
  EXPECT_EQ(Only().last_error, "down");
  EXPECT_EQ(Only().backlog, 2);

  clock_.Advance(absl::Milliseconds(999));
  dispatcher_->RunOnce();  // not due yet: no attempt
  EXPECT_EQ(Only().attempts, 1);
  EXPECT_EQ(script_.size(), 1u);

  clock_.Advance(absl::Milliseconds(1));
  // Second failure: 2 s.
  EXPECT_EQ(dispatcher_->RunOnce(), clock_.Now() + absl::Seconds(2));
  EXPECT_EQ(Only().attempts, 2);

  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(dispatcher_->RunOnce(), absl::InfiniteFuture());
  EXPECT_EQ(sent_, (std::vector<std::string>{a, b}));
  EXPECT_EQ(Only().attempts, 0);
  EXPECT_EQ(Only().last_error, "");
  EXPECT_EQ(Only().backlog, 0);
}

TEST_F(DispatcherTest, CursorSurvivesRestart) {
  NewDispatcher();
  const std::string a = Decide(v1::APPROVE);
  dispatcher_->RunOnce();
  script_ = {absl::UnavailableError("down")};
  const std::string b = Decide(v1::REJECT);
  dispatcher_->RunOnce();  // b fails
  ASSERT_EQ(sent_, std::vector<std::string>{a});

  // Restart: new store connection, new dispatcher. It continues after a, at once.
  dispatcher_.reset();
  store_.reset();
  OpenStore();
  NewDispatcher();
  EXPECT_EQ(Only().sink, "fake");
  dispatcher_->RunOnce();
  EXPECT_EQ(sent_, (std::vector<std::string>{a, b}));
}

TEST_F(DispatcherTest, PermanentFailureIsSkippedNotRetried) {
  NewDispatcher();
  script_ = {absl::InvalidArgumentError("HTTP 400")};
  Decide(v1::APPROVE);  // rejected for good by the receiver
  const std::string b = Decide(v1::APPROVE);
  EXPECT_EQ(dispatcher_->RunOnce(), absl::InfiniteFuture());
  EXPECT_EQ(sent_, std::vector<std::string>{b});
  EXPECT_EQ(Only().attempts, 0);
}

TEST_F(DispatcherTest, BacklogObserverSeesEveryPass) {
  NewDispatcher();
  std::vector<std::pair<std::string, int64_t>> seen;
  dispatcher_->set_backlog_observer(
      [&seen](const std::string& sink, int64_t backlog) { seen.emplace_back(sink, backlog); });
  script_ = {absl::UnavailableError("down")};
  Decide(v1::APPROVE);
  dispatcher_->RunOnce();
  clock_.Advance(absl::Seconds(1));
  dispatcher_->RunOnce();
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, int64_t>>{{"fake", 1}, {"fake", 0}}));
}

TEST_F(DispatcherTest, ThreadDeliversWhenWoken) {
  NewDispatcher();
  dispatcher_->Start();
  const std::string a = Decide(v1::APPROVE);
  dispatcher_->OnDecision(v1::Decision(), 1);
  // Wait (bounded) for the thread; the assertion is on what arrived, not on time.
  for (int i = 0; i < 500 && Only().last_seq < 1; ++i) absl::SleepFor(absl::Milliseconds(10));
  dispatcher_->Stop();
  EXPECT_EQ(sent_, std::vector<std::string>{a});
}

}  // namespace
}  // namespace greengate::alerts
