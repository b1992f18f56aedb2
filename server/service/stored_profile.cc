#include "server/service/stored_profile.h"

#include <climits>

#include "absl/strings/escaping.h"
#include "server/service/json.h"

namespace greengate::service {

std::string ProfileToStored(const v1::DataProfile& profile) {
  return absl::Base64Escape(profile.SerializeAsString());
}

absl::Status ProfileFromStored(absl::string_view stored, v1::DataProfile* profile) {
  if (!stored.empty() && stored.front() == '{') return FromStoredJson(stored, profile);
  std::string bytes;
  if (!absl::Base64Unescape(stored, &bytes) || bytes.size() > static_cast<size_t>(INT_MAX) ||
      !profile->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("stored greengate.v1.DataProfile does not parse (base64 protobuf)");
  }
  return absl::OkStatus();
}

}  // namespace greengate::service
