#pragma once

// The two calls most integration tests start with, over a real stub: a model ready to be
// gated, and a ShouldRetrain whose verdict the test chooses. Each call has a 30 s deadline, so
// a blocked server fails the test instead of hanging it.

#include <chrono>
#include <string>

#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/service/test_profiles.h"

namespace greengate::testing {

inline void SetCallDeadline(grpc::ClientContext* ctx, int seconds = 30) {
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

// Registers `id` (version v1) with a reference of accuracy 0.9 on 5000 rows; default policy.
inline void ReadyModel(v1::RetrainGatekeeper::Stub* stub, const std::string& id) {
  grpc::ClientContext c1, c2;
  SetCallDeadline(&c1);
  SetCallDeadline(&c2);
  v1::RegisterModelRequest reg;
  reg.set_model_id(id);
  reg.mutable_model()->set_deployed_version("v1");
  v1::Model model;
  ASSERT_TRUE(stub->RegisterModel(&c1, reg, &model).ok());
  v1::SetReferenceRequest ref;
  ref.mutable_reference()->set_model("models/" + id);
  *ref.mutable_reference()->mutable_profile() = MakeProfile(800, 0, 1);
  ref.mutable_reference()->set_accuracy(0.9);
  ref.mutable_reference()->set_evaluation_rows(5000);
  v1::Reference out;
  ASSERT_TRUE(stub->SetReference(&c2, ref, &out).ok());
}

// A shift of 1.0 with 70% accuracy is approved; no shift with 90% is rejected (see
// gatekeeper_test.cc).
inline v1::Decision AskToRetrain(v1::RetrainGatekeeper::Stub* stub, const std::string& id,
                                 bool approve) {
  v1::ShouldRetrainRequest req;
  req.set_model("models/" + id);
  *req.mutable_current() = MakeProfile(600, approve ? 1.0 : 0, 100);
  req.mutable_labeled()->set_rows(1000);
  req.mutable_labeled()->set_correct(approve ? 700 : 900);
  *req.mutable_plan() = SmallPlan();
  grpc::ClientContext ctx;
  SetCallDeadline(&ctx);
  v1::Decision d;
  const grpc::Status status = stub->ShouldRetrain(&ctx, req, &d);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return d;
}

}  // namespace greengate::testing
