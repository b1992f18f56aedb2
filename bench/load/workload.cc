#include "bench/load/workload.h"

#include <algorithm>
#include <cstdint>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace greengate::bench {
namespace {

constexpr int kReferenceRows = 10000;
constexpr int kCurrentRows = 2000;

// Deciles of the standard normal (scipy.stats.norm.ppf(0.1 .. 0.9)), so a reference drawn
// from N(0, 1) has about a tenth of its rows in each bin.
const std::vector<double>& DecileEdges() {
  static const std::vector<double>* edges = new std::vector<double>{
      -1.2815515655446004, -0.8416212335729142, -0.5244005127080407, -0.2533471031357997, 0.0,
      0.2533471031357997,  0.5244005127080407,  0.8416212335729142,  1.2815515655446004};
  return *edges;
}

// One numeric feature from `rows` draws of N(mean, 1): bins on the decile edges, moments
// (Welford), and when `sample_values` > 0 a sample of that many of the draws (sorted when
// `sorted`, as a reference's must be).
void FillFeature(const std::string& name, int rows, double mean, int sample_values, bool sorted,
                 std::mt19937_64& rng, v1::FeatureProfile* f) {
  std::normal_distribution<double> normal(mean, 1.0);
  const std::vector<double>& edges = DecileEdges();
  std::vector<double> counts(edges.size() + 1, 0.0);
  std::vector<double> sample;
  double running_mean = 0, m2 = 0, min = 0, max = 0;
  for (int i = 0; i < rows; ++i) {
    const double v = normal(rng);
    counts[std::upper_bound(edges.begin(), edges.end(), v) - edges.begin()] += 1;
    const double delta = v - running_mean;
    running_mean += delta / (i + 1);
    m2 += delta * (v - running_mean);
    min = i == 0 ? v : std::min(min, v);
    max = i == 0 ? v : std::max(max, v);
    if (i < sample_values) sample.push_back(v);  // draws are i.i.d.: the first n are uniform
  }
  if (sorted) std::sort(sample.begin(), sample.end());
  f->set_name(name);
  f->set_count(rows);
  v1::NumericProfile* n = f->mutable_numeric();
  n->mutable_bin_edges()->Add(edges.begin(), edges.end());
  n->mutable_bin_counts()->Add(counts.begin(), counts.end());
  n->set_min(min);
  n->set_max(max);
  n->set_mean(running_mean);
  n->set_m2(m2);
  if (sample_values > 0) {
    n->mutable_sample()->Add(sample.begin(), sample.end());
    n->set_sample_seen(rows);
  }
}

std::string FeatureName(int i) { return absl::StrFormat("feature_%03d", i); }

}  // namespace

absl::StatusOr<Workload> ParseWorkload(absl::string_view text) {
  if (text == "light") return Workload::kLight;
  if (text == "heavy") return Workload::kHeavy;
  return absl::InvalidArgumentError(
      absl::StrCat("--workload: '", text, "' is not a workload (light or heavy)"));
}

absl::string_view WorkloadName(Workload workload) {
  return workload == Workload::kLight ? "light" : "heavy";
}

WorkloadShape ShapeOf(Workload workload) {
  return workload == Workload::kLight ? WorkloadShape{20, 0} : WorkloadShape{100, 1000};
}

v1::DataProfile ReferenceProfile(Workload workload) {
  const WorkloadShape shape = ShapeOf(workload);
  std::mt19937_64 rng(20261123);
  v1::DataProfile p;
  p.set_rows(kReferenceRows);
  for (int i = 0; i < shape.features; ++i) {
    FillFeature(FeatureName(i), kReferenceRows, 0.0, shape.sample_values, /*sorted=*/true, rng,
                p.add_features());
  }
  return p;
}

v1::Policy LoadPolicy(const std::string& model_name) {
  v1::Policy policy;
  policy.set_model(model_name);
  policy.set_cooldown_s(0);  // every approval stands alone: no decision waits for another
  // No energy or carbon budget (both left unset): unlimited.
  return policy;
}

std::vector<v1::ShouldRetrainRequest> MakeRequests(Workload workload, const std::string& model_name,
                                                   int variants) {
  const WorkloadShape shape = ShapeOf(workload);
  std::vector<v1::ShouldRetrainRequest> requests;
  for (int v = 0; v < variants; ++v) {
    std::mt19937_64 rng(1000 + v);
    // Every other variant has a third of its features shifted by half a standard deviation.
    const bool shifted = v % 2 == 1;
    v1::ShouldRetrainRequest r;
    r.set_model(model_name);
    v1::DataProfile* current = r.mutable_current();
    current->set_rows(kCurrentRows);
    for (int i = 0; i < shape.features; ++i) {
      const double mean = shifted && i % 3 == 0 ? 0.5 : 0.0;
      FillFeature(FeatureName(i), kCurrentRows, mean, shape.sample_values, /*sorted=*/false, rng,
                  current->add_features());
    }
    if (shifted) {  // labels show the drift cost accuracy (the reference has 0.91)
      r.mutable_labeled()->set_rows(1000);
      r.mutable_labeled()->set_correct(850);
    }
    v1::TrainingPlan* plan = r.mutable_plan();
    plan->set_name("full");
    plan->set_accelerator("nvidia-t4");
    plan->set_accelerator_count(1);
    plan->set_cpu_cores(8);
    plan->set_memory_gb(32);
    plan->set_hours(2);
    plan->set_region("FR");
    plan->set_provider("gcp");
    plan->set_training_rows(100000);
    requests.push_back(std::move(r));
  }
  return requests;
}

}  // namespace greengate::bench
