import FoundationEssentials
import WoundCore

/// Healing figures of one wound site, derived from its timeline entries.
///
/// Rows are in order of `takenAt`; the first row is the baseline. Every
/// figure compares a photo with the baseline. Definitions, thresholds and
/// their sources are in `docs/timeline.md`.
package struct HealingReport: Sendable, Equatable, Codable {
  /// One photo of the wound site.
  package struct Row: Sendable, Equatable, Codable {
    /// The entry's `id`.
    package var entryId: String
    package var takenAt: Date
    /// Days from the baseline photo to this one.
    package var daysSinceBaseline: Double
    package var areaCm2: Double
    package var perimeterCm: Double
    /// Area not covered by epithelium, cm^2.
    package var openAreaCm2: Double
    /// `areaCm2 - baseline areaCm2` (negative = smaller).
    package var changeCm2: Double
    /// The change as a percentage of the baseline area; `nil` when the
    /// baseline area is 0.
    package var changePercent: Double?
    /// Re-epithelialisation, percent: the share of the baseline's open (not epithelialised)
    /// area that has closed, `(baseline open area - open area) / baseline open area x 100`.
    /// 0 at baseline by definition; `nil` when the baseline open area is 0 or the open area
    /// grew (then ``openAreaEnlarged`` is `true`).
    package var reEpithelialisationPercent: Double?
    /// `true` when the open area is larger than at baseline: the wound enlarged.
    package var openAreaEnlarged: Bool
    /// Gilman's healing rate against the baseline, cm/week:
    /// `(baseline area - area) / mean(baseline perimeter, perimeter) / weeks`
    /// (positive = healing); `nil` for the baseline and for photos taken the
    /// same moment as it.
    package var gilmanCmPerWeek: Double?
    /// Area reduction rate against the baseline, cm^2/week:
    /// `(baseline area - area) / weeks` (positive = healing); `nil` like Gilman's.
    package var areaReductionCm2PerWeek: Double?
    /// Tissue shares of this photo, if classified.
    package var tissue: TimelineEntry.TissueShares?
    /// `true` when a person confirmed on this photo that the wound is closed.
    package var closureConfirmed: Bool
  }

  /// The percentage area reduction about four weeks after the baseline.
  package struct FourWeekReduction: Sendable, Equatable, Codable {
    /// The entry used: the one nearest to day 28 within days 21 to 35.
    package var entryId: String
    package var daysSinceBaseline: Double
    /// `(baseline area - area) / baseline area x 100`.
    package var percentAreaReduction: Double
    /// At least 50 %: the figure that predicted healing of diabetic foot ulcers
    /// by 12 weeks (Sheehan et al., Diabetes Care 2003;26:1879-82).
    package var reachesDiabeticFootUlcerFigure: Bool
    /// At least 40 %: the figure reported for venous leg ulcers (Phillips et al.,
    /// J Am Acad Dermatol 2000;43:627-30).
    package var reachesVenousLegUlcerFigure: Bool
    /// The figure of the site's recorded wound type (``WoundType/fourWeekFigure``), percent;
    /// `nil` when the type is not recorded or has none.
    package var thresholdPercent: Double?
    /// Whether the reduction reaches ``thresholdPercent``; `nil` without one.
    package var reachesThreshold: Bool?
  }

  /// When a straight-line fit of the latest areas reaches zero.
  package struct ProjectedClosure: Sendable, Equatable, Codable {
    /// The projected closure date.
    package var date: Date
    /// Number of latest entries fitted.
    package var entriesFitted: Int
    /// Slope of the fit, cm^2/week (negative).
    package var slopeCm2PerWeek: Double
    /// Coefficient of determination of the fit.
    package var rSquared: Double
  }

  /// The earliest day after baseline accepted for the four-week figure.
  package static let fourWeekWindowStartDays = 21.0
  /// The latest day after baseline accepted for the four-week figure.
  package static let fourWeekWindowEndDays = 35.0
  /// The most latest entries used for the closure projection.
  package static let closureFitMaximumEntries = 5
  /// The fewest entries for a closure projection.
  package static let closureFitMinimumEntries = 3
  /// The shortest time the fitted entries must span, days.
  package static let closureFitMinimumSpanDays = 7.0
  /// The lowest coefficient of determination accepted for a projection.
  package static let closureFitMinimumRSquared = 0.7
  /// The latest projection given, days after the last photo.
  package static let closureMaximumDaysAhead = 730.0

  package var patient: String
  package var woundSite: String
  /// The site's wound type: that of its latest standing entry recording one; `nil` when none does.
  package var woundType: WoundType?
  package var rows: [Row]
  /// `nil` when no photo was taken between days 21 and 35 after baseline.
  package var fourWeek: FourWeekReduction?
  /// `nil` when no projection is given; ``closureNote`` says why.
  package var projectedClosure: ProjectedClosure?
  /// Why no closure date is given (`nil` when one is).
  package var closureNote: String?
  /// Entries left out of the figures because they need a person's review: an area
  /// of 0 that nobody confirmed as closure (timelines written before closure had to
  /// be confirmed).
  package var needsReview: [String]

  /// Derives the report of one wound site from a patient's timeline.
  ///
  /// - Returns: `nil` when the timeline has no entry for `woundSite`.
  /// Only standing entries count (``Timeline/standingEntries(woundSite:)``): amended
  /// entries by their latest version, withdrawn ones not at all.
  package init?(timeline: Timeline, woundSite: String) {
    let standing = timeline.standingEntries(woundSite: woundSite)
    let unconfirmedZero = { (entry: TimelineEntry) in entry.results.areaCm2 == 0 && entry.closureConfirmed != true }
    let entries = standing.filter { !unconfirmedZero($0) }
    needsReview = standing.filter(unconfirmedZero).map(\.id)
    guard let baseline = entries.first else { return nil }
    self.patient = timeline.patient
    self.woundSite = woundSite
    woundType = standing.reversed().lazy.compactMap(\.woundType).first
    let baseArea = baseline.results.areaCm2
    let baseOpen = baseline.results.openAreaCm2
    let basePerimeter = baseline.results.perimeterCm
    rows = entries.map { entry in
      let days = entry.takenAt.timeIntervalSince(baseline.takenAt) / 86_400
      let weeks = days / 7
      let area = entry.results.areaCm2
      let meanPerimeter = (basePerimeter + entry.results.perimeterCm) / 2
      let hasInterval = entry.id != baseline.id && weeks > 0
      return Row(
        entryId: entry.id, takenAt: entry.takenAt, daysSinceBaseline: days, areaCm2: area,
        perimeterCm: entry.results.perimeterCm, openAreaCm2: entry.results.openAreaCm2,
        changeCm2: area - baseArea,
        changePercent: baseArea > 0 ? (area - baseArea) / baseArea * 100 : nil,
        reEpithelialisationPercent: baseOpen > 0 && entry.results.openAreaCm2 <= baseOpen
          ? (baseOpen - entry.results.openAreaCm2) / baseOpen * 100 : nil,
        openAreaEnlarged: entry.results.openAreaCm2 > baseOpen,
        gilmanCmPerWeek: hasInterval && meanPerimeter > 0 ? (baseArea - area) / meanPerimeter / weeks : nil,
        areaReductionCm2PerWeek: hasInterval ? (baseArea - area) / weeks : nil,
        tissue: entry.results.tissue, closureConfirmed: entry.closureConfirmed == true)
    }
    fourWeek = Self.fourWeekReduction(rows: rows, baselineAreaCm2: baseArea, woundType: woundType)
    (projectedClosure, closureNote) = Self.projectClosure(rows: rows)
  }

  static func fourWeekReduction(rows: [Row], baselineAreaCm2: Double, woundType: WoundType?) -> FourWeekReduction? {
    guard baselineAreaCm2 > 0 else { return nil }
    let candidates = rows.dropFirst().filter {
      $0.daysSinceBaseline >= fourWeekWindowStartDays && $0.daysSinceBaseline <= fourWeekWindowEndDays
    }
    // Nearest to day 28; on a tie the earlier photo.
    guard let nearest = candidates.min(by: { abs($0.daysSinceBaseline - 28) < abs($1.daysSinceBaseline - 28) })
    else { return nil }
    let reduction = (baselineAreaCm2 - nearest.areaCm2) / baselineAreaCm2 * 100
    let threshold = woundType?.fourWeekFigure?.percent
    return FourWeekReduction(
      entryId: nearest.entryId, daysSinceBaseline: nearest.daysSinceBaseline, percentAreaReduction: reduction,
      reachesDiabeticFootUlcerFigure: reduction >= 50, reachesVenousLegUlcerFigure: reduction >= 40,
      thresholdPercent: threshold, reachesThreshold: threshold.map { reduction >= $0 })
  }

  /// Least-squares line of area against time over the latest 3 to 5 entries.
  ///
  /// Given only when at least 3 entries are fitted, they span at least 7
  /// days, the slope is negative, R^2 is at least 0.7, and the line reaches
  /// zero no more than 730 days after the last photo. A last photo on which a
  /// person confirmed closure is reported as closed on that photo's date.
  static func projectClosure(rows: [Row]) -> (ProjectedClosure?, String?) {
    guard let last = rows.last else { return (nil, "no photos") }
    if last.closureConfirmed && rows.count > 1 {
      return (ProjectedClosure(date: last.takenAt, entriesFitted: 0, slopeCm2PerWeek: 0, rSquared: 1), nil)
    }
    let fitted = Array(rows.suffix(closureFitMaximumEntries))
    guard fitted.count >= closureFitMinimumEntries else {
      return (nil, "needs at least \(closureFitMinimumEntries) photos, has \(fitted.count)")
    }
    let span = fitted.last!.daysSinceBaseline - fitted.first!.daysSinceBaseline
    guard span >= closureFitMinimumSpanDays else {
      return (
        nil,
        "the latest \(fitted.count) photos span \(format(span)) days, fewer than \(format(closureFitMinimumSpanDays))"
      )
    }
    let xs = fitted.map(\.daysSinceBaseline)
    let ys = fitted.map(\.areaCm2)
    let n = Double(xs.count)
    let meanX = xs.reduce(0, +) / n
    let meanY = ys.reduce(0, +) / n
    let sxx = zip(xs, xs).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanX) }
    let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
    let syy = zip(ys, ys).reduce(0) { $0 + ($1.0 - meanY) * ($1.1 - meanY) }
    let slopePerDay = sxy / sxx
    let intercept = meanY - slopePerDay * meanX
    guard slopePerDay < 0 else { return (nil, "the area is not shrinking over the latest \(fitted.count) photos") }
    let rSquared = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1
    guard rSquared >= closureFitMinimumRSquared else {
      return (
        nil,
        "the latest \(fitted.count) areas do not follow a straight line (R^2 \(format(rSquared)) < \(format(closureFitMinimumRSquared)))"
      )
    }
    let closureDay = -intercept / slopePerDay
    let daysAhead = closureDay - last.daysSinceBaseline
    guard daysAhead <= closureMaximumDaysAhead else {
      return (nil, "the projection lies more than \(Int(closureMaximumDaysAhead)) days after the last photo")
    }
    let baselineDate = rows[0].takenAt
    let date = baselineDate.addingTimeInterval(max(closureDay, last.daysSinceBaseline) * 86_400)
    return (
      ProjectedClosure(date: date, entriesFitted: fitted.count, slopeCm2PerWeek: slopePerDay * 7, rSquared: rSquared),
      nil
    )
  }

  static func format(_ value: Double) -> String { cFormat("%.2f", value) }
}
