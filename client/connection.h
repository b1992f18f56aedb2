#pragma once

// The CLI's connection to a greengate server: one channel, a deadline on every call, and
// gRPC failures turned into absl::Status with messages a person can act on (an unreachable
// server says so, with its address, instead of gRPC's resolver and socket details).

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace greengate::client {

// How the CLI authenticates the server and itself. All empty: plaintext, no token.
struct ConnectionSecurity {
  bool tls = false;             // TLS with the system's trusted roots
  std::string tls_ca_file;      // PEM roots that signed the server's certificate (implies TLS)
  std::string tls_cert_file;    // PEM client certificate for mutual TLS (implies TLS)
  std::string tls_key_file;     // PEM key of tls_cert_file
  std::string tls_server_name;  // expected name in the server's certificate, if not the host
  std::string token_file;       // file holding the bearer token (never the token itself)

  bool UsesTls() const {
    return tls || !tls_ca_file.empty() || !tls_cert_file.empty() || !tls_key_file.empty();
  }
};

// ReadTokenFile()
//
// The bearer token in `path`: the file's one line that is neither blank nor a '#' comment,
// trimmed. InvalidArgument when there is no such line, more than one, or the line has blanks
// inside; PermissionDenied when others may read the file (mode o+r). Errors name the file and
// never contain the token.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

// Connection wraps a channel to `address` (host:port). Calls are synchronous.
// Thread-compatible: one Connection per thread, or external synchronization.
class Connection {
 public:
  // A file of `security` that cannot be read makes every call fail with that error.
  Connection(std::string address, absl::Duration timeout, ConnectionSecurity security = {});

  const std::string& address() const { return address_; }
  // The channel, for services other than RetrainGatekeeper (grpc.health.v1).
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  absl::Duration timeout() const { return timeout_; }

  // Call()
  //
  // Invokes a unary RetrainGatekeeper method with a deadline of `timeout` from now, e.g.
  //   connection.Call(&Stub::GetModel, request)
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(grpc::Status (v1::RetrainGatekeeper::Stub::*method)(
                                    grpc::ClientContext*, const Request&, Response*),
                                const Request& request) {
    grpc::ClientContext context;
    if (absl::Status prepared = Prepare(&context); !prepared.ok()) return prepared;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    Response response;
    const grpc::Status status = (stub_.get()->*method)(&context, request, &response);
    if (!status.ok()) return ToStatus(status);
    return response;
  }

  // Adds the bearer token to `context`; fails when the connection's files could not be read.
  // For calls made with stub() directly (streams).
  absl::Status Prepare(grpc::ClientContext* context) const;
  v1::RetrainGatekeeper::Stub* stub() const { return stub_.get(); }

  // Maps a failed call to a status. UNAVAILABLE or DEADLINE_EXCEEDED on a channel that never
  // connected becomes "cannot reach greengate at ADDR ..."; UNAUTHENTICATED says where the
  // token came from; every other code keeps the server's message.
  absl::Status ToStatus(const grpc::Status& status) const;

 private:
  std::string address_;
  absl::Duration timeout_;
  ConnectionSecurity security_;
  absl::Status setup_error_;   // a file that could not be read
  std::string authorization_;  // "Bearer <token>", or empty
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RetrainGatekeeper::Stub> stub_;
};

// "greengate: <CODE>: <message>", the one line the CLI prints for a failed command.
std::string FormatError(const absl::Status& status);

}  // namespace greengate::client
