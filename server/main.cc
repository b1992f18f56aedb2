// greengate-server: the retraining gate, on its embedded SQLite log.
//
// Flags may also come from the environment (--fromenv / --tryfromenv: FLAGS_listen, ...).
// Shutdown: SIGTERM or SIGINT is received by a sigwait thread (never a signal handler);
// health flips to NOT_SERVING, in-flight calls drain for --shutdown_grace_s, then the store
// closes and the process exits 0.

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/alerts/observability.h"
#include "server/auth/authenticator.h"
#include "server/common/clock.h"
#include "server/common/host_port.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/core/energy/tables.h"
#include "server/service/server.h"
#include "server/store/store.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve gRPC on (port 0 picks a free port; 0.0.0.0 for all interfaces)");
ABSL_FLAG(std::string, db, "greengate.db", "path of the SQLite database (created if missing)");
ABSL_FLAG(std::string, port_file, "",
          "if set, the bound port is written to this file once the server is serving");
ABSL_FLAG(int, max_receive_message_mb, 32, "largest request accepted, in MiB");
ABSL_FLAG(int, busy_timeout_ms, 5000, "how long a write waits for the SQLite lock");
ABSL_FLAG(double, shutdown_grace_s, 10, "how long in-flight calls may finish on SIGTERM");

// --- Fleet budgets: the operator's allowance over all models (each model's policy has its own)
ABSL_FLAG(double, fleet_energy_budget_kwh, 0,
          "kWh all models' approved retrains may use per --fleet_budget_window_s; 0 = unlimited");
ABSL_FLAG(double, fleet_carbon_budget_kg, 0,
          "kg CO2e all models' approved retrains may emit per window; 0 = unlimited");
ABSL_FLAG(int64_t, fleet_budget_window_s, 30 * 86400,
          "rolling window of the fleet budgets, in seconds (default 30 days)");

// --- Alerting and metrics ---------------------------------------------------------------------
ABSL_FLAG(std::string, alertmanager_url, "",
          "Alertmanager base URL (e.g. http://alertmanager:9093); decisions are POSTed to "
          "its /api/v2/alerts. Empty disables");
ABSL_FLAG(std::string, webhook_url, "",
          "URL that receives each alerting decision as protobuf JSON (POST). Empty disables");
ABSL_FLAG(std::string, alert_verdicts, "APPROVE,REJECT",
          "comma-separated verdicts that are delivered to the alert sinks");
ABSL_FLAG(double, alert_resolve_after_s, 3600,
          "an Alertmanager alert resolves (endsAt) this many seconds after its decision");
ABSL_FLAG(std::string, alert_link_prefix, "",
          "generatorURL of an alert = this prefix + the decision name; empty omits it");
constexpr char kDefaultMetricsListen[] = "127.0.0.1:9464";
ABSL_FLAG(std::string, metrics_listen, kDefaultMetricsListen,
          "host:port to serve Prometheus /metrics on; empty disables (if the default port is "
          "taken, the server starts without /metrics and logs a warning)");
ABSL_FLAG(int, watch_queue, 256,
          "decisions a WatchDecisions subscriber may lag behind before it is dropped");
// --- end alerting and metrics ---------------------------------------------------------------

// --- Authentication and TLS -----------------------------------------------------------------
ABSL_FLAG(std::string, token_file, "",
          "file of bearer tokens, one '<name> <role> <token>' per line (roles: pipeline, "
          "reviewer, admin); every call then needs 'authorization: Bearer <token>'. Must not "
          "be readable by others. Empty: no authentication");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain of the server; enables TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle; when set, clients must present a certificate it signed (mutual TLS)");
// --- end authentication and TLS -------------------------------------------------------------

namespace {

// The flags that no component checks on its own: InvalidArgument naming the flag.
absl::Status CheckProcessFlags() {
  using absl::InvalidArgumentError;
  using absl::StrCat;
  RETURN_IF_ERROR(greengate::ValidateHostPort(absl::GetFlag(FLAGS_listen), "--listen"));
  if (absl::GetFlag(FLAGS_db).empty()) return InvalidArgumentError("--db: required");
  const int max_receive_message_mb = absl::GetFlag(FLAGS_max_receive_message_mb);
  if (max_receive_message_mb < 1 || max_receive_message_mb > 2047) {
    // MiB to bytes must fit gRPC's int.
    return InvalidArgumentError(
        StrCat("--max_receive_message_mb: must be in [1, 2047], got ", max_receive_message_mb));
  }
  if (const int busy = absl::GetFlag(FLAGS_busy_timeout_ms); busy < 0) {
    return InvalidArgumentError(StrCat("--busy_timeout_ms: must be >= 0, got ", busy));
  }
  if (const double grace = absl::GetFlag(FLAGS_shutdown_grace_s);
      !(grace >= 0) || !std::isfinite(grace)) {
    return InvalidArgumentError(
        StrCat("--shutdown_grace_s: must be >= 0 seconds and finite, got ", grace));
  }
  if (const int queue = absl::GetFlag(FLAGS_watch_queue); queue < 1) {
    return InvalidArgumentError(StrCat("--watch_queue: must be >= 1 decision, got ", queue));
  }
  return absl::OkStatus();
}

// True for 127.0.0.0/8, [::1] and localhost: addresses other hosts cannot reach. `listen` is
// host:port (ValidateHostPort).
bool IsLoopback(const std::string& listen) {
  const std::string host = listen.substr(0, listen.rfind(':'));
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]";
}

int Run() {
  using greengate::log::Error;
  using greengate::log::Info;

  // Every flag, the token file and the TLS files are checked before the database is opened:
  // a refused start must not create a file (the database or its .lock).
  if (absl::Status flags = CheckProcessFlags(); !flags.ok()) {
    Error("invalid flag", {{"error", flags.ToString()}});
    return 1;
  }
  greengate::policy::FleetBudget fleet_budget;
  fleet_budget.energy_budget_kwh = absl::GetFlag(FLAGS_fleet_energy_budget_kwh);
  fleet_budget.carbon_budget_kg = absl::GetFlag(FLAGS_fleet_carbon_budget_kg);
  fleet_budget.window = absl::Seconds(absl::GetFlag(FLAGS_fleet_budget_window_s));
  if (absl::Status fleet = greengate::policy::ValidateFleetBudget(fleet_budget); !fleet.ok()) {
    Error("invalid fleet budget", {{"error", std::string(fleet.message())}});
    return 1;
  }
  if (fleet_budget.enabled()) {
    Info("fleet budget",
         {{"energy_kwh", fleet_budget.energy_budget_kwh},
          {"co2e_kg", fleet_budget.carbon_budget_kg},
          {"window_s", static_cast<long long>(absl::GetFlag(FLAGS_fleet_budget_window_s))}});
  }

  greengate::service::ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.max_receive_message_bytes = absl::GetFlag(FLAGS_max_receive_message_mb) << 20;
  // Authentication and TLS: the token file and the certificates are read now, so a bad one
  // refuses the start before the database exists.
  std::unique_ptr<greengate::auth::Authenticator> authenticator;
  if (const std::string token_file = absl::GetFlag(FLAGS_token_file); !token_file.empty()) {
    auto loaded = greengate::auth::Authenticator::FromFile(token_file);
    if (!loaded.ok()) {
      Error("cannot load the token file", {{"error", loaded.status().ToString()}});
      return 1;
    }
    authenticator = std::move(*loaded);
    options.authenticator = authenticator.get();
    Info("bearer tokens required",
         {{"token_file", token_file}, {"tokens", static_cast<long long>(authenticator->size())}});
  } else if (!IsLoopback(options.listen_address)) {
    greengate::log::Warning(
        "no --token_file: every client that reaches this address may call every method",
        {{"listen", options.listen_address}});
  }
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  if (absl::Status tls = greengate::service::MakeServerCredentials(options).status(); !tls.ok()) {
    Error("invalid TLS flags", {{"error", tls.ToString()}});
    return 1;
  }
  Info("transport", {{"tls", !options.tls_client_ca_file.empty() ? "mutual"
                             : !options.tls_cert_file.empty()    ? "on"
                                                                 : "off"}});
  // --- Alerting and metrics -------------------------------------------------------------------
  greengate::alerts::ObservabilityFlags observability_flags;
  observability_flags.alertmanager_url = absl::GetFlag(FLAGS_alertmanager_url);
  observability_flags.webhook_url = absl::GetFlag(FLAGS_webhook_url);
  observability_flags.alert_verdicts = absl::GetFlag(FLAGS_alert_verdicts);
  observability_flags.alert_resolve_after =
      absl::Seconds(absl::GetFlag(FLAGS_alert_resolve_after_s));
  observability_flags.alert_link_prefix = absl::GetFlag(FLAGS_alert_link_prefix);
  observability_flags.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  observability_flags.metrics_best_effort =
      observability_flags.metrics_listen == kDefaultMetricsListen;
  if (absl::Status checked = greengate::alerts::ValidateObservabilityFlags(observability_flags);
      !checked.ok()) {
    Error("invalid alerting or metrics flag", {{"error", checked.ToString()}});
    return 1;
  }
  // --- end alerting and metrics -------------------------------------------------------------

  greengate::store::StoreOptions store_options;
  store_options.busy_timeout_ms = absl::GetFlag(FLAGS_busy_timeout_ms);
  store_options.exclusive = true;  // one server per database (approval_ledger.h)
  const std::string db_path = absl::GetFlag(FLAGS_db);
  auto store = greengate::store::Store::Open(db_path, store_options);
  if (!store.ok()) {
    Error("cannot open the database", {{"db", db_path}, {"error", store.status().ToString()}});
    return 1;
  }
  Info("database ready", {{"db", db_path}, {"schema_version", (*store)->schema_version()}});

  greengate::RealClock clock;

  options.fleet_budget = fleet_budget;

  // --- Alerting and metrics -------------------------------------------------------------------
  auto observability =
      greengate::alerts::Observability::Start(observability_flags, store->get(), &clock);
  if (!observability.ok()) {
    Error("cannot start alerting or metrics", {{"error", observability.status().ToString()}});
    return 1;
  }
  options.decision_listener = (*observability)->decision_listener();
  options.interceptors = (*observability)->interceptors();
  options.watch_queue_capacity = static_cast<size_t>(absl::GetFlag(FLAGS_watch_queue));
  // --- end alerting and metrics -------------------------------------------------------------
  auto server = greengate::service::RunningServer::Start(options, store->get(), &clock,
                                                         &greengate::energy::Tables::Shipped());
  if (!server.ok()) {
    Error("cannot start the server", {{"error", server.status().ToString()}});
    return 1;
  }
  const int port = (*server)->port();
  Info("serving", {{"listen", options.listen_address}, {"port", port}});
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file); !port_file.empty()) {
    // Write then rename, so a reader never sees a half-written file.
    const std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::rename(tmp.c_str(), port_file.c_str());
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  Info("shutting down", {{"signal", signal_number}});
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_s)));
  (*server)->Wait();
  server->reset();
  observability->reset();  // stops alert delivery and /metrics
  store->reset();
  Info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the shutdown signals before gRPC starts any thread, so only sigwait receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::SetProgramUsageMessage(
      "greengate-server: decides whether ML models may be retrained.\n"
      "Usage: greengate-server --listen=127.0.0.1:50051 --db=greengate.db");
  absl::ParseCommandLine(argc, argv);
#ifdef NDEBUG
  // Debian's Abseil checks every Mutex acquisition for lock-order cycles (a global graph
  // lookup per Lock/Unlock), a visible share of a decision's CPU. Tests and debug builds keep
  // the check.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  // glibc returns the free top of each thread's heap to the kernel (madvise) as soon as it
  // passes 128 KiB; with dozens of handler threads that was an madvise, and a TLB shootdown
  // across both cores, every few decisions. Keeping up to 64 MiB per heap costs memory only
  // up to the peak already reached.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  // One malloc arena for all threads instead of glibc's eight per core. A thread allocates
  // from its arena, and with the threshold above an arena keeps what it once held: a
  // SetReference of a wide reference on one handler thread and a ShouldRetrain on another
  // each grew an arena of their own by megabytes, and the peak RSS was the sum (the
  // drift benchmark's end-to-end run: 37 MB; with one arena the second call reuses what the first
  // freed: 33 MB; with one per core, either, depending on which threads served them). Small
  // allocations come from each thread's tcache without the arena's lock, and the lock was not
  // measurably contended on 2 cores (bench/load light: the same CPU per decision; heavy, 100
  // features with samples: 9.5 ms rather than 12, fewer fresh pages). On a many-core host where the
  // lock does show, MALLOC_ARENA_MAX (glibc's own variable) overrides this.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 1);
  return Run();
}
