import Foundation
import Testing

@testable import WoundTimeline

/// The recorded wound type picks the four-week figure; re-epithelialisation is 0 at
/// baseline and a growing wound is "enlarged", never a negative percentage.
@Suite struct WoundTypeTests {
  /// Areas 10, 9, 4.5 cm^2 at days 0, 14, 28 with 10 % epithelium, then 12 cm^2 at day 42.
  static func series(type: WoundType?) throws -> Timeline {
    var timeline = Timeline(patient: "P001")
    for (i, (day, area)) in [(0.0, 10.0), (14, 9), (28, 4.5), (42, 12)].enumerated() {
      var entry = TimelineEntry._example(
        index: i, takenAt: utc(2026, 3, 1).addingTimeInterval(day * 86_400), areaCm2: area)
      entry.results.openAreaCm2 = area * 0.9
      if let type, i == 1 { entry.settings.other?[WoundType.settingsKey] = type.rawValue }
      timeline.entries.append(try entry.sealed(previousHash: timeline.lastHash))
    }
    return timeline
  }

  @Test func reEpithelialisationStartsAtZeroAndAGrowingWoundIsEnlarged() throws {
    let report = try #require(HealingReport(timeline: Self.series(type: nil), woundSite: "left-heel"))
    // Open areas 9, 8.1, 4.05, 10.8: (9 - open) / 9 = 0, 10, 55 %, then larger than at baseline.
    let values = report.rows.map(\.reEpithelialisationPercent)
    #expect(values[0] == 0)
    #expect(abs((values[1] ?? -1) - 10) < 1e-9 && abs((values[2] ?? -1) - 55) < 1e-9)
    #expect(values[3] == nil)
    #expect(report.rows.map(\.openAreaEnlarged) == [false, false, false, true])
    #expect(report.textTable().contains("enlarged"))
    let column = HealingReport.csvHeader.split(separator: ",").firstIndex(of: "reEpithelialisationPercent")!
    let cells = report.csvLines().split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false)[column]
    }
    #expect(cells == ["0.00", "10.00", "55.00", ""])
  }

  @Test(arguments: [
    (WoundType.diabeticFoot, 50.0, "Sheehan", "Phillips"), (.venous, 40, "Phillips", "Sheehan"),
  ])
  func theTypesFigureAloneIsApplied(type: WoundType, threshold: Double, shown: String, hidden: String) throws {
    let report = try #require(HealingReport(timeline: Self.series(type: type), woundSite: "left-heel"))
    #expect(report.woundType == type)
    let fourWeek = try #require(report.fourWeek)
    #expect(fourWeek.thresholdPercent == threshold)
    #expect(fourWeek.reachesThreshold == true)  // 55 % at day 28
    let text = report.textTable()
    #expect(text.contains(shown) && !text.contains(hidden), "\(text)")
  }

  @Test func aTypeWithoutAFigureAndAnUnrecordedTypeSaySo() throws {
    let pressure = try #require(HealingReport(timeline: Self.series(type: .pressure), woundSite: "left-heel"))
    #expect(pressure.fourWeek?.thresholdPercent == nil && pressure.fourWeek?.reachesThreshold == nil)
    #expect(pressure.textTable().contains("No four-week figure is established for a pressure ulcer"))
    let unknown = try #require(HealingReport(timeline: Self.series(type: nil), woundSite: "left-heel"))
    #expect(unknown.woundType == nil)
    let text = unknown.textTable()
    #expect(text.contains("Sheehan") && text.contains("Phillips") && text.contains("--wound-type"))
  }
}
