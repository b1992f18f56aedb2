#pragma once

// GridIndex: the bin of a value on a reference's fine grid (a thousand quantile edges) in a
// few steps. A table over equal cells of [e_first, e_last] holds, per cell boundary, how many
// edges lie at or below it, so a value's bin is searched for only among the edges of its own
// cell and its neighbours (one or two on smooth data, a few dozen where a heavy-tailed
// feature packs its edges): about a third of a plain binary search's cost over all the edges,
// which matters since every value of every profile takes this step.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/limits.h"

namespace greengate::profile {

class GridIndex {
 public:
  // `edges` finite and strictly increasing (ValidateBinEdges()). The index keeps no pointer to
  // them (so its owner copies and moves freely): Find() takes them again.
  explicit GridIndex(absl::Span<const double> edges);

  // Find()
  //
  // BinIndex(edges, value): the number of edges <= value, for the `edges` the index was built
  // on. `value` must not be NaN.
  std::size_t Find(absl::Span<const double> grid_edges, double value) const {
    const std::size_t edges = grid_edges.size();
    if (edges == 0 || !(value >= grid_edges[0])) return 0;
    if (value >= grid_edges[edges - 1]) return edges;
    // value - grid_edges[0] is in [0, span], so the product is in [0, cells_] (0 in one cell).
    std::size_t cell = static_cast<std::size_t>((value - grid_edges[0]) * scale_);
    cell = cell < cells_ ? cell : cells_ - 1;
    // Rounding may put the value one cell off: search the neighbours' edges too.
    const std::size_t lo = at_most_[cell == 0 ? 0 : cell - 1];
    const std::size_t hi = at_most_[cell + 2 < cells_ ? cell + 2 : cells_];
    return lo + CountAtMost(grid_edges.data() + lo, hi - lo, value);
  }

 private:
  static_assert(kMaxBinEdges < 65536, "at_most_ holds edge counts in 16 bits");
  std::size_t cells_ = 1;
  double scale_ = 0;               // cells per unit of the feature
  std::vector<uint16_t> at_most_;  // cells_ + 1 entries: edges <= each cell's left boundary
};

}  // namespace greengate::profile
