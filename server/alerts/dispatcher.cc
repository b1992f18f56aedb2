#include "server/alerts/dispatcher.h"

#include <algorithm>

#include "absl/random/random.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/mapping/stored_json.h"

namespace greengate::alerts {

absl::StatusOr<std::unique_ptr<Dispatcher>> Dispatcher::Create(
    store::Store* store, const Clock* clock, std::vector<std::unique_ptr<AlertSink>> sinks,
    DispatcherOptions options, std::function<double()> uniform01) {
  if (!uniform01) {
    auto gen = std::make_shared<absl::BitGen>();
    auto mu = std::make_shared<absl::Mutex>();
    uniform01 = [gen, mu] {
      absl::MutexLock lock(mu.get());
      return absl::Uniform<double>(*gen, 0.0, 1.0);
    };
  }
  std::unique_ptr<Dispatcher> d(
      new Dispatcher(store, clock, std::move(options), std::move(uniform01)));
  const int64_t now_ms = absl::ToUnixMillis(clock->Now());
  absl::MutexLock lock(&d->run_mu_);
  for (std::unique_ptr<AlertSink>& sink : sinks) {
    ASSIGN_OR_RETURN(store::AlertCursor cursor, store->OpenAlertCursor(sink->name(), now_ms));
    SinkState& state = d->sinks_.emplace_back();
    state.status.sink = sink->name();
    state.status.last_seq = cursor.last_seq;
    state.status.attempts = cursor.attempts;
    state.status.last_error = cursor.last_error;
    state.status.next_attempt = absl::InfinitePast();  // after a restart, try at once
    state.sink = std::move(sink);
  }
  absl::MutexLock status_lock(&d->status_mu_);
  for (const SinkState& state : d->sinks_) d->published_.push_back(state.status);
  return d;
}

Dispatcher::Dispatcher(store::Store* store, const Clock* clock, DispatcherOptions options,
                       std::function<double()> uniform01)
    : store_(store), clock_(clock), options_(std::move(options)), uniform01_(std::move(uniform01)) {
  for (v1::Verdict v : options_.verdicts) verdict_names_.push_back(v1::Verdict_Name(v));
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void Dispatcher::Stop() {
  stopping_ = true;
  {
    absl::MutexLock lock(&wake_mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::OnDecision(const v1::Decision&, int64_t) {
  absl::MutexLock lock(&wake_mu_);
  wake_ = true;
}

void Dispatcher::Loop() {
  while (true) {
    const absl::Time due = RunOnce();
    const absl::Duration until_due = due - clock_->Now();
    const absl::Duration wait = std::clamp(until_due, absl::ZeroDuration(), options_.poll_interval);
    absl::MutexLock lock(&wake_mu_);
    auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(wake_mu_) { return wake_ || stop_; };
    wake_mu_.AwaitWithTimeout(absl::Condition(&woken), wait);
    if (stop_) return;
    wake_ = false;
  }
}

bool Dispatcher::Wanted(const std::string& verdict) const {
  return std::find(verdict_names_.begin(), verdict_names_.end(), verdict) != verdict_names_.end();
}

absl::Time Dispatcher::RunOnce() {
  absl::MutexLock lock(&run_mu_);
  absl::Time earliest = absl::InfiniteFuture();
  for (SinkState& state : sinks_) {
    if (stopping_) break;
    if (clock_->Now() >= state.status.next_attempt) Deliver(state);
    if (state.status.attempts > 0) earliest = std::min(earliest, state.status.next_attempt);
  }
  std::vector<SinkStatus> snapshot;
  for (const SinkState& state : sinks_) snapshot.push_back(state.status);
  {
    absl::MutexLock status_lock(&status_mu_);
    published_ = snapshot;
  }
  if (backlog_observer_) {
    for (const SinkStatus& s : snapshot) backlog_observer_(s.sink, s.backlog);
  }
  return earliest;
}

void Dispatcher::Deliver(SinkState& state) {
  bool more = true;
  while (more && !stopping_) {
    if (absl::Status status = DeliverBatch(state, &more); !status.ok()) {
      log::Warning("alert delivery failed",
                   {{"sink", state.status.sink}, {"error", status.ToString()}});
      break;
    }
  }
  absl::StatusOr<int64_t> backlog = store_->CountOutbox(state.status.last_seq, verdict_names_);
  if (backlog.ok()) state.status.backlog = *backlog;
}

// Reads one batch after the cursor and sends it in order. Sets *more when the batch was full
// and every decision in it was handled. A store error is returned; a sink failure is recorded
// (attempts, backoff) and ends the pass for this sink with OK.
absl::Status Dispatcher::DeliverBatch(SinkState& state, bool* more) {
  *more = false;
  SinkStatus& s = state.status;
  ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> entries,
                   store_->ListOutbox(s.last_seq, options_.batch));
  int64_t skipped_to = 0;  // unwanted decisions are passed in one cursor write
  const auto advance = [&](int64_t seq) -> absl::Status {
    RETURN_IF_ERROR(store_->AdvanceAlertCursor(s.sink, seq, absl::ToUnixMillis(clock_->Now())));
    s.last_seq = seq;
    s.attempts = 0;
    s.last_error.clear();
    return absl::OkStatus();
  };
  for (const store::OutboxEntry& entry : entries) {
    if (stopping_) break;
    if (!Wanted(entry.verdict)) {
      skipped_to = entry.seq;
      continue;
    }
    v1::Decision decision;
    absl::Status sent = mapping::FromStoredJson(entry.payload, &decision);
    if (sent.ok()) sent = state.sink->Send(decision);
    if (sent.ok() || absl::IsInvalidArgument(sent) || absl::IsDataLoss(sent)) {
      if (!sent.ok()) {
        // Retrying cannot help: say so loudly and move on rather than block every later alert.
        log::Error("alert dropped",
                   {{"sink", s.sink}, {"decision", decision.name()}, {"error", sent.ToString()}});
      }
      RETURN_IF_ERROR(advance(entry.seq));
      skipped_to = 0;
      continue;
    }
    if (skipped_to > s.last_seq) RETURN_IF_ERROR(advance(skipped_to));
    const absl::Time now = clock_->Now();
    ASSIGN_OR_RETURN(
        store::AlertCursor cursor,
        store_->RecordAlertFailure(s.sink, std::string(sent.message()), absl::ToUnixMillis(now)));
    s.attempts = cursor.attempts;
    s.last_error = cursor.last_error;
    s.next_attempt = now + BackoffDelay(options_.backoff, s.attempts, uniform01_());
    log::Warning("alert delivery will be retried",
                 {{"sink", s.sink},
                  {"decision", decision.name()},
                  {"attempts", static_cast<long long>(s.attempts)},
                  {"retry_in_s", absl::ToDoubleSeconds(s.next_attempt - now)},
                  {"error", std::string(sent.message())}});
    return absl::OkStatus();
  }
  if (skipped_to > s.last_seq) RETURN_IF_ERROR(advance(skipped_to));
  *more = !stopping_ && static_cast<int>(entries.size()) == options_.batch;
  return absl::OkStatus();
}

std::vector<SinkStatus> Dispatcher::Status() const {
  absl::MutexLock lock(&status_mu_);
  return published_;
}

}  // namespace greengate::alerts
