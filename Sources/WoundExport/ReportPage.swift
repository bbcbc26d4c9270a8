import FoundationEssentials
import WoundCore
import WoundTimeline

/// One photo as the report shows it: its overlay, or why there is none.
package struct ReportPhoto: Sendable, Equatable {
  package enum Content: Sendable, Equatable {
    /// The overlay as JPEG bytes, and its size in pixels.
    case jpeg(bytes: [UInt8], width: Int, height: Int)
    /// No overlay: why (the photo is missing, was changed, or could not be measured again).
    case missing(reason: String)
  }

  package var content: Content
  /// Something the reader should know about the overlay (it differs from the record).
  package var note: String?

  package init(content: Content, note: String? = nil) {
    self.content = content
    self.note = note
  }
}

/// A colour in the report's legend.
package struct ReportLegendItem: Sendable, Equatable {
  package var label: String
  package var red: UInt8
  package var green: UInt8
  package var blue: UInt8
  package init(label: String, red: UInt8, green: UInt8, blue: UInt8) {
    self.label = label
    self.red = red
    self.green = green
    self.blue = blue
  }

  var css: String { cFormat("#%02x%02x%02x", red, green, blue) }
}

/// A patient's healing report as one self-contained HTML page.
///
/// Nothing is fetched: styles are inline, the charts are inline SVG and the photos'
/// overlays are `data:` URIs. Per wound site: the flags (four-week area reduction
/// against its published thresholds, projected closure, entries to review,
/// corrections), the area chart (``HealingChart``), the table of figures, the tissue
/// shares as stacked bars and the overlays in order of the date taken. Only standing
/// entries count (``Timeline/standingEntries(woundSite:)``, ``HealingReport``). A print
/// style sheet starts each site on a new A4 page and keeps figures whole. Contents in
/// `docs/outputs.md`.
package enum ReportPage {
  /// The page.
  ///
  /// - Parameters:
  ///   - timeline: the patient's timeline.
  ///   - reports: the healing reports of the sites to show, in order.
  ///   - photos: per entry id, its overlay or why there is none; entries missing here
  ///     are shown as "not rendered".
  ///   - legend: the overlay's colours and what they mean.
  ///   - problems: what is wrong with the timeline (a broken hash chain), shown at the top.
  ///   - toolVersion: the woundmeasure version that wrote the page.
  package static func html(
    timeline: Timeline, reports: [HealingReport], photos: [String: ReportPhoto], legend: [ReportLegendItem],
    problems: [String], toolVersion: String
  ) -> String {
    var h: [String] = []
    let title = "Wound healing report: patient \(timeline.patient)"
    h.append("<!DOCTYPE html>")
    h.append("<html lang=\"en\">")
    h.append("<head>")
    h.append("<meta charset=\"utf-8\">")
    h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    h.append("<meta name=\"generator\" content=\"woundmeasure \(markupEscaped(toolVersion))\">")
    h.append("<title>\(markupEscaped(title))</title>")
    h.append("<style>\n\(styleSheet)</style>")
    h.append("</head>")
    h.append("<body>")
    h.append("<header>")
    h.append("<h1>\(markupEscaped(title))</h1>")
    let photoCount = reports.reduce(0) { $0 + timeline.standingEntries(woundSite: $1.woundSite).count }
    h.append(
      "<p class=\"meta\">\(reports.count) wound site\(reports.count == 1 ? "" : "s"), \(photoCount) photo"
        + "\(photoCount == 1 ? "" : "s"). Timeline of \(timeline.entries.count) entr"
        + "\(timeline.entries.count == 1 ? "y" : "ies"), last hash <code>\(timeline.lastHash.prefix(16))</code>. "
        + "Written by woundmeasure \(markupEscaped(toolVersion)). Times are UTC.</p>")
    for problem in problems { h.append("<p class=\"problem\"><strong>Warning:</strong> \(markupEscaped(problem))</p>") }
    if !legend.isEmpty {
      h.append("<ul class=\"legend\" aria-label=\"overlay colours\">")
      for item in legend {
        h.append("<li><span class=\"swatch\" style=\"background:\(item.css)\"></span>\(markupEscaped(item.label))</li>")
      }
      h.append("</ul>")
    }
    h.append("</header>")
    if reports.isEmpty { h.append("<p>No standing photos in the timeline.</p>") }
    for report in reports { h.append(site(report, timeline: timeline, photos: photos, legend: legend)) }
    h.append("<footer>")
    h.append(
      "<p>Definitions (docs/timeline.md): change and re-epithelialisation against the first (baseline) photo; "
        + "Gilman's healing rate (A0 - A) / mean perimeter / weeks (Gilman, Wounds 1990); the 4-week area reduction "
        + "from the photo nearest day 28 within days 21-35, against 50 % for diabetic foot ulcers (Sheehan et al., "
        + "Diabetes Care 2003;26:1879-82) and 40 % for venous leg ulcers (Phillips et al., J Am Acad Dermatol "
        + "2000;43:627-30). A projected closure is a trend, not a prediction. Overlays are the recorded "
        + "measurements run again from their photos.</p>")
    h.append("</footer>")
    h.append("</body>")
    h.append("</html>")
    return h.joined(separator: "\n") + "\n"
  }

  static func site(
    _ report: HealingReport, timeline: Timeline, photos: [String: ReportPhoto], legend: [ReportLegendItem]
  ) -> String {
    var h: [String] = []
    let id = "site-" + report.woundSite
    h.append("<section class=\"site\" id=\"\(markupEscaped(id))\">")
    let type = report.woundType.map { " (\($0.displayName))" } ?? ""
    h.append("<h2>Wound site \(markupEscaped(report.woundSite))\(markupEscaped(type))</h2>")
    h.append("<h3>Flags</h3>")
    h.append("<ul class=\"flags\">")
    for flag in flags(report, timeline: timeline) { h.append("<li class=\"\(flag.kind)\">\(flag.html)</li>") }
    h.append("</ul>")
    h.append("<h3>Area over time</h3>")
    h.append("<div class=\"chart\">")
    h.append(HealingChart.svg(report).trimmingWhitespace())
    h.append("</div>")
    h.append("<h3>Figures</h3>")
    h.append(table(report, timeline: timeline))
    if report.rows.contains(where: { $0.tissue != nil }) {
      h.append("<h3>Tissue shares</h3>")
      h.append(tissueBars(report, legend: legend))
    }
    h.append("<h3>Photos</h3>")
    h.append("<div class=\"photos\">")
    let byRow = Dictionary(report.rows.map { ($0.entryId, $0) }, uniquingKeysWith: { a, _ in a })
    for entry in timeline.standingEntries(woundSite: report.woundSite) {
      h.append(figure(entry, row: byRow[entry.id], photo: photos[entry.id]))
    }
    h.append("</div>")
    h.append("</section>")
    return h.joined(separator: "\n")
  }

  struct Flag {
    var kind: String
    var html: String
  }

  static func flags(_ report: HealingReport, timeline: Timeline) -> [Flag] {
    var out: [Flag] = []
    if let fourWeek = report.fourWeek {
      let kind = fourWeek.reachesThreshold.map { $0 ? "good" : "attention" } ?? "info"
      out.append(
        Flag(
          kind: kind,
          html: cFormat(
            "4-week area reduction <strong>%.1f %%</strong> (photo on day %.0f): ",
            fourWeek.percentAreaReduction, fourWeek.daysSinceBaseline)
            + markupEscaped(report.fourWeekVerdict(fourWeek))))
    } else {
      out.append(
        Flag(
          kind: "info",
          html: "4-week area reduction: not available (no photo between day "
            + "\(Int(HealingReport.fourWeekWindowStartDays)) and day \(Int(HealingReport.fourWeekWindowEndDays)))."))
    }
    if let closure = report.projectedClosure {
      if closure.entriesFitted == 0 {
        out.append(Flag(kind: "good", html: "Closed: closure confirmed on the photo of \(UTCTime.day(closure.date))."))
      } else {
        out.append(
          Flag(
            kind: "info",
            html: "Projected closure <strong>\(UTCTime.day(closure.date))</strong>: straight line through the latest "
              + cFormat(
                "%d areas, %.2f cm&sup2;/week, R&sup2; %.2f", closure.entriesFitted,
                closure.slopeCm2PerWeek, closure.rSquared)
              + "; a trend, not a prediction."))
      }
    } else {
      out.append(
        Flag(
          kind: "info", html: "Projected closure: not given (\(markupEscaped(report.closureNote ?? "no projection"))).")
      )
    }
    if let last = report.rows.last, report.rows.count > 1, last.changeCm2 > 0 {
      out.append(
        Flag(
          kind: "attention",
          html: cFormat(
            "The latest area is larger than the baseline (%+.2f cm&sup2;).",
            last.changeCm2)))
    }
    if !report.needsReview.isEmpty {
      out.append(
        Flag(
          kind: "attention",
          html: "Needs review: \(report.needsReview.map { "<code>\($0)</code>" }.joined(separator: ", ")) "
            + "record an area of 0 that nobody confirmed as closure; left out of the figures."))
    }
    let status = timeline.statuses()
    for entry in timeline.entries where entry.woundSite == report.woundSite {
      switch status[entry.id] {
      case .superseded(let by)?:
        let reason = timeline.entry(id: by)?.amends?.reason ?? ""
        out.append(
          Flag(
            kind: "info",
            html: "Entry <code>\(entry.id)</code> (\(UTCTime.day(entry.takenAt))) was corrected by "
              + "<code>\(by)</code>: \(markupEscaped(reason))."))
      case .voided(let by)? where timeline.entry(id: by)?.amends?.entryId == entry.id:
        let reason = timeline.entry(id: by)?.amends?.reason ?? ""
        out.append(
          Flag(
            kind: "info",
            html: "Entry <code>\(entry.id)</code> (\(UTCTime.day(entry.takenAt))) was withdrawn by "
              + "<code>\(by)</code>: \(markupEscaped(reason)); it is not counted."))
      default: break
      }
    }
    return out
  }

  static func table(_ report: HealingReport, timeline: Timeline) -> String {
    var h = ["<table class=\"figures\">", "<thead><tr>"]
    let headers = [
      "Taken", "Day", "Area cm&sup2;", "Change", "Re-epith.", "Gilman cm/wk", "cm&sup2;/wk", "Length cm",
      "Width cm", "Perimeter cm", "Regions", "Entry",
    ]
    h.append(headers.map { "<th>\($0)</th>" }.joined())
    h.append("</tr></thead>")
    h.append("<tbody>")
    for row in report.rows {
      let entry = timeline.entry(id: row.entryId)
      let dash = "&ndash;"
      var cells: [String] = [markupEscaped(UTCTime.minute(row.takenAt)), cFormat("%.0f", row.daysSinceBaseline)]
      cells.append(cFormat("%.2f", row.areaCm2))
      cells.append(row.changePercent.map { cFormat("%+.1f %%", $0) } ?? dash)
      cells.append(
        row.reEpithelialisationPercent.map { cFormat("%.1f %%", $0) }
          ?? (row.openAreaEnlarged ? "enlarged" : dash))
      cells.append(row.gilmanCmPerWeek.map { cFormat("%.3f", $0) } ?? dash)
      cells.append(row.areaReductionCm2PerWeek.map { cFormat("%.3f", $0) } ?? dash)
      cells.append(entry.map { cFormat("%.2f", $0.results.lengthCm) } ?? dash)
      cells.append(entry.map { cFormat("%.2f", $0.results.widthCm) } ?? dash)
      cells.append(cFormat("%.2f", row.perimeterCm))
      cells.append(entry.map { String($0.results.regionCount) } ?? dash)
      cells.append("<code>\(row.entryId)</code>")
      h.append("<tr>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>")
    }
    h.append("</tbody>")
    h.append("</table>")
    return h.joined(separator: "\n")
  }

  /// The four tissue classes in the order of the bars, with their shares.
  static func tissueShares(_ t: TimelineEntry.TissueShares) -> [(name: String, share: Double)] {
    [("granulation", t.granulation), ("slough", t.slough), ("necrosis", t.necrosis), ("epithelium", t.epithelium)]
  }

  static func tissueBars(_ report: HealingReport, legend: [ReportLegendItem]) -> String {
    let colours = Dictionary(legend.map { ($0.label, $0.css) }, uniquingKeysWith: { a, _ in a })
    let rowHeight = 26.0
    let labelWidth = 110.0
    let barWidth = 480.0
    let width = labelWidth + barWidth + 20
    let height = Double(report.rows.count) * rowHeight + 34
    var s: [String] = []
    s.append(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tissue\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">")
    s.append("<title>Tissue shares of wound site \(markupEscaped(report.woundSite)) per photo</title>")
    for (i, row) in report.rows.enumerated() {
      let y = Double(i) * rowHeight + 4
      s.append("<text x=\"0\" y=\"\(f(y + 15))\">\(markupEscaped(UTCTime.day(row.takenAt)))</text>")
      guard let tissue = row.tissue else {
        s.append("<text x=\"\(f(labelWidth))\" y=\"\(f(y + 15))\" fill=\"#666666\">not classified</text>")
        continue
      }
      var x = labelWidth
      for (name, share) in tissueShares(tissue) {
        let w = max(0, share) * barWidth
        guard w > 0 else { continue }
        let css = colours[name] ?? "#888888"
        s.append(
          "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(rowHeight - 8))\" fill=\"\(css)\">"
            + "<title>\(name) \(cFormat("%.0f", share * 100)) %</title></rect>")
        x += w
      }
      s.append(
        "<rect x=\"\(f(labelWidth))\" y=\"\(f(y))\" width=\"\(f(barWidth))\" height=\"\(f(rowHeight - 8))\" "
          + "fill=\"none\" stroke=\"#444444\"/>")
    }
    // Key.
    var x = labelWidth
    let keyY = Double(report.rows.count) * rowHeight + 14
    for (name, _) in tissueShares(TimelineEntry.TissueShares(granulation: 0, slough: 0, necrosis: 0, epithelium: 0)) {
      let css = colours[name] ?? "#888888"
      s.append("<rect x=\"\(f(x))\" y=\"\(f(keyY))\" width=\"12\" height=\"12\" fill=\"\(css)\" stroke=\"#444444\"/>")
      s.append("<text x=\"\(f(x + 16))\" y=\"\(f(keyY + 11))\">\(name)</text>")
      x += 110
    }
    s.append("</svg>")
    return s.joined(separator: "\n")
  }

  static func figure(_ entry: TimelineEntry, row: HealingReport.Row?, photo: ReportPhoto?) -> String {
    var h = ["<figure class=\"photo\">"]
    let caption = "\(UTCTime.minute(entry.takenAt)), " + cFormat("%.2f cm²", entry.results.areaCm2)
    switch photo?.content {
    case .jpeg(let bytes, let width, let height)?:
      h.append(
        "<img src=\"data:image/jpeg;base64,\(Data(bytes).base64EncodedString())\" width=\"\(width)\" "
          + "height=\"\(height)\" alt=\"Overlay of the photo taken \(markupEscaped(caption))\">")
    case .missing(let reason)?:
      h.append(
        "<div class=\"photo-missing\" role=\"img\" aria-label=\"photo not available\">Photo not available: "
          + "\(markupEscaped(reason))</div>")
    case nil:
      h.append("<div class=\"photo-missing\" role=\"img\" aria-label=\"photo not rendered\">Overlay not rendered</div>")
    }
    var lines = ["<strong>\(markupEscaped(caption))</strong>"]
    if row == nil { lines.append("needs review: left out of the figures") }
    if entry.closureConfirmed == true { lines.append("closure confirmed") }
    if entry.effectiveKind == .amendment { lines.append("corrected entry") }
    lines.append("entry <code>\(entry.id)</code>, photo <code>\(markupEscaped(entry.photo.path))</code>")
    if let note = photo?.note { lines.append("<span class=\"note\">\(markupEscaped(note))</span>") }
    for warning in entry.warnings { lines.append("<span class=\"warning\">warning: \(markupEscaped(warning))</span>") }
    h.append("<figcaption>\(lines.joined(separator: "<br>"))</figcaption>")
    h.append("</figure>")
    return h.joined(separator: "\n")
  }

  static let styleSheet = """
    :root { color-scheme: light; }
    body { font-family: sans-serif; color: #1a1a1a; background: #ffffff; margin: 24px auto; max-width: 1100px; \
    padding: 0 16px; line-height: 1.4; }
    h1 { font-size: 1.6em; margin-bottom: 0.2em; }
    h2 { font-size: 1.35em; border-bottom: 2px solid #444444; padding-bottom: 4px; margin-top: 1.6em; }
    h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
    .meta { color: #444444; }
    .problem { background: #fde8e8; border-left: 4px solid #b03020; padding: 6px 10px; }
    .legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
    .legend li { display: flex; align-items: center; gap: 6px; }
    .swatch { display: inline-block; width: 14px; height: 14px; border: 1px solid #444444; }
    .flags { padding-left: 1.2em; }
    .flags li { margin: 3px 0; }
    .flags li.attention { color: #8a1c0c; }
    .flags li.good { color: #1d5e20; }
    .chart svg, svg.tissue { max-width: 100%; height: auto; }
    table.figures { border-collapse: collapse; font-size: 0.9em; }
    table.figures th, table.figures td { border: 1px solid #bbbbbb; padding: 3px 6px; text-align: right; }
    table.figures th { background: #eeeeee; }
    table.figures td:first-child { white-space: nowrap; }
    .photos { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 14px; }
    figure.photo { margin: 0; border: 1px solid #cccccc; padding: 6px; }
    figure.photo img { width: 100%; height: auto; display: block; }
    .photo-missing { aspect-ratio: 4 / 3; display: flex; align-items: center; justify-content: center; \
    text-align: center; background: repeating-linear-gradient(45deg, #f2f2f2, #f2f2f2 10px, #e4e4e4 10px, \
    #e4e4e4 20px); color: #555555; padding: 12px; }
    figcaption { font-size: 0.85em; margin-top: 4px; word-break: break-all; }
    .note, .warning { color: #8a1c0c; }
    footer { margin-top: 2em; font-size: 0.8em; color: #444444; border-top: 1px solid #cccccc; }
    code { font-size: 0.95em; }
    @page { size: A4; margin: 14mm; }
    @media print {
      body { margin: 0; max-width: none; font-size: 10pt; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      section.site + section.site { break-before: page; }
      figure, table, .chart, svg, .flags { break-inside: avoid; }
      .photos { grid-template-columns: repeat(2, 1fr); }
    }

    """

  static func f(_ v: Double) -> String { cFormat("%.1f", v) }
}
