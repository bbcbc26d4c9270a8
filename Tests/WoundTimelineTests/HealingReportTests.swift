import Foundation
import Testing

@testable import WoundTimeline

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Healing figures on a series computed by hand (see each expectation's comment).
@Suite struct HealingReportTests {
  /// Baseline 10 cm^2 on 2026-03-01 09:00, then photos every two weeks.
  ///
  /// | day | area | perimeter | open area |
  /// | 0   | 10   | 12        | 10        |
  /// | 14  | 8    | 11        | 7.5       |
  /// | 28  | 5    | 9         | 4         |
  /// | 42  | 3    | 7         | 2.5       |
  private func handSeries(appendOrder: [Int] = [0, 1, 2, 3]) throws -> Timeline {
    let series: [(day: Double, area: Double, perimeter: Double, open: Double)] = [
      (0, 10, 12, 10), (14, 8, 11, 7.5), (28, 5, 9, 4), (42, 3, 7, 2.5),
    ]
    var timeline = Timeline(patient: "P001")
    for i in appendOrder {
      let point = series[i]
      var entry = TimelineEntry._example(
        index: i, woundSite: "left-heel", takenAt: utc(2026, 3, 1).addingTimeInterval(point.day * 86_400),
        areaCm2: point.area, perimeterCm: point.perimeter)
      entry.results.openAreaCm2 = point.open
      timeline.entries.append(try entry.sealed(previousHash: timeline.lastHash))
    }
    // Another wound of the same patient, which must not mix in.
    timeline.entries.append(
      try TimelineEntry._example(index: 9, woundSite: "sacrum", takenAt: utc(2026, 3, 2), areaCm2: 1)
        .sealed(previousHash: timeline.lastHash))
    return timeline
  }

  @Test func figuresMatchTheHandComputedSeries() throws {
    let report = try #require(HealingReport(timeline: handSeries(), woundSite: "left-heel"))
    #expect(report.rows.map(\.daysSinceBaseline) == [0, 14, 28, 42])
    #expect(report.rows.map(\.changeCm2) == [0, -2, -5, -7])
    #expect(report.rows.map(\.changePercent) == [0, -20, -50, -70])
    // Re-epithelialisation (10 - open) / 10: 0, 25, 60, 75 %.
    let reEpithelialisation = report.rows.map { $0.reEpithelialisationPercent ?? .nan }
    for (value, expected) in zip(reEpithelialisation, [0.0, 25, 60, 75]) { #expect(abs(value - expected) < 1e-9) }
    // Gilman: (10 - A) / ((12 + P) / 2) / weeks.
    //   day 14: 2 / 11.5 / 2 = 0.0869565; day 28: 5 / 10.5 / 4 = 0.1190476; day 42: 7 / 9.5 / 6 = 0.1228070.
    #expect(report.rows[0].gilmanCmPerWeek == nil)
    let gilman = report.rows.dropFirst().map { $0.gilmanCmPerWeek ?? .nan }
    for (value, expected) in zip(gilman, [0.0869565, 0.1190476, 0.1228070]) { #expect(abs(value - expected) < 1e-6) }
    // Area rate (10 - A) / weeks: 1, 1.25, 1.1666667 cm^2/week.
    let rates = report.rows.dropFirst().map { $0.areaReductionCm2PerWeek ?? .nan }
    for (value, expected) in zip(rates, [1.0, 1.25, 1.1666667]) { #expect(abs(value - expected) < 1e-6) }

    // Day 28 is in the window: reduction 50 %, reaching both figures.
    let fourWeek = try #require(report.fourWeek)
    #expect(fourWeek.daysSinceBaseline == 28)
    #expect(abs(fourWeek.percentAreaReduction - 50) < 1e-9)
    #expect(fourWeek.reachesDiabeticFootUlcerFigure && fourWeek.reachesVenousLegUlcerFigure)

    // Least squares over days 0, 14, 28, 42 and areas 10, 8, 5, 3:
    // slope -168 / 980 = -0.1714286 cm^2/day = -1.2 cm^2/week, intercept 10.1,
    // R^2 = 168^2 / (980 x 29) = 0.9931034; zero at day 58.916667 = 2026-04-29 07:00 UTC.
    let closure = try #require(report.projectedClosure)
    #expect(closure.entriesFitted == 4)
    #expect(abs(closure.slopeCm2PerWeek - -1.2) < 1e-9)
    #expect(abs(closure.rSquared - 0.9931034) < 1e-6)
    #expect(abs(closure.date.timeIntervalSince(utc(2026, 4, 29, 7, 0))) < 1)
    #expect(report.closureNote == nil)
  }

  @Test func rowsFollowTakenTimeNotAppendOrder() throws {
    let report = try #require(HealingReport(timeline: handSeries(appendOrder: [2, 0, 3, 1]), woundSite: "left-heel"))
    #expect(report.rows.map(\.areaCm2) == [10, 8, 5, 3])
    #expect(HealingReport(timeline: try handSeries(), woundSite: "sacrum")?.rows.count == 1)
    #expect(HealingReport(timeline: try handSeries(), woundSite: "elbow") == nil)
  }

  /// A series of (day, area) at one site, perimeter 10 throughout.
  /// A report over (day, area) points; an area of 0 is a confirmed closure unless `confirmingZero` is false.
  private func report(_ points: [(Double, Double)], confirmingZero: Bool = true) throws -> HealingReport {
    var timeline = Timeline(patient: "P002")
    for (i, point) in points.enumerated() {
      var entry = TimelineEntry._example(
        index: i, takenAt: utc(2026, 1, 5).addingTimeInterval(point.0 * 86_400), areaCm2: point.1, perimeterCm: 10)
      if point.1 == 0 && confirmingZero { entry.closureConfirmed = true }
      timeline.entries.append(try entry.sealed(previousHash: timeline.lastHash))
    }
    return try #require(HealingReport(timeline: timeline, woundSite: "left-heel"))
  }

  @Test func fourWeekFigureUsesThePhotoNearestDay28WithinDays21To35() throws {
    // Days 25 and 33 are both in the window; 25 is nearer to 28. 10 -> 7: 30 %.
    let nearest = try report([(0, 10), (25, 7), (33, 4)]).fourWeek
    #expect(nearest?.daysSinceBaseline == 25)
    #expect(abs((nearest?.percentAreaReduction ?? 0) - 30) < 1e-9)
    #expect(nearest?.reachesDiabeticFootUlcerFigure == false)
    #expect(nearest?.reachesVenousLegUlcerFigure == false)
    // 10 -> 5.5 on day 30: 45 %, the venous figure but not the diabetic one.
    let between = try report([(0, 10), (30, 5.5)]).fourWeek
    #expect(between?.reachesVenousLegUlcerFigure == true && between?.reachesDiabeticFootUlcerFigure == false)
    // Days 20 and 36 lie outside the window.
    #expect(try report([(0, 10), (20, 7), (36, 4)]).fourWeek == nil)
  }

  @Test func closureIsNotProjectedWithoutAClearShrinkingTrend() throws {
    let twoPhotos = try report([(0, 10), (14, 8)])
    #expect(twoPhotos.projectedClosure == nil)
    #expect(twoPhotos.closureNote == "needs at least 3 photos, has 2")
    let growing = try report([(0, 10), (7, 11), (14, 12)])
    #expect(growing.projectedClosure == nil)
    #expect(growing.closureNote == "the area is not shrinking over the latest 3 photos")
    // Areas 10, 4, 9, 2 over days 0-21: slope negative but R^2 = 66.5^2 / (245 x 44.75) = 0.40.
    let noisy = try report([(0, 10), (7, 4), (14, 9), (21, 2)])
    #expect(noisy.projectedClosure == nil)
    #expect(noisy.closureNote?.hasPrefix("the latest 4 areas do not follow a straight line") == true)
    let sameWeek = try report([(0, 10), (2, 9), (4, 8)])
    #expect(sameWeek.closureNote == "the latest 3 photos span 4.00 days, fewer than 7.00")
    // A wound confirmed closed is closed on that date.
    let closed = try report([(0, 10), (14, 3), (28, 0)])
    #expect(closed.projectedClosure?.date == utc(2026, 1, 5).addingTimeInterval(28 * 86_400))
    #expect(closed.textTable().contains("Closed: closure confirmed on the photo of 2026-02-02 09:00"))
    // An area of 0 nobody confirmed is not a closure: it is left out and listed for review.
    let unconfirmed = try report([(0, 10), (14, 3), (28, 0)], confirmingZero: false)
    #expect(unconfirmed.rows.count == 2)
    #expect(unconfirmed.projectedClosure == nil)
    #expect(unconfirmed.needsReview.count == 1)
    #expect(unconfirmed.textTable().contains("Needs review: entry"))
    // Only the latest 5 photos are fitted: an early plateau does not matter.
    let late = try report([(0, 10), (7, 10), (14, 10), (21, 8), (28, 6), (35, 4), (42, 2)])
    #expect(late.projectedClosure?.entriesFitted == 5)
    #expect(abs((late.projectedClosure?.slopeCm2PerWeek ?? 0) - -2) < 1e-9)
  }

  @Test func csvHasAHeaderAndOneLinePerPhoto() throws {
    let report = try #require(HealingReport(timeline: handSeries(), woundSite: "left-heel"))
    let lines = report.csvLines().split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 5)  // four rows and the final line break
    #expect(lines.last == "")
    let columns = HealingReport.csvHeader.split(separator: ",").count
    #expect(columns == 17)
    #expect(lines.dropLast().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == columns })
    let second = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    #expect(second[0] == "P001" && second[1] == "left-heel" && second[3] == "2026-03-15T09:00:00Z")
    #expect(
      Array(second[4...12]) == [
        "14.000", "8.0000", "11.000", "7.5000", "-2.0000", "-20.00", "25.00", "0.0870", "1.0000",
      ])
    #expect(Array(second[13...16]) == ["0.6000", "0.2500", "0.0500", "0.1000"])
    let first = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    #expect(first[11] == "" && first[12] == "")  // no rate for the baseline itself
  }

  @Test func textTableShowsTheFiguresAndTheirSources() throws {
    let text = try #require(HealingReport(timeline: handSeries(), woundSite: "left-heel")).textTable()
    #expect(text.contains("Patient P001, wound left-heel: 4 photo(s)"))
    #expect(text.contains("2026-03-29 09:00"))
    #expect(text.contains("4-week area reduction: 50.0 %"))
    #expect(text.contains("Sheehan 2003") && text.contains("Phillips 2000"))
    #expect(text.contains("Projected closure: 2026-04-29"))
  }

  @Test func chartIsWellFormedSVGWithDatesBaselineAndOneDotPerPhoto() throws {
    let report = try #require(HealingReport(timeline: handSeries(), woundSite: "left-heel"))
    let svg = HealingChart.svg(report)
    let delegate = ElementCounter()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = delegate
    #expect(parser.parse(), "SVG is not well-formed XML: \(String(describing: parser.parserError))")
    #expect(delegate.counts["svg"] == 1)
    #expect(delegate.counts["circle"] == 4)
    #expect(delegate.counts["polyline"] == 1)
    #expect(svg.contains("Patient P001, wound left-heel: area over time"))
    #expect(svg.contains("baseline 10.00 cm²"))
    #expect(svg.contains("2026-03-01") && svg.contains("2026-04-12"))
    #expect(svg.contains("area (cm²)"))
  }

  @Test func niceTicksCoverTheRange() {
    #expect(HealingChart.niceTicks(maximum: 11) == [0, 5, 10, 15])
    let small = HealingChart.niceTicks(maximum: 0.9)
    #expect(small.count == 6 && zip(small, [0, 0.2, 0.4, 0.6, 0.8, 1]).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(HealingChart.niceDayStep(42) == 7)
  }
}

/// Counts XML elements by name.
final class ElementCounter: NSObject, XMLParserDelegate {
  var counts: [String: Int] = [:]
  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    counts[elementName, default: 0] += 1
  }
}
