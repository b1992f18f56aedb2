#include "client/tfdv_import.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "server/common/status_macros.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/validate.h"

namespace greengate::client {
namespace {

using google::protobuf::Value;

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

// snake_case -> lowerCamelCase: protobuf JSON writers use either.
std::string Camel(const std::string& snake) {
  std::string out;
  bool upper = false;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      upper = false;
    }
  }
  return out;
}

// The member `name` of an object, or nullptr.
const Value* Member(const Value* object, const std::string& name) {
  if (object == nullptr || object->kind_case() != Value::kStructValue) return nullptr;
  const auto& fields = object->struct_value().fields();
  auto it = fields.find(name);
  if (it == fields.end()) it = fields.find(Camel(name));
  return it == fields.end() ? nullptr : &it->second;
}

// A number member (protobuf JSON writes int64 as a string); `fallback` when absent.
absl::StatusOr<double> Number(const Value* object, const std::string& name, const std::string& path,
                              double fallback = 0) {
  const Value* v = Member(object, name);
  if (v == nullptr || v->kind_case() == Value::kNullValue) return fallback;
  const std::string where = absl::StrCat(path, ".", name);
  double out = 0;
  if (v->kind_case() == Value::kNumberValue) {
    out = v->number_value();
  } else if (v->kind_case() == Value::kStringValue) {
    const std::string& s = v->string_value();
    if (s == "Infinity" || s == "-Infinity" || s == "NaN") {
      out = s == "NaN" ? NAN : (s[0] == '-' ? -HUGE_VAL : HUGE_VAL);
    } else if (!absl::SimpleAtod(s, &out)) {
      return Invalid(where, absl::StrCat("'", s, "' is not a number"));
    }
  } else {
    return Invalid(where, "must be a number");
  }
  return out;
}

std::vector<const Value*> List(const Value* object, const std::string& name) {
  std::vector<const Value*> out;
  const Value* v = Member(object, name);
  if (v == nullptr || v->kind_case() != Value::kListValue) return out;
  for (const Value& item : v->list_value().values()) out.push_back(&item);
  return out;
}

std::string Text(const Value* object, const std::string& name) {
  const Value* v = Member(object, name);
  return v != nullptr && v->kind_case() == Value::kStringValue ? v->string_value() : "";
}

// A feature's name: `name`, or its path's steps joined by '.'.
std::string FeatureName(const Value* feature) {
  std::string name = Text(feature, "name");
  if (!name.empty()) return name;
  std::vector<std::string> steps;
  for (const Value* step : List(Member(feature, "path"), "step")) {
    if (step->kind_case() == Value::kStringValue) steps.push_back(step->string_value());
  }
  return absl::StrJoin(steps, ".");
}

struct Bucket {
  double low = 0;
  double high = 0;
  double count = 0;
};

struct Histogram {
  std::vector<Bucket> buckets;
  double nan = 0;
};

absl::StatusOr<Histogram> ReadHistogram(const Value* num_stats, const std::string& path) {
  const std::vector<const Value*> histograms = List(num_stats, "histograms");
  int chosen = -1;
  for (size_t i = 0; i < histograms.size(); ++i) {
    if (List(histograms[i], "buckets").empty()) continue;
    if (chosen < 0 || Text(histograms[i], "type") == "QUANTILES") chosen = static_cast<int>(i);
  }
  if (chosen < 0) return Invalid(path, "has no histogram with buckets");
  const std::string hpath = absl::StrCat(path, ".histograms[", chosen, "]");
  Histogram h;
  ASSIGN_OR_RETURN(h.nan, Number(histograms[chosen], "num_nan", hpath));
  const std::vector<const Value*> buckets = List(histograms[chosen], "buckets");
  for (size_t i = 0; i < buckets.size(); ++i) {
    const std::string bpath = absl::StrCat(hpath, ".buckets[", i, "]");
    Bucket b;
    ASSIGN_OR_RETURN(b.low, Number(buckets[i], "low_value", bpath));
    ASSIGN_OR_RETURN(b.high, Number(buckets[i], "high_value", bpath));
    ASSIGN_OR_RETURN(b.count, Number(buckets[i], "sample_count", bpath));
    if (!(b.count >= 0) || !std::isfinite(b.count)) {
      return Invalid(bpath + ".sample_count",
                     absl::StrCat("must be finite and >= 0, got ", b.count));
    }
    if (std::isnan(b.low) || std::isnan(b.high) || b.high < b.low) {
      return Invalid(bpath, absl::StrCat("low_value ", b.low, " and high_value ", b.high,
                                         " do not make a bucket"));
    }
    if (!h.buckets.empty() && b.low < h.buckets.back().low) {
      return Invalid(bpath, "buckets must be in increasing order of low_value");
    }
    h.buckets.push_back(b);
  }
  return h;
}

// Bins from the buckets themselves: the boundaries between buckets, merged when equal.
void OwnBins(const Histogram& h, std::vector<double>* edges, std::vector<double>* counts) {
  counts->assign(1, 0.0);
  for (size_t k = 0; k < h.buckets.size(); ++k) {
    counts->back() += h.buckets[k].count;
    if (k + 1 == h.buckets.size()) break;
    const double boundary = h.buckets[k].high;
    if (std::isfinite(boundary) && (edges->empty() || boundary > edges->back())) {
      edges->push_back(boundary);
      counts->push_back(0.0);
    }
  }
}

// The buckets' mass on `edges`, uniform within each bucket (a point mass when it has no
// width or an infinite end).
std::vector<double> Rebin(const Histogram& h, const std::vector<double>& edges) {
  std::vector<double> counts(edges.size() + 1, 0.0);
  for (const Bucket& b : h.buckets) {
    if (b.count == 0) continue;
    const double width = b.high - b.low;
    if (!(width > 0) || !std::isfinite(width)) {
      const double at = std::isfinite(b.low) ? b.low : b.high;
      counts[std::isfinite(at) ? profile::BinIndex(edges, at) : (at > 0 ? edges.size() : 0)] +=
          b.count;
      continue;
    }
    // Bin i covers [edges[i-1], edges[i]); the outer ones are unbounded.
    double placed = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
      const double lo = i == 0 ? -HUGE_VAL : edges[i - 1];
      const double hi = i == edges.size() ? HUGE_VAL : edges[i];
      const double overlap = std::min(hi, b.high) - std::max(lo, b.low);
      if (overlap <= 0) continue;
      const double share = b.count * (overlap / width);
      counts[i] += share;
      placed += share;
    }
    // Rounding: put what is left (or over) in the bin holding the bucket's middle.
    counts[profile::BinIndex(edges, b.low + width / 2)] += b.count - placed;
  }
  for (double& c : counts) c = std::max(c, 0.0);
  return counts;
}

absl::StatusOr<profile::FeatureProfile> NumericFeature(const std::string& name,
                                                       const Value* num_stats,
                                                       const std::string& path,
                                                       const profile::FeatureProfile* reference,
                                                       std::vector<std::string>* notes) {
  const Value* common = Member(num_stats, "common_stats");
  ASSIGN_OR_RETURN(const double num_missing, Number(common, "num_missing", path + ".common_stats"));
  ASSIGN_OR_RETURN(const Histogram h, ReadHistogram(num_stats, path));
  profile::NumericProfile p;
  if (reference != nullptr) {
    p.bin_edges = reference->numeric().bin_edges;
    p.bin_counts = Rebin(h, p.bin_edges);
  } else {
    OwnBins(h, &p.bin_edges, &p.bin_counts);
  }
  double total = 0;
  for (double c : p.bin_counts) total += c;
  const double n = std::round(total);
  if (std::abs(total - n) > 1e-9 * std::max(1.0, n)) {
    for (double& c : p.bin_counts) c *= total > 0 ? n / total : 0.0;
    notes->push_back(absl::StrCat(name, ": bucket counts sum to ", total, "; scaled to ", n));
  }
  profile::FeatureProfile f;
  f.name = name;
  f.missing = static_cast<int64_t>(std::llround(num_missing + h.nan));
  f.count = static_cast<int64_t>(n) + f.missing;
  ASSIGN_OR_RETURN(p.min, Number(num_stats, "min", path, h.buckets.front().low));
  ASSIGN_OR_RETURN(p.max, Number(num_stats, "max", path, h.buckets.back().high));
  ASSIGN_OR_RETURN(p.mean, Number(num_stats, "mean", path));
  ASSIGN_OR_RETURN(const double std_dev, Number(num_stats, "std_dev", path));
  if (!std::isfinite(p.min)) p.min = h.buckets.front().low;
  if (!std::isfinite(p.max)) p.max = h.buckets.back().high;
  if (n == 0) {
    p.min = p.max = p.mean = p.m2 = 0;
  } else {
    p.mean = std::clamp(p.mean, p.min, p.max);
    p.m2 = std_dev * std_dev * n;
  }
  f.kind = std::move(p);
  return f;
}

absl::StatusOr<profile::FeatureProfile> CategoricalFeature(const std::string& name,
                                                           const Value* string_stats,
                                                           const std::string& path,
                                                           std::vector<std::string>* notes) {
  const Value* common = Member(string_stats, "common_stats");
  ASSIGN_OR_RETURN(const double non_missing,
                   Number(common, "num_non_missing", path + ".common_stats"));
  ASSIGN_OR_RETURN(const double missing, Number(common, "num_missing", path + ".common_stats"));
  std::vector<std::pair<std::string, double>> entries;
  std::string source = "rank_histogram.buckets";
  for (const Value* b : List(Member(string_stats, "rank_histogram"), "buckets")) {
    entries.emplace_back(Text(b, "label"), 0);
    ASSIGN_OR_RETURN(entries.back().second, Number(b, "sample_count", path));
  }
  if (entries.empty()) {
    source = "top_values";
    for (const Value* v : List(string_stats, "top_values")) {
      entries.emplace_back(Text(v, "value"), 0);
      ASSIGN_OR_RETURN(entries.back().second, Number(v, "frequency", path));
    }
  }
  profile::CategoricalProfile p;
  int64_t kept = 0;
  bool rounded = false;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& [label, count] = entries[i];
    if (!(count >= 0) || !std::isfinite(count)) {
      return Invalid(absl::StrCat(path, ".", source, "[", i, "]"),
                     absl::StrCat("count must be finite and >= 0, got ", count));
    }
    const int64_t whole = std::llround(count);
    rounded |= static_cast<double>(whole) != count;
    if (label.empty() || whole == 0) continue;
    p.counts[label] += whole;
    kept += whole;
  }
  if (rounded) notes->push_back(absl::StrCat(name, ": fractional category counts rounded"));
  const int64_t present = std::max<int64_t>(std::llround(non_missing), kept);
  p.other = present - kept;
  profile::FeatureProfile f;
  f.name = name;
  f.missing = std::llround(missing);
  f.count = present + f.missing;
  f.kind = std::move(p);
  return f;
}

}  // namespace

absl::StatusOr<TfdvImport> ProfileFromTfdvJson(const std::string& json,
                                               const TfdvImportOptions& options) {
  Value root;
  const auto parsed = google::protobuf::util::JsonStringToMessage(json, &root);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("not JSON: ", parsed.message().as_string()));
  }
  const std::vector<const Value*> datasets = List(&root, "datasets");
  if (datasets.empty()) return Invalid("datasets", "missing or empty");
  int chosen = options.dataset.empty() ? 0 : -1;
  for (size_t i = 0; chosen < 0 && i < datasets.size(); ++i) {
    if (Text(datasets[i], "name") == options.dataset) chosen = static_cast<int>(i);
  }
  if (chosen < 0)
    return Invalid("--dataset", absl::StrCat("no dataset named '", options.dataset, "'"));
  const Value* dataset = datasets[chosen];
  const std::string dpath = absl::StrCat("datasets[", chosen, "]");

  absl::flat_hash_map<std::string, const profile::FeatureProfile*> wanted;
  if (options.reference != nullptr) {
    for (const auto& f : options.reference->features) wanted.emplace(f.name, &f);
  }
  TfdvImport out;
  std::map<std::string, profile::FeatureProfile> found;
  const std::vector<const Value*> features = List(dataset, "features");
  for (size_t i = 0; i < features.size(); ++i) {
    const std::string path = absl::StrCat(dpath, ".features[", i, "]");
    const std::string name = FeatureName(features[i]);
    if (name.empty()) return Invalid(path, "has no name or path");
    const profile::FeatureProfile* reference = nullptr;
    if (options.reference != nullptr) {
      const auto it = wanted.find(name);
      if (it == wanted.end()) continue;  // not a reference feature
      reference = it->second;
    }
    const Value* num_stats = Member(features[i], "num_stats");
    const Value* string_stats = Member(features[i], "string_stats");
    const bool as_numeric = reference != nullptr ? reference->is_numeric() : num_stats != nullptr;
    absl::StatusOr<profile::FeatureProfile> f;
    if (as_numeric && num_stats != nullptr) {
      f = NumericFeature(name, num_stats, path + ".num_stats", reference, &out.notes);
    } else if (!as_numeric && string_stats != nullptr) {
      f = CategoricalFeature(name, string_stats, path + ".string_stats", &out.notes);
    } else if (reference != nullptr) {
      return Invalid(path, absl::StrCat("feature '", name, "' is ",
                                        reference->is_numeric() ? "numeric" : "categorical",
                                        " in the reference but has no ",
                                        reference->is_numeric() ? "num_stats" : "string_stats"));
    } else {
      out.notes.push_back(absl::StrCat(name, ": skipped (no num_stats or string_stats)"));
      continue;
    }
    if (!f.ok()) return f.status();
    found[name] = *std::move(f);
  }
  ASSIGN_OR_RETURN(const double examples, Number(dataset, "num_examples", dpath));
  int64_t rows = std::llround(examples);
  auto add = [&](profile::FeatureProfile f) {
    rows = std::max(rows, f.count);
    out.profile.features.push_back(std::move(f));
  };
  if (options.reference != nullptr) {
    for (const auto& f : options.reference->features) {
      auto it = found.find(f.name);
      if (it == found.end()) {
        return Invalid(absl::StrCat(dpath, ".features"),
                       absl::StrCat("the reference feature '", f.name, "' is missing"));
      }
      add(std::move(it->second));
    }
  } else {
    // In the file's order.
    for (size_t i = 0; i < features.size(); ++i) {
      auto it = found.find(FeatureName(features[i]));
      if (it != found.end()) add(std::move(it->second)), found.erase(it);
    }
  }
  if (out.profile.features.empty()) {
    return Invalid(absl::StrCat(dpath, ".features"), "no numeric or string statistics to convert");
  }
  out.profile.rows = rows;
  const absl::Status valid =
      options.reference != nullptr
          ? profile::ValidateCurrent(*options.reference, out.profile, "profile")
          : profile::ValidateProfile(out.profile, "profile");
  if (!valid.ok()) return Invalid("converted profile", std::string(valid.message()));
  return out;
}

}  // namespace greengate::client
