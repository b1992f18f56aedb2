#include "column_arrays.h"

#include <cmath>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace greengate::python {
namespace py = pybind11;
namespace {

using profile::ColumnSlice;
using profile::FeatureKind;

// Numbers of any float, int or uint dtype, strided or not, as doubles (what the CSV text
// of the same values parses to: integers beyond 2^53 round to the nearest double either way).
// Reads without the GIL: everything Read() needs is taken from the array up front.
class NumericArray final : public ColumnArray {
 public:
  explicit NumericArray(py::array array)
      : array_(std::move(array)),
        data_(static_cast<const char*>(array_.data())),
        stride_(array_.strides(0)),
        rows_(array_.shape(0)),
        kind_(array_.dtype().kind()),
        itemsize_(array_.dtype().itemsize()) {}
  int64_t rows() const override { return rows_; }
  FeatureKind kind() const override { return FeatureKind::kNumeric; }

  absl::Status Read(int64_t begin, int64_t count, ColumnSlice* slice) override {
    const char* base = data_ + begin * stride_;
    if (kind_ == 'f' && itemsize_ == 8 && stride_ == 8) {
      slice->numeric = {reinterpret_cast<const double*>(base), static_cast<std::size_t>(count)};
      return absl::OkStatus();
    }
    scratch_.resize(count);
    switch (kind_) {
      case 'f':
        if (itemsize_ == 8)
          Convert<double>(base, count);
        else
          Convert<float>(base, count);
        break;
      case 'i':
        if (itemsize_ == 8)
          Convert<int64_t>(base, count);
        else if (itemsize_ == 4)
          Convert<int32_t>(base, count);
        else if (itemsize_ == 2)
          Convert<int16_t>(base, count);
        else
          Convert<int8_t>(base, count);
        break;
      default:
        if (itemsize_ == 8)
          Convert<uint64_t>(base, count);
        else if (itemsize_ == 4)
          Convert<uint32_t>(base, count);
        else if (itemsize_ == 2)
          Convert<uint16_t>(base, count);
        else
          Convert<uint8_t>(base, count);
    }
    slice->numeric = scratch_;
    return absl::OkStatus();
  }

 private:
  template <typename T>
  void Convert(const char* base, int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
      T value;
      std::memcpy(&value, base + i * stride_, sizeof(T));
      scratch_[i] = static_cast<double>(value);
    }
  }

  py::array array_;  // keeps data_ alive
  const char* data_;
  py::ssize_t stride_;
  int64_t rows_;
  char kind_;
  py::ssize_t itemsize_;
  std::vector<double> scratch_;
};

// Integer codes into a list of categories (pandas.Categorical, and bools as "False"/"True").
// Reads without the GIL.
class CodesArray final : public ColumnArray {
 public:
  CodesArray(py::array codes, const py::sequence& categories)
      : codes_(std::move(codes)),
        data_(static_cast<const char*>(codes_.data())),
        stride_(codes_.strides(0)),
        rows_(codes_.shape(0)),
        itemsize_(codes_.dtype().itemsize()) {
    for (const py::handle category : categories) categories_.push_back(py::str(category));
  }
  int64_t rows() const override { return rows_; }
  FeatureKind kind() const override { return FeatureKind::kCategorical; }

  absl::Status Read(int64_t begin, int64_t count, ColumnSlice* slice) override {
    views_.resize(count);
    const char* base = data_ + begin * stride_;
    for (int64_t i = 0; i < count; ++i) {
      int64_t code = 0;
      const char* p = base + i * stride_;
      if (itemsize_ == 1)
        code = *reinterpret_cast<const int8_t*>(p);
      else if (itemsize_ == 2)
        code = *reinterpret_cast<const int16_t*>(p);
      else if (itemsize_ == 4)
        code = *reinterpret_cast<const int32_t*>(p);
      else
        code = *reinterpret_cast<const int64_t*>(p);
      if (code >= static_cast<int64_t>(categories_.size())) {
        return absl::InvalidArgumentError(
            absl::StrCat("row ", begin + i, ": category code ", code, " is out of range"));
      }
      views_[i] = code < 0 ? std::string_view() : std::string_view(categories_[code]);
    }
    slice->categorical = views_;
    return absl::OkStatus();
  }

 private:
  py::array codes_;  // keeps data_ alive
  const char* data_;
  py::ssize_t stride_;
  int64_t rows_;
  py::ssize_t itemsize_;
  std::vector<std::string> categories_;
  std::vector<std::string_view> views_;
};

// An object array: str values are viewed in place (CPython keeps their UTF-8), others are
// str()-ed into the block's own storage, as pandas.to_csv writes them. None, float NaN and the
// given sentinels (pandas.NA, pandas.NaT) are missing, as to_csv writes them empty. Reads
// Python objects, so Read() takes the GIL.
class ObjectArray final : public ColumnArray {
 public:
  ObjectArray(py::array objects, py::tuple missing)
      : objects_(std::move(objects)), missing_(std::move(missing)), rows_(objects_.shape(0)) {}
  int64_t rows() const override { return rows_; }
  FeatureKind kind() const override { return FeatureKind::kCategorical; }

  absl::Status Read(int64_t begin, int64_t count, ColumnSlice* slice) override {
    py::gil_scoped_acquire gil;
    views_.resize(count);
    converted_.clear();
    const char* base = static_cast<const char*>(objects_.data());
    for (int64_t i = 0; i < count; ++i) {
      const int64_t row = begin + i;
      PyObject* value = *reinterpret_cast<PyObject* const*>(base + row * objects_.strides(0));
      if (PyUnicode_Check(value)) {
        Py_ssize_t size = 0;
        const char* utf8 = PyUnicode_AsUTF8AndSize(value, &size);
        if (utf8 == nullptr) {
          PyErr_Clear();
          return absl::InvalidArgumentError(
              absl::StrCat("row ", row, ": the value is not encodable as UTF-8"));
        }
        views_[i] = std::string_view(utf8, size);
      } else if (IsMissing(value)) {
        views_[i] = {};
      } else {
        converted_.push_back(py::str(py::handle(value)));
        views_[i] = converted_.back();
      }
    }
    slice->categorical = views_;
    return absl::OkStatus();
  }

 private:
  bool IsMissing(PyObject* value) const {
    if (value == Py_None) return true;
    if (PyFloat_Check(value)) return std::isnan(PyFloat_AS_DOUBLE(value));
    for (const py::handle sentinel : missing_) {
      if (value == sentinel.ptr()) return true;
    }
    return false;
  }

  py::array objects_;
  py::tuple missing_;
  int64_t rows_;
  std::vector<std::string_view> views_;
  std::deque<std::string> converted_;  // a deque never moves its strings: views stay valid
};

}  // namespace

std::unique_ptr<ColumnArray> MakeColumnArray(const std::string& name, const py::tuple& spec) {
  const std::string form = spec.size() > 0 ? std::string(py::str(spec[0])) : std::string();
  const auto fail = [&name](const std::string& why) {
    throw std::invalid_argument(absl::StrCat("column '", name, "': ", why));
  };
  std::unique_ptr<ColumnArray> column;
  if (form == "numeric" && spec.size() == 2) {
    py::array array = spec[1].cast<py::array>();
    const char kind = array.dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u') fail("not a numeric dtype");
    if (kind == 'f' && array.dtype().itemsize() != 8 && array.dtype().itemsize() != 4) {
      fail("float dtype " + std::string(py::str(array.dtype())) + " is not supported");
    }
    if (!array.dtype().attr("isnative").cast<bool>()) fail("the array is not in native byte order");
    column = std::make_unique<NumericArray>(array);
  } else if (form == "codes" && spec.size() == 3) {
    py::array codes = spec[1].cast<py::array>();
    if (codes.dtype().kind() != 'i') fail("category codes must be signed integers");
    if (!codes.dtype().attr("isnative").cast<bool>())
      fail("the codes are not in native byte order");
    column = std::make_unique<CodesArray>(codes, spec[2].cast<py::sequence>());
  } else if (form == "objects" && spec.size() == 3) {
    py::array objects = spec[1].cast<py::array>();
    if (objects.dtype().kind() != 'O') fail("not an object array");
    column = std::make_unique<ObjectArray>(objects, spec[2].cast<py::tuple>());
  } else {
    fail("unknown column form '" + form + "'");
  }
  return column;
}

profile::ColumnTable MakeColumnTable(const std::vector<std::string>& names,
                                     std::vector<std::unique_ptr<ColumnArray>>& columns) {
  if (names.size() != columns.size()) {
    throw std::invalid_argument("names and columns differ in length");
  }
  profile::ColumnTable table;
  table.rows = columns.empty() ? 0 : columns[0]->rows();
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i]->rows() != table.rows) {
      throw std::invalid_argument(absl::StrCat("column '", names[i], "': has ", columns[i]->rows(),
                                               " rows; the first column has ", table.rows));
    }
    table.schema.push_back({names[i], columns[i]->kind()});
  }
  table.read = [&columns, &names](std::size_t feature, int64_t begin, int64_t rows,
                                  profile::ColumnSlice* slice) {
    const absl::Status read = columns[feature]->Read(begin, rows, slice);
    if (read.ok()) return read;
    return absl::Status(read.code(),
                        absl::StrCat("column '", names[feature], "': ", read.message()));
  };
  return table;
}

}  // namespace greengate::python
