#include "client/connection.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "server/common/status_macros.h"

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

// GetReference can return a reference whole, samples included (REFERENCE_VIEW_FULL); gRPC's
// default 4 MiB receive limit is below what a wide reference within the server's limits can
// reach.
constexpr int kMaxReceiveMessageBytes = 256 << 20;

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(flag, ": cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, " is not a PEM file"));
  }
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeCredentials(
    const ConnectionSecurity& security) {
  if (!security.UsesTls()) return grpc::InsecureChannelCredentials();
  if (security.tls_cert_file.empty() != security.tls_key_file.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key: give both or neither");
  }
  grpc::SslCredentialsOptions ssl;
  if (!security.tls_ca_file.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPem(security.tls_ca_file, "--tls-ca"));
  }
  if (!security.tls_cert_file.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadPem(security.tls_cert_file, "--tls-cert"));
    ASSIGN_OR_RETURN(ssl.pem_private_key, ReadPem(security.tls_key_file, "--tls-key"));
  }
  return grpc::SslCredentials(ssl);
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const ConnectionSecurity& security,
                                           absl::Status* error) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  if (!security.tls_server_name.empty()) args.SetSslTargetNameOverride(security.tls_server_name);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = MakeCredentials(security);
  if (!credentials.ok()) {
    *error = credentials.status();
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }
  return grpc::CreateCustomChannel(address, *credentials, args);
}

}  // namespace

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(absl::StrCat("token file ", path, ": ", std::strerror(errno)));
  }
  if ((info.st_mode & S_IROTH) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "token file ", path, " is readable by other users; run `chmod 600 ", path, "`"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("token file ", path, ": cannot read it"));
  std::string token;
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    const absl::string_view content = absl::StripAsciiWhitespace(line);
    if (content.empty() || content.front() == '#') continue;
    if (++lines > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("token file ", path, ": more than one token (one line, the token only)"));
    }
    if (content.find_first_of(" \t") != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token file ", path,
          ": the line has blanks; it must hold only the token (not '<name> <role> <token>')"));
    }
    token = std::string(content);
  }
  if (token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("token file ", path, ": no token in it"));
  }
  return token;
}

Connection::Connection(std::string address, absl::Duration timeout, ConnectionSecurity security)
    : address_(std::move(address)), timeout_(timeout), security_(std::move(security)) {
  channel_ = MakeChannel(address_, security_, &setup_error_);
  stub_ = v1::RetrainGatekeeper::NewStub(channel_);
  if (setup_error_.ok() && !security_.token_file.empty()) {
    absl::StatusOr<std::string> token = ReadTokenFile(security_.token_file);
    if (token.ok()) {
      authorization_ = absl::StrCat("Bearer ", *token);
    } else {
      setup_error_ = token.status();
    }
  }
}

absl::Status Connection::Prepare(grpc::ClientContext* context) const {
  if (!setup_error_.ok()) return setup_error_;
  if (!authorization_.empty()) context->AddMetadata("authorization", authorization_);
  return absl::OkStatus();
}

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
    absl::StrAppend(&message, security_.UsesTls()
                                  ? " (TLS is on: does the server use TLS, and do --tls-ca, "
                                    "--tls-cert and --tls-key match it?)"
                                  : " (if the server uses TLS, pass --tls-ca)");
    return absl::Status(code, message);
  }
  if (code == absl::StatusCode::kUnauthenticated) {
    return absl::Status(
        code,
        security_.token_file.empty()
            ? absl::StrCat(status.error_message(),
                           "; the server requires a token: pass --token-file or set "
                           "GREENGATE_TOKEN_FILE")
            : absl::StrCat(status.error_message(), " (token from ", security_.token_file, ")"));
  }
  return absl::Status(code, status.error_message());
}

std::string FormatError(const absl::Status& status) {
  return absl::StrCat("greengate: ", absl::StatusCodeToString(status.code()), ": ",
                      status.message());
}

}  // namespace greengate::client
