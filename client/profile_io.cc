#include "client/profile_io.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "client/json_io.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace greengate::client {

absl::StatusOr<ProfileFormat> ParseProfileFormat(const std::string& text, const std::string& flag) {
  if (text == "auto") return ProfileFormat::kAuto;
  if (text == "json") return ProfileFormat::kJson;
  if (text == "binary") return ProfileFormat::kBinary;
  return absl::InvalidArgumentError(
      absl::StrCat(flag, ": must be auto, json or binary, got '", text, "'"));
}

namespace {

ProfileFormat Resolve(ProfileFormat format, const std::string& path) {
  if (format != ProfileFormat::kAuto) return format;
  const std::string_view suffix = ".pb";
  return path.size() >= suffix.size() &&
                 path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0
             ? ProfileFormat::kBinary
             : ProfileFormat::kJson;
}

// `json` with every line but empty ones indented by `indent` more.
void AppendIndented(std::string_view json, std::string_view indent, std::string* out) {
  while (!json.empty()) {
    const size_t end = json.find('\n');
    const std::string_view line = json.substr(0, end);
    if (!line.empty()) out->append(indent).append(line);
    if (end == std::string_view::npos) break;
    out->push_back('\n');
    json.remove_prefix(end + 1);
  }
}

// ToJson() of a profile, printed a feature at a time and spliced into the JSON of the rest:
// the same bytes as one ToJson() of the whole (tested), without its cost. Protobuf's printer
// goes through a serialized copy and a stream of every field; on a whole profile of 110
// features with their samples that peaked at 69 MB and took 0.34 s, more than profiling the
// CSV. Features are field 1, so the printer puts "features" first.
std::string ProfileToJson(const v1::DataProfile& profile) {
  v1::DataProfile rest = profile;  // what is not a feature: rows, importance, joint sample
  rest.clear_features();
  const std::string tail = ToJson(rest);
  const std::string_view empty = "{\n \"features\": [],\n";
  if (profile.features_size() == 0 || tail.compare(0, empty.size(), empty) != 0) {
    return ToJson(profile);  // not the layout spliced below: the printer changed
  }
  std::string json = "{\n \"features\": [\n";
  for (int i = 0; i < profile.features_size(); ++i) {
    std::string feature = ToJson(profile.features(i));
    feature.pop_back();  // ToJson() ends with a line break
    AppendIndented(feature, "  ", &json);
    json += i + 1 < profile.features_size() ? ",\n" : "\n";
  }
  json += " ],\n";
  json.append(tail, empty.size());
  return json;
}

}  // namespace

std::string EncodeProfile(const v1::DataProfile& profile, ProfileFormat format,
                          const std::string& path) {
  if (Resolve(format, path) == ProfileFormat::kJson) return ProfileToJson(profile);
  std::string bytes(kBinaryProfileHeader);
  {
    // Deterministic: map entries (category counts) sorted by key, so the same rows and seed
    // give the same file byte for byte, whatever the process's hash seed.
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    // Serializing a message that has no required fields cannot fail.
    (void)profile.SerializeToCodedStream(&coded);
  }
  return bytes;
}

absl::Status WriteProfile(const v1::DataProfile& profile, ProfileFormat format,
                          const std::string& path, std::ostream& out) {
  return WriteText(EncodeProfile(profile, format, path), path, out);
}

absl::Status DecodeProfile(std::string_view bytes, const std::string& what,
                           v1::DataProfile* profile) {
  if (bytes.substr(0, kBinaryProfileHeader.size()) != kBinaryProfileHeader) {
    // Everything else is JSON (the same messages).
    return ParseJson(std::string(bytes), what, profile);
  }
  bytes.remove_prefix(kBinaryProfileHeader.size());
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !profile->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(what,
                     ": not a valid binary DataProfile: the file starts with the binary "
                     "profile header but the rest is truncated or corrupt"));
  }
  return absl::OkStatus();
}

absl::Status ReadProfileFile(const std::string& path, v1::DataProfile* profile) {
  std::string bytes;
  if (path == "-") {
    bytes.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
    }
    // Read at once into a string of the file's size: no stream buffer copy of a large profile.
    struct stat info;
    if (stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
      bytes.resize(static_cast<size_t>(info.st_size));
      in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      bytes.resize(static_cast<size_t>(in.gcount()));
      if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
    } else {
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
    }
  }
  return DecodeProfile(bytes, path, profile);
}

}  // namespace greengate::client
