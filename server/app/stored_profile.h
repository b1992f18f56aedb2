#pragma once

// Reference profiles in the store. Rows hold the serialized protobuf as a BLOB (schema
// version 8): a reference's samples are hundreds of thousands of doubles, and any text form
// costs an encoding on SetReference, a decoding on every load, and SQLite's copy of the text.
// Rows written before hold text: base64 of the protobuf (versions up to 7), or, older still,
// JSON (ToStoredJson, always starting with '{'; base64 never holds '{'). Both stay readable.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "greengate/v1/greengate.pb.h"
#include "server/store/store.h"

namespace greengate::app {

// What Store::PutReference stores for `profile`: its serialized protobuf, serialized piece by
// piece as the store writes it (never whole in memory). `profile` must outlive it and not
// change. Not thread-safe.
class StoredProfileSource final : public store::BlobSource {
 public:
  explicit StoredProfileSource(const v1::DataProfile& profile);
  int64_t size() const override { return size_; }
  absl::Status WriteTo(
      absl::FunctionRef<absl::Status(absl::string_view piece)> append) const override;

 private:
  const v1::DataProfile& profile_;
  int64_t size_;
};

// Parses a stored row's profile, binary or (row.profile_is_text) base64 or JSON. DataLoss
// when it does not parse (the database was damaged outside greengate). Thread-safe.
absl::Status ProfileFromStored(const store::ReferenceRow& row, v1::DataProfile* profile);

}  // namespace greengate::app
