// SetReference and SetPolicy of one model, racing. Each checks its object against the other's
// latest, then stores it: two calls overlapping between check and store both passed and left a
// pair neither check saw, on which every decision failed. The model's lock now orders them.
//
// The clock is the seam: both read it once, between their check and their write, so the test
// parks the first call there and lets the second run. Old code: the second reads the clock
// while the first is parked (it checked against what the first is replacing). Now it waits on
// the model's lock; the test gives it two seconds to show otherwise, then releases the first.

#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/gatekeeper.h"
#include "server/mapping/plan_mapping.h"
#include "server/mapping/profile_mapping.h"
#include "tests/service/test_profiles.h"
#include "tests/store/test_util.h"

namespace greengate::app {
namespace {

using store::testing::OkValue;
using store::testing::TempDir;
using ::testing::HasSubstr;

// A clock whose next reader can be parked in Now() until released. Thread-safe.
class ParkingClock final : public Clock {
 public:
  explicit ParkingClock(absl::Time now) : now_(now) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    if (park_next_) {
      park_next_ = false;
      parked_ = true;
      mu_.Await(absl::Condition(&released_));
    } else if (parked_ && !released_) {
      read_while_parked_ = true;
    }
    return now_;
  }

  // The next reader of the clock waits in Now() until Release().
  void ParkNextReader() {
    absl::MutexLock lock(&mu_);
    park_next_ = true;
  }
  void AwaitParked() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&parked_));
  }
  // Whether another call read the clock, within `timeout`, while one is parked.
  bool ReadWhileParkedWithin(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&read_while_parked_), timeout);
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    released_ = true;
  }

 private:
  mutable absl::Mutex mu_;
  const absl::Time now_;
  mutable bool park_next_ ABSL_GUARDED_BY(mu_) = false;
  mutable bool parked_ ABSL_GUARDED_BY(mu_) = false;
  mutable bool read_while_parked_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
};

class ReferencePolicyRaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    store_ = OkValue(store::Store::Open(dir_.File("gg.db")));
    ASSERT_NE(store_, nullptr);
    app_ = std::make_unique<Gatekeeper>(store_.get(), &clock_, &energy::Tables::Shipped(), nullptr,
                                        policy::FleetBudget{});
    v1::RegisterModelRequest model;
    model.set_model_id("churn");
    model.mutable_model()->set_deployed_version("v1");
    ASSERT_TRUE(app_->RegisterModel(model).ok());
    ASSERT_TRUE(app_->SetReference(Reference(/*other=*/0)).ok());
  }

  // "channel" has two categories, red and blue, and `other` rows besides.
  static v1::SetReferenceRequest Reference(int64_t other) {
    v1::SetReferenceRequest r;
    r.mutable_reference()->set_model("models/churn");
    v1::DataProfile* profile = r.mutable_reference()->mutable_profile();
    *profile = greengate::testing::MakeProfile(800, 0, 1);
    v1::CategoricalProfile* channel = profile->mutable_features(2)->mutable_categorical();
    (*channel->mutable_counts())["blue"] -= other;
    channel->set_other(other);
    r.mutable_reference()->set_accuracy(0.9);
    r.mutable_reference()->set_evaluation_rows(5000);
    return r;
  }

  // The two-proportion z test on "channel", which needs at most two categories.
  static v1::SetPolicyRequest ZOnChannel() {
    v1::SetPolicyRequest r;
    r.mutable_policy()->set_model("models/churn");
    (*r.mutable_policy()->mutable_feature_tests())["channel"] = "z";
    return r;
  }

  absl::Status Decide() {
    RetrainRequest r;
    r.model_id = "churn";
    r.current =
        OkValue(mapping::ProfileFromProto(greengate::testing::MakeProfile(600, 0, 100), "current"));
    r.plan = mapping::PlanFromProto(greengate::testing::SmallPlan());
    r.labeled = gain::LabeledWindow{1000, 900};
    return app_->ShouldRetrain(r, auth::Caller{}).status();
  }

  // Runs `first` parked between its check and its write while `second` runs, then lets
  // `first` finish. Returns whether `second` got past its check while `first` was parked.
  template <typename First, typename Second>
  bool Race(First first, Second second) {
    clock_.ParkNextReader();
    std::thread first_thread(first);
    clock_.AwaitParked();
    std::thread second_thread(second);
    const bool overlapped = clock_.ReadWhileParkedWithin(absl::Seconds(2));
    clock_.Release();
    first_thread.join();
    second_thread.join();
    return overlapped;
  }

  TempDir dir_;
  ParkingClock clock_{absl::FromUnixSeconds(1'795'000'000)};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Gatekeeper> app_;
};

TEST_F(ReferencePolicyRaceTest, APolicyIsCheckedAgainstTheReferenceSetBeforeIt) {
  absl::Status reference, policy;
  const bool overlapped =
      Race([&] { reference = app_->SetReference(Reference(/*other=*/10)).status(); },
           [&] { policy = app_->SetPolicy(ZOnChannel()).status(); });
  EXPECT_FALSE(overlapped) << "SetPolicy stored its policy between SetReference's check and write";
  EXPECT_TRUE(reference.ok()) << reference;
  EXPECT_EQ(policy.code(), absl::StatusCode::kInvalidArgument) << policy;
  EXPECT_THAT(std::string(policy.message()),
              HasSubstr("policy.feature_tests['channel']: test \"z\" needs at most 2 categories, "
                        "'channel' has 3 in the reference"));
  const absl::Status decided = Decide();
  EXPECT_TRUE(decided.ok()) << decided;
}

TEST_F(ReferencePolicyRaceTest, AReferenceIsCheckedAgainstThePolicySetBeforeIt) {
  absl::Status policy, reference;
  const bool overlapped =
      Race([&] { policy = app_->SetPolicy(ZOnChannel()).status(); },
           [&] { reference = app_->SetReference(Reference(/*other=*/10)).status(); });
  EXPECT_FALSE(overlapped) << "SetReference stored its reference between SetPolicy's check and "
                              "write";
  EXPECT_TRUE(policy.ok()) << policy;
  EXPECT_EQ(reference.code(), absl::StatusCode::kInvalidArgument) << reference;
  EXPECT_THAT(std::string(reference.message()),
              HasSubstr("'channel' has 3 in the reference (its `other` counted as one)"));
  const absl::Status decided = Decide();
  EXPECT_TRUE(decided.ok()) << decided;
}

}  // namespace
}  // namespace greengate::app
