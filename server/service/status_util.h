#pragma once

// The one place absl::Status becomes grpc::Status (canonical codes map one to one).

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace greengate::service {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace greengate::service
