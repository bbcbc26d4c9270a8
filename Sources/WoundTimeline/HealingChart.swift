import FoundationEssentials
import WoundCore

#if canImport(Glibc)
  import Glibc
#endif

/// An SVG chart of a wound's area over time, for a clinical note.
///
/// Dated x axis (UTC days), area in cm^2 on the y axis from zero, the
/// baseline area as a dashed line, one dot per photo, and the patient and
/// wound site in the title. Self-contained SVG 1.1, no scripts or fonts
/// beyond the generic `sans-serif`.
package enum HealingChart {
  /// The chart's width and height in SVG user units (pixels).
  package static let widthPixels = 720.0
  package static let heightPixels = 420.0

  /// Renders the chart of `report`.
  package static func svg(_ report: HealingReport) -> String {
    let left = 70.0
    let right = 48.0  // room for half of the last date label
    let top = 52.0
    let bottom = 64.0
    let plotWidth = widthPixels - left - right
    let plotHeight = heightPixels - top - bottom
    let days = report.rows.map(\.daysSinceBaseline)
    let areas = report.rows.map(\.areaCm2)
    let lastDay = max(days.max() ?? 0, 1)
    let yTicks = niceTicks(maximum: max(areas.max() ?? 0, 0.1) * 1.1)
    let yMaximum = yTicks.last!
    let dayStep = niceDayStep(lastDay)
    let xMaximum = (lastDay / dayStep).rounded(.up) * dayStep
    func x(_ day: Double) -> Double { left + day / xMaximum * plotWidth }
    func y(_ area: Double) -> Double { top + plotHeight - area / yMaximum * plotHeight }
    func f(_ v: Double) -> String { cFormat("%.1f", v) }
    let baselineDate = report.rows.first?.takenAt ?? Date(timeIntervalSince1970: 0)

    var svg: [String] = []
    let title = "Patient \(report.patient), wound \(report.woundSite): area over time"
    svg.append(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(widthPixels))\" height=\"\(Int(heightPixels))\" "
        + "viewBox=\"0 0 \(Int(widthPixels)) \(Int(heightPixels))\" font-family=\"sans-serif\" font-size=\"12\">")
    svg.append("<title>\(markupEscaped(title))</title>")
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
    svg.append(
      "<text x=\"\(f(widthPixels / 2))\" y=\"28\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">\(markupEscaped(title))</text>"
    )
    // Grid and y axis labels.
    for tick in yTicks {
      svg.append(
        "<line x1=\"\(f(left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y(tick)))\" stroke=\"#dddddd\"/>"
      )
      svg.append("<text x=\"\(f(left - 8))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(tickLabel(tick))</text>")
    }
    // x axis ticks, labelled with dates.
    var day = 0.0
    while day <= xMaximum + 1e-9 {
      let date = UTCTime.day(baselineDate.addingTimeInterval(day * 86_400))
      svg.append(
        "<line x1=\"\(f(x(day)))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(x(day)))\" y2=\"\(f(top + plotHeight + 5))\" stroke=\"black\"/>"
      )
      svg.append("<text x=\"\(f(x(day)))\" y=\"\(f(top + plotHeight + 20))\" text-anchor=\"middle\">\(date)</text>")
      day += dayStep
    }
    svg.append(
      "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\" stroke=\"black\"/>")
    svg.append(
      "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(top + plotHeight))\" stroke=\"black\"/>"
    )
    svg.append(
      "<text x=\"18\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(f(top + plotHeight / 2)))\">area (cm²)</text>"
    )
    svg.append(
      "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(heightPixels - 14))\" text-anchor=\"middle\">date photographed (UTC)</text>"
    )
    // Baseline.
    if let baseline = areas.first {
      svg.append(
        "<line x1=\"\(f(left))\" y1=\"\(f(y(baseline)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y(baseline)))\" stroke=\"#888888\" stroke-dasharray=\"6 4\"/>"
      )
      svg.append(
        "<text x=\"\(f(left + plotWidth - 4))\" y=\"\(f(y(baseline) - 6))\" text-anchor=\"end\" fill=\"#555555\">baseline \(cFormat("%.2f", baseline)) cm²</text>"
      )
    }
    // The series.
    let points = zip(days, areas).map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ")
    svg.append("<polyline points=\"\(points)\" fill=\"none\" stroke=\"#b03020\" stroke-width=\"2\"/>")
    for (d, a) in zip(days, areas) {
      svg.append(
        "<circle cx=\"\(f(x(d)))\" cy=\"\(f(y(a)))\" r=\"4\" fill=\"#b03020\"><title>\(cFormat("%.2f", a)) cm²</title></circle>"
      )
    }
    svg.append("</svg>")
    return svg.joined(separator: "\n") + "\n"
  }

  /// Ticks from 0 at a step of 1, 2 or 5 times a power of ten, covering `maximum`.
  static func niceTicks(maximum: Double) -> [Double] {
    let rough = maximum / 5
    let power = pow(10, (log10(rough)).rounded(.down))
    let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
    let count = Int((maximum / step).rounded(.up))
    return (0...max(count, 1)).map { Double($0) * step }
  }

  /// A day step giving at most about 8 date labels.
  static func niceDayStep(_ days: Double) -> Double {
    [1.0, 2, 7, 14, 28, 56, 91, 182, 364].first { days / $0 <= 8 } ?? 364
  }

  static func tickLabel(_ value: Double) -> String {
    value == value.rounded() ? cFormat("%.0f", value) : cFormat("%g", value)
  }
}
