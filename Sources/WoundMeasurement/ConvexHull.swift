import WoundCore

/// Convex hulls and Feret diameters of point sets, in any one unit.
enum ConvexHull {
  /// The convex hull of `points`, counter-clockwise in a y-up frame, without
  /// collinear or repeated vertices (Andrew's monotone chain, O(n log n)).
  static func of(_ points: [Point]) -> [Point] {
    let sorted = points.sorted { $0.x != $1.x ? $0.x < $1.x : $0.y < $1.y }
    guard sorted.count >= 3 else {
      if sorted.count == 2 && sorted[0] == sorted[1] { return [sorted[0]] }
      return sorted
    }
    var hull: [Point] = []
    hull.reserveCapacity(sorted.count + 1)
    for p in sorted {
      while hull.count >= 2 && cross(hull[hull.count - 2], hull[hull.count - 1], p) <= 0 { hull.removeLast() }
      hull.append(p)
    }
    let lowerCount = hull.count + 1
    for p in sorted.reversed().dropFirst() {
      while hull.count >= lowerCount && cross(hull[hull.count - 2], hull[hull.count - 1], p) <= 0 {
        hull.removeLast()
      }
      hull.append(p)
    }
    hull.removeLast()  // equals the first point
    return hull
  }

  /// Twice the signed area of triangle `o, a, b` (positive when counter-clockwise, y up).
  static func cross(_ o: Point, _ a: Point, _ b: Point) -> Double {
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
  }

  /// The maximum Feret diameter of a convex polygon and its extent
  /// perpendicular to that diameter.
  ///
  /// The diameter is found by rotating calipers over antipodal vertex pairs
  /// (Shamos 1978; O(n) on the hull). Width is the spread of the hull's
  /// projections on the line perpendicular to the diameter, which is what a
  /// nurse measures with a ruler at right angles to the length.
  ///
  /// - Parameter hull: vertices of a convex polygon in order, as from ``of(_:)``.
  /// - Returns: `(0, 0)` for fewer than two vertices.
  static func feretLengthAndWidth(_ hull: [Point]) -> (length: Double, width: Double) {
    let n = hull.count
    guard n >= 2 else { return (0, 0) }
    func distanceSquared(_ a: Point, _ b: Point) -> Double {
      (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)
    }
    var best = (a: hull[0], b: hull[1], d2: distanceSquared(hull[0], hull[1]))
    if n > 2 {
      var k = 1
      for i in 0..<n {
        let j = (i + 1) % n
        // Advance k while it moves farther from edge (i, j).
        while abs(cross(hull[i], hull[j], hull[(k + 1) % n])) > abs(cross(hull[i], hull[j], hull[k])) {
          k = (k + 1) % n
        }
        for candidate in [(hull[i], hull[k]), (hull[j], hull[k])] {
          let d2 = distanceSquared(candidate.0, candidate.1)
          if d2 > best.d2 { best = (candidate.0, candidate.1, d2) }
        }
      }
    }
    let length = best.d2.squareRoot()
    guard length > 0 else { return (0, 0) }
    // Unit normal to the diameter; width is the spread of projections on it.
    let nx = -(best.b.y - best.a.y) / length
    let ny = (best.b.x - best.a.x) / length
    var low = Double.infinity
    var high = -Double.infinity
    for p in hull {
      let t = p.x * nx + p.y * ny
      low = min(low, t)
      high = max(high, t)
    }
    return (length, high - low)
  }
}
