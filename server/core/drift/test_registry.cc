#include "server/core/drift/test_registry.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"
#include "server/core/drift/chi_square.h"
#include "server/core/drift/distribution_comparison.h"
#include "server/core/drift/histogram_distances.h"
#include "server/core/drift/proportion_z.h"
#include "server/core/profile/format.h"

namespace greengate::drift {
namespace {

using internal::DistributionStatistic;
using profile::internal::QuoteForMessage;

enum class Input { kSamples, kCounts, kBinary };

using CountsDistance = absl::StatusOr<double> (*)(absl::Span<const double> reference_counts,
                                                  absl::Span<const double> current_counts);

// The registry of the tests a policy may choose per feature: a new test is one row here.
struct TestInfo {
  const char* name;
  Input input;
  bool p_value;  // decided by the corrected p-value; else an effect size vs distance_threshold
  // kSamples: the statistic on the two distributions (distribution_comparison.h).
  DistributionStatistic distribution = DistributionStatistic::kKolmogorovSmirnov;
  // kCounts: the distance on the two histograms; null for chi-square, which has a p-value.
  CountsDistance distance = nullptr;
  // kSamples: values the reference's sample must hold (the statistic's own minimum, where the
  // current data cannot make up for it).
  std::size_t min_reference_values = 1;
};

constexpr TestInfo kTests[] = {
    {"anderson_darling", Input::kSamples, true, DistributionStatistic::kAndersonDarling},
    {"chi_square", Input::kCounts, true},
    {"cramer_von_mises", Input::kSamples, true, DistributionStatistic::kCramerVonMises, nullptr, 2},
    {"energy_distance", Input::kSamples, false, DistributionStatistic::kEnergyDistance},
    {"hellinger", Input::kCounts, false, {}, HellingerDistance},
    {"jensen_shannon",
     Input::kCounts,
     false,
     {},
     [](absl::Span<const double> r, absl::Span<const double> c) {
       return JensenShannonDistance(r, c, 2.0);
     }},
    {"jensen_shannon_divergence",
     Input::kCounts,
     false,
     {},
     [](absl::Span<const double> r, absl::Span<const double> c) {
       return JensenShannonDivergence(r, c, 2.0);
     }},
    {"kl_divergence", Input::kCounts, false, {}, KullbackLeibler},
    {"ks", Input::kSamples, true, DistributionStatistic::kKolmogorovSmirnov},
    {"l_infinity", Input::kCounts, false, {}, LInfinityDistance},
    {"psi", Input::kCounts, false, {}, PopulationStabilityIndex},
    {"wasserstein_norm", Input::kSamples, false, DistributionStatistic::kWassersteinNorm},
    {"z", Input::kBinary, true},
};

const TestInfo* Find(std::string_view name) {
  for (const TestInfo& t : kTests) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

double Total(const std::vector<double>& v) {
  double t = 0;
  for (double x : v) t += x;
  return t;
}

// What the test needs of the reference's side of the feature: checked when a policy or a
// reference is stored (ValidateFeatureTestFor) and again, by the same code, when the test
// runs, so a stored pair never fails here. The current side's needs are the run's to check.
absl::Status CheckReferenceSide(const TestInfo& info, const profile::FeatureProfile& reference,
                                std::string_view field) {
  const std::string f(field);
  const std::string quoted = QuoteForMessage(reference.name);
  switch (info.input) {
    case Input::kSamples: {
      if (!reference.is_numeric()) {
        return absl::InvalidArgumentError(absl::StrCat(
            f, ": test \"", info.name, "\" needs a numeric feature, but ", quoted,
            " is categorical; a count test (psi, jensen_shannon, chi_square, ...) applies"));
      }
      const std::size_t values = reference.numeric().sample.size();
      if (values == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(f, ": test \"", info.name, "\" needs samples, but the reference of ",
                         quoted, " holds none (numeric.sample is empty)"));
      }
      if (values < info.min_reference_values) {
        return absl::InvalidArgumentError(absl::StrCat(
            f, ": test \"", info.name, "\" needs at least ", info.min_reference_values,
            " values in the reference's sample, but the reference of ", quoted, " holds ", values));
      }
      return absl::OkStatus();
    }
    case Input::kBinary: {
      if (reference.is_numeric()) {
        return absl::InvalidArgumentError(absl::StrCat(
            f, ": test \"z\" needs a binary categorical feature, but ", quoted, " is numeric"));
      }
      // The categories the test compares on the reference's side, laid out as the run lays
      // them out: the listed ones (0 counts included), and `other` as one more when it holds
      // rows (with the rare listed ones it pools).
      const profile::CategoricalProfile& categorical = reference.categorical();
      const std::size_t categories =
          internal::Align(categorical, profile::CategoricalProfile{}).reference.size();
      if (categories > 2) {
        return absl::InvalidArgumentError(absl::StrCat(
            f, ": test \"z\" needs at most 2 categories, ", quoted, " has ", categories,
            " in the reference", categorical.other > 0 ? " (its `other` counted as one)" : ""));
      }
      return absl::OkStatus();
    }
    case Input::kCounts:
      return absl::OkStatus();  // a side without counts is "no drift", never an error
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<std::string>& FeatureTestNames() {
  static const std::vector<std::string>* const names = [] {
    auto* v = new std::vector<std::string>();
    for (const TestInfo& t : kTests) v->push_back(t.name);
    return v;
  }();
  return *names;
}

absl::Status ValidateFeatureTest(std::string_view test, std::string_view field) {
  if (Find(test) != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(std::string(field), ": unknown test ",
                                                 QuoteForMessage(test), "; one of ",
                                                 absl::StrJoin(FeatureTestNames(), ", ")));
}

absl::Status ValidateFeatureTestFor(std::string_view test, const profile::FeatureProfile& reference,
                                    std::string_view field) {
  RETURN_IF_ERROR(ValidateFeatureTest(test, field));
  return CheckReferenceSide(*Find(test), reference, field);
}

namespace internal {

absl::StatusOr<FeatureDrift> RunSelectedTest(const profile::FeatureProfile& reference,
                                             const profile::FeatureProfile& current,
                                             std::string_view test, const DriftOptions& options,
                                             FeatureFields fields, std::string_view field) {
  RETURN_IF_ERROR(ValidateFeatureTest(test, field));
  const TestInfo& info = *Find(test);
  RETURN_IF_ERROR(CheckReferenceSide(info, reference, field));
  const std::string f(field);
  FeatureDrift out;
  out.feature = reference.name;
  out.test = info.name;
  out.threshold = info.p_value ? options.p_value_threshold : options.distance_threshold;

  // Counts on shared bins (numeric) or the union of categories, for the effect sizes every
  // feature reports and for the histogram tests.
  std::vector<double> ref_counts;
  std::vector<double> cur_counts;
  if (reference.is_numeric()) {
    if (reference.numeric().bin_counts.size() != current.numeric().bin_counts.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          std::string(fields.current), ".numeric.bin_counts: ", current.numeric().bin_counts.size(),
          " bins, but the reference has ", reference.numeric().bin_counts.size()));
    }
    Histograms histograms =
        EffectHistograms(reference.numeric().bin_counts, current.numeric().bin_counts);
    ref_counts = std::move(histograms.reference);
    cur_counts = std::move(histograms.current);
  } else {
    AlignedCounts aligned = Align(reference.categorical(), current.categorical());
    ref_counts = std::move(aligned.reference);
    cur_counts = std::move(aligned.current);
    out.unseen_categories = std::move(aligned.unseen);
  }
  const std::string pair_field =
      absl::StrCat(std::string(fields.reference), ", ", std::string(fields.current), ": counts");
  absl::StatusOr<EffectSizes> sizes = ComputeEffectSizes(ref_counts, cur_counts);
  if (!sizes.ok()) return WithField(sizes.status(), pair_field);
  out.psi = sizes->psi;
  out.jensen_shannon = sizes->jensen_shannon;
  const std::string chosen = absl::StrCat("test \"", info.name, "\" chosen by the policy");

  switch (info.input) {
    case Input::kSamples: {
      if (!CanCompareDistributions(reference, current)) {  // the reference holds a sample
        return absl::InvalidArgumentError(absl::StrCat(
            f, ": test \"", info.name, "\" needs a fine grid or samples on both sides, but ",
            std::string(fields.current), ".numeric.sample is empty"));
      }
      ASSIGN_OR_RETURN(const DistributionComparison compared,
                       CompareDistributions(info.distribution, reference, current, fields, f));
      RecordComparison(compared, &out);
      out.why = absl::StrCat(chosen, ": on ", compared.basis);
      break;
    }
    case Input::kCounts: {
      if (!(Total(ref_counts) > 0) || !(Total(cur_counts) > 0)) {
        out.why = absl::StrCat(chosen, "; a side has no counted values: not counted as drift");
        return out;
      }
      if (info.distance == nullptr) {  // chi-square
        absl::StatusOr<ChiSquareResult> r = ChiSquareHomogeneity(ref_counts, cur_counts);
        if (!r.ok()) return WithField(r.status(), pair_field);
        out.statistic = r->statistic;
        out.p_value = r->p_value;
        out.why = absl::StrFormat("%s: chi-square homogeneity over %d %s (dof %d)", chosen,
                                  ref_counts.size(), reference.is_numeric() ? "bins" : "categories",
                                  r->dof);
      } else {
        absl::StatusOr<double> r = info.distance(ref_counts, cur_counts);
        if (!r.ok()) return WithField(r.status(), pair_field);
        out.statistic = *r;
        out.why = absl::StrFormat("%s: on %d %s", chosen, ref_counts.size(),
                                  reference.is_numeric() ? "bins" : "categories");
      }
      break;
    }
    case Input::kBinary: {
      std::vector<size_t> present;
      for (size_t i = 0; i < ref_counts.size(); ++i) {
        if (ref_counts[i] + cur_counts[i] > 0) present.push_back(i);
      }
      if (present.size() > 2) {  // the reference has at most 2: the current data adds some
        return absl::InvalidArgumentError(absl::StrCat(
            f, ": test \"z\" needs at most 2 categories, ", QuoteForMessage(reference.name),
            " has ", present.size(), " counting those of ", std::string(fields.current),
            " the reference does not list"));
      }
      const double ref_total = Total(ref_counts);
      const double cur_total = Total(cur_counts);
      if (!(ref_total > 0) || !(cur_total > 0)) {
        out.why = absl::StrCat(chosen, "; a side has no counted values: not counted as drift");
        return out;
      }
      // Proportion of the first category (sorted order, as Evidently's ordered_keys[0]).
      const size_t first = present.empty() ? 0 : present[0];
      ASSIGN_OR_RETURN(
          const ProportionTestResult r,
          TwoProportionZ(static_cast<int64_t>(ref_counts[first]), static_cast<int64_t>(ref_total),
                         static_cast<int64_t>(cur_counts[first]), static_cast<int64_t>(cur_total)));
      out.statistic = r.z;
      out.p_value = r.p_value;
      out.why = absl::StrCat(chosen, ": two-proportion z on the binary feature's counts");
      break;
    }
  }
  if (!info.p_value) out.drifted = out.statistic >= options.distance_threshold;
  out.why += HowTheBoundWasUsed(out);
  return out;
}

}  // namespace internal
}  // namespace greengate::drift
