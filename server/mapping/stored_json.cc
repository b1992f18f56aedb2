#include "server/mapping/stored_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace greengate::mapping {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The printer below writes what protobuf's MessageToJsonString writes with
// preserve_proto_field_names and always_print_primitive_fields (the same names, values and
// field presence; JsonStringToMessage reads both alike), without its generic
// binary -> type-resolver -> JSON pipeline, which was a quarter of the CPU of a ShouldRetrain.
// Messages it does not handle (well-known types other than Timestamp) go to protobuf's printer.

bool NeedsEscape(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

void AppendString(absl::string_view text, std::string* out) {
  out->push_back('"');
  while (!text.empty()) {
    // Most text needs no escaping: append each plain run at once.
    size_t plain = 0;
    while (plain < text.size() && !NeedsEscape(text[plain])) ++plain;
    out->append(text.data(), plain);
    text.remove_prefix(plain);
    if (text.empty()) break;
    const char c = text.front();
    text.remove_prefix(1);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default: {  // the other control characters
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned char>(c));
        out->append(buffer);
      }
    }
  }
  out->push_back('"');
}

// Shortest text that reads back as the same double; NaN and infinities as protobuf spells them.
void AppendDouble(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    // The text of printf's "%.15g", else "%.17g" when 15 digits do not read back (protobuf's
    // choice), but through to_chars/from_chars: glibc's printf of a double was the largest
    // single cost of printing a decision.
    char buffer[32];
    auto printed =
        std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general, 15);
    double read_back = 0;
    std::from_chars(buffer, printed.ptr, read_back);
    if (read_back != value) {
      printed =
          std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general, 17);
    }
    out->append(buffer, printed.ptr);
  }
}

bool NeedsFallback(const Descriptor* type) {
  return type->file()->package() == "google.protobuf" &&
         type->full_name() != google::protobuf::Timestamp::descriptor()->full_name();
}

bool AppendMessage(const Message& message, std::string* out);

// One value of `field` (element `index` when repeated, -1 when singular).
bool AppendValue(const Message& message, const FieldDescriptor* field, int index,
                 std::string* out) {
  const Reflection* r = message.GetReflection();
  const bool repeated = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(
          out, repeated ? r->GetRepeatedInt32(message, field, index) : r->GetInt32(message, field));
      return true;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(out, repeated ? r->GetRepeatedUInt32(message, field, index)
                                    : r->GetUInt32(message, field));
      return true;
    case FieldDescriptor::CPPTYPE_INT64:  // quoted, as proto3 JSON has 64-bit integers
      absl::StrAppend(
          out, "\"",
          repeated ? r->GetRepeatedInt64(message, field, index) : r->GetInt64(message, field),
          "\"");
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(
          out, "\"",
          repeated ? r->GetRepeatedUInt64(message, field, index) : r->GetUInt64(message, field),
          "\"");
      return true;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendDouble(
          repeated ? r->GetRepeatedDouble(message, field, index) : r->GetDouble(message, field),
          out);
      return true;
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendDouble(
          repeated ? r->GetRepeatedFloat(message, field, index) : r->GetFloat(message, field), out);
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append(
          (repeated ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field))
              ? "true"
              : "false");
      return true;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = repeated ? r->GetRepeatedEnumValue(message, field, index)
                                  : r->GetEnumValue(message, field);
      const auto* value = field->enum_type()->FindValueByNumber(number);
      if (value != nullptr) {
        AppendString(value->name(), out);
      } else {
        absl::StrAppend(out, number);
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& text = repeated
                                    ? r->GetRepeatedStringReference(message, field, index, &scratch)
                                    : r->GetStringReference(message, field, &scratch);
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        AppendString(absl::Base64Escape(text), out);
      } else {
        AppendString(text, out);
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return AppendMessage(
          repeated ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field),
          out);
  }
  return false;
}

// A map entry's key as a JSON object key (always a string).
bool AppendMapKey(const Message& entry, const FieldDescriptor* key, std::string* out) {
  if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) return AppendValue(entry, key, -1, out);
  std::string text;
  if (!AppendValue(entry, key, -1, &text)) return false;
  if (text.front() == '"') {
    out->append(text);
  } else {
    AppendString(text, out);
  }
  return true;
}

bool AppendMessage(const Message& message, std::string* out) {
  const Descriptor* type = message.GetDescriptor();
  if (NeedsFallback(type)) return false;
  if (type->full_name() == google::protobuf::Timestamp::descriptor()->full_name()) {
    google::protobuf::Timestamp timestamp;
    timestamp.CopyFrom(message);
    AppendString(google::protobuf::util::TimeUtil::ToString(timestamp), out);
    return true;
  }
  const Reflection* r = message.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    // Fields with presence (messages, oneof members, proto3 `optional`) only when set; the
    // others always, defaults included.
    if (!field->is_repeated() && field->has_presence() && !r->HasField(message, field)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendString(field->name(), out);
    out->push_back(':');
    if (field->is_map()) {
      const FieldDescriptor* key = field->message_type()->map_key();
      const FieldDescriptor* value = field->message_type()->map_value();
      out->push_back('{');
      const int n = r->FieldSize(message, field);
      for (int k = 0; k < n; ++k) {
        const Message& entry = r->GetRepeatedMessage(message, field, k);
        if (k > 0) out->push_back(',');
        if (!AppendMapKey(entry, key, out)) return false;
        out->push_back(':');
        if (!AppendValue(entry, value, -1, out)) return false;
      }
      out->push_back('}');
    } else if (field->is_repeated()) {
      out->push_back('[');
      const int n = r->FieldSize(message, field);
      for (int k = 0; k < n; ++k) {
        if (k > 0) out->push_back(',');
        if (!AppendValue(message, field, k, out)) return false;
      }
      out->push_back(']');
    } else if (!AppendValue(message, field, -1, out)) {
      return false;
    }
  }
  out->push_back('}');
  return true;
}

}  // namespace

std::string ToStoredJson(const google::protobuf::Message& message) {
  std::string out;
  out.reserve(1024);
  if (AppendMessage(message, &out)) return out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  out.clear();
  // Printing a valid in-memory message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

absl::Status FromStoredJson(absl::string_view json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // rows written by a newer greengate stay readable
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (!status.ok()) {
    return absl::DataLossError(
        absl::StrCat("stored ", message->GetTypeName(), " does not parse: ", status.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace greengate::mapping
