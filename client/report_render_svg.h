#pragma once

// Inline SVG charts for the self-contained HTML report: no script, no external asset, text
// escaped. Pure and thread-safe.

#include <string>
#include <vector>

namespace greengate::client {

// One series of a grouped bar chart: a value per category.
struct BarSeries {
  std::string name;
  std::string color;  // CSS colour, e.g. "#2e7d32"
  std::vector<double> values;
};

// GroupedBarChart()
//
// An <svg id="`id`"> with one group of bars per category (one bar per series), a y axis
// from 0 to a round maximum with its `unit`, category labels under the groups and a legend.
// Values below 0 are drawn as 0. Each bar carries a <title> with its exact value.
std::string GroupedBarChart(const std::string& id, const std::string& title,
                            const std::vector<std::string>& categories,
                            const std::vector<BarSeries>& series, const std::string& unit);

// A point of a scatter chart, with the label shown on hover.
struct ScatterPoint {
  double x = 0;
  double y = 0;
  std::string label;
};

// ScatterChart()
//
// An <svg id="`id`"> plotting the points on equal, symmetric-about-zero axes with the y = x
// diagonal (points above it did better than expected). `empty_text` is drawn instead when
// there are no points.
std::string ScatterChart(const std::string& id, const std::string& title,
                         const std::vector<ScatterPoint>& points, const std::string& x_label,
                         const std::string& y_label, const std::string& empty_text);

// `text` with &, <, >, " and ' replaced by entities.
std::string HtmlEscape(const std::string& text);

// The smallest of 1, 2, 2.5, 5 x 10^k that is >= value (1 for value <= 0): a round axis end.
double NiceCeiling(double value);

}  // namespace greengate::client
