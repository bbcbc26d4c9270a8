internal import CCodecShims
import WoundCore

/// The eight EXIF orientations (TIFF tag 274), named by where the stored
/// image's first row and first column end up when the photo is displayed.
///
/// The raw value is the EXIF value. `rightTop` (6) is the usual "phone held
/// upright" case: the stored first row is the displayed right-hand column, so
/// the stored image is turned 90 degrees clockwise for display.
package enum EXIFOrientation: Int, Sendable, CaseIterable {
  /// 1: stored as displayed.
  case topLeft = 1
  /// 2: mirrored left-right.
  case topRight = 2
  /// 3: turned 180 degrees.
  case bottomRight = 3
  /// 4: mirrored top-bottom.
  case bottomLeft = 4
  /// 5: transposed (mirrored about the main diagonal).
  case leftTop = 5
  /// 6: turned 90 degrees clockwise for display.
  case rightTop = 6
  /// 7: transversed (mirrored about the anti-diagonal).
  case rightBottom = 7
  /// 8: turned 90 degrees anticlockwise for display.
  case leftBottom = 8

  /// The orientation for an EXIF value; values outside 1...8 mean `topLeft`.
  package init(exifValue: Int) {
    self = EXIFOrientation(rawValue: exifValue) ?? .topLeft
  }

  /// True for 5...8, where the displayed width is the stored height.
  package var swapsAxes: Bool { rawValue >= 5 }

  /// The displayed size of a stored `width` x `height` image.
  package func displayedSize(storedWidth: Int, storedHeight: Int) -> (width: Int, height: Int) {
    swapsAxes ? (storedHeight, storedWidth) : (storedWidth, storedHeight)
  }

  /// The stored pixel shown at displayed pixel `(x, y)` of a stored
  /// `storedWidth` x `storedHeight` image.
  package func storedPixel(
    displayedX x: Int, displayedY y: Int, storedWidth w: Int,
    storedHeight h: Int
  ) -> (x: Int, y: Int) {
    switch self {
    case .topLeft: return (x, y)
    case .topRight: return (w - 1 - x, y)
    case .bottomRight: return (w - 1 - x, h - 1 - y)
    case .bottomLeft: return (x, h - 1 - y)
    case .leftTop: return (y, x)
    case .rightTop: return (y, h - 1 - x)
    case .rightBottom: return (w - 1 - y, h - 1 - x)
    case .leftBottom: return (w - 1 - y, x)
    }
  }

  /// The stored rectangle holding the displayed region `region` (both
  /// half-open). The region must lie inside the displayed image.
  func storedRegion(of region: PixelRect, storedWidth w: Int, storedHeight h: Int) -> PixelRect {
    let a = storedPixel(displayedX: region.x, displayedY: region.y, storedWidth: w, storedHeight: h)
    let b = storedPixel(
      displayedX: region.x + region.width - 1, displayedY: region.y + region.height - 1,
      storedWidth: w, storedHeight: h)
    let x0 = min(a.x, b.x)
    let y0 = min(a.y, b.y)
    return PixelRect(x: x0, y: y0, width: max(a.x, b.x) - x0 + 1, height: max(a.y, b.y) - y0 + 1)
  }
}

extension RGBImage {
  /// This image, taken as stored with EXIF orientation `orientation`, as it
  /// is displayed. One pass over the pixels; `topLeft` returns `self`.
  package func displayed(orientation: EXIFOrientation) -> RGBImage {
    if orientation == .topLeft { return self }
    let size = orientation.displayedSize(storedWidth: width, storedHeight: height)
    let count = width * height * 3
    let output = [UInt8](unsafeUninitializedCapacity: count) { destination, initialized in
      LargeBuffers.adviseHugePages(UnsafeMutableRawPointer(destination.baseAddress!), bytes: count)
      pixels.withUnsafeBufferPointer { source in
        let placement = OrientedPlacement(
          orientation: orientation, storedWidth: width, storedHeight: height)
        var row = 0
        while row < height {
          let rows = Swift.min(OrientedPlacement.stripRows, height - row)
          placement.place(
            strip: source.baseAddress! + row * width * 3, rows: rows, firstRow: row,
            stripStrideBytes: width * 3, into: destination.baseAddress!)
          row += rows
        }
      }
      initialized = count
    }
    return RGBImage(width: size.width, height: size.height, pixels: output)
  }
}

/// Where each stored pixel lands in the displayed buffer, as an affine map of
/// pixel indices: `displayedIndex = base + x * stepX + y * stepY` for stored
/// pixel `(x, y)`. Works on horizontal strips so that a decoder can place rows
/// as they arrive and the transposing orientations stay cache-friendly.
struct OrientedPlacement {
  /// Rows per strip: a strip of a 4000-pixel-wide photo is 768 KB, which
  /// stays in cache while its columns are written out; each column becomes a
  /// 192-byte run of a displayed row (whole cache lines, one page touch).
  static let stripRows = 64

  let orientation: EXIFOrientation
  let storedWidth: Int
  let storedHeight: Int
  let base: Int
  let stepX: Int
  let stepY: Int

  init(orientation: EXIFOrientation, storedWidth w: Int, storedHeight h: Int) {
    self.orientation = orientation
    self.storedWidth = w
    self.storedHeight = h
    let displayedWidth = orientation.swapsAxes ? h : w
    switch orientation {
    case .topLeft: (base, stepX, stepY) = (0, 1, displayedWidth)
    case .topRight: (base, stepX, stepY) = (w - 1, -1, displayedWidth)
    case .bottomRight: (base, stepX, stepY) = ((h - 1) * displayedWidth + w - 1, -1, -displayedWidth)
    case .bottomLeft: (base, stepX, stepY) = ((h - 1) * displayedWidth, 1, -displayedWidth)
    case .leftTop: (base, stepX, stepY) = (0, displayedWidth, 1)
    case .rightTop: (base, stepX, stepY) = (h - 1, displayedWidth, -1)
    case .rightBottom: (base, stepX, stepY) = ((w - 1) * displayedWidth + h - 1, -displayedWidth, -1)
    case .leftBottom: (base, stepX, stepY) = ((w - 1) * displayedWidth, -displayedWidth, 1)
    }
  }

  /// Copies `rows` stored rows, starting at stored row `firstRow`, from
  /// `strip` (row `i` at `strip + i * stripStrideBytes`) to their displayed
  /// places in `destination` (the whole displayed image, RGB).
  func place(
    strip: UnsafePointer<UInt8>, rows: Int, firstRow: Int, stripStrideBytes: Int,
    into destination: UnsafeMutablePointer<UInt8>
  ) {
    let width = storedWidth
    if !orientation.swapsAxes {
      // Whole rows map to whole rows, possibly reversed.
      for i in 0..<rows {
        let source = strip + i * stripStrideBytes
        let target = destination + (base + (firstRow + i) * stepY) * 3
        if stepX == 1 {
          target.update(from: source, count: width * 3)
        } else {
          var s = source
          var t = target
          for _ in 0..<width {
            t[0] = s[0]
            t[1] = s[1]
            t[2] = s[2]
            s += 3
            t -= 3
          }
        }
      }
      return
    }
    // Transposing: each stored column of the strip becomes a run of `rows`
    // consecutive displayed pixels (forwards or backwards).
    wm_place_columns(
      strip, stripStrideBytes, Int32(width), Int32(rows),
      destination + (base + firstRow * stepY) * 3, stepX * 3, stepY * 3)
  }
}
