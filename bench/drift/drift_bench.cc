// drift_bench: times the drift core on data written by bench/drift/bench.py (raw float64
// files, one feature after another: feature f's rows at [f * rows, (f + 1) * rows)).
//
//   drift_bench ks   REF CUR FEATURES ROWS
//       per feature: KS of the stored-sorted reference against the unsorted current sample
//       (one sort of it + the merge walk + the p-value), and one std::sort of the current
//       sample alone for comparison.
//   drift_bench hist REF CUR FEATURES ROWS BINS
//       per feature: one sort of the current sample, Wasserstein-1 on it (merge walk), the
//       current's counts on the reference's quantile edges read off the sorted sample (one
//       binary search per edge, no second pass over the values), PSI and Jensen-Shannon; the
//       reference side (sorted sample, edges, counts) is precomputed as a stored reference
//       profile is.
//   drift_bench mmd  REF CUR ROWS DIMS PERMUTATIONS THREADS
//       MMD^2 with median-heuristic bandwidth and the permutation p-value.
//   drift_bench profile-tests FEATURES ROWS
//       per feature, the tests a decision runs on two profiles of ROWS N(0, 1) rows a side
//       (reference on the default 1000-bin grid): KS and normed Wasserstein on the grid (every
//       row) against the same tests on the 2,000-value samples that profiles carried before
//       the grid (the peer: the previous default path), both in this run.
// Prints one line of key=value pairs; times in ms of thread CPU time (MMD: wall and process
// CPU time, its work being spread over threads).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "server/core/drift/distribution_comparison.h"
#include "server/core/drift/histogram_distances.h"
#include "server/core/drift/ks.h"
#include "server/core/drift/mmd.h"
#include "server/core/drift/sorted_sample.h"
#include "server/core/drift/wasserstein.h"
#include "server/core/profile/builder.h"

namespace {

// CPU time of the calling thread, so that other processes on a shared machine do not
// inflate the figures (the single-threaded sections); MMD also reports wall and process CPU.
struct Clock {
  using time_point = double;
  static double now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  }
};

double Ms(double start) { return Clock::now() - start; }

double ProcessCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

std::vector<double> Load(const char* path, size_t count) {
  std::vector<double> v(count);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(double)));
  if (!in) {
    std::fprintf(stderr, "drift_bench: cannot read %zu doubles from %s\n", count, path);
    std::exit(2);
  }
  return v;
}

int Ks(const char* ref_path, const char* cur_path, size_t features, size_t rows) {
  const std::vector<double> ref = Load(ref_path, features * rows);
  const std::vector<double> cur = Load(cur_path, features * rows);
  double ks_ms = 0, sort_ms = 0, checksum = 0;
  for (size_t f = 0; f < features; ++f) {
    std::vector<double> ref_sorted(ref.begin() + f * rows, ref.begin() + (f + 1) * rows);
    std::sort(ref_sorted.begin(), ref_sorted.end());  // stored sorted in a reference profile
    const absl::Span<const double> current(cur.data() + f * rows, rows);
    auto start = Clock::now();
    const auto r = greengate::drift::KolmogorovSmirnov(ref_sorted, current);
    ks_ms += Ms(start);
    if (!r.ok()) return 1;
    checksum += r->p_value;
    std::vector<double> copy(current.begin(), current.end());
    start = Clock::now();
    std::sort(copy.begin(), copy.end());
    sort_ms += Ms(start);
  }
  std::printf("ks_ms_per_feature=%.3f sort_ms_per_feature=%.3f sum_p=%.6g\n", ks_ms / features,
              sort_ms / features, checksum);
  return 0;
}

int Hist(const char* ref_path, const char* cur_path, size_t features, size_t rows, int bins) {
  const std::vector<double> ref = Load(ref_path, features * rows);
  const std::vector<double> cur = Load(cur_path, features * rows);
  // The reference profile: sorted sample, quantile edges and counts (not timed).
  std::vector<std::vector<double>> ref_sorted(features), edges(features), ref_counts(features);
  for (size_t f = 0; f < features; ++f) {
    ref_sorted[f].assign(ref.begin() + f * rows, ref.begin() + (f + 1) * rows);
    std::sort(ref_sorted[f].begin(), ref_sorted[f].end());
    for (int b = 1; b < bins; ++b) edges[f].push_back(ref_sorted[f][rows * b / bins]);
    ref_counts[f].assign(edges[f].size() + 1, 0.0);
    for (double v : ref_sorted[f]) {
      ref_counts[f][std::upper_bound(edges[f].begin(), edges[f].end(), v) - edges[f].begin()] += 1;
    }
  }
  double checksum = 0;
  std::vector<double> buffer;  // reused, as the drift engine's per-thread buffer is
  const std::vector<double>* sorted = &buffer;
  const auto start = Clock::now();
  for (size_t f = 0; f < features; ++f) {
    const absl::Span<const double> current(cur.data() + f * rows, rows);
    if (!greengate::drift::internal::SortInto(current, "current", &buffer).ok()) return 1;
    const auto w1 = greengate::drift::Wasserstein1Sorted(ref_sorted[f], *sorted);
    // Bin i is [e_{i-1}, e_i): its count is the number of values below e_i minus those
    // below e_{i-1}, both read off the sorted sample.
    std::vector<double> counts(edges[f].size() + 1, 0.0);
    size_t below_previous = 0;
    for (size_t b = 0; b <= edges[f].size(); ++b) {
      const size_t below =
          b == edges[f].size()
              ? sorted->size()
              : std::lower_bound(sorted->begin(), sorted->end(), edges[f][b]) - sorted->begin();
      counts[b] = static_cast<double>(below - below_previous);
      below_previous = below;
    }
    const auto psi = greengate::drift::PopulationStabilityIndex(ref_counts[f], counts);
    const auto js = greengate::drift::JensenShannonDistance(ref_counts[f], counts, 2.0);
    if (!w1.ok() || !psi.ok() || !js.ok()) return 1;
    checksum += *w1 + *psi + *js;
  }
  std::printf("hist_total_ms=%.3f features=%zu checksum=%.9g\n", Ms(start), features, checksum);
  return 0;
}

int Mmd(const char* ref_path, const char* cur_path, int rows, int dims, int permutations,
        int threads) {
  using greengate::drift::RowMatrix;
  const std::vector<double> ref = Load(ref_path, static_cast<size_t>(rows) * dims);
  const std::vector<double> cur = Load(cur_path, static_cast<size_t>(rows) * dims);
  const RowMatrix x = Eigen::Map<const RowMatrix>(ref.data(), rows, dims);
  const RowMatrix y = Eigen::Map<const RowMatrix>(cur.data(), rows, dims);
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = ProcessCpuMs();
  const auto r = greengate::drift::MmdTest(
      x, y, {.permutations = permutations, .seed = 0, .threads = threads});
  const double cpu_ms = ProcessCpuMs() - cpu_start;
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall_start)
          .count();
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
    return 1;
  }
  std::printf("mmd_ms=%.3f mmd_cpu_ms=%.3f mmd2=%.9g sigma=%.9g p=%.3g\n", ms, cpu_ms, r->mmd2,
              r->sigma, r->p_value);
  return 0;
}

int ProfileTests(size_t features, size_t rows) {
  namespace p = greengate::profile;
  namespace d = greengate::drift::internal;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  std::vector<p::FeatureSpec> schema;
  std::vector<std::vector<double>> ref(features, std::vector<double>(rows));
  std::vector<std::vector<double>> cur(features, std::vector<double>(rows));
  for (size_t f = 0; f < features; ++f) {
    schema.push_back({"x" + std::to_string(f)});
    for (double& v : ref[f]) v = normal(rng);
    for (double& v : cur[f]) v = normal(rng) + 0.05;
  }
  auto rows_of = [&](const std::vector<std::vector<double>>& t) {
    return [&t](p::ProfileBuilder& b) {
      for (size_t f = 0; f < t.size(); ++f) b.AddNumericValues(f, t[f]);
      b.EndBlock(static_cast<int64_t>(t[0].size()), {});
      return absl::OkStatus();
    };
  };
  const p::ProfileBuilderOptions options{.sample_capacity = 2000, .seed = 1};
  auto reference =
      p::BuildReferenceProfile(schema, options, p::kDefaultReferenceBins, rows_of(ref));
  auto builder = p::ProfileBuilder::ForReference(*reference, options);
  (void)rows_of(cur)(*builder);
  const p::DataProfile current = builder->Finish();
  p::DataProfile ref_sampled = *reference, cur_sampled = current;
  for (p::DataProfile* profile : {&ref_sampled, &cur_sampled}) {
    for (p::FeatureProfile& f : profile->features) {
      std::get<p::NumericProfile>(f.kind).edge_counts.clear();  // no grid: the sample path
    }
  }
  double ms[2][2] = {{0, 0}, {0, 0}};  // [grid, sample][ks, wasserstein]
  double checksum = 0;
  const d::DistributionStatistic tests[2] = {d::DistributionStatistic::kKolmogorovSmirnov,
                                             d::DistributionStatistic::kWassersteinNorm};
  for (int repeat = 0; repeat < 5; ++repeat) {
    for (size_t f = 0; f < features; ++f) {
      for (int t = 0; t < 2; ++t) {
        for (int side = 0; side < 2; ++side) {
          const p::DataProfile& r = side == 0 ? *reference : ref_sampled;
          const p::DataProfile& c = side == 0 ? current : cur_sampled;
          const double start = Clock::now();
          auto result = d::CompareDistributions(tests[t], r.features[f], c.features[f],
                                                {"reference", "current"}, "bench");
          ms[side][t] += Ms(start);
          if (!result.ok()) return 1;
          checksum += result->statistic;
        }
      }
    }
  }
  // Of the grid KS, the p-value alone: scipy's kstwo on the true sizes (n m / (n + m) of
  // 50,000 here), the same computation scipy makes on all the rows.
  double p_ms = 0;
  for (int repeat = 0; repeat < 5; ++repeat) {
    for (size_t f = 0; f < features; ++f) {
      const double start = Clock::now();
      const auto ks = greengate::drift::KolmogorovSmirnovFromStatistic(
          0.02 + 1e-6 * static_cast<double>(f), static_cast<int64_t>(rows),
          static_cast<int64_t>(rows));
      p_ms += Ms(start);
      checksum += ks.p_value;
    }
  }
  const double per = 5.0 * static_cast<double>(features);
  std::printf(
      "grid_ks_ms=%.4f kstwo_ms=%.4f sample_ks_ms=%.4f ks_ratio=%.2f grid_w1_ms=%.4f "
      "sample_w1_ms=%.4f w1_ratio=%.2f checksum=%.6g\n",
      ms[0][0] / per, p_ms / per, ms[1][0] / per, ms[1][0] / ms[0][0], ms[0][1] / per,
      ms[1][1] / per, ms[1][1] / ms[0][1], checksum);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "ks" && argc == 6) {
    return Ks(argv[2], argv[3], std::stoul(argv[4]), std::stoul(argv[5]));
  }
  if (mode == "hist" && argc == 7) {
    return Hist(argv[2], argv[3], std::stoul(argv[4]), std::stoul(argv[5]), std::stoi(argv[6]));
  }
  if (mode == "mmd" && argc == 8) {
    return Mmd(argv[2], argv[3], std::stoi(argv[4]), std::stoi(argv[5]), std::stoi(argv[6]),
               std::stoi(argv[7]));
  }
  if (mode == "profile-tests" && argc == 4) {
    return ProfileTests(std::stoul(argv[2]), std::stoul(argv[3]));
  }
  std::fprintf(stderr,
               "usage: drift_bench ks REF CUR FEATURES ROWS\n"
               "       drift_bench profile-tests FEATURES ROWS\n"
               "       drift_bench hist REF CUR FEATURES ROWS BINS\n"
               "       drift_bench mmd REF CUR ROWS DIMS PERMUTATIONS THREADS\n");
  return 2;
}
