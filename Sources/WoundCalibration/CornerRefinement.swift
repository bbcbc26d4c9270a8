import FoundationEssentials
import WoundCore

#if canImport(Glibc)
  import Glibc
#endif

/// Sub-pixel refinement of a marker's black-square corners at full resolution.
///
/// Each side of the black square is found as a straight line: at points
/// spread along the side, the grey profile is sampled along the side's normal
/// (bilinear interpolation, pixel centres at integers), and the edge is put
/// where the profile crosses half-way between the black border inside and the
/// white border outside, next to the strongest gradient. A total-least-squares
/// line is fitted to those edge points (points far off the first fit are
/// dropped, then the line is refitted), and the corners are the intersections
/// of neighbouring lines. The search stays within half a module of the
/// starting side, so neither the data bits inside nor the paper's edge outside
/// can be mistaken for the black square's edge.
enum CornerRefinement {
  /// Refines `corners` (clockwise as displayed, from the tag's top-left).
  ///
  /// Returns `nil` when a side has too few clear edge points or the lines do
  /// not meet near the starting corners.
  static func refine(_ corners: [Point], in grey: GreyImage, passes: Int = 2) -> [Point]? {
    var current = corners
    for pass in 0..<passes {
      let sides = MarkerGeometry.sideLengths(current)
      let moduleSize = sides.reduce(0, +) / 4 / MarkerGeometry.modulesPerBlackSquare
      let reach = pass == 0 ? max(1.5, 0.45 * moduleSize) : max(1.0, 0.3 * moduleSize)
      var lines: [Line] = []
      for k in 0..<4 {
        guard let line = fitSide(from: current[k], to: current[(k + 1) % 4], reach: reach, in: grey) else {
          return nil
        }
        lines.append(line)
      }
      var next: [Point] = []
      for k in 0..<4 {
        guard let p = lines[(k + 3) % 4].intersection(with: lines[k]) else { return nil }
        next.append(p)
      }
      for k in 0..<4 {
        let dx = next[k].x - corners[k].x
        let dy = next[k].y - corners[k].y
        if (dx * dx + dy * dy).squareRoot() > max(3, moduleSize) { return nil }
      }
      current = next
    }
    return current
  }

  /// A line `n . p = c` with unit normal `n`.
  struct Line {
    var nx: Double
    var ny: Double
    var c: Double

    func distance(_ p: Point) -> Double { nx * p.x + ny * p.y - c }

    func intersection(with other: Line) -> Point? {
      let det = nx * other.ny - ny * other.nx
      if abs(det) < 1e-9 { return nil }
      return Point(x: (c * other.ny - ny * other.c) / det, y: (nx * other.c - c * other.nx) / det)
    }

    /// Total least squares fit (principal axis of the points).
    static func fit(_ points: [Point]) -> Line? {
      guard points.count >= 2 else { return nil }
      let n = Double(points.count)
      let mx = points.reduce(0) { $0 + $1.x } / n
      let my = points.reduce(0) { $0 + $1.y } / n
      var sxx = 0.0, sxy = 0.0, syy = 0.0
      for p in points {
        sxx += (p.x - mx) * (p.x - mx)
        sxy += (p.x - mx) * (p.y - my)
        syy += (p.y - my) * (p.y - my)
      }
      // The normal is the eigenvector of the smaller eigenvalue.
      let angle = 0.5 * atan2(2 * sxy, sxx - syy)  // direction of the line
      let dx = cos(angle), dy = sin(angle)
      let nx = -dy, ny = dx
      return Line(nx: nx, ny: ny, c: nx * mx + ny * my)
    }
  }

  /// Finds the edge points of one side and fits its line.
  static func fitSide(from a: Point, to b: Point, reach: Double, in grey: GreyImage) -> Line? {
    let dx = b.x - a.x, dy = b.y - a.y
    let length = (dx * dx + dy * dy).squareRoot()
    guard length >= 4 else { return nil }
    let ux = dx / length, uy = dy / length
    // Outward normal for corners clockwise as displayed (y down).
    let nx = uy, ny = -ux
    let count = min(200, max(8, Int(length * 0.76)))
    let step = 0.25
    let samples = Int((2 * reach / step).rounded(.up)) + 1
    var points: [Point] = []
    points.reserveCapacity(count)
    var profile = [Double](repeating: 0, count: samples)
    for i in 0..<count {
      let t = 0.12 + 0.76 * (Double(i) + 0.5) / Double(count)
      let px = a.x + dx * t, py = a.y + dy * t
      var inside = true
      for s in 0..<samples {
        let offset = -reach + Double(s) * step
        guard let value = bilinear(grey, px + nx * offset, py + ny * offset) else {
          inside = false
          break
        }
        profile[s] = value
      }
      guard inside else { continue }
      guard let offset = edgeOffset(profile, step: step, start: -reach) else { continue }
      points.append(Point(x: px + nx * offset, y: py + ny * offset))
    }
    guard points.count >= max(4, count / 3), var line = Line.fit(points) else { return nil }
    // Drop outliers (more than 3 median absolute residuals, at least 0.5 px) and refit.
    let residuals = points.map { abs(line.distance($0)) }
    let median = residuals.sorted()[residuals.count / 2]
    let limit = max(0.5, 3 * median)
    let kept = zip(points, residuals).filter { $0.1 <= limit }.map(\.0)
    if kept.count >= 4, let refit = Line.fit(kept) { line = refit }
    // Keep the normal pointing outward, as the side's own normal does.
    if line.nx * nx + line.ny * ny < 0 { line = Line(nx: -line.nx, ny: -line.ny, c: -line.c) }
    return line
  }

  /// The sub-pixel offset of the dark-to-light edge in a profile sampled
  /// from inside (dark) to outside (light), or `nil` when the contrast is too
  /// weak (< 20 grey levels).
  static func edgeOffset(_ profile: [Double], step: Double, start: Double) -> Double? {
    let n = profile.count
    guard n >= 5 else { return nil }
    var best = 1
    var bestGradient = -Double.infinity
    for s in 1..<(n - 1) {
      let g = profile[s + 1] - profile[s - 1]
      if g > bestGradient {
        bestGradient = g
        best = s
      }
    }
    let dark = profile[0...best].min()!
    let light = profile[best...].max()!
    guard light - dark >= 20 else { return nil }
    let mid = (dark + light) / 2
    // The crossing of `mid` nearest the strongest gradient.
    var bestCrossing: Double? = nil
    var bestDistance = Double.infinity
    for s in 0..<(n - 1) {
      let v0 = profile[s], v1 = profile[s + 1]
      if (v0 - mid) * (v1 - mid) <= 0 && v0 != v1 && v1 > v0 {
        let x = Double(s) + (mid - v0) / (v1 - v0)
        let d = abs(x - Double(best))
        if d < bestDistance {
          bestDistance = d
          bestCrossing = x
        }
      }
    }
    guard let crossing = bestCrossing else { return nil }
    return start + crossing * step
  }

  /// Bilinear grey value at `(x, y)` (pixel centres at integers), or `nil`
  /// outside the image.
  @inline(__always)
  static func bilinear(_ grey: GreyImage, _ x: Double, _ y: Double) -> Double? {
    guard x >= 0, y >= 0, x <= Double(grey.width - 1), y <= Double(grey.height - 1) else { return nil }
    let x0 = min(Int(x), grey.width - 2 >= 0 ? grey.width - 2 : 0)
    let y0 = min(Int(y), grey.height - 2 >= 0 ? grey.height - 2 : 0)
    let fx = x - Double(x0), fy = y - Double(y0)
    let w = grey.width
    return grey.pixels.withUnsafeBufferPointer { p in
      let i = y0 * w + x0
      let top = Double(p[i]) * (1 - fx) + Double(p[i + 1]) * fx
      let bottom = Double(p[i + w]) * (1 - fx) + Double(p[i + w + 1]) * fx
      return top * (1 - fy) + bottom * fy
    }
  }
}
