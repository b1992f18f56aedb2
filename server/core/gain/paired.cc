#include "server/core/gain/paired.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/gain/proportion.h"

namespace greengate::gain {
namespace {

absl::Status CountInRange(int64_t value, int64_t max, absl::string_view field,
                          absl::string_view name, absl::string_view max_name = "rows") {
  if (value < 0 || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".", name, ": must be in [0, ", field,
                                                   ".", max_name, "=", max, "], got ", value));
  }
  return absl::OkStatus();
}

// The 2 x 2 table of a pair: both right, first only, second only, neither.
struct Table {
  double a, b, c, d;
};

Table TableOf(const PairedCounts& k) {
  const int64_t b = k.first_only_correct.value_or(0);
  const int64_t c = k.second_only_correct.value_or(0);
  const int64_t a = k.first_correct - b;
  return {static_cast<double>(a), static_cast<double>(b), static_cast<double>(c),
          static_cast<double>(k.rows - a - b - c)};
}

// Pearson's phi of the table; 0 when a margin is empty (the correlation is undefined and the
// interval then falls back to the independent one).
double Phi(const Table& t) {
  const double denominator = (t.a + t.b) * (t.c + t.d) * (t.a + t.c) * (t.b + t.d);
  if (denominator <= 0) return 0;
  return (t.a * t.d - t.b * t.c) / std::sqrt(denominator);
}

}  // namespace

absl::Status ValidatePairedCounts(const PairedCounts& k, absl::string_view field,
                                  const PairedNames& names) {
  if (k.rows <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".rows: must be > 0, got ", k.rows));
  }
  RETURN_IF_ERROR(CountInRange(k.first_correct, k.rows, field, names.first_correct));
  RETURN_IF_ERROR(CountInRange(k.second_correct, k.rows, field, names.second_correct));
  if (k.first_only_correct.has_value() != k.second_only_correct.has_value()) {
    const absl::string_view missing =
        k.first_only_correct ? names.second_only_correct : names.first_only_correct;
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".", missing, ": required with the other discordant count (both or neither)"));
  }
  if (!k.first_only_correct) return absl::OkStatus();
  RETURN_IF_ERROR(CountInRange(*k.first_only_correct, k.first_correct, field,
                               names.first_only_correct, names.first_correct));
  RETURN_IF_ERROR(CountInRange(*k.second_only_correct, k.second_correct, field,
                               names.second_only_correct, names.second_correct));
  const Table t = TableOf(k);
  // a + c must be second_correct, and no cell may be negative.
  if (t.a + t.c != static_cast<double>(k.second_correct) || t.d < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".", names.second_only_correct, ": inconsistent with the totals (both right = ",
        names.first_correct, " - ", names.first_only_correct, " = ", static_cast<int64_t>(t.a),
        ", so ", names.second_correct, " - ", names.second_only_correct,
        " must equal it, and the rows right by neither must be >= 0)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DifferenceInterval> NewcombePairedInterval(const PairedCounts& k, double confidence,
                                                          absl::string_view field,
                                                          const PairedNames& names) {
  RETURN_IF_ERROR(ValidatePairedCounts(k, field, names));
  if (!(confidence > 0 && confidence < 1)) {  // also rejects NaN
    return absl::InvalidArgumentError(
        absl::StrCat("confidence: must be in (0, 1), got ", confidence));
  }
  const double n = static_cast<double>(k.rows);
  const double p1 = static_cast<double>(k.first_correct) / n;
  const double p2 = static_cast<double>(k.second_correct) / n;
  ASSIGN_OR_RETURN(const ProportionInterval w1,
                   WilsonInterval(k.first_correct, k.rows, confidence));
  ASSIGN_OR_RETURN(const ProportionInterval w2,
                   WilsonInterval(k.second_correct, k.rows, confidence));
  DifferenceInterval out;
  out.paired = k.first_only_correct.has_value();
  out.phi = out.paired ? Phi(TableOf(k)) : 0;
  out.difference = p1 - p2;
  const double below1 = p1 - w1.lower, above1 = w1.upper - p1;
  const double below2 = p2 - w2.lower, above2 = w2.upper - p2;
  // With phi <= 1 each radicand is >= (x - y)^2 >= 0; max() only absorbs rounding.
  out.lower =
      out.difference -
      std::sqrt(std::max(0.0, below1 * below1 - 2 * out.phi * below1 * above2 + above2 * above2));
  out.upper =
      out.difference +
      std::sqrt(std::max(0.0, above1 * above1 - 2 * out.phi * above1 * below2 + below2 * below2));
  return out;
}

}  // namespace greengate::gain
