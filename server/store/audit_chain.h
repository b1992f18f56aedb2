#pragma once

// The hash chain of the decision log. Each row's hash is
//   SHA-256(raw bytes of prev_hash || CanonicalDecision(row))
// in lowercase hex, where prev_hash is the previous chained row's hash (kGenesisHash for the
// first). The canonical form is fixed, versioned and unambiguous (every field is
// length-prefixed), so the hash never depends on how SQLite or a caller formats values.
// Pure functions; thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/store.h"

namespace greengate::store {

// The prev_hash of the first chained row: 64 hex zeros.
inline constexpr absl::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Sha256Hex()
//
// The SHA-256 digest of `data` as 64 lowercase hex digits (OpenSSL EVP).
std::string Sha256Hex(absl::string_view data);

// CanonicalDecision()
//
// The bytes that are hashed for `row`: a version tag, then every column of the decision in a
// fixed order as "name=<byte length>:<value>\n". Integers in decimal, doubles as the 16 hex
// digits of their IEEE-754 bits (SQLite REAL round-trips them exactly), an absent
// idempotency key as "". prev_hash and hash are not part of it.
std::string CanonicalDecision(const DecisionRow& row);

// ChainHash()
//
// The hash of `row` following `prev_hash`. InvalidArgument when prev_hash is not 64 hex digits.
absl::StatusOr<std::string> ChainHash(absl::string_view prev_hash, const DecisionRow& row);

}  // namespace greengate::store
