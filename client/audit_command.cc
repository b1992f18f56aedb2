// `greengate audit verify`: recompute the decision log's hash chain on the server.

#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/command.h"
#include "client/json_io.h"
#include "server/common/status_macros.h"

namespace greengate::client {
namespace {

using Stub = v1::RetrainGatekeeper::Stub;

// Exit code when the log is not intact (distinct from errors, 1, and usage errors, 2).
constexpr int kExitAuditBroken = 12;

struct VerifyOptions {
  std::string anchor;  // "SEQ:HASH"
};

absl::Status ParseAnchor(const std::string& text, v1::VerifyAuditLogRequest* request) {
  const std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits(':', 1));
  int64_t seq = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &seq) || seq <= 0 || parts[1].size() != 64) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--anchor: expected SEQ:HASH as printed by a previous verify (\"anchor: ...\"), got \"",
        text, "\""));
  }
  request->set_anchor_seq(seq);
  request->set_anchor_hash(parts[1]);
  return absl::OkStatus();
}

absl::StatusOr<int> RunVerify(const CommandContext& ctx, const VerifyOptions& o) {
  v1::VerifyAuditLogRequest request;
  if (!o.anchor.empty()) RETURN_IF_ERROR(ParseAnchor(o.anchor, &request));
  ASSIGN_OR_RETURN(const v1::AuditLogVerification v,
                   ctx.Connect().Call(&Stub::VerifyAuditLog, request));
  if (ctx.global.json) {
    *ctx.out << ToJson(v);
  } else if (v.intact()) {
    *ctx.out << "audit log intact: " << v.checked_rows() << " chained decisions verified";
    if (v.legacy_rows() > 0) *ctx.out << " (" << v.legacy_rows() << " older, unchained)";
    *ctx.out << "\n";
    if (v.head_seq() > 0) {
      *ctx.out << "anchor: " << v.head_seq() << ":" << v.head_hash()
               << "\n(keep the anchor outside this server; pass it to --anchor later to "
                  "detect a rewrite of the whole log)\n";
    }
  } else {
    *ctx.out << "audit log NOT intact: decision seq " << v.problem_seq() << " "
             << (v.problem() == v1::AuditLogVerification::MISSING ? "MISSING" : "ALTERED") << ": "
             << v.detail() << "\n"
             << v.checked_rows() << " decisions before it verified\n";
  }
  return v.intact() ? 0 : kExitAuditBroken;
}

}  // namespace

void AddAuditCommands(CLI::App* app, CommandContext* ctx) {
  CLI::App* audit = app->add_subcommand("audit", "Tamper-evidence of the decision log.");
  audit->require_subcommand(1);
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Recompute the decision log's hash chain. Exit 0 when intact; 12 with the first "
      "altered or missing decision otherwise.");
  verify
      ->add_option("--anchor", o->anchor,
                   "A SEQ:HASH printed by an earlier verify and kept elsewhere: that "
                   "decision must still have that hash")
      ->type_name("SEQ:HASH");
  SetAction(verify, ctx, o, &RunVerify);
}

}  // namespace greengate::client
