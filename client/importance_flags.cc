#include "client/importance_flags.h"

#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace greengate::client {
namespace {

// Splits "name=weight" or "name,weight" at the last separator, so names may contain '='.
bool SplitItem(absl::string_view item, absl::string_view* name, absl::string_view* weight) {
  const size_t at = item.find_last_of("=,");
  if (at == absl::string_view::npos) return false;
  *name = absl::StripAsciiWhitespace(item.substr(0, at));
  *weight = absl::StripAsciiWhitespace(item.substr(at + 1));
  return true;
}

absl::Status AddItem(absl::string_view item, const std::string& where,
                     std::map<std::string, double>* out) {
  absl::string_view name, weight_text;
  if (!SplitItem(item, &name, &weight_text) || name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": '", item, "' is not FEATURE=WEIGHT"));
  }
  double weight = 0;
  if (!absl::SimpleAtod(weight_text, &weight) || !std::isfinite(weight) || weight < 0) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": the weight of '", name,
                                                   "' must be a "
                                                   "finite number >= 0, got '",
                                                   weight_text, "'"));
  }
  if (!out->emplace(std::string(name), weight).second) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": '", name, "' is given twice"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::map<std::string, double>> ParseImportancePairs(
    const std::vector<std::string>& items, const std::string& flag) {
  std::map<std::string, double> out;
  for (const std::string& item : items) {
    if (absl::StripAsciiWhitespace(item).empty()) continue;
    if (absl::Status s = AddItem(item, flag, &out); !s.ok()) return s;
  }
  return out;
}

absl::StatusOr<std::map<std::string, double>> ParseImportanceCsv(const std::string& text,
                                                                 const std::string& path) {
  std::map<std::string, double> out;
  int line_number = 0;
  bool first = true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);  // also drops the CR of CRLF
    if (line.empty()) continue;
    if (first) {
      first = false;
      absl::string_view name, weight;
      double ignored = 0;
      if (!SplitItem(line, &name, &weight) || name.empty() || !absl::SimpleAtod(weight, &ignored)) {
        continue;  // a header such as "feature,importance"
      }
    }
    if (absl::Status s = AddItem(line, absl::StrCat(path, " line ", line_number), &out); !s.ok()) {
      return s;
    }
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no FEATURE,WEIGHT line"));
  }
  return out;
}

absl::Status SetImportance(const std::map<std::string, double>& importance, const std::string& flag,
                           v1::DataProfile* profile) {
  absl::flat_hash_set<std::string> features;
  for (const v1::FeatureProfile& f : profile->features()) features.insert(f.name());
  for (const auto& [name, weight] : importance) {
    if (!features.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": '", name, "' is not a feature of the profile"));
    }
  }
  profile->clear_feature_importance();
  for (const auto& [name, weight] : importance)
    (*profile->mutable_feature_importance())[name] = weight;
  return absl::OkStatus();
}

}  // namespace greengate::client
