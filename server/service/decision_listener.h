#pragma once

// DecisionListener: how adapters (watch streams, alert delivery, metrics) learn of decisions
// without the gatekeeper knowing them. The gatekeeper calls OnDecision after the decision row
// has committed, on the RPC thread, while it holds the model's lock: implementations must
// return quickly and never block (queue the work, wake a thread, bump a counter).

#include <cstdint>
#include <vector>

#include "greengate/v1/greengate.pb.h"

namespace greengate::service {

class DecisionListener {
 public:
  virtual ~DecisionListener() = default;
  // `decision` is the committed decision; `seq` its position in the log (1, 2, ...; ascending
  // in commit order). Must not block; must be thread-safe (called from many RPC threads).
  virtual void OnDecision(const v1::Decision& decision, int64_t seq) = 0;
};

// Calls each listener in order. The list is fixed at construction; listeners are not owned
// and must outlive the fan-out. Thread-safe if every listener is.
class DecisionFanout final : public DecisionListener {
 public:
  explicit DecisionFanout(std::vector<DecisionListener*> listeners)
      : listeners_(std::move(listeners)) {}
  void OnDecision(const v1::Decision& decision, int64_t seq) override {
    for (DecisionListener* listener : listeners_) listener->OnDecision(decision, seq);
  }

 private:
  const std::vector<DecisionListener*> listeners_;
};

}  // namespace greengate::service
