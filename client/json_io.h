#pragma once

// Protobuf JSON in and out of the CLI. Output uses the proto field names (snake_case, as in
// greengate.proto and as the server stores them) and prints every field, zeros included, so
// scripts never have to guess a default. Input accepts both snake_case and lowerCamelCase.

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace greengate::client {

// Pretty JSON of `message`, ending in a newline. Thread-safe.
std::string ToJson(const google::protobuf::Message& message);

// Parses `json` into `message`. InvalidArgument "<what>: <parser message>" on bad JSON,
// unknown fields or wrong types.
absl::Status ParseJson(const std::string& json, const std::string& what,
                       google::protobuf::Message* message);

// Reads the file at `path` ("-" is stdin) and parses it. NotFound when it cannot be opened;
// InvalidArgument naming the path when it does not parse.
absl::Status ReadJsonFile(const std::string& path, google::protobuf::Message* message);

// Writes `text` to the file at `path`, or to `out` when `path` is empty or "-". The file is
// written to a temporary name and renamed, so a failed run never leaves half a profile.
// PermissionDenied / Internal with the path on I/O failure.
absl::Status WriteText(const std::string& text, const std::string& path, std::ostream& out);

}  // namespace greengate::client
