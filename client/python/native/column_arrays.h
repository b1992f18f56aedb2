#pragma once

// numpy arrays as the columns of a profile::ColumnTable: numbers read a block at a time into
// doubles (no copy for contiguous float64), text as views of the Python strings' UTF-8.
// MakeColumnArray() and MakeColumnTable() need the GIL; the table's reader does not (it takes
// the GIL only to read object arrays), so profiling can run with the GIL released.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "server/core/profile/columns.h"

namespace greengate::python {

// One column as the Python side hands it over (see greengate/_columns.py):
//   ("numeric", array)                 array of a float, int or uint dtype; NaN/inf missing
//   ("codes", codes, categories)       integer codes into a list of str; code < 0 missing
//   ("objects", array, sentinels)      object array: None, float NaN and the objects in the
//                                      tuple `sentinels` are missing, else str(value) is the
//                                      category
class ColumnArray {
 public:
  virtual ~ColumnArray() = default;
  virtual int64_t rows() const = 0;
  virtual profile::FeatureKind kind() const = 0;
  // Rows [begin, begin + count) into `slice`; the spans live until the next call. Callable
  // without the GIL.
  virtual absl::Status Read(int64_t begin, int64_t count, profile::ColumnSlice* slice) = 0;
};

// The column described by `spec` (a tuple as above) for feature `name`. Throws
// std::invalid_argument naming the feature for an unknown form or dtype.
std::unique_ptr<ColumnArray> MakeColumnArray(const std::string& name, const pybind11::tuple& spec);

// A table over `columns`, named `names` (same length; every column the same length, else
// std::invalid_argument naming the column). The table reads from `columns`, which must
// outlive it.
profile::ColumnTable MakeColumnTable(const std::vector<std::string>& names,
                                     std::vector<std::unique_ptr<ColumnArray>>& columns);

}  // namespace greengate::python
