#include "client/connection.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace greengate::client {
namespace {

// gRPC's connect failure reads "failed to connect to all addresses; last error: UNKNOWN:
// ipv4:127.0.0.1:1: Failed to connect to remote host: Connection refused"; the last clause
// ("Connection refused") is the part worth showing.
std::string LastClause(const std::string& message) {
  const size_t colon = message.rfind(": ");
  std::string clause = colon == std::string::npos ? message : message.substr(colon + 2);
  if (clause.size() > 80) return "";
  return clause;
}

// References come back whole (GetReference, SetReference), samples included; gRPC's default
// 4 MiB receive limit is below what a wide reference within the server's limits can reach.
constexpr int kMaxReceiveMessageBytes = 256 << 20;

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace

Connection::Connection(std::string address, absl::Duration timeout)
    : address_(std::move(address)),
      timeout_(timeout),
      channel_(MakeChannel(address_)),
      stub_(v1::RetrainGatekeeper::NewStub(channel_)) {}

absl::Status Connection::ToStatus(const grpc::Status& status) const {
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  const bool transport_failure =
      code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded;
  if (transport_failure && channel_->GetState(false) != GRPC_CHANNEL_READY) {
    std::string message = absl::StrCat("cannot reach greengate at ", address_);
    const std::string clause = LastClause(status.error_message());
    if (code == absl::StatusCode::kDeadlineExceeded) {
      absl::StrAppend(&message, " (no connection within ", absl::FormatDuration(timeout_), ")");
    } else if (!clause.empty()) {
      absl::StrAppend(&message, " (", clause, ")");
    }
    absl::StrAppend(&message, "; is the server running? Set --server or GREENGATE_SERVER");
    return absl::Status(code, message);
  }
  return absl::Status(code, status.error_message());
}

std::string FormatError(const absl::Status& status) {
  return absl::StrCat("greengate: ", absl::StatusCodeToString(status.code()), ": ",
                      status.message());
}

}  // namespace greengate::client
