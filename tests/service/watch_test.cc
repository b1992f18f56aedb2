// WatchDecisions end to end: a real server on 127.0.0.1:0 with a temp SQLite file, real gRPC
// streams. Filters, a stalled subscriber that must not delay decisions, cancel and shutdown.

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server/service/server.h"
#include "tests/service/gate_calls.h"
#include "tests/service/loopback_server.h"
#include "tests/service/test_profiles.h"

namespace greengate::service {
namespace {

// Records what the gatekeeper tells its listener.
class RecordingListener final : public events::DecisionListener {
 public:
  void OnDecision(const v1::Decision& decision, int64_t seq) override {
    absl::MutexLock lock(&mu_);
    names_.push_back(decision.name());
    seqs_.push_back(seq);
  }
  std::vector<int64_t> seqs() {
    absl::MutexLock lock(&mu_);
    return seqs_;
  }
  std::vector<std::string> names() {
    absl::MutexLock lock(&mu_);
    return names_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> names_;
  std::vector<int64_t> seqs_;
};

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.decision_listener = &listener_;
    options.watch_queue_capacity = 4;
    const absl::Status started = loop_.Start(&clock_, options);
    ASSERT_TRUE(started.ok()) << started;
    stub_ = loop_.stub();
  }

  static void SetDeadline(grpc::ClientContext* ctx, int seconds) {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  }

  void Ready(const std::string& id) { greengate::testing::ReadyModel(stub_, id); }
  v1::Decision Ask(const std::string& id, bool approve) {
    return greengate::testing::AskToRetrain(stub_, id, approve);
  }

  struct Watch {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::Decision>> reader;
  };
  // Opens a stream and waits until the server has registered it.
  std::unique_ptr<Watch> StartWatch(const v1::WatchDecisionsRequest& request,
                                    v1::RetrainGatekeeper::Stub* stub = nullptr) {
    auto w = std::make_unique<Watch>();
    SetDeadline(&w->context, 120);
    w->reader = (stub ? stub : stub_)->WatchDecisions(&w->context, request);
    w->reader->WaitForInitialMetadata();
    return w;
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  RecordingListener listener_;
  greengate::testing::LoopbackServer loop_{"watch"};  // after clock_ and listener_
  v1::RetrainGatekeeper::Stub* stub_ = nullptr;       // owned by loop_
};

std::vector<std::string> ReadNames(grpc::ClientReader<v1::Decision>* reader, int n) {
  std::vector<std::string> names;
  v1::Decision d;
  while (static_cast<int>(names.size()) < n && reader->Read(&d)) names.push_back(d.name());
  return names;
}

TEST_F(WatchTest, TwoSubscribersWithDifferentFiltersAndListener) {
  Ready("churn");
  Ready("fraud");
  v1::WatchDecisionsRequest churn_only;
  churn_only.set_model("models/churn");
  v1::WatchDecisionsRequest rejects_only;
  rejects_only.add_verdicts(v1::REJECT);
  auto churn = StartWatch(churn_only);
  auto rejects = StartWatch(rejects_only);

  const v1::Decision a = Ask("churn", true);
  const v1::Decision b = Ask("fraud", false);
  clock_.Advance(absl::Hours(48));
  const v1::Decision c = Ask("churn", false);
  ASSERT_EQ(a.verdict(), v1::APPROVE) << a.reason();
  ASSERT_EQ(b.verdict(), v1::REJECT) << b.reason();
  ASSERT_EQ(c.verdict(), v1::REJECT) << c.reason();

  EXPECT_EQ(ReadNames(churn->reader.get(), 2), (std::vector<std::string>{a.name(), c.name()}));
  EXPECT_EQ(ReadNames(rejects->reader.get(), 2), (std::vector<std::string>{b.name(), c.name()}));
  // The listener saw every decision after commit, with ascending log positions.
  EXPECT_EQ(listener_.names(), (std::vector<std::string>{a.name(), b.name(), c.name()}));
  const std::vector<int64_t> seqs = listener_.seqs();
  ASSERT_EQ(seqs.size(), 3u);
  EXPECT_LT(seqs[0], seqs[1]);
  EXPECT_LT(seqs[1], seqs[2]);

  // Shutdown ends both streams cleanly.
  loop_.server()->Shutdown(absl::Seconds(10));
  v1::Decision extra;
  EXPECT_FALSE(churn->reader->Read(&extra));
  EXPECT_FALSE(rejects->reader->Read(&extra));
  EXPECT_TRUE(churn->reader->Finish().ok());
  EXPECT_TRUE(rejects->reader->Finish().ok());
}

TEST_F(WatchTest, StalledSubscriberDoesNotDelayDecisionsAndIsDropped) {
  Ready("churn");
  // A client whose HTTP/2 receive window stays small (no BDP growth), so the server's writes
  // to it block after a few decisions, as they would for a client that stopped reading.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
  auto small_window = v1::RetrainGatekeeper::NewStub(
      grpc::CreateCustomChannel(loop_.address(), grpc::InsecureChannelCredentials(), args));
  auto stalled = StartWatch({}, small_window.get());  // never reads until the end
  auto live = StartWatch({});
  constexpr int kDecisions = 200;
  std::vector<std::string> made;
  for (int i = 0; i < kDecisions; ++i) {
    made.push_back(Ask("churn", false).name());  // each has a 30 s deadline
    // The live subscriber keeps up.
    const std::vector<std::string> got = ReadNames(live->reader.get(), 1);
    ASSERT_EQ(got, std::vector<std::string>{made.back()}) << "decision " << i;
  }
  // The stalled one got an in-order prefix, then was dropped: its queue (4) overflowed once
  // the stream's flow-control window filled.
  std::vector<std::string> got = ReadNames(stalled->reader.get(), kDecisions);
  ASSERT_LT(got.size(), made.size());
  EXPECT_EQ(got, std::vector<std::string>(made.begin(), made.begin() + got.size()));
  const grpc::Status status = stalled->reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  live->context.TryCancel();
  live->reader->Finish();
}

TEST_F(WatchTest, ClientCancelEndsTheStream) {
  Ready("churn");
  auto w = StartWatch({});
  w->context.TryCancel();
  v1::Decision d;
  EXPECT_FALSE(w->reader->Read(&d));
  EXPECT_EQ(w->reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // Decisions still flow for everyone else.
  auto other = StartWatch({});
  const v1::Decision made = Ask("churn", false);
  EXPECT_EQ(ReadNames(other->reader.get(), 1), std::vector<std::string>{made.name()});
}

TEST_F(WatchTest, RejectsUnknownModelAndBadVerdict) {
  v1::WatchDecisionsRequest unknown;
  unknown.set_model("models/nope");
  grpc::ClientContext c1;
  SetDeadline(&c1, 30);
  auto r1 = stub_->WatchDecisions(&c1, unknown);
  v1::Decision d;
  EXPECT_FALSE(r1->Read(&d));
  EXPECT_EQ(r1->Finish().error_code(), grpc::StatusCode::NOT_FOUND);

  v1::WatchDecisionsRequest bad;
  bad.add_verdicts(static_cast<v1::Verdict>(42));
  grpc::ClientContext c2;
  SetDeadline(&c2, 30);
  auto r2 = stub_->WatchDecisions(&c2, bad);
  EXPECT_FALSE(r2->Read(&d));
  const grpc::Status status = r2->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("verdicts[0]"), std::string::npos);
}

}  // namespace
}  // namespace greengate::service
