#pragma once

// Checks and preparation of one-dimensional samples shared by the sample-based tests.
// Internal to the drift module. Pure and thread-safe.

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace greengate::drift::internal {

// OK if `values` is non-empty, NaN-free and sorted ascending; else InvalidArgument naming
// `field`. O(n).
absl::Status CheckSortedSample(absl::Span<const double> values, std::string_view field);

// A sorted copy of `values`; InvalidArgument naming `field` if empty or holding a NaN.
// O(n log n) (a radix sort, O(n), from 2048 values on).
absl::StatusOr<std::vector<double>> SortedCopy(absl::Span<const double> values,
                                               std::string_view field);

// SortInto()
//
// SortedCopy() into `*out` (resized), so that a caller can reuse its buffer: a fresh buffer
// of a large sample is page-faulted in on every call, which costs as much as the sort.
absl::Status SortInto(absl::Span<const double> values, std::string_view field,
                      std::vector<double>* out);

// WithSortedCurrent()
//
// The shape of every test that takes a sorted reference and an unsorted current sample:
// checks the reference (CheckSortedSample, field "reference_sorted"), sorts `current` (field
// "current") into a per-thread buffer that is reused across calls, and returns
// test(reference_sorted, current_sorted). `test` must not call WithSortedCurrent itself.
template <typename Test>
auto WithSortedCurrent(absl::Span<const double> reference_sorted, absl::Span<const double> current,
                       Test test) -> decltype(test(reference_sorted, absl::Span<const double>())) {
  if (absl::Status s = CheckSortedSample(reference_sorted, "reference_sorted"); !s.ok()) return s;
  thread_local std::vector<double> current_sorted;
  if (absl::Status s = SortInto(current, "current", &current_sorted); !s.ok()) return s;
  return test(reference_sorted, absl::Span<const double>(current_sorted));
}

}  // namespace greengate::drift::internal
