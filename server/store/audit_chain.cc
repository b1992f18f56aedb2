#include "server/store/audit_chain.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace greengate::store {
namespace {

void AppendField(std::string* out, absl::string_view name, absl::string_view value) {
  absl::StrAppend(out, name, "=", value.size(), ":", value, "\n");
}

std::string DoubleBits(double value) {
  uint64_t bits = 0;
  static_assert(sizeof(bits) == sizeof(value));
  std::memcpy(&bits, &value, sizeof(bits));
  return absl::StrFormat("%016x", bits);
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest only fails on allocation failure; an empty result then fails every comparison.
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return "";
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string CanonicalDecision(const DecisionRow& row) {
  std::string out = "greengate-decision-v1\n";
  AppendField(&out, "seq", absl::StrCat(row.seq));
  AppendField(&out, "decision_id", row.decision_id);
  AppendField(&out, "model_id", absl::StrCat(row.model_id));
  AppendField(&out, "model_version", row.model_version);
  AppendField(&out, "policy_version", absl::StrCat(row.policy_version));
  AppendField(&out, "verdict", row.verdict);
  AppendField(&out, "decided_by", row.decided_by);
  AppendField(&out, "energy_kwh", DoubleBits(row.energy_kwh));
  AppendField(&out, "co2e_kg", DoubleBits(row.co2e_kg));
  AppendField(&out, "expected_gain", DoubleBits(row.expected_gain));
  AppendField(&out, "gain_lower_bound", DoubleBits(row.gain_lower_bound));
  AppendField(&out, "dataset_drift", row.dataset_drift ? "1" : "0");
  AppendField(&out, "idempotency_key", row.idempotency_key);
  AppendField(&out, "create_time_ms", absl::StrCat(row.create_time_ms));
  AppendField(&out, "payload", row.payload);
  return out;
}

absl::StatusOr<std::string> ChainHash(absl::string_view prev_hash, const DecisionRow& row) {
  if (prev_hash.size() != 64 || !IsLowerHex(prev_hash)) {
    return absl::InvalidArgumentError(
        absl::StrCat("prev_hash: must be 64 lowercase hex digits, got \"", prev_hash, "\""));
  }
  return Sha256Hex(absl::StrCat(absl::HexStringToBytes(prev_hash), CanonicalDecision(row)));
}

}  // namespace greengate::store
