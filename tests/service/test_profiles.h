#pragma once

// Builds wire profiles from raw values for service tests, the way `greengate profile` would:
// counts on fixed edges, moments, and the whole (small) sample.

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "greengate/v1/greengate.pb.h"

namespace greengate::testing {

inline void FillNumeric(const std::string& name, std::vector<double> values,
                        const std::vector<double>& edges, v1::FeatureProfile* f) {
  f->set_name(name);
  f->set_count(static_cast<int64_t>(values.size()));
  v1::NumericProfile* n = f->mutable_numeric();
  std::vector<double> counts(edges.size() + 1, 0.0);
  double mean = 0, m2 = 0;
  int64_t k = 0;
  for (double v : values) {
    counts[std::upper_bound(edges.begin(), edges.end(), v) - edges.begin()] += 1;
    ++k;
    const double delta = v - mean;
    mean += delta / k;
    m2 += delta * (v - mean);
  }
  std::sort(values.begin(), values.end());
  n->mutable_bin_edges()->Add(edges.begin(), edges.end());
  n->mutable_bin_counts()->Add(counts.begin(), counts.end());
  n->set_min(values.front());
  n->set_max(values.back());
  n->set_mean(mean);
  n->set_m2(m2);
  n->mutable_sample()->Add(values.begin(), values.end());
  n->set_sample_seen(static_cast<int64_t>(values.size()));
}

inline void FillCategorical(const std::string& name, const std::map<std::string, int64_t>& counts,
                            v1::FeatureProfile* f) {
  f->set_name(name);
  int64_t total = 0;
  for (const auto& [category, count] : counts) {
    (*f->mutable_categorical()->mutable_counts())[category] = count;
    total += count;
  }
  f->set_count(total);
}

inline std::vector<double> Normal(int n, double mean, double stddev, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> dist(mean, stddev);
  std::vector<double> out(n);
  for (double& v : out) v = dist(rng);
  return out;
}

// Two numeric features and one categorical, `rows` rows, shifted by `shift` standard
// deviations (0 = same distribution as the reference).
inline v1::DataProfile MakeProfile(int rows, double shift, unsigned seed) {
  const std::vector<double> edges = {-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5};
  v1::DataProfile p;
  p.set_rows(rows);
  FillNumeric("age_z", Normal(rows, shift, 1.0, seed), edges, p.add_features());
  FillNumeric("income_z", Normal(rows, shift, 1.0, seed + 1), edges, p.add_features());
  const int64_t red = static_cast<int64_t>(rows * (0.5 - 0.3 * std::min(shift, 1.0)));
  FillCategorical("channel", {{"red", red}, {"blue", rows - red}}, p.add_features());
  return p;
}

inline v1::TrainingPlan SmallPlan() {
  v1::TrainingPlan plan;
  plan.set_name("full");
  plan.set_accelerator("nvidia-t4");
  plan.set_accelerator_count(1);
  plan.set_cpu_cores(4);
  plan.set_memory_gb(16);
  plan.set_hours(2);
  plan.set_region("FR");
  plan.set_provider("gcp");
  return plan;
}

}  // namespace greengate::testing
