#pragma once

// GridIndex: the bin of a value on a reference's fine grid (a thousand quantile edges) in a
// few steps. A table over equal cells of [e_first, e_last] holds, per cell boundary, how many
// edges lie at or below it; a value's bin starts from its cell's entry and walks over the
// edges between that boundary and the value (none in most cells, a step or two on smooth
// data, a few dozen where a heavy-tailed feature packs its edges). Every value of every
// profile takes this step: on a 100-column CSV the walk costs half the counting time of a
// branch-free binary search over the edges of the cell and its neighbours.

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
    // The edges at or below the cell's left boundary: the answer when no edge lies between
    // that boundary and the value (most cells hold no edge), else a few edges short of it.
    // Rounding may put the value one cell off, so walk both ways: the walk ends at the
    // answer from any start, and from this one it takes a step or two at most on smooth
    // data (a few dozen where a heavy-tailed feature packs its edges into one cell).
    const double* e = grid_edges.data();
    std::size_t bin = at_most_[cell];
    while (bin > 0 && e[bin - 1] > value) --bin;
    while (bin < edges && e[bin] <= value) ++bin;
    return bin;
  }

 private:
  static_assert(kMaxBinEdges < 65536, "at_most_ holds edge counts in 16 bits");
  std::size_t cells_ = 1;
  double scale_ = 0;               // cells per unit of the feature
  std::vector<uint16_t> at_most_;  // cells_ + 1 entries: edges <= each cell's left boundary
};

}  // namespace greengate::profile
