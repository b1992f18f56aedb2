#pragma once

// DataProfile files in two formats: protobuf JSON (for people and scripts) and binary (the
// serialized protobuf after a short header), which is several times smaller and avoids the
// JSON conversion of large samples, the main cost in time and memory of writing and reading
// a profile. Readers detect the format, so every command that takes a profile accepts both,
// and JSON profiles written by earlier versions stay readable.
//
// Binary file: the 8 bytes kBinaryProfileHeader, then DataProfile.SerializeAsString(). A JSON
// profile starts with '{' or blanks, never with the header.

#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "greengate/v1/greengate.pb.h"

namespace greengate::client {

// The first bytes of a binary profile file ("GGPROF1" and a line feed).
inline constexpr std::string_view kBinaryProfileHeader = "GGPROF1\n";

// How `greengate profile` writes: kAuto is binary when the output file's name ends in ".pb",
// JSON otherwise (standard output included).
enum class ProfileFormat { kAuto, kJson, kBinary };

// ParseProfileFormat()
//
// "auto", "json" or "binary"; InvalidArgument naming `flag` otherwise. Thread-safe.
absl::StatusOr<ProfileFormat> ParseProfileFormat(const std::string& text, const std::string& flag);

// EncodeProfile()
//
// `profile` as the bytes of a file in `format` (kAuto resolved against `path` as above).
// Thread-safe.
std::string EncodeProfile(const v1::DataProfile& profile, ProfileFormat format,
                          const std::string& path);

// WriteProfile()
//
// EncodeProfile() written to `path` (atomically, see WriteText) or to `out` when `path` is
// empty or "-". Errors as WriteText().
absl::Status WriteProfile(const v1::DataProfile& profile, ProfileFormat format,
                          const std::string& path, std::ostream& out);

// DecodeProfile()
//
// Parses `bytes` in either format into `profile`. InvalidArgument "<what>: ..." when the
// bytes are neither a binary profile (a header followed by a corrupt or truncated message is
// reported as such) nor valid DataProfile JSON. Thread-safe.
absl::Status DecodeProfile(std::string_view bytes, const std::string& what,
                           v1::DataProfile* profile);

// ReadProfileFile()
//
// Reads the file at `path` ("-" is standard input) and decodes it. NotFound when it cannot be
// opened, DataLoss on a read error, else as DecodeProfile() naming the path.
absl::Status ReadProfileFile(const std::string& path, v1::DataProfile* profile);

}  // namespace greengate::client
