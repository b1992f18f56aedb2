// drift_grid_crosscheck: profiles pairs of value lists the way the CLI does (a reference on its
// default fine grid, the current counted on it), runs every distribution test on the two
// profiles and prints what the drift core reports, for tests/core/drift/grid_crosscheck.py
// to compare with scipy on all the values.
//
// Input: one case per line, tokens separated by blanks:
//   <id> <n> v1 ... vn <m> w1 ... wm      ("nan" for a missing value)
// Output, per case and test (ks, cvm, ad, wasserstein_norm, energy):
//   <id> <test> <resolution> <statistic> <lower> <upper> <p-value>   (nan where absent)

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "server/core/drift/distribution_comparison.h"
#include "server/core/profile/builder.h"

namespace {

namespace d = greengate::drift;
namespace p = greengate::profile;

bool ReadValues(std::istream& in, std::vector<double>* out) {
  size_t n = 0;
  if (!(in >> n)) return false;
  out->resize(n);
  std::string token;
  for (double& v : *out) {
    if (!(in >> token)) return false;
    v = std::strtod(token.c_str(), nullptr);
  }
  return true;
}

// The feed both passes of a reference (and a current profile) take: one block of every value.
p::RowSource Rows(const std::vector<double>& values) {
  return [&values](p::ProfileBuilder& b) {
    b.AddNumericValues(0, values);
    b.EndBlock(static_cast<int64_t>(values.size()), {});
    return absl::OkStatus();
  };
}

p::FeatureProfile Only(const p::DataProfile& profile) { return profile.features.at(0); }

std::string Number(std::optional<double> v) {
  if (!v.has_value()) return "nan";
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", *v);
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: drift_grid_crosscheck CASES_FILE\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::string id;
  int failures = 0;
  const p::ProfileBuilderOptions options{.seed = 1};
  while (in >> id) {
    std::vector<double> reference_values, current_values;
    if (!ReadValues(in, &reference_values) || !ReadValues(in, &current_values)) {
      std::cerr << "drift_grid_crosscheck: malformed case " << id << "\n";
      return 2;
    }
    auto reference = p::BuildReferenceProfile({{"x", p::FeatureKind::kNumeric}}, options,
                                              p::kDefaultReferenceBins, Rows(reference_values));
    if (!reference.ok()) {
      std::printf("%s error %s\n", id.c_str(), std::string(reference.status().message()).c_str());
      ++failures;
      continue;
    }
    auto builder = p::ProfileBuilder::ForReference(*reference, options);
    (void)Rows(current_values)(*builder);
    const p::FeatureProfile ref = Only(*reference);
    const p::FeatureProfile cur = Only(builder->Finish());
    const std::pair<const char*, d::internal::DistributionStatistic> tests[] = {
        {"ks", d::internal::DistributionStatistic::kKolmogorovSmirnov},
        {"cvm", d::internal::DistributionStatistic::kCramerVonMises},
        {"ad", d::internal::DistributionStatistic::kAndersonDarling},
        {"wasserstein_norm", d::internal::DistributionStatistic::kWassersteinNorm},
        {"energy", d::internal::DistributionStatistic::kEnergyDistance},
    };
    for (const auto& [name, statistic] : tests) {
      auto r =
          d::internal::CompareDistributions(statistic, ref, cur, {"reference", "current"}, name);
      if (!r.ok()) {
        std::printf("%s %s error %s\n", id.c_str(), name,
                    std::string(r.status().message()).c_str());
        continue;  // the script decides whether scipy fails there too
      }
      std::printf("%s %s %s %s %s %s %s\n", id.c_str(), name,
                  d::internal::ResolutionName(r->resolution), Number(r->statistic).c_str(),
                  Number(r->lower).c_str(), Number(r->upper).c_str(), Number(r->p_value).c_str());
    }
  }
  return failures == 0 ? 0 : 1;
}
