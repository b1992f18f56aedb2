#pragma once

// The registry of drift tests a policy may choose by name per feature
// (DriftOptions::feature_tests) instead of the default selection by type and size, and the
// running of the chosen one. Adding a test is one row in test_registry.cc's table (plus its
// statistic where it lives). Pure and thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/core/drift/drift.h"
#include "server/core/drift/feature_drift.h"
#include "server/core/profile/profile.h"

namespace greengate::drift {

// FeatureTestNames()
//
// Every test name DriftOptions::feature_tests accepts, sorted.
const std::vector<std::string>& FeatureTestNames();

// ValidateFeatureTest()
//
// OK if `test` is one of FeatureTestNames(); else InvalidArgument naming `field` and listing
// the accepted names.
absl::Status ValidateFeatureTest(std::string_view test, std::string_view field);

// ValidateFeatureTestFor()
//
// OK if the named test can run on `reference` (the reference's feature it is chosen for):
// a sample test (ks, cramer_von_mises, anderson_darling, wasserstein_norm, energy_distance)
// needs a numeric feature whose reference holds a sample (cramer_von_mises: of at least 2
// values); "z" needs a categorical feature of at most 2 categories as the test counts them
// (the listed ones, and `other` as one more when it holds rows); the count tests apply to
// either kind. Else InvalidArgument naming `field`. RunSelectedTest applies the same check
// before it runs, so a policy and a reference stored after passing it cannot fail it later.
// What the current data must also have (a sample, at most 2 categories in all) is checked
// when the test runs.
absl::Status ValidateFeatureTestFor(std::string_view test, const profile::FeatureProfile& reference,
                                    std::string_view field);

namespace internal {

// RunSelectedTest()
//
// Runs the named test on one feature and fills a FeatureDrift as CompareNumeric() does
// (effect sizes included; p-value tests are decided after the correction). InvalidArgument,
// naming `field` (the option's path), when the test does not apply: an unknown name, a
// reference ValidateFeatureTestFor refuses, a current side without a sample (sample tests)
// or bringing categories beyond two ("z").
absl::StatusOr<FeatureDrift> RunSelectedTest(const profile::FeatureProfile& reference,
                                             const profile::FeatureProfile& current,
                                             std::string_view test, const DriftOptions& options,
                                             FeatureFields fields, std::string_view field);

}  // namespace internal
}  // namespace greengate::drift
