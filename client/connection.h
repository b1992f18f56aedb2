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

// Connection wraps a channel to `address` (host:port, plaintext). Calls are synchronous.
// Thread-compatible: one Connection per thread, or external synchronization.
class Connection {
 public:
  Connection(std::string address, absl::Duration timeout);

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
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    Response response;
    const grpc::Status status = (stub_.get()->*method)(&context, request, &response);
    if (!status.ok()) return ToStatus(status);
    return response;
  }

  // Maps a failed call to a status. UNAVAILABLE or DEADLINE_EXCEEDED on a channel that never
  // connected becomes "cannot reach greengate at ADDR ..."; every other code keeps the
  // server's message.
  absl::Status ToStatus(const grpc::Status& status) const;

 private:
  std::string address_;
  absl::Duration timeout_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RetrainGatekeeper::Stub> stub_;
};

// "greengate: <CODE>: <message>", the one line the CLI prints for a failed command.
std::string FormatError(const absl::Status& status);

}  // namespace greengate::client
