import WoundCore
import WoundImaging
import WoundSegmentation

/// Draws the overlay a clinician checks a measurement against.
///
/// On a copy of the photo: tissue classes tinted semi-transparently inside the
/// wound, in diagonal stripes so that the wound bed stays visible between them, the
/// wound outline, the marker outline(s), a scale bar of a round length in
/// millimetres at the bottom left, the region numbers when there are several, and
/// at the top left a caption (patient, site, taken time, area, scale) above a legend
/// of the colours. Deterministic, integer pixels only.
package enum Overlay {
  /// Overlay colours, RGB.
  package enum Colour {
    package static let outline: (UInt8, UInt8, UInt8) = (0, 230, 255)
    package static let marker: (UInt8, UInt8, UInt8) = (40, 110, 255)
    package static let granulation: (UInt8, UInt8, UInt8) = (230, 30, 60)
    package static let slough: (UInt8, UInt8, UInt8) = (250, 220, 40)
    package static let necrosis: (UInt8, UInt8, UInt8) = (20, 20, 20)
    package static let epithelium: (UInt8, UInt8, UInt8) = (255, 150, 210)
  }

  /// JPEG quality of overlays written as JPEG.
  package static let jpegQuality = 90

  /// Writes an overlay, replacing `path` atomically: JPEG (quality
  /// ``jpegQuality``) when the name ends in `.jpg` or `.jpeg` (any case), PNG
  /// at zlib level 1 otherwise. A 12-megapixel overlay is a view for a person
  /// to check, so it is written fast rather than small.
  ///
  /// - Throws: `EncodeError` from `ImageEncoder`.
  package static func write(
    _ overlay: RGBImage, to path: String, protecting protected: SafeFile.ProtectedFiles = .none
  ) throws {
    let lower = path.lowercased()
    if lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") {
      try ImageEncoder.writeJPEG(overlay, to: path, quality: jpegQuality, protecting: protected)
    } else {
      try ImageEncoder.writePNG(overlay, to: path, compressionLevel: 1, protecting: protected)
    }
  }

  /// Tint opacity, in 1/256ths.
  static let tintAlpha = 110

  /// The legend's entries: label and colour, in the order drawn.
  package static let legend: [(label: String, colour: (UInt8, UInt8, UInt8))] = [
    ("wound outline", Colour.outline), ("marker", Colour.marker), ("granulation", Colour.granulation),
    ("slough", Colour.slough), ("necrosis", Colour.necrosis), ("epithelium", Colour.epithelium),
  ]

  /// Renders the overlay.
  ///
  /// - Parameters:
  ///   - image: the photo as displayed.
  ///   - mask: the wound mask, same size (non-zero = wound).
  ///   - tissue: the tissue map of the same photo (its labels tint the wound), or `nil`.
  ///   - markerOutlines: polygons in displayed pixels to draw as markers.
  ///   - pixelsPerMm: the scale at the marker, for the scale bar; `nil` draws none.
  ///   - caption: lines drawn at the top left above the legend; none (and no legend) when empty.
  ///   - regionBoxes: each region's bounding box; with two or more,
  ///     each is numbered from 1 above its top-left corner.
  /// - Returns: the overlay image, same size as `image`.
  ///
  /// Drawn on `image` itself when the caller hands over its only copy
  /// (``MeasurementOutcome/takeOverlay(patient:)``); only the rows and columns of the
  /// mask's bounding box are visited for the tint and the outline.
  package static func render(
    image: consuming RGBImage, mask: BoxMask, tissue: TissueMap?, markerOutlines: [[Point]], pixelsPerMm: Double?,
    caption: [String] = [], regionBoxes: [PixelRect] = []
  ) -> RGBImage {
    var out = consume image
    let width = out.width
    let height = out.height
    guard width > 0, height > 0 else { return out }
    let thickness = max(1, min(width, height) / 400)
    let stripe = max(3, thickness * 3)
    let box =
      mask.width == width && mask.height == height && !mask.box.isEmpty
      ? (rows: mask.box.y..<mask.box.maxY, columns: mask.box.x..<mask.box.maxX) : nil

    // Tissue tint.
    if let tissue, tissue.width == width, tissue.height == height, let box {
      let alpha = tintAlpha
      for y in box.rows {
        for x in box.columns where mask[x, y] != 0 && ((x + y) / stripe) % 2 == 0 {
          let i = y * width + x
          guard let tissue = TissueClass(rawValue: tissue[x, y]) else { continue }
          let colour: (UInt8, UInt8, UInt8)
          switch tissue {
          case .granulation: colour = Colour.granulation
          case .slough: colour = Colour.slough
          case .necrosis: colour = Colour.necrosis
          case .epithelium: colour = Colour.epithelium
          case .none: continue
          }
          let base = i * 3
          out.pixels[base] = blend(out.pixels[base], colour.0, alpha)
          out.pixels[base + 1] = blend(out.pixels[base + 1], colour.1, alpha)
          out.pixels[base + 2] = blend(out.pixels[base + 2], colour.2, alpha)
        }
      }
    }

    // Wound outline: mask pixels with a 4-neighbour outside the mask or at the image edge.
    if let box {
      for y in box.rows {
        for x in box.columns where mask[x, y] != 0 {
          let onEdge =
            x == 0 || y == 0 || x == width - 1 || y == height - 1 || mask[x - 1, y] == 0 || mask[x + 1, y] == 0
            || mask[x, y - 1] == 0 || mask[x, y + 1] == 0
          if onEdge { fillSquare(&out, centreX: x, centreY: y, size: thickness, colour: Colour.outline) }
        }
      }
    }

    // Marker outlines.
    for polygon in markerOutlines where polygon.count >= 2 {
      for i in 0..<polygon.count {
        drawLine(
          &out, from: polygon[i], to: polygon[(i + 1) % polygon.count], thickness: thickness,
          colour: Colour.marker)
      }
    }

    if let pixelsPerMm, pixelsPerMm.isFinite, pixelsPerMm > 0 {
      drawScaleBar(&out, pixelsPerMm: pixelsPerMm, thickness: thickness)
    }
    var captionBox = (width: 0, height: 0)
    if !caption.isEmpty { captionBox = drawCaption(&out, lines: caption, cell: max(1, thickness)) }
    if regionBoxes.count > 1 {
      let cell = max(1, thickness * 2)
      for (index, box) in regionBoxes.enumerated() {
        let label = String(index + 1)
        let labelHeight = BitmapFont.height * cell
        let left = max(0, box.x)
        // Above the region's box; below it where the caption or the photo's top edge is in the way.
        var top = box.y - labelHeight - 3 * cell
        if top < 0 || (top < captionBox.height && left < captionBox.width) { top = box.maxY + 3 * cell }
        fillRect(
          &out, x0: left - cell, y0: top - cell, x1: left + BitmapFont.width(of: label, cell: cell) + cell,
          y1: top + labelHeight + cell, colour: (255, 255, 255))
        BitmapFont.draw(label, x: left, y: top, cell: cell, width: width, height: height) { out[$0, $1] = (0, 0, 0) }
      }
    }
    return out
  }

  /// The caption lines and the legend, black on a white box at the top left; the box's size.
  @discardableResult
  static func drawCaption(_ image: inout RGBImage, lines: [String], cell: Int) -> (width: Int, height: Int) {
    let lineHeight = (BitmapFont.height + 3) * cell
    let swatch = BitmapFont.height * cell
    let padding = 4 * cell
    let legendWidths = legend.map { swatch + 2 * cell + BitmapFont.width(of: $0.label, cell: cell) }
    let columnWidth = (legendWidths.max() ?? 0) + 4 * cell
    let boxWidth = max(lines.map { BitmapFont.width(of: $0, cell: cell) }.max() ?? 0, 2 * columnWidth) + 2 * padding
    let legendRows = (legend.count + 1) / 2
    let boxHeight = (lines.count + legendRows) * lineHeight + 2 * padding
    fillRect(&image, x0: 0, y0: 0, x1: boxWidth, y1: boxHeight, colour: (255, 255, 255))
    var y = padding
    for line in lines {
      BitmapFont.draw(line, x: padding, y: y, cell: cell, width: image.width, height: image.height) {
        image[$0, $1] = (0, 0, 0)
      }
      y += lineHeight
    }
    for (index, item) in legend.enumerated() {
      let x = padding + (index % 2) * columnWidth
      let rowY = y + (index / 2) * lineHeight
      fillRect(&image, x0: x, y0: rowY, x1: x + swatch, y1: rowY + swatch, colour: (0, 0, 0))
      fillRect(&image, x0: x + 1, y0: rowY + 1, x1: x + swatch - 1, y1: rowY + swatch - 1, colour: item.colour)
      BitmapFont.draw(
        item.label, x: x + swatch + 2 * cell, y: rowY, cell: cell, width: image.width,
        height: image.height
      ) { image[$0, $1] = (0, 0, 0) }
    }
    return (boxWidth, boxHeight)
  }

  /// The scale bar's length: the largest of 1, 2, 5, 10, 20, 50, 100, 200, 500 mm that
  /// spans at most a quarter of the image width (at least 1 mm).
  package static func scaleBarLengthMm(pixelsPerMm: Double, imageWidth: Int) -> Int {
    let candidates = [1, 2, 5, 10, 20, 50, 100, 200, 500]
    let limit = Double(imageWidth) / 4
    return candidates.last { Double($0) * pixelsPerMm <= limit } ?? 1
  }

  static func drawScaleBar(_ image: inout RGBImage, pixelsPerMm: Double, thickness: Int) {
    let lengthMm = scaleBarLengthMm(pixelsPerMm: pixelsPerMm, imageWidth: image.width)
    let lengthPixels = Int((Double(lengthMm) * pixelsPerMm).rounded())
    let barHeight = max(3, thickness * 3)
    let tickHeight = barHeight * 3
    let margin = max(8, image.width / 50)
    let padding = max(4, thickness * 4)
    let left = margin
    let bottom = image.height - margin
    let tickTop = bottom - tickHeight
    // White backing box, then a black bar with end ticks, and one tick per millimetre
    // (each 10 mm taller) when they are at least 4 px apart.
    fillRect(
      &image, x0: left - padding, y0: tickTop - padding, x1: left + lengthPixels + padding,
      y1: bottom + padding, colour: (255, 255, 255))
    fillRect(&image, x0: left, y0: bottom - barHeight, x1: left + lengthPixels, y1: bottom, colour: (0, 0, 0))
    fillRect(&image, x0: left, y0: tickTop, x1: left + max(1, thickness), y1: bottom, colour: (0, 0, 0))
    fillRect(
      &image, x0: left + lengthPixels - max(1, thickness), y0: tickTop, x1: left + lengthPixels, y1: bottom,
      colour: (0, 0, 0))
    // The bar's length as text above it, when there is room for it in the box's width.
    let label = lengthMm >= 10 && lengthMm % 10 == 0 ? "\(lengthMm / 10) cm" : "\(lengthMm) mm"
    let cell = max(1, thickness * 2)
    let labelWidth = BitmapFont.width(of: label, cell: cell)
    if labelWidth <= lengthPixels {
      let labelTop = tickTop - padding - BitmapFont.height * cell
      fillRect(
        &image, x0: left - padding, y0: labelTop - padding, x1: left + lengthPixels + padding, y1: tickTop,
        colour: (255, 255, 255))
      BitmapFont.draw(label, x: left, y: labelTop, cell: cell, width: image.width, height: image.height) {
        image[$0, $1] = (0, 0, 0)
      }
    }
    if pixelsPerMm >= 4, lengthMm > 1 {
      for mm in 1..<lengthMm {
        let x = left + Int((Double(mm) * pixelsPerMm).rounded())
        let h = mm % 10 == 0 ? tickHeight : (mm % 5 == 0 ? barHeight * 2 : barHeight + barHeight / 2)
        fillRect(&image, x0: x, y0: bottom - h, x1: x + 1, y1: bottom, colour: (0, 0, 0))
      }
    }
  }

  @inline(__always)
  static func blend(_ base: UInt8, _ top: UInt8, _ alpha: Int) -> UInt8 {
    UInt8((Int(base) * (256 - alpha) + Int(top) * alpha) >> 8)
  }

  /// Fills the half-open rectangle `[x0, x1) x [y0, y1)`, clipped to the image.
  static func fillRect(_ image: inout RGBImage, x0: Int, y0: Int, x1: Int, y1: Int, colour: (UInt8, UInt8, UInt8)) {
    let xa = max(0, x0)
    let xb = min(image.width, x1)
    let ya = max(0, y0)
    let yb = min(image.height, y1)
    guard xa < xb, ya < yb else { return }
    for y in ya..<yb {
      for x in xa..<xb {
        let i = (y * image.width + x) * 3
        image.pixels[i] = colour.0
        image.pixels[i + 1] = colour.1
        image.pixels[i + 2] = colour.2
      }
    }
  }

  static func fillSquare(
    _ image: inout RGBImage, centreX: Int, centreY: Int, size: Int,
    colour: (UInt8, UInt8, UInt8)
  ) {
    let half = (size - 1) / 2
    fillRect(
      &image, x0: centreX - half, y0: centreY - half, x1: centreX - half + size, y1: centreY - half + size,
      colour: colour)
  }

  /// A straight line of `thickness` pixels between two points (pixel centres at integers).
  static func drawLine(
    _ image: inout RGBImage, from a: Point, to b: Point, thickness: Int,
    colour: (UInt8, UInt8, UInt8)
  ) {
    guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
    let dx = b.x - a.x
    let dy = b.y - a.y
    let steps = Int(max(abs(dx), abs(dy)).rounded(.up))
    guard steps < 1_000_000 else { return }
    for s in 0...max(steps, 0) {
      let t = steps == 0 ? 0 : Double(s) / Double(steps)
      fillSquare(
        &image, centreX: Int((a.x + dx * t).rounded()), centreY: Int((a.y + dy * t).rounded()),
        size: thickness, colour: colour)
    }
  }
}
