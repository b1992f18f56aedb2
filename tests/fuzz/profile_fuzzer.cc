// libFuzzer target: untrusted bytes -> v1::DataProfile (binary protobuf, or protobuf JSON when
// the first byte is '{') -> core profile -> validation, as SetReference and ShouldRetrain do.
// Invariants: a profile that validates survives the round trip through the proto unchanged
// in validity, and is compatible with itself.

#include <cstddef>
#include <cstdint>
#include <string>

#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/json_util.h"
#include "greengate/v1/greengate.pb.h"
#include "server/core/profile/validate.h"
#include "server/mapping/profile_mapping.h"
#include "tests/fuzz/fuzz_check.h"

namespace greengate::fuzz {

int OneInput(const uint8_t* data, size_t size) {
  v1::DataProfile proto;
  if (size > 0 && data[0] == '{') {
    const std::string json(reinterpret_cast<const char*>(data), size);
    if (!google::protobuf::util::JsonStringToMessage(json, &proto).ok()) return 0;
  } else if (!proto.ParseFromArray(data, static_cast<int>(size))) {
    return 0;
  }
  absl::StatusOr<profile::DataProfile> core = mapping::ProfileFromProto(proto, "current");
  if (!core.ok()) return 0;
  const absl::Status as_current = profile::ValidateProfile(*core, "current");
  const absl::Status as_reference = profile::ValidateReference(*core, "reference.profile");
  // A reference is a profile with a sorted sample: it cannot be valid when the profile is not.
  Check(as_current.ok() || !as_reference.ok(), "valid reference, invalid profile");
  if (!as_current.ok()) return 0;

  absl::StatusOr<profile::DataProfile> again =
      mapping::ProfileFromProto(mapping::ProfileToProto(*core), "again");
  CheckOk(again.status(), "ProfileFromProto(ProfileToProto(valid profile))");
  CheckOk(profile::ValidateProfile(*again, "again"), "round-tripped profile");
  CheckOk(profile::ValidateAgainstReference(*core, *again, "again"),
          "profile against its own round trip");
  return 0;
}

}  // namespace greengate::fuzz

// Protobuf logs every invalid UTF-8 string it parses; that is noise here, and slow.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return greengate::fuzz::OneInput(data, size);
}
