/// A planar projective map, a 3x3 matrix acting on homogeneous points.
///
/// In woundmeasure the calibration's homography maps pixels of the photo as
/// displayed (pixel centres at integer coordinates) to millimetres on the
/// marker's plane. `m` is row-major: `[h00, h01, h02, h10, ..., h22]`.
package struct Homography: Sendable, Equatable, Codable {
  /// The nine entries, row-major.
  package var m: [Double]

  /// Wraps nine row-major entries; traps on any other count.
  package init(_ m: [Double]) {
    precondition(m.count == 9, "a homography has 9 entries")
    self.m = m
  }

  /// The identity map.
  package static let identity = Homography([1, 0, 0, 0, 1, 0, 0, 0, 1])

  /// A pure scale: `scale` output units per input unit (for example
  /// `1 / pixelsPerMm` maps pixels to millimetres).
  package static func scaling(_ scale: Double) -> Homography {
    Homography([scale, 0, 0, 0, scale, 0, 0, 0, 1])
  }

  /// Maps a point. The result is undefined (infinite) on the line at infinity.
  @inlinable
  package func apply(_ p: Point) -> Point {
    let w = m[6] * p.x + m[7] * p.y + m[8]
    return Point(
      x: (m[0] * p.x + m[1] * p.y + m[2]) / w,
      y: (m[3] * p.x + m[4] * p.y + m[5]) / w)
  }

  /// The matrix product `self * other` (apply `other` first).
  package func composed(after other: Homography) -> Homography {
    var r = [Double](repeating: 0, count: 9)
    for i in 0..<3 {
      for j in 0..<3 {
        r[i * 3 + j] = m[i * 3] * other.m[j] + m[i * 3 + 1] * other.m[3 + j] + m[i * 3 + 2] * other.m[6 + j]
      }
    }
    return Homography(r)
  }

  /// The inverse map, or `nil` when the matrix is singular.
  package func inverted() -> Homography? {
    let a = m
    let c00 = a[4] * a[8] - a[5] * a[7]
    let c01 = a[5] * a[6] - a[3] * a[8]
    let c02 = a[3] * a[7] - a[4] * a[6]
    let det = a[0] * c00 + a[1] * c01 + a[2] * c02
    if det == 0 || !det.isFinite { return nil }
    let inv = [
      c00, a[2] * a[7] - a[1] * a[8], a[1] * a[5] - a[2] * a[4],
      c01, a[0] * a[8] - a[2] * a[6], a[2] * a[3] - a[0] * a[5],
      c02, a[1] * a[6] - a[0] * a[7], a[0] * a[4] - a[1] * a[3],
    ].map { $0 / det }
    return Homography(inv)
  }

  /// The homography taking four source points to four destination points
  /// (direct linear transform with `h22 = 1`, solved by Gaussian elimination
  /// with partial pivoting). Returns `nil` for degenerate configurations.
  package static func fromCorrespondences(_ src: [Point], _ dst: [Point]) -> Homography? {
    guard src.count == 4, dst.count == 4 else { return nil }
    var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
    for i in 0..<4 {
      let (x, y, u, v) = (src[i].x, src[i].y, dst[i].x, dst[i].y)
      a[2 * i] = [x, y, 1, 0, 0, 0, -u * x, -u * y, u]
      a[2 * i + 1] = [0, 0, 0, x, y, 1, -v * x, -v * y, v]
    }
    for col in 0..<8 {
      var pivot = col
      for r in col..<8 where abs(a[r][col]) > abs(a[pivot][col]) { pivot = r }
      if abs(a[pivot][col]) < 1e-12 { return nil }
      a.swapAt(col, pivot)
      for r in 0..<8 where r != col {
        let f = a[r][col] / a[col][col]
        if f != 0 { for c in col..<9 { a[r][c] -= f * a[col][c] } }
      }
    }
    var h = (0..<8).map { a[$0][8] / a[$0][$0] }
    h.append(1)
    return Homography(h)
  }
}
