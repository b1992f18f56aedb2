#include "server/app/stored_profile.h"

#include <climits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/mapping/stored_json.h"

namespace greengate::app {
namespace {

absl::Status ParseBinary(absl::string_view bytes, absl::string_view form,
                         v1::DataProfile* profile) {
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !profile->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("stored greengate.v1.DataProfile does not parse (", form, ")"));
  }
  return absl::OkStatus();
}

// The text forms the TEXT column `profile` held before schema version 8.
absl::Status ProfileFromStoredText(absl::string_view stored, v1::DataProfile* profile) {
  if (!stored.empty() && stored.front() == '{') return mapping::FromStoredJson(stored, profile);
  std::string bytes;
  if (!absl::Base64Unescape(stored, &bytes)) {
    return absl::DataLossError("stored greengate.v1.DataProfile does not parse (base64 protobuf)");
  }
  return ParseBinary(bytes, "base64 protobuf", profile);
}

}  // namespace

StoredProfileSource::StoredProfileSource(const v1::DataProfile& profile)
    : profile_(profile), size_(static_cast<int64_t>(profile.ByteSizeLong())) {}

absl::Status StoredProfileSource::WriteTo(
    absl::FunctionRef<absl::Status(absl::string_view piece)> append) const {
  // Passes protobuf's output on in blocks, keeping the first error.
  class Appender final : public google::protobuf::io::CopyingOutputStream {
   public:
    explicit Appender(absl::FunctionRef<absl::Status(absl::string_view)> append)
        : append_(append) {}
    bool Write(const void* buffer, int size) override {
      status_ = append_(absl::string_view(static_cast<const char*>(buffer), size));
      return status_.ok();
    }
    absl::Status status_;

   private:
    absl::FunctionRef<absl::Status(absl::string_view)> append_;
  };
  constexpr int kBlockBytes = 64 << 10;  // a few dozen SQLite pages per write
  Appender appender(append);
  {
    google::protobuf::io::CopyingOutputStreamAdaptor stream(&appender, kBlockBytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    // ByteSizeLong() in the constructor cached the sizes; the profile has not changed since.
    profile_.SerializeWithCachedSizes(&coded);
    coded.Trim();
    if (coded.HadError() || !stream.Flush()) {
      return appender.status_.ok() ? absl::InternalError("serializing a DataProfile failed")
                                   : appender.status_;
    }
  }
  return appender.status_;
}

absl::Status ProfileFromStored(const store::ReferenceRow& row, v1::DataProfile* profile) {
  if (row.profile_is_text) return ProfileFromStoredText(row.profile, profile);
  return ParseBinary(row.profile, "protobuf", profile);
}

}  // namespace greengate::app
