// Store: opening, migrations at open, models, references and policies, on a real file.

#include "server/store/store.h"

#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/migration_runner.h"
#include "tests/store/test_util.h"

namespace greengate::store {
namespace {

using ::greengate::store::testing::MakeModel;
using ::greengate::store::testing::OkValue;
using ::greengate::store::testing::RawDb;
using ::greengate::store::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    Reopen();
  }

  void Reopen() {
    store_.reset();  // close before opening again
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  std::string path() const { return dir_.File("greengate.db"); }

  int64_t CreateModelId(const std::string& name) {
    absl::StatusOr<ModelRow> model = store_->CreateModel(MakeModel(name));
    EXPECT_TRUE(model.ok()) << model.status();
    return model.ok() ? model->id : -1;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

// The newest embedded migration's version (migrations are numbered 1..N without gaps).
int LatestVersion() { return static_cast<int>(EmbeddedMigrationFiles().size()); }

TEST_F(StoreTest, OpenCreatesSchemaAtLatestVersion) {
  EXPECT_EQ(store_->schema_version(), LatestVersion());
  RawDb raw(path());
  EXPECT_EQ(raw.QueryInt("PRAGMA user_version"), LatestVersion());
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");  // persistent, so visible here
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                         "('models', 'model_references', 'policies', 'decisions')"),
            4);
  // Append-only guards: decisions and outcomes each refuse UPDATE and DELETE.
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                         "('decisions_no_update', 'decisions_no_delete', 'outcomes_no_update', "
                         "'outcomes_no_delete')"),
            4);
}

// Loading approvals reads only their own covering indexes (0007), never the decisions table,
// whose rows carry kilobytes of payload.
TEST_F(StoreTest, ApprovalSumsReadOnlyTheirCoveringIndexes) {
  RawDb raw(path());
  EXPECT_EQ(raw.QueryText("SELECT group_concat(name, ',') FROM "
                          "pragma_index_info('approvals_by_model')"),
            "model_id,verdict,create_time_ms,energy_kwh,co2e_kg");
  EXPECT_EQ(raw.QueryText("SELECT group_concat(name, ',') FROM "
                          "pragma_index_info('approvals_by_time')"),
            "verdict,create_time_ms,energy_kwh,co2e_kg");
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'decisions_approvals'"),
            0);
  const auto plan_of = [&](const char* sql) {
    sqlite3_stmt* plan = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(raw.get(), sql, -1, &plan, nullptr), SQLITE_OK) << sql;
    std::string details;
    while (plan != nullptr && sqlite3_step(plan) == SQLITE_ROW) {
      details += reinterpret_cast<const char*>(sqlite3_column_text(plan, 3));
      details += "; ";
    }
    sqlite3_finalize(plan);
    return details;
  };
  // The queries of Store::ListApprovals.
  const std::string model_plan = plan_of(
      "EXPLAIN QUERY PLAN SELECT create_time_ms, energy_kwh, co2e_kg FROM decisions WHERE "
      "model_id = 1 AND verdict = 'APPROVE' AND create_time_ms >= 0 ORDER BY create_time_ms");
  EXPECT_EQ(model_plan.find("SCAN decisions"), std::string::npos) << model_plan;
  EXPECT_EQ(model_plan.find("TEMP B-TREE"), std::string::npos) << model_plan;
  EXPECT_NE(model_plan.find("USING COVERING INDEX approvals_by_model"), std::string::npos)
      << model_plan;
  const std::string last_plan = plan_of(
      "EXPLAIN QUERY PLAN SELECT MAX(create_time_ms) FROM decisions WHERE model_id = 1 AND "
      "verdict = 'APPROVE'");
  EXPECT_NE(last_plan.find("USING COVERING INDEX approvals_by_model"), std::string::npos)
      << last_plan;
  const std::string fleet_plan = plan_of(
      "EXPLAIN QUERY PLAN SELECT create_time_ms, energy_kwh, co2e_kg FROM decisions WHERE "
      "verdict = 'APPROVE' AND create_time_ms >= 0 ORDER BY create_time_ms");
  EXPECT_EQ(fleet_plan.find("TEMP B-TREE"), std::string::npos) << fleet_plan;
  EXPECT_NE(fleet_plan.find("USING COVERING INDEX approvals_by_time"), std::string::npos)
      << fleet_plan;
}

TEST_F(StoreTest, ReopenIsIdempotent) {
  const int64_t id = CreateModelId("churn");
  const int64_t objects = RawDb(path()).QueryInt("SELECT COUNT(*) FROM sqlite_master");
  Reopen();
  Reopen();
  EXPECT_EQ(store_->schema_version(), LatestVersion());
  RawDb raw(path());
  EXPECT_EQ(raw.QueryInt("PRAGMA user_version"), LatestVersion());
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM sqlite_master"), objects);
  absl::StatusOr<ModelRow> model = store_->GetModel("churn");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->id, id);
}

TEST_F(StoreTest, RefusesNewerDatabase) {
  store_.reset();
  ASSERT_EQ(RawDb(path()).Exec("PRAGMA user_version = 99"), "");
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.status().message(),
            absl::StrCat("database schema version 99 is newer than this greengate (knows up to ",
                         LatestVersion(), "); upgrade greengate"));
  EXPECT_EQ(RawDb(path()).QueryInt("PRAGMA user_version"), 99);
}

TEST(StoreOpenTest, UnwritablePathIsAnError) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::ofstream(dir.File("plain_file")) << "not a directory";
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir.File("plain_file/x.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("plain_file/x.db"));
}

TEST(StoreOpenTest, FileThatIsNotADatabaseIsAnError) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::ofstream(dir.File("garbage.db")) << std::string(4096, 'g');
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir.File("garbage.db"));
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInternal) << store.status();
}

TEST_F(StoreTest, CreatesGetsAndListsModels) {
  ModelRow churn = MakeModel("churn", 1000);
  churn.display_name = "Churn \"quoted\" ' name";
  absl::StatusOr<ModelRow> created = store_->CreateModel(churn);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_GT(created->id, 0);
  ASSERT_TRUE(store_->CreateModel(MakeModel("abandon", 2000)).ok());

  absl::StatusOr<ModelRow> got = store_->GetModel("churn");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->id, created->id);
  EXPECT_EQ(got->model_id, "churn");
  EXPECT_EQ(got->display_name, churn.display_name);
  EXPECT_EQ(got->deployed_version, "v1");
  EXPECT_EQ(got->task, "classification");
  EXPECT_EQ(got->create_time_ms, 1000);
  EXPECT_EQ(got->update_time_ms, 1000);

  absl::StatusOr<std::vector<ModelRow>> all = store_->ListModels();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].model_id, "abandon");  // ordered by model_id
  EXPECT_EQ((*all)[1].model_id, "churn");
}

TEST_F(StoreTest, DuplicateModelIsAlreadyExists) {
  CreateModelId("churn");
  absl::StatusOr<ModelRow> again = store_->CreateModel(MakeModel("churn", 5000));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("\"churn\""));
  EXPECT_EQ(RawDb(path()).QueryInt("SELECT COUNT(*) FROM models"), 1);
}

TEST_F(StoreTest, UnknownModelIsNotFound) {
  absl::StatusOr<ModelRow> model = store_->GetModel("nope");
  EXPECT_EQ(model.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(model.status().message(), HasSubstr("nope"));
  absl::StatusOr<std::vector<ModelRow>> all = store_->ListModels();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_F(StoreTest, ReferencesKeepHistoryAndTouchTheModel) {
  const int64_t id = CreateModelId("churn");
  EXPECT_EQ(store_->GetLatestReference(id).status().code(), absl::StatusCode::kNotFound);

  // ReferenceRow fields: id, model_id, model_version, profile, accuracy, evaluation_rows,
  // create_time_ms.
  const ReferenceRow first{0, id, "v1", "{\"p\":1}", 0.875, 1200, 2000};
  absl::StatusOr<ReferenceRow> stored = store_->PutReference(first);
  ASSERT_TRUE(stored.ok()) << stored.status();
  const ReferenceRow second{0, id, "v2", "{\"p\":2}", std::nullopt, 0, 3000};
  ASSERT_TRUE(store_->PutReference(second).ok());

  absl::StatusOr<ReferenceRow> latest = store_->GetLatestReference(id);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_GT(latest->id, stored->id);
  EXPECT_EQ(latest->model_id, id);
  EXPECT_EQ(latest->model_version, "v2");
  EXPECT_EQ(latest->profile, "{\"p\":2}");
  EXPECT_FALSE(latest->accuracy.has_value());
  EXPECT_EQ(latest->create_time_ms, 3000);
  EXPECT_EQ(OkValue(store_->GetModel("churn")).update_time_ms, 3000);
  EXPECT_EQ(OkValue(store_->GetModel("churn")).create_time_ms, 1000);
  EXPECT_EQ(RawDb(path()).QueryInt("SELECT COUNT(*) FROM model_references"), 2);

  // The first one is kept with all its fields, the profile as a BLOB.
  RawDb raw(path());
  EXPECT_EQ(raw.QueryText(absl::StrCat("SELECT accuracy || '/' || evaluation_rows || '/' || "
                                       "typeof(profile_pb) || '/' || CAST(profile_pb AS TEXT) || "
                                       "'/' || profile FROM model_references WHERE id = ",
                                       stored->id)),
            "0.875/1200/blob/{\"p\":1}/");
  EXPECT_FALSE(latest->profile_is_text);
}

// A BlobSource that passes its bytes in pieces of `piece` bytes and claims `size` of them.
class PiecesSource final : public BlobSource {
 public:
  PiecesSource(std::string bytes, size_t piece, int64_t size)
      : bytes_(std::move(bytes)), piece_(piece), size_(size) {}
  int64_t size() const override { return size_; }
  absl::Status WriteTo(absl::FunctionRef<absl::Status(absl::string_view)> append) const override {
    for (size_t i = 0; i < bytes_.size(); i += piece_) {
      if (absl::Status s = append(absl::string_view(bytes_).substr(i, piece_)); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  std::string bytes_;
  size_t piece_;
  int64_t size_;
};

// Profiles are written in pieces into space reserved for them; a source that writes more or
// fewer bytes than it announced stores nothing.
TEST_F(StoreTest, ReferenceProfilesAreWrittenInPieces) {
  const int64_t id = CreateModelId("churn");
  std::string bytes(300000, '\0');  // spans many overflow pages
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 % 251);
  ReferenceRow row{0, id, "v1", "", std::nullopt, 0, 1000};
  const int64_t size = static_cast<int64_t>(bytes.size());
  const ReferenceRow stored = OkValue(store_->PutReference(row, PiecesSource(bytes, 4096, size)));
  EXPECT_TRUE(stored.profile.empty());  // the caller has it
  Reopen();
  const ReferenceRow latest = OkValue(store_->GetLatestReference(id));
  EXPECT_EQ(latest.id, stored.id);
  EXPECT_FALSE(latest.profile_is_text);
  EXPECT_TRUE(latest.profile == bytes);  // not EXPECT_EQ: no 300 kB diff on failure

  for (const int64_t claimed : {size + 1, size - 1}) {
    SCOPED_TRACE(claimed);
    absl::StatusOr<ReferenceRow> wrong =
        store_->PutReference(row, PiecesSource(bytes, 65536, claimed));
    EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInternal);
    EXPECT_THAT(wrong.status().message(), HasSubstr("profile_pb"));
  }
  EXPECT_EQ(OkValue(store_->GetLatestReference(id)).id, stored.id);
  EXPECT_EQ(RawDb(path()).QueryInt("SELECT COUNT(*) FROM model_references"), 1);
}

// Rows written before schema version 8 hold the profile as text in `profile`: they still
// read, as text, once the database is migrated.
TEST(StoreMigrationTest, ReferencesWrittenBeforeVersion8ReadAsText) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.File("greengate.db");
  {
    // A database as greengate left it at version 7, with one reference.
    absl::StatusOr<std::vector<Migration>> all = ParseMigrations(EmbeddedMigrationFiles());
    ASSERT_TRUE(all.ok()) << all.status();
    ASSERT_GE(all->size(), 8u);
    RawDb raw(path);
    absl::StatusOr<int> version = ApplyMigrations(raw.get(), absl::MakeConstSpan(all->data(), 7));
    ASSERT_TRUE(version.ok()) << version.status();
    ASSERT_EQ(*version, 7);
    ASSERT_EQ(raw.Exec("INSERT INTO models (id, model_id, display_name, deployed_version, task, "
                       "create_time_ms, update_time_ms) VALUES (1, 'churn', '', 'v1', '', 1, 1);"
                       "INSERT INTO model_references (model_id, model_version, profile, accuracy, "
                       "evaluation_rows, create_time_ms) VALUES (1, 'v1', 'aGVsbG8=', 0.9, 10, 5)"),
              "");
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version(), LatestVersion());
  const ReferenceRow old = OkValue((*store)->GetLatestReference(1));
  EXPECT_TRUE(old.profile_is_text);
  EXPECT_EQ(old.profile, "aGVsbG8=");
  EXPECT_EQ(old.model_version, "v1");
  EXPECT_EQ(old.accuracy, 0.9);
  EXPECT_EQ(old.create_time_ms, 5);

  // A newer reference of the same model is a BLOB again.
  ReferenceRow row{0, 1, "v2", "bytes", std::nullopt, 0, 6};
  ASSERT_TRUE((*store)->PutReference(row).ok());
  const ReferenceRow latest = OkValue((*store)->GetLatestReference(1));
  EXPECT_FALSE(latest.profile_is_text);
  EXPECT_EQ(latest.profile, "bytes");
}

TEST_F(StoreTest, ReferenceForUnknownModelIsNotFound) {
  const ReferenceRow orphan{0, 42, "v1", "{}", std::nullopt, 0, 1000};
  absl::StatusOr<ReferenceRow> stored = store_->PutReference(orphan);
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(stored.status().message(), HasSubstr("42"));
  EXPECT_EQ(RawDb(path()).QueryInt("SELECT COUNT(*) FROM model_references"), 0);
}

TEST_F(StoreTest, PoliciesAreVersionedPerModel) {
  const int64_t churn = CreateModelId("churn");
  const int64_t fraud = CreateModelId("fraud");
  absl::StatusOr<std::optional<PolicyRow>> none = store_->GetLatestPolicy(churn);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());

  std::vector<int64_t> versions;
  for (const auto& [model, text] : {std::pair{churn, "a"}, std::pair{churn, "b"},
                                    std::pair{fraud, "c"}, std::pair{churn, "d"}}) {
    absl::StatusOr<PolicyRow> stored =
        store_->PutPolicy(PolicyRow{model, /*version=*/77, text, /*create_time_ms=*/5000});
    ASSERT_TRUE(stored.ok()) << stored.status();
    versions.push_back(stored->version);
  }
  EXPECT_THAT(versions, ElementsAre(1, 2, 1, 3));  // the caller's version is ignored

  absl::StatusOr<std::optional<PolicyRow>> latest = store_->GetLatestPolicy(churn);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->version, 3);
  EXPECT_EQ((*latest)->policy, "d");
  EXPECT_EQ((*latest)->model_id, churn);
  EXPECT_EQ((*latest)->create_time_ms, 5000);
  latest = store_->GetLatestPolicy(fraud);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->policy, "c");
}

TEST_F(StoreTest, PolicyForUnknownModelIsNotFound) {
  absl::StatusOr<PolicyRow> stored =
      store_->PutPolicy(PolicyRow{/*model_id=*/42, /*version=*/0, "{}", /*create_time_ms=*/1});
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(RawDb(path()).QueryInt("SELECT COUNT(*) FROM policies"), 0);
}

// One server per database: an exclusive store refuses a second exclusive open of the same file
// (FailedPrecondition naming the lock) until the first is closed.
TEST(ExclusiveStoreTest, ASecondExclusiveOpenFailsUntilTheFirstCloses) {
  testing::TempDir dir;
  StoreOptions options;
  options.exclusive = true;
  std::unique_ptr<Store> first = testing::OkValue(Store::Open(dir.File("gg.db"), options));
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open(dir.File("gg.db"), options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()),
              ::testing::HasSubstr("in use by another greengate-server"));
  EXPECT_TRUE(Store::Open(dir.File("gg.db")).ok());  // readers and tools need no lock
  first.reset();
  EXPECT_TRUE(Store::Open(dir.File("gg.db"), options).ok());
}

}  // namespace
}  // namespace greengate::store
