import WoundCore

/// Tracing and smoothing of a region's outer boundary, in pixel coordinates.
enum BoundaryTracing {
  /// The outer boundary of the 8-connected region containing pixel
  /// `(startX, startY)`, as the midpoints of its boundary pixel edges.
  ///
  /// The walk follows the edges ("cracks") between set and unset pixels with
  /// the region on its right, starting on the top edge of `(startX, startY)`,
  /// which must be the region's first pixel in raster order so that this edge
  /// lies on the outer boundary. Where two set pixels touch only at a corner,
  /// the walk keeps them together (8-connectivity). The midpoints of the
  /// walked edges are the vertices that marching squares on pixel centres at
  /// level 0.5 produces. The contour runs clockwise on screen (y down).
  ///
  /// - Returns: one point per boundary edge, in pixel coordinates.
  static func outerContour(mask: BoxMask, startX: Int, startY: Int) -> [Point] {
    var points: [Point] = []
    walkOuterBoundary(mask: mask, startX: startX, startY: startY) { cx, cy, dx, dy in
      points.append(Point(x: Double(cx) + Double(dx) * 0.5 - 0.5, y: Double(cy) + Double(dy) * 0.5 - 0.5))
    }
    return points
  }

  /// The outer boundary of the 8-connected region containing pixel `(startX, startY)`
  /// as a polygon through pixel corners: the corners where the walk of
  /// ``outerContour(mask:startX:startY:)`` turns, clockwise on screen.
  ///
  /// Corner `(cx, cy)` is the top-left corner of pixel `(cx, cy)`, the point
  /// `(cx - 0.5, cy - 0.5)` in pixel coordinates (ImageJ's integer ROI coordinates).
  /// The polygon's shoelace area is the region's pixel count when it has no holes.
  static func outerCorners(mask: BoxMask, startX: Int, startY: Int) -> [PixelCorner] {
    var corners: [PixelCorner] = []
    var previous: (Int, Int)?
    var first: (Int, Int)?
    walkOuterBoundary(mask: mask, startX: startX, startY: startY) { cx, cy, dx, dy in
      if first == nil { first = (dx, dy) }
      if let previous, previous != (dx, dy) { corners.append(PixelCorner(x: cx, y: cy)) }
      previous = (dx, dy)
    }
    // The walk starts along the top edge heading right, so its start corner is a turn
    // (it arrives heading up) unless the outline is a single run of edges.
    if let previous, let first, previous != first { corners.append(PixelCorner(x: startX, y: startY)) }
    return corners
  }

  /// Walks the outer boundary's pixel edges (see ``outerContour(mask:startX:startY:)``),
  /// calling `visit(cx, cy, dx, dy)` for each edge: it starts at corner `(cx, cy)` and
  /// runs one pixel in direction `(dx, dy)`.
  private static func walkOuterBoundary(
    mask: BoxMask, startX: Int, startY: Int, _ visit: (Int, Int, Int, Int) -> Void
  ) {
    // Every set pixel lies in the mask's box: outside it, nothing is set.
    let box = mask.box
    mask.boxPixels.pixels.withUnsafeBufferPointer { pixels in
      @inline(__always) func isSet(_ x: Int, _ y: Int) -> Bool {
        box.contains(column: x, row: y) && pixels[(y - box.y) * box.width + (x - box.x)] != 0
      }
      // Corners have integer coordinates: corner (cx, cy) is the top-left
      // corner of pixel (cx, cy), at (cx - 0.5, cy - 0.5) in pixel coordinates.
      var cx = startX
      var cy = startY
      var dx = 1
      var dy = 0
      repeat {
        visit(cx, cy, dx, dy)
        cx += dx
        cy += dy
        // The pixels ahead of the corner, to the left and right of the walk.
        // A pixel in quadrant (sx, sy) of corner (cx, cy) is (cx + (sx - 1) / 2, cy + (sy - 1) / 2).
        let (rx, ry) = (-dy, dx)  // right-hand normal (y down)
        let aheadLeft = isSet(cx + (dx - rx - 1) / 2, cy + (dy - ry - 1) / 2)
        let aheadRight = isSet(cx + (dx + rx - 1) / 2, cy + (dy + ry - 1) / 2)
        if aheadLeft {
          (dx, dy) = (dy, -dx)  // turn left
        } else if !aheadRight {
          (dx, dy) = (-dy, dx)  // turn right
        }
      } while !(cx == startX && cy == startY && dx == 1 && dy == 0)
    }
  }

  /// Removes the staircase from a traced contour.
  ///
  /// The contour through edge midpoints is made of unit steps along the axes
  /// and half-diagonal steps at turns. Consecutive steps in the same direction
  /// form one straight piece; the polygon through the midpoints of those
  /// pieces follows a digital straight line almost exactly, where the raw
  /// staircase is up to 8 % too long (at 22.5 degrees) and about 5 % too
  /// long around a disc. On a digitised disc the result is within 1 % of
  /// `2 * pi * r` for `r >= 20` pixels (figures in `docs/measures.md`);
  /// sharp corners are cut by about half a pixel each (a 100 x 50 pixel
  /// rectangle measures about 0.7 % short). Contours of fewer than 8 points
  /// (regions of a few pixels) are returned unchanged.
  static func smoothed(_ contour: [Point]) -> [Point] {
    let n = contour.count
    guard n >= 8 else { return contour }
    // Step directions in half-pixel units: (+-2, 0), (0, +-2) or (+-1, +-1).
    func step(_ i: Int) -> (Int, Int) {
      let a = contour[i]
      let b = contour[(i + 1) % n]
      // Coordinates are whole or half pixels, so these products are exact integers.
      return (Int((b.x - a.x) * 2), Int((b.y - a.y) * 2))
    }
    // Start at a change of direction so that no piece wraps around.
    var start = 0
    while start < n && step((start + n - 1) % n) == step(start) { start += 1 }
    if start == n { return contour }
    var pieceMidpoints: [Point] = []
    var i = 0
    while i < n {
      let first = (start + i) % n
      let direction = step(first)
      var length = 1
      while i + length < n && step((start + i + length) % n) == direction { length += 1 }
      let a = contour[first]
      let b = contour[(first + length) % n]
      pieceMidpoints.append(Point(x: (a.x + b.x) / 2, y: (a.y + b.y) / 2))
      i += length
    }
    return pieceMidpoints.count >= 3 ? pieceMidpoints : contour
  }
}
