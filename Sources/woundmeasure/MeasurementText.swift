import FoundationEssentials
import WoundCore
import WoundMeasureKit
import WoundTimeline

/// The summary a nurse reads at a glance.
enum MeasurementText {
  static func summary(
    _ outcome: MeasurementOutcome, photo: String, patient: String, woundSite: String, savedTo: String?
  ) -> String {
    let f = CommandLineValues.format
    let m = outcome.measures
    let c = outcome.calibration
    let areaCm2 = m.areaMm2 / 100
    let shares = outcome.tissue.shares
    let openCm2 = outcome.entry.results.openAreaCm2
    var lines: [String] = []
    lines.append("\(patient) / \(woundSite): \(photo)")
    lines.append("  taken       \(UTCTime.iso8601(outcome.taken.date)) (from \(outcome.taken.source.rawValue))")
    let several = m.regions.count > 1
    let total = several ? "   total of \(m.regions.count) regions" : ""
    let span = several ? ", spanning all \(m.regions.count) regions" : ""
    lines.append("  area        \(f(areaCm2, 2)) cm²\(total)   open (less epithelium) \(f(openCm2, 2)) cm²")
    lines.append("  perimeter   \(f(m.perimeterMm / 10, 2)) cm\(several ? "   sum over the regions" : "")")
    lines.append(
      "  length      \(f(m.lengthMm / 10, 2)) cm   (maximum Feret diameter\(span))")
    lines.append(
      "  width       \(f(m.widthMm / 10, 2)) cm   (greatest extent perpendicular to the length\(span))")
    lines.append(
      "  L x W       \(f(m.lengthTimesWidthMm2 / 100, 2)) cm²   ellipse estimate L x W x π/4 "
        + "\(f(m.ellipseAreaMm2 / 100, 2)) cm²\(several ? " (of the span, not of the wounds)" : "")")
    lines.append("  regions     \(m.regions.count)\(several ? " (numbered on the overlay in this order)" : "")")
    if several {
      for (index, region) in m.regions.enumerated() {
        lines.append(
          "  region \(index + 1)\(String(repeating: " ", count: max(1, 4 - String(index + 1).count)))"
            + "area \(f(region.areaMm2 / 100, 2)) cm², perimeter \(f(region.perimeterMm / 10, 2)) cm, "
            + "length \(f(region.lengthMm / 10, 2)) cm, width \(f(region.widthMm / 10, 2)) cm")
      }
    }
    if outcome.entry.closureConfirmed == true { lines.append("  closed      closure confirmed; recorded with area 0") }
    if areaCm2 > 0 {
      lines.append(
        "  tissue      granulation \(f(shares.granulation * 100, 0)) %, slough \(f(shares.slough * 100, 0)) %, "
          + "necrosis \(f(shares.necrosis * 100, 0)) %, epithelium \(f(shares.epithelium * 100, 0)) %")
    }
    var scale = "  scale       \(f(c.pixelsPerMm, 2)) px/mm"
    switch c.source {
    case .marker(let m):
      scale += " from marker ID \(m.id) (\(f(m.sizeMm, 1)) mm"
      scale += ", \(f(m.sizePixels, 0)) px across), tilt \(f(m.tiltDegrees, 0))°"
      scale += ", decision margin \(f(m.decisionMargin, 0))"
    case .scale: scale += " (given with --scale)"
    case .ruler: scale += " (from the --ruler points)"
    }
    lines.append(scale)
    if !outcome.warnings.isEmpty { lines.append("  warnings    \(outcome.warnings.count) (see stderr)") }
    lines.append(savedTo.map { "  saved to    \($0)" } ?? "  not saved   (--no-save)")
    return lines.joined(separator: "\n")
  }
}
