// The write-ahead log is checkpointed by the Checkpointer's thread, never inside a commit.

#include "server/store/checkpointer.h"

#include <sys/stat.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/store/store.h"
#include "tests/store/test_util.h"

namespace greengate::store {
namespace {

using testing::MakeDecision;
using testing::MakeModel;
using testing::OkValue;
using testing::RawDb;
using testing::TempDir;

constexpr int kDecisions = 60;
constexpr size_t kPayloadBytes = 100 * 1024;  // ~25 WAL pages per commit

int64_t FileSize(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 ? static_cast<int64_t>(info.st_size) : -1;
}

// Appends kDecisions decisions of kPayloadBytes each, one commit each.
void AppendDecisions(Store& store) {
  const int64_t model = OkValue(store.CreateModel(MakeModel("churn"))).id;
  for (int i = 0; i < kDecisions; ++i) {
    DecisionRow row = MakeDecision(model, absl::StrCat("d", i), "REJECT", 1000 + i);
    row.payload = absl::StrCat("{\"pad\":\"", std::string(kPayloadBytes, 'x'), "\"}");
    ASSERT_TRUE(store.InsertDecision(row).ok());
  }
}

TEST(CheckpointerTest, CommitsNeverCheckpointThemselves) {
  TempDir dir;
  StoreOptions options;
  options.wal_checkpoint_frames = 1 << 30;  // the checkpointer never runs
  std::unique_ptr<Store> store = OkValue(Store::Open(dir.File("gg.db"), options));
  AppendDecisions(*store);
  // ~1,500 pages were committed. SQLite's own automatic checkpoint (at 1,000 pages) would have
  // run inside a commit and restarted the log, which then never grows past ~1,000 pages.
  EXPECT_GT(FileSize(dir.File("gg.db-wal")), 1200 * 4096);
  EXPECT_EQ(store->wal_checkpoints(), 0);
}

TEST(CheckpointerTest, CheckpointsRunOnItsThreadOnceTheLogPassesTheThreshold) {
  TempDir dir;
  StoreOptions options;
  options.wal_checkpoint_frames = 64;
  std::unique_ptr<Store> store = OkValue(Store::Open(dir.File("gg.db"), options));
  AppendDecisions(*store);
  // The thread runs beside the commits; wait for it rather than for a fixed time.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (store->wal_checkpoints() == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_GT(store->wal_checkpoints(), 0);
  store.reset();
  RawDb raw(dir.File("gg.db"));
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM decisions"), kDecisions);
  EXPECT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok");
}

TEST(CheckpointerTest, RefusesAThresholdBelowOnePage) {
  TempDir dir;
  EXPECT_EQ(Checkpointer::Start(dir.File("gg.db"), 1000, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::unique_ptr<Checkpointer> checkpointer =
      OkValue(Checkpointer::Start(dir.File("gg.db"), 1000, 1));
  EXPECT_EQ(checkpointer->checkpoints(), 0);
  EXPECT_TRUE(checkpointer->last_status().ok());
}

}  // namespace
}  // namespace greengate::store
