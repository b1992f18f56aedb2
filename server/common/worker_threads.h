#pragma once

// A small pool of threads that live for a whole profiling pass: the CLI's CSV profiler
// (client/csv_profiler.cc) and the column profiler (server/core/profile/columns.cc).

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace greengate {

// ProfilingThreads()
//
// The threads a profiler uses for `requested` (its --threads / threads=): that many when
// > 0; 0 means the machine's hardware threads, at most 8.
inline int ProfilingThreads(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
}

// Threads 1..n-1 that live for a whole pass (the caller is thread 0): starting threads for
// every group of blocks cost as much as the work on a small block. Not thread-safe (one
// caller).
class Workers {
 public:
  explicit Workers(int n) {
    threads_.reserve(n - 1);
    for (int t = 1; t < n; ++t) threads_.emplace_back([this, t] { Loop(t); });
  }
  ~Workers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      ++generation_;
    }
    start_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  // Runs `work(t)` for t in [0, n) (n at most the threads given) and waits for all of them.
  void Run(int n, const std::function<void(int)>& work) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      work_ = &work;
      active_ = n;
      running_ = n - 1;
      ++generation_;
    }
    start_.notify_all();
    work(0);
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return running_ == 0; });
  }

 private:
  void Loop(int t) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int)>* work = nullptr;
      {
        std::unique_lock<std::mutex> lock(mu_);
        start_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        if (t >= active_) continue;
        work = work_;
      }
      (*work)(t);
      std::lock_guard<std::mutex> lock(mu_);
      if (--running_ == 0) done_.notify_one();
    }
  }

  std::mutex mu_;
  std::condition_variable start_;
  std::condition_variable done_;
  const std::function<void(int)>* work_ = nullptr;
  int active_ = 0;
  int running_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace greengate
