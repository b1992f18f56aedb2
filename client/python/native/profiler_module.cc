// greengate._profiler: the C++ profiler and profile merge, for the greengate Python package.
// Profiles cross the boundary as serialized greengate.v1.DataProfile messages, mapped to and
// from the core's values by the same code as the service and the CLI (server/mapping).

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/codecarbon.h"
#include "client/connection.h"
#include "client/csv_profiler.h"
#include "column_arrays.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "greengate/v1/greengate.pb.h"
#include "server/common/worker_threads.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/columns.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/merge.h"
#include "server/mapping/profile_mapping.h"

namespace greengate::python {
namespace {
namespace py = pybind11;

// InvalidArgument becomes ValueError (the package re-raises it as greengate.InvalidArgument);
// anything else is a RuntimeError carrying the code's name.
[[noreturn]] void Throw(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    throw std::invalid_argument(std::string(status.message()));
  }
  throw std::runtime_error(
      absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message()));
}

template <typename T>
T ValueOrThrow(absl::StatusOr<T> value) {
  if (!value.ok()) Throw(value.status());
  return *std::move(value);
}

profile::DataProfile ParseProfile(const py::bytes& serialized, const std::string& field) {
  v1::DataProfile proto;
  if (!proto.ParseFromString(std::string(serialized))) {
    throw std::invalid_argument(field + ": is not a serialized greengate.v1.DataProfile");
  }
  return ValueOrThrow(mapping::ProfileFromProto(proto, field));
}

// Deterministic (map entries sorted by key), as the CLI's binary profiles: the same data
// and seed give the same bytes, which Dask's graph hashes.
py::bytes SerializeProfile(const profile::DataProfile& profile) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    (void)mapping::ProfileToProto(profile).SerializeToCodedStream(&coded);
  }
  return py::bytes(bytes);
}

// `greengate profile`'s options from the package's arguments, each unset (None) one taking
// the CLI's default, or on a reference the reference's recorded value: the very functions the
// CLI uses (client::BuilderOptions(), CurrentBuilderOptions()), so the two give one profile.
profile::ProfileBuilderOptions BuilderOptions(std::optional<int64_t> sample_size,
                                              std::optional<int64_t> top_k,
                                              std::optional<uint64_t> seed,
                                              std::optional<int64_t> joint_sample_size,
                                              const profile::DataProfile* reference) {
  client::CsvProfileOptions options;
  options.sample_size = sample_size;
  options.top_k = top_k;
  options.seed = seed;
  options.joint_sample_size = joint_sample_size;
  return reference == nullptr ? client::BuilderOptions(options)
                              : client::CurrentBuilderOptions(options, *reference);
}

py::bytes ProfileColumns(const std::vector<std::string>& names, const py::list& specs,
                         const std::optional<py::bytes>& reference, int bins,
                         std::optional<int64_t> sample_size, std::optional<int64_t> top_k,
                         std::optional<uint64_t> seed, std::optional<int64_t> joint_sample_size,
                         int64_t block_rows, int threads) {
  std::vector<std::unique_ptr<ColumnArray>> columns;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    columns.push_back(MakeColumnArray(i < names.size() ? names[i] : "?", specs[i]));
  }
  const profile::ColumnTable table = MakeColumnTable(names, columns);
  if (threads < 0) throw std::invalid_argument("threads: must be >= 0 (0: the machine's)");
  threads = ProfilingThreads(threads);  // as the CLI's --threads
  std::optional<profile::DataProfile> on;
  if (reference.has_value()) on = ParseProfile(*reference, "reference");
  const auto options =
      BuilderOptions(sample_size, top_k, seed, joint_sample_size, on.has_value() ? &*on : nullptr);
  absl::StatusOr<profile::DataProfile> built;
  {
    // Other Python threads (a Dask worker's heartbeats, an asyncio loop's) run meanwhile;
    // the reader takes the GIL back for object columns only.
    py::gil_scoped_release release;
    built = on.has_value()
                ? profile::ProfileColumnsOn(table, *on, options, block_rows, threads)
                : profile::ProfileReferenceColumns(table, options, bins, block_rows, threads);
    if (built.ok()) {
      const absl::Status usable =
          profile::CheckBuiltProfile(*built, "data", !on.has_value(), "exclude=");
      if (!usable.ok()) built = usable;
    }
  }
  return SerializeProfile(ValueOrThrow(std::move(built)));
}

// An option left unset takes what the shards recorded (they record the same options): their
// top-K, as `greengate profile merge` without --top-k, and their reservoir size (without a
// recorded size, 0: inferred from the samples, profile::MergeOptions).
py::bytes MergeProfiles(const std::vector<py::bytes>& shards, uint64_t seed,
                        std::optional<int64_t> sample_capacity,
                        std::optional<int64_t> max_categories) {
  std::vector<profile::DataProfile> parsed;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    parsed.push_back(ParseProfile(shards[i], absl::StrCat("profiles[", i, "]")));
  }
  const std::optional<profile::ProfileOptions> recorded =
      parsed.empty() ? std::nullopt : parsed.front().options;
  profile::MergeOptions options;
  options.seed = seed;
  options.sample_capacity =
      sample_capacity.value_or(recorded && recorded->sample_size > 0 ? recorded->sample_size : 0);
  options.max_categories = max_categories.value_or(client::MergeTopK(parsed));
  return SerializeProfile(ValueOrThrow(profile::MergeAll(parsed, options)));
}

std::vector<double> QuantileEdges(std::vector<double> sample, int bins) {
  std::sort(sample.begin(), sample.end());
  return ValueOrThrow(profile::QuantileEdges(sample, bins));
}

// What `greengate report-outcome --codecarbon` reads from an emissions.csv (client/codecarbon.h).
py::dict ReadCodeCarbon(const std::string& path, bool all_runs) {
  const client::CodeCarbonTotals totals = ValueOrThrow(client::ReadCodeCarbonFile(path, all_runs));
  py::dict out;
  out["energy_kwh"] = totals.energy_kwh;
  out["co2e_kg"] = totals.co2e_kg;
  out["duration_s"] = totals.duration_s;
  out["runs"] = totals.runs;
  out["rows"] = totals.rows;
  return out;
}

// The bearer token of a token file, by the CLI's rules (--token-file).
std::string ReadTokenFile(const std::string& path) {
  return ValueOrThrow(client::ReadTokenFile(path));
}

}  // namespace
}  // namespace greengate::python

PYBIND11_MODULE(_profiler, m) {
  namespace py = pybind11;
  using namespace greengate::python;
  m.doc() = "greengate's C++ profiler and profile merge (use greengate.profile / merge)";
  m.def(
      "profile_columns", &ProfileColumns, py::arg("names"), py::arg("columns"),
      py::arg("reference"), py::arg("bins"), py::arg("sample_size"), py::arg("top_k"),
      py::arg("seed"), py::arg("joint_sample_size"), py::arg("block_rows"), py::arg("threads"),
      "Serialized DataProfile of columns given as (form, ...) tuples; see greengate/_columns.py.");
  m.def("merge", &MergeProfiles, py::arg("profiles"), py::arg("seed"), py::arg("sample_capacity"),
        py::arg("max_categories"),
        "Serialized DataProfile of the union of the serialized profiles' data.");
  m.def("quantile_edges", &QuantileEdges, py::arg("sample"), py::arg("bins"),
        "Bin edges at the quantiles of a sample, as a reference profile's.");
  m.def("read_codecarbon", &ReadCodeCarbon, py::arg("path"), py::arg("all_runs"),
        "Energy, CO2e and duration of a CodeCarbon emissions.csv, as the CLI reads it.");
  m.def("edge_sample_capacity", &greengate::profile::EdgeSampleCapacity, py::arg("bins"),
        "Values a reference's pass 1 draws to place `bins` quantile edges.");
  // `greengate profile`'s defaults, so the package's cannot drift from them.
  const greengate::client::CsvProfileOptions defaults;
  m.attr("DEFAULT_BINS") = defaults.bins;
  m.attr("DEFAULT_SAMPLE_SIZE") = greengate::client::kDefaultCsvSampleSize;
  m.attr("DEFAULT_TOP_K") = greengate::client::kDefaultCsvTopK;
  m.attr("DEFAULT_SEED") = greengate::client::kDefaultCsvSeed;
  m.def("read_token_file", &ReadTokenFile, py::arg("path"),
        "The bearer token in a token file, by the CLI's rules (--token-file).");
}
