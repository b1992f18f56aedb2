// bench/load: drives ShouldRetrain on a real greengate-server over loopback and prints
// durable decisions/s, latency percentiles, server CPU per decision and, as the physical
// floor, the CPU cost of only parsing the same requests. Usage in bench/README.md; the
// figures in docs/performance.md come from bench/load/run.sh.
//
// Every OK response is a durable decision: the server commits it (synchronous=FULL) before
// answering. --verify reads each of them back and verifies the audit chain afterwards.

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/load/driver.h"
#include "bench/load/server_process.h"
#include "bench/load/workload.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

ABSL_FLAG(std::string, server_binary, "",
          "greengate-server to start on a fresh database (in --db_dir); empty: use --address");
ABSL_FLAG(std::string, address, "", "host:port of a running greengate-server");
ABSL_FLAG(int, server_pid, 0, "pid of the server at --address, for its CPU time (0: none)");
ABSL_FLAG(std::string, db_dir, "",
          "directory for the started server's database and log; default: a fresh "
          "/tmp/gg-load-XXXXXX, removed afterwards");
ABSL_FLAG(std::string, workload, "light",
          "light (20 features, histograms only) or heavy (100 features, 1,000-value samples)");
ABSL_FLAG(int, models, 1, "models the calls are spread over, round robin");
ABSL_FLAG(int, concurrency, 16, "closed loop: calls in flight (over all client threads)");
ABSL_FLAG(double, rate, 0,
          "open loop: calls per second, sent at fixed intervals whatever the responses; "
          "0 = closed loop");
ABSL_FLAG(double, duration_s, 10, "measured time, after the warm-up");
ABSL_FLAG(double, warmup_s, 2, "time before the measurement (calls not counted)");
ABSL_FLAG(int64_t, max_decisions, 0,
          "stop after this many calls and measure all of them (smoke runs; no warm-up)");
ABSL_FLAG(int, client_threads, 1, "client threads, each with its own channel and queue");
ABSL_FLAG(bool, verify, false,
          "afterwards read back every acknowledged decision (GetDecision) and verify the audit "
          "log; exit 1 if one is missing or the chain is broken");

namespace greengate::bench {
namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6 + usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec * 1e-6;
}

double LoadAverage1() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

// The CPU time of one ParseFromString of each request, cycling, for at least 0.5 s of CPU:
// what the server cannot avoid spending per call before any of its own work.
double ParseMicrosPerRequest(const std::vector<v1::ShouldRetrainRequest>& requests) {
  std::vector<std::string> wire;
  for (const auto& r : requests) wire.push_back(r.SerializeAsString());
  int64_t parsed = 0;
  const double start = ThreadCpuSeconds();
  double elapsed = 0;
  while (elapsed < 0.5 || parsed < 100) {
    for (const std::string& bytes : wire) {
      v1::ShouldRetrainRequest message;  // a fresh message per call, as the server has
      if (!message.ParseFromString(bytes)) std::abort();
      ++parsed;
    }
    elapsed = ThreadCpuSeconds() - start;
  }
  return elapsed * 1e6 / parsed;
}

double Percentile(std::vector<double>& sorted_values, double q) {
  if (sorted_values.empty()) return 0;
  const size_t index =
      std::min(sorted_values.size() - 1, static_cast<size_t>(q * (sorted_values.size() - 1) + 0.5));
  return sorted_values[index];
}

absl::Status Check(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": ", status.error_message()));
}

// Registers `models` models with the workload's reference and the no-cooldown policy; returns
// their names.
absl::StatusOr<std::vector<std::string>> SetUpModels(v1::RetrainGatekeeper::Stub* stub,
                                                     Workload workload, int models) {
  // A run id in the model ids, so runs against a long-lived server never collide.
  const std::string run = absl::StrFormat(
      "%x", static_cast<uint32_t>(NowNs() ^ (static_cast<int64_t>(getpid()) << 20)));
  const v1::DataProfile reference = ReferenceProfile(workload);
  std::vector<std::string> names;
  for (int m = 0; m < models; ++m) {
    v1::RegisterModelRequest reg;
    reg.set_model_id(absl::StrCat("load-", run, "-", m));
    reg.mutable_model()->set_deployed_version("v1");
    reg.mutable_model()->set_display_name("bench/load");
    v1::Model model;
    {
      grpc::ClientContext context;
      if (absl::Status s = Check(stub->RegisterModel(&context, reg, &model), "RegisterModel");
          !s.ok()) {
        return s;
      }
    }
    v1::SetReferenceRequest set_reference;
    v1::Reference* ref = set_reference.mutable_reference();
    ref->set_model(model.name());
    *ref->mutable_profile() = reference;
    ref->set_accuracy(kReferenceAccuracy);
    ref->set_evaluation_rows(kReferenceEvaluationRows);
    v1::Reference stored_reference;
    {
      grpc::ClientContext context;
      if (absl::Status s =
              Check(stub->SetReference(&context, set_reference, &stored_reference), "SetReference");
          !s.ok()) {
        return s;
      }
    }
    v1::SetPolicyRequest set_policy;
    *set_policy.mutable_policy() = LoadPolicy(model.name());
    v1::Policy stored_policy;
    {
      grpc::ClientContext context;
      if (absl::Status s =
              Check(stub->SetPolicy(&context, set_policy, &stored_policy), "SetPolicy");
          !s.ok()) {
        return s;
      }
    }
    names.push_back(model.name());
  }
  return names;
}

// GetDecision for every name, then VerifyAuditLog. Prints what it found.
bool Verify(v1::RetrainGatekeeper::Stub* stub, const std::vector<std::string>& names) {
  int64_t missing = 0;
  std::string first_missing;
  for (const std::string& name : names) {
    v1::GetDecisionRequest request;
    request.set_name(name);
    v1::Decision decision;
    grpc::ClientContext context;
    const grpc::Status status = stub->GetDecision(&context, request, &decision);
    if (!status.ok() || decision.name() != name) {
      if (missing++ == 0) first_missing = absl::StrCat(name, ": ", status.error_message());
    }
  }
  v1::AuditLogVerification audit;
  grpc::ClientContext context;
  const grpc::Status status = stub->VerifyAuditLog(&context, v1::VerifyAuditLogRequest(), &audit);
  const bool chain_ok = status.ok() && audit.intact();
  std::printf(
      "verify        %lld of %zu acknowledged decisions read back; audit chain %s "
      "(%lld rows checked)\n",
      static_cast<long long>(names.size() - missing), names.size(), chain_ok ? "intact" : "BROKEN",
      static_cast<long long>(audit.checked_rows()));
  if (missing > 0) std::printf("  first missing: %s\n", first_missing.c_str());
  if (!status.ok()) std::printf("  VerifyAuditLog: %s\n", status.error_message().c_str());
  if (status.ok() && !audit.intact()) std::printf("  problem: %s\n", audit.detail().c_str());
  return missing == 0 && chain_ok && audit.checked_rows() >= static_cast<int64_t>(names.size());
}

int Run() {
  absl::StatusOr<Workload> workload = ParseWorkload(absl::GetFlag(FLAGS_workload));
  if (!workload.ok()) {
    std::fprintf(stderr, "%s\n", std::string(workload.status().message()).c_str());
    return 2;
  }
  const int models = std::max(1, absl::GetFlag(FLAGS_models));
  const int client_threads = std::max(1, absl::GetFlag(FLAGS_client_threads));
  const int concurrency = std::max(client_threads, absl::GetFlag(FLAGS_concurrency));
  const double rate = absl::GetFlag(FLAGS_rate);
  const int64_t max_decisions = absl::GetFlag(FLAGS_max_decisions);
  const bool smoke = max_decisions > 0;
  const double warmup_s = smoke ? 0 : absl::GetFlag(FLAGS_warmup_s);
  const double duration_s = absl::GetFlag(FLAGS_duration_s);

  // The server: started here on a fresh database, or attached to.
  std::string dir = absl::GetFlag(FLAGS_db_dir);
  bool remove_dir = false;
  std::unique_ptr<BenchServer> server;
  if (const std::string binary = absl::GetFlag(FLAGS_server_binary); !binary.empty()) {
    if (dir.empty()) {
      std::string tmpl = "/tmp/gg-load-XXXXXX";
      if (mkdtemp(tmpl.data()) == nullptr) {
        std::perror("mkdtemp");
        return 1;
      }
      dir = tmpl;
      remove_dir = true;
    } else {
      std::filesystem::create_directories(dir);
      std::filesystem::remove(dir + "/gg.db");
      std::filesystem::remove(dir + "/gg.db-wal");
      std::filesystem::remove(dir + "/gg.db-shm");
      std::filesystem::remove(dir + "/port");
    }
    absl::StatusOr<std::unique_ptr<BenchServer>> started = BenchServer::Start(binary, dir);
    if (!started.ok()) {
      std::fprintf(stderr, "%s\n", started.status().ToString().c_str());
      return 1;
    }
    server = std::move(*started);
  } else if (!absl::GetFlag(FLAGS_address).empty()) {
    server = BenchServer::Attach(absl::GetFlag(FLAGS_address), absl::GetFlag(FLAGS_server_pid));
  } else {
    std::fprintf(stderr, "give --server_binary or --address\n");
    return 2;
  }

  auto channel = grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials());
  auto stub = v1::RetrainGatekeeper::NewStub(channel);
  absl::StatusOr<std::vector<std::string>> model_names = SetUpModels(stub.get(), *workload, models);
  if (!model_names.ok()) {
    std::fprintf(stderr, "set-up failed: %s\n", model_names.status().ToString().c_str());
    return 1;
  }
  // Round robin over models: request k goes to model k % models.
  const int variants = *workload == Workload::kLight ? 16 : 4;
  std::vector<std::vector<v1::ShouldRetrainRequest>> per_model;
  for (const std::string& name : *model_names) {
    per_model.push_back(MakeRequests(*workload, name, variants));
  }
  std::vector<v1::ShouldRetrainRequest> requests;
  for (int v = 0; v < variants; ++v) {
    for (int m = 0; m < models; ++m) requests.push_back(per_model[m][v]);
  }
  const size_t request_bytes = requests.front().ByteSizeLong();

  // Drive.
  const int64_t t_start = NowNs();
  const int64_t t_measure = t_start + static_cast<int64_t>(warmup_s * 1e9);
  const int64_t t_stop = smoke ? INT64_MAX : t_measure + static_cast<int64_t>(duration_s * 1e9);
  std::vector<DriverResult> results(client_threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < client_threads; ++t) {
    DriverOptions options;
    options.concurrency = concurrency / client_threads + (t < concurrency % client_threads);
    options.rate_per_s = rate / client_threads;
    options.stop_ns = t_stop;
    options.max_calls =
        smoke ? max_decisions / client_threads + (t < max_decisions % client_threads) : 0;
    options.keep_names = absl::GetFlag(FLAGS_verify);
    // Each thread its own connection, as independent clients would have.
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", t);  // distinct args: no shared subchannel
    auto thread_channel =
        grpc::CreateCustomChannel(server->address(), grpc::InsecureChannelCredentials(), args);
    threads.emplace_back([&results, t, thread_channel, &requests, options] {
      results[t] = RunDriver(thread_channel, requests, options);
    });
  }
  const pid_t pid = server->pid();
  // CPU figures over the measured window only.
  std::this_thread::sleep_for(std::chrono::nanoseconds(std::max<int64_t>(0, t_measure - NowNs())));
  const absl::StatusOr<CpuTimes> server_cpu_start =
      pid > 0 ? ReadProcessCpu(pid) : absl::StatusOr<CpuTimes>(absl::NotFoundError("no pid"));
  const double client_cpu_start = ProcessCpuSeconds();
  const double load_start = LoadAverage1();
  int64_t t_end = 0;
  if (!smoke) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::max<int64_t>(0, t_stop - NowNs())));
    t_end = NowNs();
  }
  const absl::StatusOr<CpuTimes> server_cpu_mid =
      pid > 0 && !smoke ? ReadProcessCpu(pid) : absl::StatusOr<CpuTimes>(absl::NotFoundError(""));
  const double client_cpu_mid = ProcessCpuSeconds();
  for (std::thread& thread : threads) thread.join();
  if (smoke) t_end = NowNs();
  const absl::StatusOr<CpuTimes> server_cpu_end =
      smoke && pid > 0 ? ReadProcessCpu(pid) : server_cpu_mid;
  const double client_cpu_end = smoke ? ProcessCpuSeconds() : client_cpu_mid;

  // Aggregate the measured window: decisions completed in it, latencies of calls sent in it.
  int64_t decisions = 0;
  int64_t errors = 0;
  int64_t skipped = 0;
  std::vector<double> latencies_ms;
  std::vector<std::string> names;
  std::string first_error;
  for (const DriverResult& r : results) {
    for (const CallRecord& c : r.calls) {
      if (c.ok && c.end_ns >= t_measure && c.end_ns <= t_end) ++decisions;
      if (!c.ok) ++errors;
      if (c.ok && c.start_ns >= t_measure && c.start_ns < t_end) {
        latencies_ms.push_back((c.end_ns - c.start_ns) / 1e6);
      }
    }
    skipped += r.skipped;
    names.insert(names.end(), r.decision_names.begin(), r.decision_names.end());
    if (first_error.empty()) first_error = r.first_error;
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double window_s = (t_end - t_measure) / 1e9;
  const double per_s = decisions / window_s;
  const double parse_us = ParseMicrosPerRequest(requests);

  const WorkloadShape shape = ShapeOf(*workload);
  std::printf("workload      %s: %d features, %s; request %.1f KiB\n",
              std::string(WorkloadName(*workload)).c_str(), shape.features,
              shape.sample_values > 0 ? absl::StrCat(shape.sample_values, "-value samples").c_str()
                                      : "histograms only",
              request_bytes / 1024.0);
  if (rate > 0) {
    std::printf("mode          open loop at %.0f calls/s, %d model(s), %d client thread(s)\n", rate,
                models, client_threads);
  } else {
    std::printf("mode          closed loop, %d in flight, %d model(s), %d client thread(s)\n",
                concurrency, models, client_threads);
  }
  std::printf("window        %.2f s%s; load average %.2f at its start\n", window_s,
              smoke ? " (whole run)" : absl::StrFormat(" after %.1f s warm-up", warmup_s).c_str(),
              load_start);
  std::printf("decisions/s   %.1f  (%lld durable decisions in the window, %lld errors", per_s,
              static_cast<long long>(decisions), static_cast<long long>(errors));
  if (rate > 0) std::printf(", %lld sends skipped", static_cast<long long>(skipped));
  std::printf(")\n");
  if (!first_error.empty()) std::printf("  first error: %s\n", first_error.c_str());
  const double p50 = Percentile(latencies_ms, 0.50);
  const double p99 = Percentile(latencies_ms, 0.99);
  std::printf("latency ms    p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", p50,
              Percentile(latencies_ms, 0.90), p99,
              latencies_ms.empty() ? 0.0 : latencies_ms.back());
  double server_us = -1;
  if (server_cpu_start.ok() && server_cpu_end.ok() && decisions > 0) {
    const double user = server_cpu_end->user_s - server_cpu_start->user_s;
    const double sys = server_cpu_end->system_s - server_cpu_start->system_s;
    server_us = (user + sys) * 1e6 / decisions;
    std::printf(
        "server CPU    %.0f us/decision (user %.0f + system %.0f); %.2f cores busy; "
        "peak RSS %.0f MiB\n",
        server_us, user * 1e6 / decisions, sys * 1e6 / decisions, (user + sys) / window_s,
        PeakRssMib(pid));
  }
  const double client_us =
      decisions > 0 ? (client_cpu_end - client_cpu_start) * 1e6 / decisions : 0;
  std::printf("client CPU    %.0f us/decision\n", client_us);
  std::printf("parse floor   %.1f us CPU to parse one request (%.0f requests/s on one core)\n",
              parse_us, 1e6 / parse_us);
  std::printf(
      "RESULT workload=%s models=%d concurrency=%d rate=%.0f decisions_per_s=%.1f "
      "p50_ms=%.3f p99_ms=%.3f server_cpu_us=%.0f client_cpu_us=%.0f parse_us=%.2f "
      "errors=%lld load=%.2f\n",
      std::string(WorkloadName(*workload)).c_str(), models, concurrency, rate, per_s, p50, p99,
      server_us, client_us, parse_us, static_cast<long long>(errors), load_start);

  int code = errors == 0 ? 0 : 1;
  if (absl::GetFlag(FLAGS_verify) && !Verify(stub.get(), names)) code = 1;
  if (smoke && decisions != max_decisions) {
    std::printf("expected %lld decisions, got %lld\n", static_cast<long long>(max_decisions),
                static_cast<long long>(decisions));
    code = 1;
  }
  stub.reset();
  channel.reset();
  const int server_exit = server->Stop();
  if (pid > 0 && !absl::GetFlag(FLAGS_server_binary).empty() && server_exit != 0) {
    std::printf("server exited with %d (log in %s)\n", server_exit, dir.c_str());
    code = 1;
    remove_dir = false;
  }
  if (remove_dir && code == 0) std::filesystem::remove_all(dir);
  std::fflush(stdout);
  return code;
}

}  // namespace
}  // namespace greengate::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "bench/load: ShouldRetrain throughput and latency against a real greengate-server.\n"
      "  load_bench --server_binary=build/server/greengate-server --workload=light "
      "--concurrency=16 --duration_s=10");
  absl::ParseCommandLine(argc, argv);
  return greengate::bench::Run();
}
