#pragma once

// The two status macros Abseil 20220623 does not ship.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GG_CONCAT_INNER_(a, b) a##b
#define GG_CONCAT_(a, b) GG_CONCAT_INNER_(a, b)

// RETURN_IF_ERROR(expr): returns the status of `expr` from the enclosing function if not ok.
#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    const ::absl::Status gg_status_ = (expr); \
    if (!gg_status_.ok()) return gg_status_;  \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates the StatusOr `expr`; on error returns its status,
// else assigns (moves) the value into `lhs`, which may be a declaration.
#define ASSIGN_OR_RETURN(lhs, expr) \
  GG_ASSIGN_OR_RETURN_IMPL_(GG_CONCAT_(gg_statusor_, __LINE__), lhs, expr)
#define GG_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)     \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
