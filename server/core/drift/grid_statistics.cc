#include "server/core/drift/grid_statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"

namespace greengate::drift {
namespace {

// One side's counts in one piece of the grid: the values tied at an edge, or the values
// strictly inside a bin.
struct Piece {
  bool at_edge = false;
  double x_left = 0;  // a tie's value, or the bin interior's extent
  double x_right = 0;
  double ref = 0;  // reference values in the piece
  double cur = 0;
  // Outer bins' interiors: the sums of each side's values in the piece (exact, from the
  // profiles' low_bin_sum / high_bin_sum less the edge's ties).
  bool has_sums = false;
  bool low_tail = false;  // the first bin (its inner edge is on the right)
  double ref_sum = 0;
  double cur_sum = 0;
};

// The grid as pieces in ascending order: bin 0's interior, then for each edge its ties and
// the interior of the bin it opens. Interiors of the outer bins end at the pooled min / max.
std::vector<Piece> Pieces(const GridPair& g) {
  const profile::NumericProfile& r = *g.reference;
  const profile::NumericProfile& c = *g.current;
  const std::size_t edges = r.bin_edges.size();
  const double lowest = std::min(g.n > 0 ? r.min : c.min, g.m > 0 ? c.min : r.min);
  const double highest = std::max(g.n > 0 ? r.max : c.max, g.m > 0 ? c.max : r.max);
  std::vector<Piece> out;
  out.reserve(2 * edges + 1);
  for (std::size_t bin = 0; bin <= edges; ++bin) {
    double ref_ties = 0;
    double cur_ties = 0;
    if (bin > 0) {
      ref_ties = static_cast<double>(r.edge_counts[bin - 1]);
      cur_ties = static_cast<double>(c.edge_counts[bin - 1]);
      const double e = r.bin_edges[bin - 1];
      out.push_back({true, e, e, ref_ties, cur_ties});
    }
    const double left = bin == 0 ? std::min(lowest, r.bin_edges.empty() ? lowest : r.bin_edges[0])
                                 : r.bin_edges[bin - 1];
    const double right = bin == edges ? std::max(highest, left) : r.bin_edges[bin];
    Piece interior{false, left, right, r.bin_counts[bin] - ref_ties, c.bin_counts[bin] - cur_ties};
    if ((bin == 0 || bin == edges) && edges > 0) {
      interior.low_tail = bin == 0;
      const double tie_value = bin == 0 ? 0.0 : r.bin_edges[bin - 1];
      interior.has_sums = true;
      interior.ref_sum = (bin == 0 ? r.low_bin_sum : r.high_bin_sum) - ref_ties * tie_value;
      interior.cur_sum = (bin == 0 ? c.low_bin_sum : c.high_bin_sum) - cur_ties * tie_value;
    }
    out.push_back(interior);
  }
  return out;
}

// A side's ECDF across one interior piece: `before` below it, rising by `mass` evenly over
// [from, to] (the side's own values fill only the part of the bin between its min and max).
struct Ramp {
  double before;
  double mass;
  double from;
  double to;
  double At(double x) const {
    if (mass == 0 || x <= from) return before;
    if (x >= to) return before + mass;
    return before + mass * (x - from) / (to - from);
  }
};

Ramp SideRamp(double before, double mass, const Piece& p, double side_min, double side_max) {
  const double from = std::max(p.x_left, side_min);
  const double to = std::min(p.x_right, side_max);
  return Ramp{before, mass, from, std::max(from, to)};
}

// Integrals over [a, b] of |d| and d^2 for d linear from d0 (at a) to d1 (at b).
void LinearIntegrals(double d0, double d1, double width, double* abs_sum, double* square_sum) {
  if (!(width > 0)) return;
  *square_sum += width * (d0 * d0 + d0 * d1 + d1 * d1) / 3.0;
  if ((d0 >= 0) == (d1 >= 0) || d0 == 0 || d1 == 0) {
    *abs_sum += width * std::fabs(d0 + d1) / 2.0;
  } else {  // the line crosses zero at t = d0 / (d0 - d1)
    const double t = d0 / (d0 - d1);
    *abs_sum += width * (t * std::fabs(d0) + (1 - t) * std::fabs(d1)) / 2.0;
  }
}

struct XIntegrals {
  GridEstimate abs;     // integral |F - G| dx
  GridEstimate square;  // integral (F - G)^2 dx
};

// The x-integrals of both distances in one walk over the pieces.
XIntegrals IntegrateOverX(const GridPair& g) {
  const double n = static_cast<double>(g.n);
  const double m = static_cast<double>(g.m);
  const profile::NumericProfile& r = *g.reference;
  const profile::NumericProfile& c = *g.current;
  XIntegrals out;
  double ref_below = 0;
  double cur_below = 0;
  std::vector<double> cuts;
  for (const Piece& p : Pieces(g)) {
    if (!p.at_edge && p.x_right > p.x_left) {
      const Ramp f = SideRamp(ref_below / n, p.ref / n, p, r.min, r.max);
      const Ramp h = SideRamp(cur_below / m, p.cur / m, p, c.min, c.max);
      double abs_estimate = 0, square_estimate = 0;
      const bool spans =
          f.from == p.x_left && f.to == p.x_right && h.from == p.x_left && h.to == p.x_right;
      if (spans) {  // an inner bin both sides fill: one straight line each
        LinearIntegrals(f.before - h.before, (f.before + f.mass) - (h.before + h.mass),
                        p.x_right - p.x_left, &abs_estimate, &square_estimate);
      } else {
        // Between these cuts both ECDFs are straight lines.
        cuts = {p.x_left, p.x_right, f.from, f.to, h.from, h.to};
        std::sort(cuts.begin(), cuts.end());
        for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
          const double a = std::max(cuts[i], p.x_left);
          const double b = std::min(cuts[i + 1], p.x_right);
          if (!(b > a)) continue;
          LinearIntegrals(f.At(a) - h.At(a), f.At(b) - h.At(b), b - a, &abs_estimate,
                          &square_estimate);
        }
      }
      // Anywhere in the bin, F is between its values at the bin's ends, and so is G.
      const double f_lo = f.before, f_hi = f.before + f.mass;
      const double g_lo = h.before, g_hi = h.before + h.mass;
      const double gap = std::max({0.0, f_lo - g_hi, g_lo - f_hi});
      const double widest = std::max(std::fabs(f_hi - g_lo), std::fabs(g_hi - f_lo));
      const double width = p.x_right - p.x_left;
      double abs_lower = width * gap, abs_upper = width * widest;
      double square_lower = width * gap * gap, square_upper = width * widest * widest;
      if (p.has_sums) {
        // The integral of F over [a, b] is (b - a) F(a) + the sum over the piece's values of
        // (b - v) / n: exact, and so is the signed integral of F - G. Its size bounds that of
        // |F - G| from below and equals it when the two cannot cross inside the bin.
        const double signed_integral = width * (f_lo - g_lo) + (p.ref * p.x_right - p.ref_sum) / n -
                                       (p.cur * p.x_right - p.cur_sum) / m;
        const double size = std::fabs(signed_integral);
        abs_lower = std::max(abs_lower, size);
        if (f_hi <= g_lo || g_hi <= f_lo) abs_upper = size;  // no crossing: exact
        abs_estimate = std::clamp(size, abs_lower, abs_upper);
        square_lower = std::max(square_lower, size * size / width);  // Cauchy-Schwarz
        square_upper = std::min(square_upper, widest * abs_upper);
        // On a tail, |F - G| is largest at the bin's inner edge and fades towards min or max:
        // modelled as a line falling to 0 with the exact integral.
        const double inner = p.low_tail ? std::fabs(f_hi - g_hi) : std::fabs(f_lo - g_lo);
        square_estimate = std::clamp(2.0 / 3.0 * size * inner, square_lower, square_upper);
      }
      out.abs.estimate += abs_estimate;
      out.abs.lower += abs_lower;
      out.abs.upper += abs_upper;
      out.square.estimate += square_estimate;
      out.square.lower += square_lower;
      out.square.upper += square_upper;
    }
    ref_below += p.ref;
    cur_below += p.cur;
  }
  // Rounding can put the estimate a hair outside bounds that are equal to it (no interiors).
  for (GridEstimate* e : {&out.abs, &out.square}) {
    e->lower = std::min(e->lower, e->estimate);
    e->upper = std::max(e->upper, e->estimate);
  }
  return out;
}

// sum_{t=1..a} (c - t)^2, in closed form.
double SumOfSquaresDown(double c, double a) {
  return a * c * c - c * a * (a + 1) + a * (a + 1) * (2 * a + 1) / 6.0;
}

}  // namespace

absl::StatusOr<GridPair> MakeGridPair(const profile::NumericProfile& reference,
                                      const profile::NumericProfile& current) {
  const std::size_t edges = reference.bin_edges.size();
  if (current.bin_edges != reference.bin_edges || reference.bin_counts.size() != edges + 1 ||
      current.bin_counts.size() != edges + 1 || reference.edge_counts.size() != edges ||
      current.edge_counts.size() != edges) {
    return absl::InvalidArgumentError(
        "numeric profiles: a grid comparison needs the same edges on both sides, with edge "
        "counts");
  }
  GridPair g{&reference, &current, 0, 0};
  double n = 0, m = 0;
  for (double v : reference.bin_counts) n += v;
  for (double v : current.bin_counts) m += v;
  g.n = static_cast<int64_t>(std::llround(n));
  g.m = static_cast<int64_t>(std::llround(m));
  if (g.n <= 0 || g.m <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "numeric profiles: a grid comparison needs values on both sides, got ", g.n, " and ", g.m));
  }
  return g;
}

GridEstimate GridKolmogorovSmirnov(const GridPair& g) {
  const double n = static_cast<double>(g.n);
  const double m = static_cast<double>(g.m);
  double ref_below = 0, cur_below = 0;
  double at_edges = 0, bound = 0;
  for (const Piece& p : Pieces(g)) {
    const double f0 = ref_below / n, g0 = cur_below / m;
    ref_below += p.ref;
    cur_below += p.cur;
    const double f1 = ref_below / n, g1 = cur_below / m;
    at_edges = std::max(at_edges, std::fabs(f1 - g1));
    // A tie moves both ECDFs at one point; inside a bin each may rise anywhere.
    if (!p.at_edge) bound = std::max({bound, std::fabs(f1 - g0), std::fabs(f0 - g1)});
  }
  return {at_edges, at_edges, std::max(at_edges, bound)};
}

double GridCramerVonMises(const GridPair& g) {
  // U = n sum_x (y's ranked below x)^2 + m sum_y (x's ranked below y)^2, mid-ranks for ties
  // (r_i - i for a reference value is the number of current values below it, ties halved).
  const double n = static_cast<double>(g.n);
  const double m = static_cast<double>(g.m);
  double ref_below = 0, cur_below = 0;
  double ux = 0, uy = 0;
  for (const Piece& p : Pieces(g)) {
    const double a = p.ref, b = p.cur;
    if (p.at_edge) {
      const double l = a + b;
      ux += SumOfSquaresDown(cur_below + (l + 1) / 2.0, a);
      uy += SumOfSquaresDown(ref_below + (l + 1) / 2.0, b);
    } else {
      // Evenly interleaved: a reference value at fraction t of the interior has cur_below +
      // b t current values below it.
      ux += a * (cur_below * cur_below + cur_below * b + b * b / 3.0);
      uy += b * (ref_below * ref_below + ref_below * a + a * a / 3.0);
    }
    ref_below += a;
    cur_below += b;
  }
  const double big_n = n + m;
  const double k = n * m;
  return (n * ux + m * uy) / (k * big_n) - (4.0 * k - 1.0) / (6.0 * big_n);
}

GridEstimate GridWasserstein1(const GridPair& g) { return IntegrateOverX(g).abs; }

GridEstimate GridEnergyDistance(const GridPair& g) {
  const GridEstimate sq = IntegrateOverX(g).square;
  auto energy = [](double s) { return std::sqrt(2.0 * std::max(0.0, s)); };
  return {energy(sq.estimate), energy(sq.lower), energy(sq.upper)};
}

TieGroups GridTieGroups(const GridPair& g) {
  TieGroups out;
  for (const Piece& p : Pieces(g)) {
    if (p.ref + p.cur <= 0) continue;
    out.reference.push_back(p.ref);
    out.current.push_back(p.cur);
  }
  return out;
}

}  // namespace greengate::drift
