// CompareCategorical(): the test for a categorical feature, on the counts of the union of both
// sides' categories (plus the `other` bucket of categories beyond the kept top-K, as one more
// category, when either side has any):
//   - reference profile rows <= large_sample_rows: chi-square homogeneity test (p-value);
//   - more reference rows: base-2 Jensen-Shannon distance (effect size), because at large n
//     every trivial shift gets a tiny p-value.
// A current profile counted on its reference (CategoricalProfile::reference_aligned) has
// every reference category with its exact count, genuinely new categories in `unseen`, and an
// `other` that means what the reference's means, so the union is the reference's categories
// plus the new ones; when the reference folded categories, its listed categories with fewer
// than kRareReferenceCount rows join `other` on both sides (see Align()). A profile of an
// older client kept its own top-K: the union then mixes categories each side folded, and a
// category the reference folded can show as unseen.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/status_macros.h"
#include "server/core/drift/chi_square.h"
#include "server/core/drift/feature_drift.h"

namespace greengate::drift::internal {

AlignedCounts Align(const profile::CategoricalProfile& ref,
                    const profile::CategoricalProfile& cur) {
  AlignedCounts out;
  // A reference that folded categories chose its list by its own counts. Among categories
  // seen a few times each, the listed ones are the luckiest draws, so their reference counts
  // overstate their share and any current data, drifted or not, counts fewer of them (with
  // 50,000 equally likely levels over 100,000 rows, a Jensen-Shannon distance of 0.11 without
  // drift). Such categories are compared as one group with `other`, on both sides.
  const bool pool_rare = ref.other > 0;
  double pooled_ref = 0;
  double pooled_cur = 0;
  auto add = [&](int64_t r_count, int64_t c_count) {
    if (pool_rare && r_count < kRareReferenceCount) {
      pooled_ref += static_cast<double>(r_count);
      pooled_cur += static_cast<double>(c_count);
      return;
    }
    out.reference.push_back(static_cast<double>(r_count));
    out.current.push_back(static_cast<double>(c_count));
  };
  auto r = ref.counts.begin();
  auto c = cur.counts.begin();
  // Both maps are ordered: one merge pass.
  while (r != ref.counts.end() || c != cur.counts.end()) {
    if (c == cur.counts.end() || (r != ref.counts.end() && r->first < c->first)) {
      add(r->second, 0);
      ++r;
    } else if (r == ref.counts.end() || c->first < r->first) {
      out.reference.push_back(0);
      out.current.push_back(static_cast<double>(c->second));
      if (c->second > 0) out.unseen.push_back(c->first);
      ++c;
    } else {
      if (r->second == 0 && c->second > 0) out.unseen.push_back(c->first);
      add(r->second, c->second);
      ++r;
      ++c;
    }
  }
  pooled_ref += static_cast<double>(ref.other);
  pooled_cur += static_cast<double>(cur.other);
  if (pooled_ref > 0 || pooled_cur > 0) {
    out.reference.push_back(pooled_ref);
    out.current.push_back(pooled_cur);
  }
  return out;
}

namespace {

double Total(const std::vector<double>& counts) {
  double total = 0;
  for (double c : counts) total += c;
  return total;
}

// How the current side was counted, for the decision record.
const char* Counting(const profile::CategoricalProfile& current) {
  return current.reference_aligned
             ? "current counted on the reference's categories"
             : "current kept its own top categories, so a category either side folded can "
               "show as unseen";
}

}  // namespace

absl::StatusOr<FeatureDrift> CompareCategorical(const profile::FeatureProfile& reference,
                                                const profile::FeatureProfile& current,
                                                const DriftOptions& options, FeatureFields fields) {
  const AlignedCounts counts = Align(reference.categorical(), current.categorical());
  FeatureDrift out;
  out.feature = reference.name;
  out.unseen_categories = counts.unseen;
  absl::StatusOr<EffectSizes> sizes = ComputeEffectSizes(counts.reference, counts.current);
  if (!sizes.ok()) {
    return WithField(sizes.status(), absl::StrCat(std::string(fields.reference), ", ",
                                                  std::string(fields.current), ": counts"));
  }
  out.psi = sizes->psi;
  out.jensen_shannon = sizes->jensen_shannon;

  const int64_t ref_rows = ReferenceRows(reference, fields);
  const int64_t large = options.large_sample_rows;
  const bool comparable = Total(counts.reference) > 0 && Total(counts.current) > 0;
  if (comparable && ref_rows <= large) {
    absl::StatusOr<ChiSquareResult> chi = ChiSquareHomogeneity(counts.reference, counts.current);
    if (!chi.ok()) {
      return WithField(chi.status(), absl::StrCat(std::string(fields.reference), ", ",
                                                  std::string(fields.current), ": counts"));
    }
    out.test = "chi_square";
    out.statistic = chi->statistic;
    out.p_value = chi->p_value;
    out.threshold = options.p_value_threshold;
    out.why = absl::StrFormat(
        "categorical, %d reference rows <= %d: chi-square homogeneity test over %d categories "
        "(dof %d); at this size p-values are meaningful; %s",
        ref_rows, large, counts.reference.size(), chi->dof, Counting(current.categorical()));
    return out;
  }

  out.test = "jensen_shannon";
  out.statistic = out.jensen_shannon;
  out.threshold = options.distance_threshold;
  if (!comparable) {
    out.why = absl::StrFormat(
        "categorical, %s has no counted values: distributions cannot be compared (see the "
        "missing rates); not counted as drift",
        Total(counts.reference) > 0 ? "current" : "reference");
    return out;
  }
  out.drifted = out.statistic >= options.distance_threshold;
  out.why = absl::StrFormat(
      "categorical, %d reference rows > %d: effect size (Jensen-Shannon distance, base 2) "
      "decides, p-values over-reject at large n; %s",
      ref_rows, large, Counting(current.categorical()));
  return out;
}

}  // namespace greengate::drift::internal
