#include "client/report_render_svg.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace greengate::client {
namespace {

constexpr double kWidth = 720;
constexpr double kHeight = 300;
constexpr double kLeft = 70;  // room for y tick labels
constexpr double kRight = 20;
constexpr double kTop = 40;     // title and legend
constexpr double kBottom = 60;  // category labels
constexpr int kTicks = 5;

std::string Num(double v) { return absl::StrFormat("%.1f", v); }

// A tick label: few digits, no trailing zeros.
std::string TickLabel(double v) {
  std::string s = absl::StrFormat("%.3g", v);
  return s;
}

std::string SvgOpen(const std::string& id, const std::string& title) {
  return absl::StrCat(
      "<svg id=\"", HtmlEscape(id), "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"", Num(kWidth),
      "\" height=\"", Num(kHeight), "\" viewBox=\"0 0 ", Num(kWidth), " ", Num(kHeight),
      "\" role=\"img\" aria-label=\"", HtmlEscape(title), "\">\n", "<title>", HtmlEscape(title),
      "</title>\n", "<rect x=\"0\" y=\"0\" width=\"", Num(kWidth), "\" height=\"", Num(kHeight),
      "\" fill=\"#ffffff\"/>\n", "<text x=\"", Num(kLeft),
      "\" y=\"20\" font-size=\"15\" font-weight=\"bold\">", HtmlEscape(title), "</text>\n");
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

double NiceCeiling(double value) {
  if (!(value > 0) || !std::isfinite(value)) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    // The relative slack absorbs rounding in pow/log10 for exact powers of ten.
    if (step * magnitude >= value * (1 - 1e-12)) return step * magnitude;
  }
  return 10 * magnitude;
}

std::string GroupedBarChart(const std::string& id, const std::string& title,
                            const std::vector<std::string>& categories,
                            const std::vector<BarSeries>& series, const std::string& unit) {
  double max_value = 0;
  for (const BarSeries& s : series) {
    for (double v : s.values) {
      if (std::isfinite(v)) max_value = std::max(max_value, v);
    }
  }
  const double top = NiceCeiling(max_value);
  const double plot_w = kWidth - kLeft - kRight;
  const double plot_h = kHeight - kTop - kBottom;
  const double base_y = kTop + plot_h;
  std::string svg = SvgOpen(id, title);

  // Axis, gridlines and tick labels.
  for (int i = 0; i <= kTicks; ++i) {
    const double value = top * i / kTicks;
    const double y = base_y - plot_h * i / kTicks;
    absl::StrAppend(&svg, "<line x1=\"", Num(kLeft), "\" x2=\"", Num(kWidth - kRight), "\" y1=\"",
                    Num(y), "\" y2=\"", Num(y), "\" stroke=\"", i == 0 ? "#333333" : "#dddddd",
                    "\"/>\n", "<text x=\"", Num(kLeft - 6), "\" y=\"", Num(y + 4),
                    "\" font-size=\"11\" text-anchor=\"end\">", TickLabel(value), "</text>\n");
  }
  absl::StrAppend(&svg, "<text x=\"14\" y=\"", Num(kTop + plot_h / 2),
                  "\" font-size=\"11\" transform=\"rotate(-90 14 ", Num(kTop + plot_h / 2),
                  ")\" text-anchor=\"middle\">", HtmlEscape(unit), "</text>\n");

  // Legend, under the category labels.
  double legend_x = kLeft;
  const double legend_y = kHeight - 22;
  for (const BarSeries& s : series) {
    absl::StrAppend(&svg, "<rect x=\"", Num(legend_x), "\" y=\"", Num(legend_y - 10),
                    "\" width=\"12\" height=\"12\" fill=\"", HtmlEscape(s.color),
                    "\"/>\n<text x=\"", Num(legend_x + 16), "\" y=\"", Num(legend_y),
                    "\" font-size=\"12\">", HtmlEscape(s.name), "</text>\n");
    legend_x += 150;
  }

  if (categories.empty() || series.empty()) {
    absl::StrAppend(&svg, "<text x=\"", Num(kLeft + plot_w / 2), "\" y=\"", Num(kTop + plot_h / 2),
                    "\" font-size=\"13\" text-anchor=\"middle\" "
                    "fill=\"#666666\">No data in this period</text>\n</svg>\n");
    return svg;
  }
  const double group_w = plot_w / static_cast<double>(categories.size());
  const double bar_w = std::min(40.0, group_w * 0.8 / static_cast<double>(series.size()));
  for (size_t c = 0; c < categories.size(); ++c) {
    const double group_x = kLeft + group_w * static_cast<double>(c);
    const double bars_x = group_x + (group_w - bar_w * static_cast<double>(series.size())) / 2;
    for (size_t s = 0; s < series.size(); ++s) {
      const double v = c < series[s].values.size() ? series[s].values[c] : 0;
      const double clamped = std::isfinite(v) ? std::max(0.0, v) : 0;
      const double h = plot_h * clamped / top;
      absl::StrAppend(&svg, "<rect class=\"bar\" x=\"",
                      Num(bars_x + bar_w * static_cast<double>(s)), "\" y=\"", Num(base_y - h),
                      "\" width=\"", Num(bar_w), "\" height=\"", Num(h), "\" fill=\"",
                      HtmlEscape(series[s].color), "\"><title>", HtmlEscape(categories[c]), " ",
                      HtmlEscape(series[s].name), ": ", absl::StrFormat("%.3f", v), " ",
                      HtmlEscape(unit), "</title></rect>\n");
    }
    absl::StrAppend(&svg, "<text x=\"", Num(group_x + group_w / 2), "\" y=\"", Num(base_y + 18),
                    "\" font-size=\"11\" text-anchor=\"middle\">", HtmlEscape(categories[c]),
                    "</text>\n");
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

std::string ScatterChart(const std::string& id, const std::string& title,
                         const std::vector<ScatterPoint>& points, const std::string& x_label,
                         const std::string& y_label, const std::string& empty_text) {
  std::string svg = SvgOpen(id, title);
  const double plot_h = kHeight - kTop - kBottom;
  const double plot_w = plot_h;  // square, so the diagonal is at 45 degrees
  const double x0 = kLeft + 40;
  if (points.empty()) {
    absl::StrAppend(&svg, "<text x=\"", Num(kWidth / 2), "\" y=\"", Num(kTop + plot_h / 2),
                    "\" font-size=\"13\" text-anchor=\"middle\" fill=\"#666666\">",
                    HtmlEscape(empty_text), "</text>\n</svg>\n");
    return svg;
  }
  double extent = 0;
  for (const ScatterPoint& p : points) {
    if (std::isfinite(p.x)) extent = std::max(extent, std::abs(p.x));
    if (std::isfinite(p.y)) extent = std::max(extent, std::abs(p.y));
  }
  const double half = NiceCeiling(extent);
  const auto px = [&](double x) { return x0 + plot_w * (x + half) / (2 * half); };
  const auto py = [&](double y) { return kTop + plot_h * (half - y) / (2 * half); };
  absl::StrAppend(&svg, "<rect x=\"", Num(x0), "\" y=\"", Num(kTop), "\" width=\"", Num(plot_w),
                  "\" height=\"", Num(plot_h), "\" fill=\"none\" stroke=\"#333333\"/>\n");
  // Zero axes, the diagonal, and the axis ends.
  absl::StrAppend(&svg, "<line x1=\"", Num(px(-half)), "\" y1=\"", Num(py(0)), "\" x2=\"",
                  Num(px(half)), "\" y2=\"", Num(py(0)), "\" stroke=\"#dddddd\"/>\n", "<line x1=\"",
                  Num(px(0)), "\" y1=\"", Num(py(-half)), "\" x2=\"", Num(px(0)), "\" y2=\"",
                  Num(py(half)), "\" stroke=\"#dddddd\"/>\n", "<line id=\"", HtmlEscape(id),
                  "-diagonal\" x1=\"", Num(px(-half)), "\" y1=\"", Num(py(-half)), "\" x2=\"",
                  Num(px(half)), "\" y2=\"", Num(py(half)),
                  "\" stroke=\"#888888\" stroke-dasharray=\"4 3\"/>\n");
  for (double v : {-half, 0.0, half}) {
    absl::StrAppend(&svg, "<text x=\"", Num(px(v)), "\" y=\"", Num(kTop + plot_h + 14),
                    "\" font-size=\"11\" text-anchor=\"middle\">", TickLabel(v), "</text>\n",
                    "<text x=\"", Num(x0 - 6), "\" y=\"", Num(py(v) + 4),
                    "\" font-size=\"11\" text-anchor=\"end\">", TickLabel(v), "</text>\n");
  }
  absl::StrAppend(&svg, "<text x=\"", Num(x0 + plot_w / 2), "\" y=\"", Num(kTop + plot_h + 32),
                  "\" font-size=\"12\" text-anchor=\"middle\">", HtmlEscape(x_label), "</text>\n",
                  "<text x=\"", Num(x0 + plot_w + 16), "\" y=\"", Num(kTop + 14),
                  "\" font-size=\"12\">", HtmlEscape(y_label), " (vertical)</text>\n", "<text x=\"",
                  Num(x0 + plot_w + 16), "\" y=\"", Num(kTop + 32),
                  "\" font-size=\"11\" fill=\"#666666\">dashed: realised = "
                  "expected</text>\n");
  for (const ScatterPoint& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    absl::StrAppend(&svg, "<circle class=\"point\" cx=\"", Num(px(p.x)), "\" cy=\"", Num(py(p.y)),
                    "\" r=\"5\" fill=\"#1565c0\" fill-opacity=\"0.8\"><title>", HtmlEscape(p.label),
                    "</title></circle>\n");
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

}  // namespace greengate::client
