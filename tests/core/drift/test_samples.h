#pragma once

// Deterministic samples shared with the Python scripts that produced the scipy reference
// values: a 64-bit LCG (Knuth's MMIX constants) whose state evolves identically in Python's
// integers, and values ((u1 % 1000) + (u2 % 1000)) / 20 + offset: triangular on [0, 100)
// in steps of 0.05, so samples of a few hundred values already hold many ties.
//
//   M = (1 << 64) - 1
//   def sample(seed, n, offset):
//       s, out = seed & M, []
//       for _ in range(n):
//           s = (s * 6364136223846793005 + 1442695040888963407) & M; u1 = s >> 33
//           s = (s * 6364136223846793005 + 1442695040888963407) & M; u2 = s >> 33
//           out.append(((u1 % 1000) + (u2 % 1000)) / 20.0 + offset)
//       return np.array(out)

#include <algorithm>
#include <cstdint>
#include <vector>

namespace greengate::drift::testing {

inline std::vector<double> LcgSample(uint64_t seed, int n, double offset) {
  uint64_t s = seed;
  auto next = [&s] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s >> 33;
  };
  std::vector<double> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const uint64_t u1 = next();
    const uint64_t u2 = next();
    out.push_back(static_cast<double>((u1 % 1000) + (u2 % 1000)) / 20.0 + offset);
  }
  return out;
}

inline std::vector<double> Sorted(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// numpy.linspace(start, stop, num) with the same rounding: start + i * step, last = stop.
inline std::vector<double> Linspace(double start, double stop, int num) {
  const double step = (stop - start) / (num - 1);
  std::vector<double> out;
  for (int i = 0; i < num; ++i) out.push_back(i * step + start);
  out.back() = stop;
  return out;
}

}  // namespace greengate::drift::testing
