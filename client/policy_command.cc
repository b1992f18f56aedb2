// Commands about policies: set-policy, get-policy.

#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/json_io.h"
#include "client/names.h"
#include "client/output.h"
#include "client/policy_flags.h"
#include "server/common/status_macros.h"

namespace greengate::client {
namespace {

using Stub = v1::RetrainGatekeeper::Stub;

struct SetPolicyOptions {
  std::string model;
  std::string policy_path;
  PolicyFlags flags;
};

absl::StatusOr<int> RunSetPolicy(const CommandContext& ctx, const SetPolicyOptions& o) {
  Connection connection = ctx.Connect();
  v1::SetPolicyRequest request;
  v1::Policy* policy = request.mutable_policy();
  if (!o.policy_path.empty() && !o.flags.empty()) {
    return UsageError(ctx, "set-policy: --policy FILE and the policy flags exclude each other");
  }
  if (!o.policy_path.empty()) {
    RETURN_IF_ERROR(ReadJsonFile(o.policy_path, policy));
  } else {
    if (o.flags.empty()) {
      return UsageError(ctx, "set-policy: give --policy FILE or at least one policy flag");
    }
    // Flags change the current policy rather than replace it, so `--min-gain 0.01` keeps an
    // energy budget set earlier.
    v1::GetPolicyRequest get;
    get.set_model(ModelName(o.model));
    absl::StatusOr<v1::Policy> current = connection.Call(&Stub::GetPolicy, get);
    if (current.ok()) {
      *policy = *std::move(current);
    } else if (current.status().code() != absl::StatusCode::kNotFound) {
      return current.status();
    }
    RETURN_IF_ERROR(ApplyPolicyFlags(o.flags, policy));
  }
  policy->set_model(ModelName(o.model));
  policy->clear_version();
  policy->clear_create_time();
  ASSIGN_OR_RETURN(const v1::Policy stored, connection.Call(&Stub::SetPolicy, request));
  if (ctx.global.json) {
    *ctx.out << ToJson(stored);
  } else {
    *ctx.out << "stored policy version " << stored.version() << " of " << stored.model() << "\n"
             << FormatPolicy(stored);
  }
  return 0;
}

struct GetPolicyOptions {
  std::string model;
};

absl::StatusOr<int> RunGetPolicy(const CommandContext& ctx, const GetPolicyOptions& o) {
  v1::GetPolicyRequest request;
  request.set_model(ModelName(o.model));
  ASSIGN_OR_RETURN(const v1::Policy policy, ctx.Connect().Call(&Stub::GetPolicy, request));
  *ctx.out << (ctx.global.json ? ToJson(policy) : FormatPolicy(policy));
  return 0;
}

}  // namespace

void AddPolicyCommands(CLI::App* app, CommandContext* ctx) {
  {
    auto o = std::make_shared<SetPolicyOptions>();
    CLI::App* sub = app->add_subcommand(
        "set-policy",
        "Store a new version of a model's policy. With --policy, the file (Policy JSON) is the "
        "whole policy; unset fields take the defaults. With flags, the given fields change the "
        "model's current policy and the others keep their values. Decisions record the policy "
        "version they used.");
    sub->add_option("--model", o->model, "Model id (\"churn\") or name (\"models/churn\")")
        ->required()
        ->type_name("ID");
    sub->add_option("--policy", o->policy_path,
                    "Policy JSON ('-' = stdin), instead of the policy flags")
        ->type_name("FILE");
    AddPolicyFlags(sub, &o->flags);
    sub->footer(
        "\nDefaults: p-value threshold 0.05, distance threshold 0.1, drift share 0.5, "
        "Benjamini-Hochberg, large-sample rows 1000, no accuracy floor, min gain 0.005, "
        "0.05 points/kWh, recovery ratio 0.8, confidence 0.95, cooldown 24 h, unlimited "
        "energy budget over 30 days.\n"
        "Example: greengate set-policy --model churn --min-gain 0.01 --energy-budget-kwh 500");
    SetAction(sub, ctx, o, &RunSetPolicy);
  }
  {
    auto o = std::make_shared<GetPolicyOptions>();
    CLI::App* sub = app->add_subcommand(
        "get-policy", "Show a model's current policy with every value it applies.");
    sub->add_option("--model", o->model, "Model id (\"churn\") or name (\"models/churn\")")
        ->required()
        ->type_name("ID");
    SetAction(sub, ctx, o, &RunGetPolicy);
  }
}

}  // namespace greengate::client
