import FoundationEssentials
import WoundCore

#if canImport(Glibc)
  import Glibc
#endif

/// Pure geometry of a marker quad and its homography: sizes, obliqueness,
/// outline. No pixels are read here.
enum MarkerGeometry {
  /// A tag36h11 tag is 10 x 10 modules; the black square is 8 modules.
  static let modulesPerBlackSquare = 8.0

  /// The marker edge implied by a tag ID: IDs 10...100 state it in whole
  /// millimetres (`docs/calibration.md`); other IDs imply nothing.
  static func impliedSizeMm(id: Int) -> Double? {
    (10...100).contains(id) ? Double(id) : nil
  }

  /// The four side lengths of a quad, in its own units: 0-1, 1-2, 2-3, 3-0.
  static func sideLengths(_ quad: [Point]) -> [Double] {
    (0..<quad.count).map { i in
      let a = quad[i]
      let b = quad[(i + 1) % quad.count]
      return ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
    }
  }

  /// Signed shoelace area of a polygon (positive when clockwise in a y-down
  /// image, i.e. counter-clockwise in maths axes).
  static func signedArea(_ polygon: [Point]) -> Double {
    var sum = 0.0
    for i in 0..<polygon.count {
      let a = polygon[i]
      let b = polygon[(i + 1) % polygon.count]
      sum += a.x * b.y - b.x * a.y
    }
    return sum / 2
  }

  /// True when the quad is strictly convex (all turns in the same direction).
  static func isConvex(_ quad: [Point]) -> Bool {
    var sign = 0.0
    for i in 0..<quad.count {
      let a = quad[i]
      let b = quad[(i + 1) % quad.count]
      let c = quad[(i + 2) % quad.count]
      let cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x)
      if cross == 0 { return false }
      if sign == 0 { sign = cross } else if (cross > 0) != (sign > 0) { return false }
    }
    return true
  }

  /// The 2x2 Jacobian `[a, b, c, d]` (row-major: d(u,v)/d(x,y)) of `h` at `p`.
  static func jacobian(of h: Homography, at p: Point) -> [Double] {
    let m = h.m
    let w = m[6] * p.x + m[7] * p.y + m[8]
    let u = (m[0] * p.x + m[1] * p.y + m[2]) / w
    let v = (m[3] * p.x + m[4] * p.y + m[5]) / w
    return [
      (m[0] - u * m[6]) / w, (m[1] - u * m[7]) / w,
      (m[3] - v * m[6]) / w, (m[4] - v * m[7]) / w,
    ]
  }

  /// Singular values (major, minor) of a 2x2 matrix `[a, b, c, d]`.
  static func singularValues(_ j: [Double]) -> (major: Double, minor: Double) {
    let (a, b, c, d) = (j[0], j[1], j[2], j[3])
    let s = a * a + b * b + c * c + d * d
    let det = abs(a * d - b * c)
    let root = max(0, s * s - 4 * det * det).squareRoot()
    let major = ((s + root) / 2).squareRoot()
    let minor = major > 0 ? det / major : 0
    return (major, minor)
  }

  /// Local scale and obliqueness of the plane at a point.
  ///
  /// `pixelsFromMm` maps millimetres to pixels; its Jacobian at the marker's
  /// centre is the local affine view of the plane. Its singular values are
  /// the pixels per millimetre along the least and most foreshortened
  /// directions; `sqrt(major * minor)` is the area-preserving scale, and
  /// under a weak-perspective camera `minor / major = cos(tilt)`.
  static func localScale(pixelsFromMm: Homography, atMm p: Point)
    -> (pixelsPerMm: Double, foreshortening: Double, tiltDegrees: Double)
  {
    let sv = singularValues(jacobian(of: pixelsFromMm, at: p))
    let ratio = sv.major > 0 ? min(1, sv.minor / sv.major) : 0
    let tilt = (ratio >= 1 ? 0 : acos(ratio)) * 180 / Double.pi
    return ((sv.major * sv.minor).squareRoot(), ratio, tilt)
  }

  /// The marker's outline including its white border (1 module) plus
  /// `marginModules`, as a quad in pixels, in the same order as the corners.
  static func outline(pixelsFromMm: Homography, sizeMm: Double, marginModules: Double = 0.25) -> [Point] {
    let pad = sizeMm / modulesPerBlackSquare * (1 + marginModules)
    let square = [
      Point(-pad, -pad), Point(sizeMm + pad, -pad), Point(sizeMm + pad, sizeMm + pad), Point(-pad, sizeMm + pad),
    ]
    return square.map { pixelsFromMm.apply($0) }
  }

  /// The black square's corners in millimetres, in corner order (top-left,
  /// top-right, bottom-right, bottom-left).
  static func squareMm(_ sizeMm: Double) -> [Point] {
    [Point(0, 0), Point(sizeMm, 0), Point(sizeMm, sizeMm), Point(0, sizeMm)]
  }
}
