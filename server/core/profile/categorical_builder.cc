#include "server/core/profile/categorical_builder.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/core/profile/format.h"
#include "server/core/profile/limits.h"

namespace greengate::profile {
namespace {

// Ranking shared by folding and Finish(): larger count first, then smaller name.
template <typename Entry>
bool RanksBefore(const Entry& a, const Entry& b) {
  if (a->second != b->second) return a->second > b->second;
  return a->first < b->first;
}

}  // namespace

absl::StatusOr<CategoricalBuilder> CategoricalBuilder::Create(CategoricalBuilderOptions options) {
  if (options.max_categories < 1 || options.max_categories > kMaxCategories) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_categories: must be in [1, ", kMaxCategories, "], got ", options.max_categories));
  }
  if (options.tracked_categories < options.max_categories ||
      options.tracked_categories > kMaxTrackedCategories) {
    return absl::InvalidArgumentError(
        absl::StrCat("tracked_categories: must be in [max_categories, ", kMaxTrackedCategories,
                     "] = [", options.max_categories, ", ", kMaxTrackedCategories, "], got ",
                     options.tracked_categories));
  }
  CategoricalBuilder builder(options);
  if (options.reference != nullptr) {
    const CategoricalProfile& reference = *options.reference;
    if (static_cast<int64_t>(reference.counts.size()) > kMaxCategories) {
      return absl::InvalidArgumentError(absl::StrCat("reference: lists ", reference.counts.size(),
                                                     " categories; at most ", kMaxCategories,
                                                     " are allowed"));
    }
    builder.reference_aligned_ = true;
    builder.fold_unlisted_ = reference.other > 0;
    // A profile lists at most kMaxCategories: the reference's, then unseen ones.
    builder.max_categories_ = std::min<int64_t>(
        options.max_categories, kMaxCategories - static_cast<int64_t>(reference.counts.size()));
    builder.reference_counts_.reserve(reference.counts.size());
    for (const auto& entry : reference.counts) builder.reference_counts_.emplace(entry.first, 0);
  }
  return builder;
}

CategoricalBuilder::CategoricalBuilder(CategoricalBuilderOptions options)
    : max_categories_(options.max_categories), tracked_categories_(options.tracked_categories) {}

void CategoricalBuilder::Add(std::string_view value) {
  if (value.empty()) {
    AddMissing();
    return;
  }
  ++count_;
  if (static_cast<int64_t>(value.size()) > kMaxCategoryNameBytes) {
    ++other_;
    return;
  }
  if (reference_aligned_) {
    const auto listed = reference_counts_.find(internal::AsAbsl(value));
    if (listed != reference_counts_.end()) {
      ++listed->second;
      return;
    }
    if (fold_unlisted_) {
      ++other_;
      return;
    }
  }
  AddUnlisted(value);
}

void CategoricalBuilder::AddUnlisted(std::string_view value) {
  const auto [it, inserted] = counts_.try_emplace(internal::AsAbsl(value), 0);
  ++it->second;
  if (inserted && static_cast<int64_t>(counts_.size()) > tracked_categories_) FoldRarest();
}

void CategoricalBuilder::AddMissing() {
  ++count_;
  ++missing_;
}

// Halving the table (never below max_categories) makes a fold O(table) once per
// table/2 new categories: amortised O(1) per value.
void CategoricalBuilder::FoldRarest() {
  using Iterator = absl::flat_hash_map<std::string, int64_t>::iterator;
  const std::size_t keep =
      static_cast<std::size_t>(std::max(max_categories_, tracked_categories_ / 2));
  std::vector<Iterator> entries;
  entries.reserve(counts_.size());
  for (auto it = counts_.begin(); it != counts_.end(); ++it) entries.push_back(it);
  std::nth_element(entries.begin(), entries.begin() + keep, entries.end(), RanksBefore<Iterator>);
  // Erasing from a flat_hash_map invalidates only the erased element's iterator.
  for (auto it = entries.begin() + keep; it != entries.end(); ++it) {
    other_ += (*it)->second;
    counts_.erase(*it);
  }
}

CategoricalProfile CategoricalBuilder::Finish() const {
  CategoricalProfile p;
  p.counts.insert(counts_.begin(), counts_.end());
  p.other = other_;
  KeepTopCategories(max_categories_, &p);
  if (reference_aligned_) {
    p.reference_aligned = true;
    for (const auto& entry : p.counts) p.unseen.insert(p.unseen.end(), entry.first);
    p.counts.insert(reference_counts_.begin(), reference_counts_.end());
  }
  return p;
}

void KeepTopCategories(int64_t max_categories, CategoricalProfile* profile) {
  const std::size_t keep = static_cast<std::size_t>(std::max<int64_t>(max_categories, 0));
  if (profile->counts.size() <= keep) return;
  using Iterator = std::map<std::string, int64_t>::iterator;
  std::vector<Iterator> entries;
  entries.reserve(profile->counts.size());
  for (auto it = profile->counts.begin(); it != profile->counts.end(); ++it) {
    entries.push_back(it);
  }
  std::nth_element(entries.begin(), entries.begin() + keep, entries.end(), RanksBefore<Iterator>);
  for (auto it = entries.begin() + keep; it != entries.end(); ++it) {
    profile->other += (*it)->second;
    profile->counts.erase(*it);
  }
}

}  // namespace greengate::profile
