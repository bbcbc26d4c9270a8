import FoundationEssentials
import WoundCore

/// Printable calibration markers: a tag36h11 tag at its true physical size
/// with a caption stating its ID and size and how to check the print.
///
/// The tag is 10 x 10 modules (white border, black border, 6 x 6 data); its
/// size is the edge of the black square (8 modules), so the whole tag with its
/// white border is `1.25 x sizeMm` wide. The sheet adds a white margin of one
/// module around it (wider when the caption needs it) and the caption below.
package enum MarkerSheet {
  /// The 10 x 10 module pattern of tag36h11 `id`, row-major from the tag's
  /// top-left, `true` = black (the outer ring is the white border).
  ///
  /// - Throws: ``MarkerSheetError/invalidId(_:)`` outside 0...586.
  package static func modules(id: Int) throws(MarkerSheetError) -> [[Bool]] {
    guard (0..<AprilTag.codeCount).contains(id) else { throw .invalidId(id) }
    return AprilTag.modules(id: id)
  }

  /// The caption printed under a marker: its ID, its size, and how to
  /// check the print.
  package static func caption(id: Int, sizeMm: Double) -> [String] {
    let size = formatMm(sizeMm)
    return [
      "TAG36H11 ID \(id) - \(size) MM",
      "PRINT AT 100 %, CHECK THAT",
      "THE BLACK SQUARE MEASURES \(size) MM",
    ]
  }

  /// The sheet's layout in millimetres: margin, tag, caption.
  struct Layout {
    /// One module of the tag (a tenth of the tag with its white border).
    let moduleMm: Double
    /// Caption lines.
    let lines: [String]
    /// One pixel of the 5 x 7 caption font.
    let fontCellMm = 0.22
    /// Margin around the tag outside its white border.
    var marginMm: Double { moduleMm }
    var tagMm: Double { 10 * moduleMm }
    var lineSpacingMm: Double { 10 * fontCellMm }
    var textWidthMm: Double { Double((lines.map(\.count).max() ?? 0) * BitmapFont.advance) * fontCellMm }
    var widthMm: Double { max(tagMm + 2 * marginMm, textWidthMm + 4) }
    var heightMm: Double { tagMm + 2 * marginMm + Double(lines.count) * lineSpacingMm + 1 }
    /// Top-left of the tag (its white border).
    var tagXMm: Double { (widthMm - tagMm) / 2 }
    var tagYMm: Double { marginMm }
    /// Top of the first caption line.
    var captionYMm: Double { tagYMm + tagMm + marginMm * 0.6 }
  }

  /// An SVG document of the marker at its true size (`width`/`height` in
  /// millimetres, `viewBox` in millimetres), with the caption under it.
  ///
  /// - Throws: ``MarkerSheetError`` for an invalid ID or size.
  package static func svg(id: Int, sizeMm: Double) throws(MarkerSheetError) -> String {
    guard sizeMm.isFinite, sizeMm >= 5, sizeMm <= 500 else { throw .invalidSize(sizeMm) }
    let grid = try modules(id: id)
    let layout = Layout(moduleMm: sizeMm / MarkerGeometry.modulesPerBlackSquare, lines: caption(id: id, sizeMm: sizeMm))
    let m = layout.moduleMm
    var rects: [String] = []
    for (row, line) in grid.enumerated() {
      // One rectangle per horizontal run of black modules.
      var col = 0
      while col < line.count {
        guard line[col] else {
          col += 1
          continue
        }
        var end = col
        while end < line.count && line[end] { end += 1 }
        rects.append(
          "<rect x=\"\(num(layout.tagXMm + Double(col) * m))\" y=\"\(num(layout.tagYMm + Double(row) * m))\" "
            + "width=\"\(num(Double(end - col) * m))\" height=\"\(num(m))\"/>")
        col = end
      }
    }
    var texts: [String] = []
    for (i, line) in layout.lines.enumerated() {
      let baseline = layout.captionYMm + Double(i) * layout.lineSpacingMm + 7 * layout.fontCellMm
      texts.append(
        "<text x=\"\(num(layout.widthMm / 2))\" y=\"\(num(baseline))\" font-size=\"\(num(9.5 * layout.fontCellMm))\" "
          + "text-anchor=\"middle\" font-family=\"Helvetica, Arial, sans-serif\">\(line)</text>")
    }
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(num(layout.widthMm))mm" height="\(num(layout.heightMm))mm" \
      viewBox="0 0 \(num(layout.widthMm)) \(num(layout.heightMm))">
      <title>AprilTag tag36h11 ID \(id), black square \(formatMm(sizeMm)) mm: print at 100 %, check that the black square measures \(formatMm(sizeMm)) mm</title>
      <rect x="0" y="0" width="\(num(layout.widthMm))" height="\(num(layout.heightMm))" fill="#ffffff"/>
      <g fill="#000000" shape-rendering="crispEdges">
      \(rects.joined(separator: "\n"))
      </g>
      <g fill="#000000">
      \(texts.joined(separator: "\n"))
      </g>
      </svg>

      """
  }

  /// The marker as a grey raster at `dotsPerInch`, white background, with
  /// the caption drawn in a small built-in 5 x 7 bitmap font. Module edges are
  /// rounded to whole pixels from their exact millimetre positions, so the
  /// black square measures `sizeMm` to within one pixel.
  ///
  /// - Throws: ``MarkerSheetError`` for an invalid ID, size or resolution.
  package static func raster(id: Int, sizeMm: Double, dotsPerInch: Int) throws(MarkerSheetError) -> GreyImage {
    guard sizeMm.isFinite, sizeMm >= 5, sizeMm <= 500 else { throw .invalidSize(sizeMm) }
    guard (72...2400).contains(dotsPerInch) else { throw .invalidResolution(dotsPerInch) }
    let grid = try modules(id: id)
    let layout = Layout(moduleMm: sizeMm / MarkerGeometry.modulesPerBlackSquare, lines: caption(id: id, sizeMm: sizeMm))
    let pxPerMm = Double(dotsPerInch) / 25.4
    let width = Int((layout.widthMm * pxPerMm).rounded())
    let height = Int((layout.heightMm * pxPerMm).rounded())
    var image = GreyImage(width: width, height: height, value: 255)
    let m = layout.moduleMm
    func pixel(_ mm: Double) -> Int { Int((mm * pxPerMm).rounded()) }
    for (row, line) in grid.enumerated() {
      for (col, black) in line.enumerated() where black {
        for y in pixel(layout.tagYMm + Double(row) * m)..<pixel(layout.tagYMm + Double(row + 1) * m) {
          for x in pixel(layout.tagXMm + Double(col) * m)..<pixel(layout.tagXMm + Double(col + 1) * m) {
            image[x, y] = 0
          }
        }
      }
    }
    // Round the font cell down so the caption never grows past the sheet.
    let cell = max(1, Int(layout.fontCellMm * pxPerMm))
    for (i, line) in layout.lines.enumerated() {
      let lineWidth = (line.count * BitmapFont.advance - 1) * cell
      BitmapFont.draw(
        line, x: (width - lineWidth) / 2, y: pixel(layout.captionYMm + Double(i) * layout.lineSpacingMm),
        cell: cell, width: image.width, height: image.height
      ) { image[$0, $1] = 0 }
    }
    return image
  }

  /// Pixels per metre for a resolution in dots per inch (for the PNG pHYs chunk).
  package static func pixelsPerMetre(dotsPerInch: Int) -> Int {
    Int((Double(dotsPerInch) / 0.0254).rounded())
  }

  static func num(_ value: Double) -> String {
    var s = cFormat("%.4f", value)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
  }

  /// A size in mm as printed: whole numbers without decimals.
  package static func formatMm(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : num(value)
  }
}

/// Why a printable marker could not be made.
package enum MarkerSheetError: Error, Sendable, Equatable, CustomStringConvertible {
  /// tag36h11 has IDs 0...586.
  case invalidId(Int)
  /// Sizes from 5 to 500 mm are supported.
  case invalidSize(Double)
  /// Resolutions from 72 to 2400 dpi are supported.
  case invalidResolution(Int)

  package var description: String {
    switch self {
    case .invalidId(let id): return "tag36h11 has IDs 0...586, not \(id)"
    case .invalidSize(let mm): return "marker size \(mm) mm is outside 5...500 mm"
    case .invalidResolution(let dpi): return "resolution \(dpi) dpi is outside 72...2400 dpi"
    }
  }
}
