import WoundCore

/// A corner between pixels: `(x, y)` is the top-left corner of pixel `(x, y)`, the
/// point `(x - 0.5, y - 0.5)` in pixel coordinates (pixel centres at integers).
///
/// These are ImageJ's integer ROI coordinates, where pixel `(x, y)` covers
/// `[x, x + 1) x [y, y + 1)`.
package struct PixelCorner: Sendable, Equatable, Hashable, Codable {
  package var x: Int
  package var y: Int
  package init(x: Int, y: Int) {
    self.x = x
    self.y = y
  }
}

/// The outer outline of one 8-connected region of a mask.
package struct RegionOutline: Sendable, Equatable {
  /// The boundary between the region's pixels and the outside, through pixel corners,
  /// clockwise on screen (y down); only the corners where it turns. Where two pixels
  /// touch only at a corner the outline passes through that corner twice
  /// (8-connectivity). Holes are not part of it.
  package var corners: [PixelCorner]
  /// The region's pixel count (holes excluded).
  package var areaPixels: Int
  /// The smallest rectangle holding the region's pixels (half-open).
  package var boundingBox: PixelRect

  /// The shoelace area enclosed by ``corners``, in pixels: ``areaPixels`` plus the
  /// pixels of any holes.
  package var enclosedAreaPixels: Int {
    var twice = 0
    for i in 0..<corners.count {
      let a = corners[i]
      let b = corners[(i + 1) % corners.count]
      twice += a.x * b.y - b.x * a.y
    }
    return abs(twice) / 2
  }
}

/// Outlines of a mask's regions, for files other programs read (ImageJ ROIs).
package enum RegionOutlines {
  /// The outer outline of every 8-connected region of `mask` (non-zero = set), in
  /// raster order of each region's first pixel: the same regions, in the same order,
  /// as ``PlaneGeometry/measure(mask:homography:)`` reports.
  package static func outer(mask: Mask) -> [RegionOutline] {
    let regions = MaskRegions(mask: mask)
    return outer(mask: BoxMask(regions: regions), regions: regions)
  }

  /// ``outer(mask:)`` of a mask kept over its box.
  package static func outer(mask: BoxMask) -> [RegionOutline] {
    outer(mask: mask, regions: MaskRegions(mask: mask))
  }

  /// The outlines of `regions`, the labelling of `mask`.
  private static func outer(mask: BoxMask, regions labelled: MaskRegions) -> [RegionOutline] {
    labelled.regions.map { region in
      let start = region.firstPixel
      return RegionOutline(
        corners: BoundaryTracing.outerCorners(mask: mask, startX: start.x, startY: start.y),
        areaPixels: region.areaPixels, boundingBox: region.boundingBox)
    }
  }

  /// A mask of `width` x `height` with every pixel whose centre lies inside one of
  /// `polygons` set to 255 (even-odd rule per polygon, polygons united).
  ///
  /// Vertices are in ImageJ's coordinates (pixel `(x, y)` covers `[x, x + 1) x [y, y + 1)`,
  /// so its centre is `(x + 0.5, y + 0.5)`), as read from an ImageJ ROI; the
  /// inverse of ``outer(mask:)`` for regions without holes.
  package static func rasterize(polygons: [[Point]], width: Int, height: Int) -> Mask {
    var mask = Mask(width: width, height: height)
    for polygon in polygons where polygon.count >= 3 {
      let minY = max(0, Int((polygon.map(\.y).min()! - 0.5).rounded(.down)))
      let maxY = min(height - 1, Int((polygon.map(\.y).max()! - 0.5).rounded(.up)))
      guard minY <= maxY else { continue }
      for y in minY...maxY {
        let cy = Double(y) + 0.5
        var crossings: [Double] = []
        for i in 0..<polygon.count {
          let a = polygon[i]
          let b = polygon[(i + 1) % polygon.count]
          if (a.y <= cy) != (b.y <= cy) {
            crossings.append(a.x + (cy - a.y) / (b.y - a.y) * (b.x - a.x))
          }
        }
        crossings.sort()
        var k = 0
        while k + 1 < crossings.count {
          // Pixels whose centre x + 0.5 lies in [left, right).
          let first = max(0, Int((crossings[k] - 0.5).rounded(.up)))
          let last = min(width - 1, Int((crossings[k + 1] - 0.5).rounded(.up)) - 1)
          if first <= last {
            for x in first...last { mask.pixels[y * width + x] = 255 }
          }
          k += 2
        }
      }
    }
    return mask
  }
}
