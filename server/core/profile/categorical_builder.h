#pragma once

// Streaming construction of one categorical feature's profile in bounded memory: counts of
// the most frequent categories, everything else in `other`.
//
// The approximation: counts are exact while a feature has at most `tracked_categories`
// distinct values. Past that, each time the table overflows, its least frequent half is
// folded into `other` and forgotten; a folded category that comes back starts again from
// zero. So the kept counts are lower bounds (undercounting only values first seen, folded,
// then seen again), a category frequent enough to stay in the table is counted exactly from
// its first appearance, and counts plus other always equal the non-missing values exactly.
// Finish() then keeps the `max_categories` largest counts. Ties rank by name, so the result
// depends only on the input and its order.
//
// On a reference (CategoricalBuilderOptions::reference, for a current profile): the
// reference's listed categories are counted exactly, never folded, and all kept (zeros
// included). Other categories are genuinely new when the reference listed every category it
// saw (its `other` is 0): they are counted as above and the `max_categories` largest kept
// and named in `unseen`. When the reference folded categories into its `other`, an unlisted
// category may be one it folded, so it counts in `other`. See CategoricalProfile.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "server/core/profile/profile.h"

namespace greengate::profile {

inline constexpr int64_t kDefaultMaxCategories = 1000;
inline constexpr int64_t kDefaultTrackedCategories = 10'000;
// Upper bound on `tracked_categories`, which bounds the builder's memory.
inline constexpr int64_t kMaxTrackedCategories = 10'000'000;

// Options of a CategoricalBuilder.
struct CategoricalBuilderOptions {
  // Categories kept in the finished profile (top-K by count), in [1, kMaxCategories].
  int64_t max_categories = kDefaultMaxCategories;
  // Distinct categories counted at once before the rarest are folded into `other`, in
  // [max_categories, kMaxTrackedCategories]. Larger is more exact and uses more memory.
  int64_t tracked_categories = kDefaultTrackedCategories;
  // A current profile's reference feature, or null for a profile of its own. Only read by
  // Create(), which copies the category names.
  const CategoricalProfile* reference = nullptr;
};

// CategoricalBuilder accumulates one categorical feature. Not thread-safe; copyable.
class CategoricalBuilder {
 public:
  // Create()
  //
  // InvalidArgument, naming the option, when the options are out of range.
  static absl::StatusOr<CategoricalBuilder> Create(CategoricalBuilderOptions options = {});

  // Add()
  //
  // Counts one value; the empty string counts as missing. A value longer than
  // kMaxCategoryNameBytes cannot be a kept category and counts in `other`. Amortised O(1).
  void Add(std::string_view value);

  // AddMissing()
  //
  // Counts one missing value.
  void AddMissing();

  // Values seen, missing included; and missing values alone.
  int64_t count() const { return count_; }
  int64_t missing() const { return missing_; }

  // Finish()
  //
  // The profile of the values so far, top `max_categories` kept (the builder stays usable).
  CategoricalProfile Finish() const;

 private:
  explicit CategoricalBuilder(CategoricalBuilderOptions options);

  void FoldRarest();
  void AddUnlisted(std::string_view value);

  int64_t max_categories_;
  int64_t tracked_categories_;
  // On a reference: its listed categories, counted exactly; and whether categories it does
  // not list count in `other` (it folded some) or are tracked in counts_ as unseen ones.
  bool reference_aligned_ = false;
  bool fold_unlisted_ = false;
  absl::flat_hash_map<std::string, int64_t> reference_counts_;
  absl::flat_hash_map<std::string, int64_t> counts_;
  int64_t other_ = 0;
  int64_t count_ = 0;
  int64_t missing_ = 0;
};

// KeepTopCategories()
//
// Folds all but the `max_categories` (>= 0) largest counts of `profile` into its `other`.
// Ties rank by name (the smaller name is kept), so the result is deterministic. Used by the
// builder and by Merge. Not thread-safe on `profile`.
void KeepTopCategories(int64_t max_categories, CategoricalProfile* profile);

}  // namespace greengate::profile
