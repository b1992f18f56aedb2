#pragma once

// Test helpers: a fresh temporary directory, a raw SQLite connection that bypasses the Store
// (to inspect files and to break the rules on purpose), and a decision row factory.

#include <sqlite3.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "server/store/store.h"

namespace greengate::store::testing {

// A directory made by mkdtemp under /tmp, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string name = "/tmp/greengate_store_test.XXXXXX";
    if (mkdtemp(name.data()) != nullptr) path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A plain connection with SQLite's defaults (no foreign keys, no busy timeout).
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  sqlite3* get() const { return db_; }

  // Runs `sql`; returns SQLite's error message, or "" on success.
  std::string Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return "";
    std::string message = error != nullptr ? error : "error without message";
    sqlite3_free(error);
    return message;
  }

  // The first column of the first row as text ("<no row>" or "<error: ...>" otherwise).
  std::string QueryText(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return "<error: " + std::string(sqlite3_errmsg(db_)) + ">";
    }
    std::string result = "<no row>";
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      result = text != nullptr ? reinterpret_cast<const char*>(text) : "<null>";
    }
    sqlite3_finalize(stmt);
    return result;
  }

  int64_t QueryInt(const std::string& sql) { return std::stoll(QueryText(sql)); }

 private:
  sqlite3* db_ = nullptr;
};

// The value of `result`, or a recorded test failure and T{}, so a failing call fails the
// test instead of aborting the whole binary.
template <typename T>
T OkValue(absl::StatusOr<T> result) {
  if (!result.ok()) {
    ADD_FAILURE() << result.status();
    return T{};
  }
  return *std::move(result);
}

inline DecisionRow MakeDecision(int64_t model_id, const std::string& decision_id,
                                const std::string& verdict, int64_t create_time_ms,
                                double energy_kwh = 1.0, const std::string& key = "") {
  DecisionRow row;
  row.decision_id = decision_id;
  row.model_id = model_id;
  row.model_version = "v1";
  row.policy_version = 1;
  row.verdict = verdict;
  row.decided_by = "policy";
  row.energy_kwh = energy_kwh;
  row.co2e_kg = energy_kwh / 4;
  row.expected_gain = 0.02;
  row.gain_lower_bound = 0.005;
  row.dataset_drift = true;
  row.idempotency_key = key;
  row.create_time_ms = create_time_ms;
  row.payload = "{\"decision_id\":\"" + decision_id + "\"}";
  return row;
}

inline ModelRow MakeModel(const std::string& model_id, int64_t create_time_ms = 1000) {
  ModelRow row;
  row.model_id = model_id;
  row.display_name = "Model " + model_id;
  row.deployed_version = "v1";
  row.task = "classification";
  row.create_time_ms = create_time_ms;
  row.update_time_ms = create_time_ms;
  return row;
}

}  // namespace greengate::store::testing
