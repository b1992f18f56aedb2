// BuilderOptions() and CurrentBuilderOptions() (csv_profiler.h): the options behind every
// profile the CLI and the Python package make. Apart from the CSV reader, so the Python
// extension links them without it.

#include <algorithm>

#include "client/csv_profiler.h"
#include "server/core/profile/builder.h"

namespace greengate::client {
namespace {

// `defaults` with the options that `options` sets.
profile::ProfileBuilderOptions Override(profile::ProfileBuilderOptions b,
                                        const CsvProfileOptions& options) {
  if (options.sample_size) b.sample_capacity = *options.sample_size;
  if (options.joint_sample_size) b.joint_sample_capacity = *options.joint_sample_size;
  if (options.top_k) b.max_categories = *options.top_k;
  if (options.seed) b.seed = *options.seed;
  // Tracking fewer categories than are kept is not allowed; tracking more costs memory only.
  b.tracked_categories = std::max(b.tracked_categories, b.max_categories);
  return b;
}

profile::ProfileBuilderOptions Defaults() {
  profile::ProfileBuilderOptions b;
  b.sample_capacity = kDefaultCsvSampleSize;
  b.max_categories = kDefaultCsvTopK;
  b.seed = kDefaultCsvSeed;
  return b;
}

}  // namespace

profile::ProfileBuilderOptions BuilderOptions(const CsvProfileOptions& options) {
  return Override(Defaults(), options);
}

profile::ProfileBuilderOptions CurrentBuilderOptions(const CsvProfileOptions& options,
                                                     const profile::DataProfile& reference) {
  profile::ProfileBuilderOptions b = profile::ReferenceOptions(reference, Defaults());
  // A reference of an older client records no options: a current profile still carries a
  // joint sample whenever its reference does, since the multivariate tests need both.
  if (!reference.options && reference.joint.has_value()) {
    b.joint_sample_capacity = reference.joint->rows;
  }
  return Override(b, options);
}

int64_t MergeTopK(const std::vector<profile::DataProfile>& shards) {
  if (!shards.empty() && shards.front().options && shards.front().options->top_k > 0) {
    return shards.front().options->top_k;
  }
  return kDefaultCsvTopK;
}

}  // namespace greengate::client
