#pragma once

// Human-readable renderings of API messages for the CLI's default (non --json) output.
// Plain text, aligned columns, no colour, every line ending in '\n'. Pure and thread-safe.

#include <string>
#include <vector>

#include "greengate/v1/greengate.pb.h"

namespace greengate::client {

// Verdict, one-line reason, each policy check (observed / limit / pass, the decisive one
// marked '*'), the drift summary with the drifted features, the gain estimate with its method
// and evidence, and the cost estimate with its method, sources and breakdown.
std::string FormatDecision(const v1::Decision& decision);

// One line per decision (name, time, model, verdict, kWh, reason) under a header.
std::string FormatDecisionList(const std::vector<v1::Decision>& decisions);

std::string FormatModel(const v1::Model& model);
std::string FormatModelList(const v1::ListModelsResponse& response);
std::string FormatPolicy(const v1::Policy& policy);
std::string FormatReference(const v1::Reference& reference);

// Columns padded to their widest cell, separated by two spaces, each row prefixed by
// `indent`; trailing blanks trimmed.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows,
                        const std::string& indent);

// A double with up to `digits` significant digits ("0.0312", "1.25e+04", "0").
std::string FormatNumber(double value, int digits = 4);

// "2024-05-01T10:00:00Z"; "-" for an unset timestamp.
std::string FormatTimestamp(const google::protobuf::Timestamp& time);

}  // namespace greengate::client
