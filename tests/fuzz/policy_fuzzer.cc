// libFuzzer target: untrusted bytes -> v1::Policy (protobuf JSON through the CLI's reader when
// the first byte is '{', as `greengate policy set --file` reads it; binary protobuf otherwise,
// as SetPolicy receives it) -> server/mapping/policy_mapping -> policy::ValidatePolicy.
// Invariants: a valid policy maps back to a proto that maps to a valid policy again, and the
// mapping is stable (the stored form of the stored form is the stored form).

#include <cstddef>
#include <cstdint>
#include <string>

#include "client/json_io.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/message_differencer.h"
#include "greengate/v1/greengate.pb.h"
#include "server/core/policy/policy.h"
#include "server/mapping/policy_mapping.h"
#include "tests/fuzz/fuzz_check.h"

namespace greengate::fuzz {

int OneInput(const uint8_t* data, size_t size) {
  v1::Policy proto;
  if (size > 0 && data[0] == '{') {
    const std::string json(reinterpret_cast<const char*>(data), size);
    if (!client::ParseJson(json, "policy", &proto).ok()) return 0;
  } else if (!proto.ParseFromArray(data, static_cast<int>(size))) {
    return 0;
  }
  // PolicyFromProto validates: what it accepts must survive the stored round trip.
  const absl::StatusOr<policy::Policy> core = mapping::PolicyFromProto(proto);
  if (!core.ok()) return 0;

  const v1::Policy stored = mapping::PolicyToProto(*core);
  const absl::StatusOr<policy::Policy> reloaded = mapping::PolicyFromProto(stored);
  CheckOk(reloaded.status(), "a valid policy after its stored round trip");
  if (!reloaded.ok()) return 0;
  Check(
      google::protobuf::util::MessageDifferencer::Equals(stored, mapping::PolicyToProto(*reloaded)),
      "PolicyToProto(PolicyFromProto(stored)) == stored");
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
