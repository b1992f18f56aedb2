#pragma once

// Size limits on a profile. They bound the memory and CPU a single request can cost the
// server, and are generous for real pipelines: a profile at every limit is still far larger
// than anything the CLI writes by default. Validation (validate.h) enforces them and the
// builders (builder.h) never exceed them.

#include <cstdint>

namespace greengate::profile {

inline constexpr int64_t kMaxFeatures = 10'000;
inline constexpr int64_t kMaxBinEdges = 10'000;     // per numeric feature
inline constexpr int64_t kMaxSampleSize = 100'000;  // reservoir values per numeric feature
// Rows of the joint sample (multivariate tests). Smaller than kMaxSampleSize: the MMD test
// costs time quadratic in the rows of both sides.
inline constexpr int64_t kMaxJointSampleRows = 10'000;
// The multivariate tests need at least two rows (a variance, a bandwidth); a profile of fewer
// complete rows carries no joint sample.
inline constexpr int64_t kMinJointSampleRows = 2;
inline constexpr int64_t kMaxCategories = 100'000;      // kept categories per feature
inline constexpr int64_t kMaxCategoryNameBytes = 1024;  // bytes of one category value
inline constexpr int64_t kMaxFeatureNameBytes = 256;    // bytes of a feature name

}  // namespace greengate::profile
