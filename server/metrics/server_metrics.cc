#include "server/metrics/server_metrics.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace greengate::metrics {
namespace {

constexpr double kJoulesPerKwh = 3.6e6;

// Seconds; from 1 ms (a cached read) to 10 s (a decision over a very large profile).
const prometheus::Histogram::BucketBoundaries& RpcBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

// Times one call, from the interceptor's creation (the call arrived) to the status being
// sent (the handler finished). Streams are skipped: their duration is their lifetime.
class TimingInterceptor final : public grpc::experimental::Interceptor {
 public:
  TimingInterceptor(ServerMetrics* metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(absl::Now()) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_->ObserveRpc(method_, absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  ServerMetrics* const metrics_;
  const std::string method_;
  const absl::Time start_;
};

class TimingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit TimingInterceptorFactory(ServerMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    if (info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY) return nullptr;
    return new TimingInterceptor(metrics_, info->method());
  }

 private:
  ServerMetrics* const metrics_;
};

}  // namespace

const char* BuildVersion() { return GG_VERSION; }

ServerMetrics::ServerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      decisions_(prometheus::BuildCounter()
                     .Name("greengate_decisions_total")
                     .Help("Retraining decisions committed, by model and verdict.")
                     .Register(*registry_)),
      energy_approved_j_(prometheus::BuildCounter()
                             .Name("greengate_energy_approved_joules_total")
                             .Help("Estimated energy of approved retraining jobs, in joules.")
                             .Register(*registry_)
                             .Add({})),
      energy_avoided_j_(prometheus::BuildCounter()
                            .Name("greengate_energy_avoided_joules_total")
                            .Help("Estimated energy of rejected and deferred retraining "
                                  "requests, in joules.")
                            .Register(*registry_)
                            .Add({})),
      co2e_approved_g_(prometheus::BuildCounter()
                           .Name("greengate_co2e_approved_grams_total")
                           .Help("Estimated CO2e of approved retraining jobs, in grams.")
                           .Register(*registry_)
                           .Add({})),
      rpc_duration_(prometheus::BuildHistogram()
                        .Name("greengate_rpc_duration_seconds")
                        .Help("Time to handle a unary gRPC call, in seconds.")
                        .Register(*registry_)),
      backlog_(prometheus::BuildGauge()
                   .Name("greengate_alert_outbox_backlog")
                   .Help("Decisions committed but not yet delivered to an alert sink.")
                   .Register(*registry_)) {
  prometheus::BuildGauge()
      .Name("greengate_build_info")
      .Help("Always 1; the labels describe the running build.")
      .Register(*registry_)
      .Add({{"version", BuildVersion()}})
      .Set(1);
}

void ServerMetrics::OnDecision(const v1::Decision& decision, int64_t /*seq*/) {
  const std::string model(absl::StripPrefix(decision.model(), "models/"));
  decisions_.Add({{"model", model}, {"verdict", v1::Verdict_Name(decision.verdict())}}).Increment();
  const double energy_j = decision.cost().energy_kwh() * kJoulesPerKwh;
  if (energy_j < 0) return;  // never: the core validates; counters must not go down
  switch (decision.verdict()) {
    case v1::APPROVE:
      energy_approved_j_.Increment(energy_j);
      // Grams, not kilograms: promtool lints grams as the base unit of mass.
      co2e_approved_g_.Increment(std::max(0.0, decision.cost().co2e_kg()) * 1000);
      break;
    case v1::REJECT:
    case v1::DEFER:
      energy_avoided_j_.Increment(energy_j);
      break;
    default:
      break;
  }
}

void ServerMetrics::ObserveRpc(const std::string& full_method, absl::Duration duration) {
  // "/greengate.v1.RetrainGatekeeper/ShouldRetrain" -> service and method labels.
  absl::string_view path = absl::StripPrefix(full_method, "/");
  const size_t slash = path.rfind('/');
  const std::string service(slash == absl::string_view::npos ? "" : path.substr(0, slash));
  const std::string method(slash == absl::string_view::npos ? path : path.substr(slash + 1));
  rpc_duration_.Add({{"service", service}, {"method", method}}, RpcBuckets())
      .Observe(absl::ToDoubleSeconds(duration));
}

void ServerMetrics::SetOutboxBacklog(const std::string& sink, int64_t backlog) {
  backlog_.Add({{"sink", sink}}).Set(static_cast<double>(backlog));
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
ServerMetrics::NewInterceptorFactory() {
  return std::make_unique<TimingInterceptorFactory>(this);
}

}  // namespace greengate::metrics
