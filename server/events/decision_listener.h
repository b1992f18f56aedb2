#pragma once

// DecisionListener: how adapters (watch streams, alert delivery, metrics) learn of decisions
// without the application knowing them. The application (app::Gatekeeper) calls OnDecision
// once the decision row has committed, on the thread of the call that made the decision, with
// no lock of its own held: decisions of one model may reach a listener in another order than
// their commits (`seq` tells the order). Implementations must still return quickly and never
// block, for the caller waits (queue the work, wake a thread, bump a counter).

#include <cstdint>
#include <utility>
#include <vector>

#include "greengate/v1/greengate.pb.h"

namespace greengate::events {

class DecisionListener {
 public:
  virtual ~DecisionListener() = default;
  // `decision` is the committed decision; `seq` its position in the log (1, 2, ...; ascending
  // in commit order). Must not block; must be thread-safe (called from many threads at once).
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

}  // namespace greengate::events
