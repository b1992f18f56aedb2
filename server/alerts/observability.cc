#include "server/alerts/observability.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/alerts/http_url.h"
#include "server/alerts/sink.h"
#include "server/common/host_port.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"

namespace greengate::alerts {

absl::StatusOr<std::vector<v1::Verdict>> ParseVerdicts(const std::string& list,
                                                       const std::string& flag) {
  std::vector<v1::Verdict> verdicts;
  for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    const std::string name = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(part));
    v1::Verdict verdict = v1::VERDICT_UNSPECIFIED;
    if (!v1::Verdict_Parse(name, &verdict) || verdict == v1::VERDICT_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": unknown verdict \"", name, "\"; use APPROVE, REJECT and/or DEFER"));
    }
    verdicts.push_back(verdict);
  }
  return verdicts;
}

absl::Status ValidateObservabilityFlags(const ObservabilityFlags& flags) {
  for (const auto& [url, flag] : {std::pair{&flags.alertmanager_url, "--alertmanager_url"},
                                  std::pair{&flags.webhook_url, "--webhook_url"},
                                  std::pair{&flags.alert_link_prefix, "--alert_link_prefix"}}) {
    if (!url->empty()) RETURN_IF_ERROR(ValidateHttpUrl(*url, flag));
  }
  RETURN_IF_ERROR(ParseVerdicts(flags.alert_verdicts, "--alert_verdicts").status());
  if (flags.alert_resolve_after < absl::ZeroDuration() ||
      flags.alert_resolve_after == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--alert_resolve_after_s: must be >= 0 seconds and finite, got ",
                     absl::FormatDuration(flags.alert_resolve_after)));
  }
  if (!flags.metrics_listen.empty()) {
    RETURN_IF_ERROR(ValidateHostPort(flags.metrics_listen, "--metrics_listen"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Observability>> Observability::Start(const ObservabilityFlags& flags,
                                                                    store::Store* store,
                                                                    const Clock* clock) {
  RETURN_IF_ERROR(ValidateObservabilityFlags(flags));
  std::unique_ptr<Observability> o(new Observability());
  ASSIGN_OR_RETURN(std::vector<v1::Verdict> verdicts,
                   ParseVerdicts(flags.alert_verdicts, "--alert_verdicts"));
  if (!flags.metrics_listen.empty()) {
    auto endpoint = metrics::MetricsEndpoint::Start(flags.metrics_listen, o->metrics_.registry());
    if (endpoint.ok()) {
      o->endpoint_ = std::move(*endpoint);
      log::Info("serving metrics",
                {{"listen", flags.metrics_listen}, {"port", o->endpoint_->port()}});
    } else if (flags.metrics_best_effort) {
      log::Warning("not serving metrics (set --metrics_listen to choose a free address)",
                   {{"error", endpoint.status().ToString()}});
    } else {
      return endpoint.status();
    }
  }
  std::vector<events::DecisionListener*> listeners = {&o->metrics_};
  std::vector<std::unique_ptr<AlertSink>> sinks;
  o->http_ = std::make_unique<CurlHttpClient>();
  if (!flags.alertmanager_url.empty()) {
    AlertmanagerOptions am;
    am.resolve_after = flags.alert_resolve_after;
    am.link_prefix = flags.alert_link_prefix;
    sinks.push_back(std::make_unique<AlertmanagerSink>(flags.alertmanager_url, am, o->http_.get()));
  }
  if (!flags.webhook_url.empty()) {
    sinks.push_back(std::make_unique<WebhookSink>(flags.webhook_url, o->http_.get()));
  }
  if (!sinks.empty()) {
    DispatcherOptions options;
    options.verdicts = verdicts;
    options.backoff = flags.backoff;
    options.poll_interval = flags.poll_interval;
    ASSIGN_OR_RETURN(o->dispatcher_,
                     Dispatcher::Create(store, clock, std::move(sinks), std::move(options)));
    metrics::ServerMetrics* m = &o->metrics_;
    o->dispatcher_->set_backlog_observer(
        [m](const std::string& sink, int64_t backlog) { m->SetOutboxBacklog(sink, backlog); });
    o->dispatcher_->Start();
    listeners.push_back(o->dispatcher_.get());
    log::Info("alert delivery started", {{"alertmanager", flags.alertmanager_url},
                                         {"webhook", flags.webhook_url},
                                         {"verdicts", flags.alert_verdicts}});
  }
  o->fanout_ = std::make_unique<events::DecisionFanout>(std::move(listeners));
  return o;
}

Observability::~Observability() {
  if (dispatcher_) dispatcher_->Stop();
  endpoint_.reset();
}

std::function<Observability::InterceptorFactories()> Observability::interceptors() {
  metrics::ServerMetrics* m = &metrics_;
  return [m] {
    InterceptorFactories v;
    v.push_back(m->NewInterceptorFactory());
    return v;
  };
}

}  // namespace greengate::alerts
