#pragma once

// Deterministic randomness for reservoirs and reservoir merges. The same seed gives the same
// profile on every platform: std::uniform_int_distribution is implementation-defined, so the
// generator and the bounded draw are written out here. Internal to the profile module.

#include <cstdint>
#include <limits>

namespace greengate::profile::internal {

// MixSeed()
//
// A well-mixed 64-bit seed derived from `seed` and a `stream` number (SplitMix64 finaliser),
// so that per-feature generators seeded from one user seed are not correlated. Thread-safe.
inline uint64_t MixSeed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Rng
//
// SplitMix64: a small (8-byte) generator with good statistical quality, cheap enough to give
// every numeric feature its own. Satisfies UniformRandomBitGenerator. Not thread-safe.
class Rng {
 public:
  using result_type = uint64_t;
  explicit Rng(uint64_t seed) : state_(seed) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// UniformBelow()
//
// A uniform integer in [0, n), n > 0, without bias, by multiplication instead of division
// (Lemire's method): the high 64 bits of r * n for a uniform 64-bit r, rejecting the draws
// whose low 64 bits fall below 2^64 mod n, which leaves each result equally many draws. The
// threshold's division is needed only when the low bits are below n, so almost never; a
// 64-bit division per value was the costliest step of a reservoir update. Not thread-safe
// (advances `rng`).
inline uint64_t UniformBelow(Rng& rng, uint64_t n) {
  unsigned __int128 product = static_cast<unsigned __int128>(rng()) * n;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (low < threshold) {
      product = static_cast<unsigned __int128>(rng()) * n;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

}  // namespace greengate::profile::internal
