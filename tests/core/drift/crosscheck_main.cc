// drift_crosscheck: reads test cases from a file, computes them with the drift core and prints
// "<id> <statistic> <p-value>" per case (p-value "nan" when the test has none), for
// tests/core/drift/scipy_crosscheck.py to compare with scipy.
//
// Input: one case per block:
//   <id> <test> <k>
//   <n> v1 ... vn        (k lines: the samples, or counts / values / weights)
// Tests: ks, cvm, ad (k >= 2 samples), wasserstein, energy (2 samples), wasserstein_w,
// energy_w (4 lines: u values, v values, u weights, v weights), chi2 (2 count rows),
// js2 / jse (2 count rows; Jensen-Shannon distance in base 2 / e).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "server/core/drift/anderson_darling.h"
#include "server/core/drift/chi_square.h"
#include "server/core/drift/cramer_von_mises.h"
#include "server/core/drift/energy_distance.h"
#include "server/core/drift/histogram_distances.h"
#include "server/core/drift/ks.h"
#include "server/core/drift/wasserstein.h"

namespace {

using greengate::drift::AndersonDarlingKSample;

std::vector<double> Sorted(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Statistic and p-value (NaN when none), or an error message.
struct Output {
  double statistic = NAN;
  double p_value = NAN;
  std::string error;
};

template <typename T>
bool Take(const absl::StatusOr<T>& r, Output& out) {
  if (!r.ok()) out.error = std::string(r.status().message());
  return r.ok();
}

Output Run(const std::string& test, const std::vector<std::vector<double>>& s) {
  namespace d = greengate::drift;
  Output out;
  if (test == "ks") {
    auto r = d::KolmogorovSmirnov(Sorted(s[0]), s[1]);
    if (Take(r, out)) out = {r->statistic, r->p_value, ""};
  } else if (test == "cvm") {
    auto r = d::CramerVonMises(Sorted(s[0]), s[1]);
    if (Take(r, out)) out = {r->statistic, r->p_value, ""};
  } else if (test == "ad") {
    std::vector<std::vector<double>> sorted;
    for (const auto& v : s) sorted.push_back(Sorted(v));
    std::vector<absl::Span<const double>> spans(sorted.begin(), sorted.end());
    auto r = AndersonDarlingKSample(spans);
    if (Take(r, out)) out = {r->statistic, r->significance_level, ""};
  } else if (test == "wasserstein") {
    auto r = d::Wasserstein1(Sorted(s[0]), s[1]);
    if (Take(r, out)) out.statistic = *r;
  } else if (test == "energy") {
    auto r = d::EnergyDistance(Sorted(s[0]), s[1]);
    if (Take(r, out)) out.statistic = *r;
  } else if (test == "wasserstein_w") {
    auto r = d::WeightedWasserstein1(s[0], s[2], s[1], s[3]);
    if (Take(r, out)) out.statistic = *r;
  } else if (test == "energy_w") {
    auto r = d::WeightedEnergyDistance(s[0], s[2], s[1], s[3]);
    if (Take(r, out)) out.statistic = *r;
  } else if (test == "chi2") {
    auto r = d::ChiSquareHomogeneity(s[0], s[1]);
    if (Take(r, out)) out = {r->statistic, r->p_value, ""};
  } else if (test == "js2" || test == "jse") {
    auto r = d::JensenShannonDistance(s[0], s[1], test == "js2" ? 2.0 : std::exp(1.0));
    if (Take(r, out)) out.statistic = *r;
  } else {
    out.error = "unknown test " + test;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: drift_crosscheck CASES_FILE\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "drift_crosscheck: cannot open " << argv[1] << "\n";
    return 2;
  }
  std::string id, test;
  int k = 0;
  int failures = 0;
  while (in >> id >> test >> k) {
    std::vector<std::vector<double>> samples(static_cast<size_t>(k));
    for (auto& sample : samples) {
      size_t n = 0;
      in >> n;
      sample.resize(n);
      for (double& v : sample) in >> v;
    }
    if (!in) {
      std::cerr << "drift_crosscheck: malformed case " << id << "\n";
      return 2;
    }
    const Output out = Run(test, samples);
    if (!out.error.empty()) {
      std::printf("%s error %s\n", id.c_str(), out.error.c_str());
      ++failures;
      continue;
    }
    std::printf("%s %.17g %.17g\n", id.c_str(), out.statistic, out.p_value);
  }
  return failures == 0 ? 0 : 1;
}
