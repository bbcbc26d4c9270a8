import FoundationEssentials
import WoundCore

extension HealingReport {
  /// The CSV header line (no line break).
  package static let csvHeader = [
    "patient", "woundSite", "entryId", "takenAt", "daysSinceBaseline", "areaCm2", "perimeterCm", "openAreaCm2",
    "changeCm2", "changePercent", "reEpithelialisationPercent", "gilmanCmPerWeek", "areaReductionCm2PerWeek",
    "granulation", "slough", "necrosis", "epithelium",
  ].joined(separator: ",")

  /// One CSV line per row (no header, each ending in a line break). Empty
  /// fields are figures that do not apply; numbers use `.` and no grouping.
  /// Patient IDs and wound sites need no quoting (safe character set).
  package func csvLines() -> String {
    rows.map { row in
      [
        patient, woundSite, row.entryId, UTCTime.iso8601(row.takenAt), Self.number(row.daysSinceBaseline, 3),
        Self.number(row.areaCm2, 4), Self.number(row.perimeterCm, 3), Self.number(row.openAreaCm2, 4),
        Self.number(row.changeCm2, 4), Self.number(row.changePercent, 2),
        Self.number(row.reEpithelialisationPercent, 2), Self.number(row.gilmanCmPerWeek, 4),
        Self.number(row.areaReductionCm2PerWeek, 4), Self.number(row.tissue?.granulation, 4),
        Self.number(row.tissue?.slough, 4), Self.number(row.tissue?.necrosis, 4),
        Self.number(row.tissue?.epithelium, 4),
      ].joined(separator: ",") + "\n"
    }.joined()
  }

  /// A fixed-width table for a terminal or a clinical note, followed by the
  /// four-week figure and the closure projection.
  package func textTable() -> String {
    var lines = ["Patient \(patient), wound \(woundSite): \(rows.count) photo(s)", ""]
    let header = [
      ("date", 16), ("day", 6), ("area cm2", 9), ("change", 9), ("change %", 9), ("re-epi %", 9),
      ("Gilman cm/wk", 13), ("cm2/wk", 8), ("gran/slo/nec/epi %", 20),
    ]
    let cellRows = rows.map { row in
      let tissue =
        row.tissue.map {
          [$0.granulation, $0.slough, $0.necrosis, $0.epithelium].map { cFormat("%.0f", $0 * 100) }
            .joined(separator: "/")
        } ?? "-"
      let cells = [
        UTCTime.minute(row.takenAt), cFormat("%.1f", row.daysSinceBaseline), cFormat("%.2f", row.areaCm2),
        cFormat("%+.2f", row.changeCm2), row.changePercent.map { cFormat("%+.1f", $0) } ?? "-",
        row.reEpithelialisationPercent.map { cFormat("%.1f", $0) } ?? (row.openAreaEnlarged ? "enlarged" : "-"),
        row.gilmanCmPerWeek.map { cFormat("%.3f", $0) } ?? "-",
        row.areaReductionCm2PerWeek.map { cFormat("%.3f", $0) } ?? "-", tissue,
      ]
      return cells
    }
    lines += FixedWidthTable.lines(columns: header, rows: cellRows)
    lines.append("")
    if let fourWeek {
      lines.append(
        cFormat(
          "4-week area reduction: %.1f %% (photo on day %.1f). ", fourWeek.percentAreaReduction,
          fourWeek.daysSinceBaseline) + fourWeekVerdict(fourWeek))
    } else {
      lines.append(
        "4-week area reduction: not available (no photo between day \(Int(Self.fourWeekWindowStartDays)) "
          + "and day \(Int(Self.fourWeekWindowEndDays)) after baseline).")
    }
    if let projectedClosure {
      if projectedClosure.entriesFitted == 0 {
        lines.append("Closed: closure confirmed on the photo of \(UTCTime.minute(projectedClosure.date)).")
      } else {
        lines.append(
          "Projected closure: \(UTCTime.day(projectedClosure.date)) (straight line through the latest "
            + "\(projectedClosure.entriesFitted) areas, "
            + cFormat("%.2f cm2/week, R^2 %.2f", projectedClosure.slopeCm2PerWeek, projectedClosure.rSquared)
            + "); a trend, not a prediction.")
      }
    } else {
      lines.append("Projected closure: not given (\(closureNote ?? "no projection")).")
    }
    if !needsReview.isEmpty {
      lines.append(
        "Needs review: entr\(needsReview.count == 1 ? "y" : "ies") \(needsReview.joined(separator: ", ")) "
          + "record\(needsReview.count == 1 ? "s" : "") an area of 0 that nobody confirmed as closure; left out of "
          + "the figures (void it, or amend it with --closed or a corrected mask).")
    }
    return FixedWidthTable.text(lines)
  }

  /// The four-week figure's verdict: against the recorded wound type's threshold only, or,
  /// when no type is recorded, against both published figures.
  package func fourWeekVerdict(_ fourWeek: FourWeekReduction) -> String {
    func reached(_ yes: Bool) -> String { yes ? "reached" : "not reached" }
    guard let woundType else {
      return "Diabetic foot ulcer figure (>= 50 %, Sheehan 2003): \(reached(fourWeek.reachesDiabeticFootUlcerFigure)); "
        + "venous leg ulcer figure (>= 40 %, Phillips 2000): \(reached(fourWeek.reachesVenousLegUlcerFigure)) "
        + "(wound type not recorded: measure --wound-type)."
    }
    guard let figure = woundType.fourWeekFigure, let reaches = fourWeek.reachesThreshold else {
      return "No four-week figure is established for a \(woundType.displayName)."
    }
    return "\(woundType.displayName.capitalizedFirst) figure (>= \(cFormat("%.0f", figure.percent)) %, "
      + "\(figure.source)): \(reached(reaches))."
  }

  /// Every entry of a timeline with its status, in append order: what `timeline --history` prints.
  package static func historyText(_ timeline: Timeline) -> String {
    let status = timeline.statuses()
    var lines = [
      "Patient \(timeline.patient): \(timeline.entries.count) entr\(timeline.entries.count == 1 ? "y" : "ies") "
        + "in append order"
    ]
    if let recovery = timeline.recovery {
      lines.append(
        "  started anew \(UTCTime.iso8601(recovery.recordedAt)) by \(recovery.recordedBy.operator)@\(recovery.recordedBy.host): "
          + "damaged file kept as \(recovery.damagedFileName) (SHA-256 \(recovery.damagedSha256.prefix(16))...); "
          + "reason: \(recovery.reason)")
    }
    for (index, entry) in timeline.entries.enumerated() {
      let who = entry.recordedBy.map { " by \($0.operator)@\($0.host)" } ?? ""
      var line =
        "  #\(index) \(entry.id) \(entry.effectiveKind.rawValue) \(entry.woundSite) taken \(UTCTime.minute(entry.takenAt)) "
        + "recorded \(UTCTime.minute(entry.measuredAt))\(who): "
      if entry.effectiveKind == .void {
        line += "withdraws \(entry.amends?.entryId ?? "?")"
      } else {
        line += cFormat("area %.2f cm2", entry.results.areaCm2)
        if entry.closureConfirmed == true { line += ", closure confirmed" }
        if let target = entry.amends?.entryId, entry.effectiveKind == .amendment { line += ", corrects \(target)" }
      }
      switch status[entry.id] ?? .orphan {
      case .standing: line += " [standing]"
      case .superseded(let by): line += " [superseded by \(by)]"
      case .voided(let by): line += " [withdrawn by \(by)]"
      case .withdrawal: break
      case .orphan: line += " [names no entry of this timeline]"
      }
      if let reason = entry.amends?.reason { line += "; reason: \(reason)" }
      line += "; photo \(entry.photo.path)"
      lines.append(line)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func number(_ value: Double?, _ decimals: Int) -> String {
    guard let value, value.isFinite else { return "" }
    return cFormat("%.\(decimals)f", value)
  }
}

extension String {
  /// The string with its first letter in upper case.
  var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
