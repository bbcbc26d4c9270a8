import FoundationEssentials
import WoundCore

/// One row per patient and wound site of a timeline folder: the study's view of the
/// record (`woundmeasure cohort`). Built from each site's ``HealingReport``, so it
/// counts standing entries only and closure only where a person confirmed it.
package struct Cohort: Sendable, Equatable, Codable {
  package struct Row: Sendable, Equatable, Codable {
    package var patient: String
    package var woundSite: String
    package var baselineDate: Date
    package var baselineAreaCm2: Double
    package var latestDate: Date
    package var latestAreaCm2: Double
    /// `(latest - baseline) / baseline x 100`; `nil` when the baseline area is 0.
    package var changePercent: Double?
    /// The report's 4-week area reduction, percent; `nil` without a photo on days 21-35.
    package var fourWeekReductionPercent: Double?
    /// Gilman's rate from baseline to the latest photo, cm/week.
    package var gilmanCmPerWeek: Double?
    /// A person confirmed closure on the latest photo.
    package var closed: Bool
    /// The date of that photo, when closed.
    package var closedDate: Date?
    /// Weeks from baseline to the confirmed closure.
    package var weeksToClosure: Double?
    /// Standing photos of the site.
    package var photos: Int
    /// Entries left out of the figures because a person must review them.
    package var entriesNeedingReview: Int
  }

  /// A timeline that could not be used, and why (never silently skipped).
  package struct Refused: Sendable, Equatable, Codable {
    package var file: String
    package var reason: String
  }

  package var rows: [Row]
  package var refused: [Refused]

  /// Reads every `<patient>.json` of `directory` with its chain and head checked.
  package init(directory: String) {
    let store = TimelineStore(directory: directory)
    var rows: [Row] = []
    var refused: [Refused] = []
    for patient in store.patients() {
      let timeline: Timeline
      do {
        timeline = try store.load(patient: patient, verifyingChain: true)
        if let head = try store.head(patient: patient), let problem = head.mismatch(with: timeline) {
          refused.append(
            Refused(file: try store.path(patient: patient), reason: "\(problem) (entries deleted or the file replaced)")
          )
          continue
        }
      } catch {
        refused.append(Refused(file: (try? store.path(patient: patient)) ?? patient, reason: error.description))
        continue
      }
      for site in timeline.standingWoundSites {
        guard let report = HealingReport(timeline: timeline, woundSite: site), let first = report.rows.first,
          let last = report.rows.last
        else { continue }
        let closed = last.closureConfirmed && report.rows.count > 1
        rows.append(
          Row(
            patient: patient, woundSite: site, baselineDate: first.takenAt, baselineAreaCm2: first.areaCm2,
            latestDate: last.takenAt, latestAreaCm2: last.areaCm2, changePercent: last.changePercent,
            fourWeekReductionPercent: report.fourWeek?.percentAreaReduction, gilmanCmPerWeek: last.gilmanCmPerWeek,
            closed: closed, closedDate: closed ? last.takenAt : nil,
            weeksToClosure: closed ? last.daysSinceBaseline / 7 : nil, photos: report.rows.count,
            entriesNeedingReview: report.needsReview.count))
      }
    }
    self.rows = rows
    self.refused = refused
  }

  /// The CSV header line (no line break).
  package static let csvHeader = [
    "patient", "woundSite", "baselineDate", "baselineAreaCm2", "latestDate", "latestAreaCm2", "changePercent",
    "fourWeekReductionPercent", "gilmanCmPerWeek", "closed", "closedDate", "weeksToClosure", "photos",
    "entriesNeedingReview",
  ].joined(separator: ",")

  /// One CSV line per row, each ending in a line break; empty = does not apply.
  package func csvLines() -> String {
    rows.map { row in
      [
        row.patient, row.woundSite, UTCTime.iso8601(row.baselineDate),
        HealingReport.number(row.baselineAreaCm2, 4),
        UTCTime.iso8601(row.latestDate), HealingReport.number(row.latestAreaCm2, 4),
        HealingReport.number(row.changePercent, 2), HealingReport.number(row.fourWeekReductionPercent, 2),
        HealingReport.number(row.gilmanCmPerWeek, 4), row.closed ? "yes" : "no",
        row.closedDate.map(UTCTime.iso8601) ?? "", HealingReport.number(row.weeksToClosure, 2),
        String(row.photos),
        String(row.entriesNeedingReview),
      ].joined(separator: ",") + "\n"
    }.joined()
  }

  /// A fixed-width table, then the refused timelines.
  package func textTable() -> String {
    var lines = ["Cohort: \(rows.count) wound(s) of \(Set(rows.map(\.patient)).count) patient(s)", ""]
    let header = [
      ("patient", 10), ("wound", 14), ("baseline", 10), ("cm2", 7), ("latest", 10), ("cm2", 7), ("change %", 9),
      ("4-wk %", 7), ("Gilman", 7), ("closed", 10), ("weeks", 6), ("photos", 6), ("review", 6),
    ]
    let cellRows = rows.map { row in
      [
        row.patient, row.woundSite, UTCTime.day(row.baselineDate),
        cFormat("%.2f", row.baselineAreaCm2),
        UTCTime.day(row.latestDate), cFormat("%.2f", row.latestAreaCm2),
        row.changePercent.map { cFormat("%+.1f", $0) } ?? "-",
        row.fourWeekReductionPercent.map { cFormat("%.1f", $0) } ?? "-",
        row.gilmanCmPerWeek.map { cFormat("%.3f", $0) } ?? "-",
        row.closedDate.map(UTCTime.day) ?? "no", row.weeksToClosure.map { cFormat("%.1f", $0) } ?? "-",
        String(row.photos), String(row.entriesNeedingReview),
      ]
    }
    lines += FixedWidthTable.lines(columns: header, rows: cellRows)
    if !refused.isEmpty {
      lines.append("")
      lines.append("Not used (\(refused.count)):")
      for r in refused { lines.append("  \(r.file): \(r.reason)") }
    }
    return FixedWidthTable.text(lines)
  }
}
