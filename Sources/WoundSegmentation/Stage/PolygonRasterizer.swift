import WoundCore

/// Finds the cells of a grid whose centres lie inside a polygon (even-odd
/// rule), row by row.
///
/// The grid's cell `(i, j)` has its centre at
/// `(origin + spacing * i, origin + spacing * j)` in the polygon's units: for
/// the photo itself `origin = 0, spacing = 1`; for a grid downscaled by `f`,
/// `origin = (f - 1) / 2, spacing = f`.
enum PolygonRasterizer {
  /// Calls `body(row, columns)` for every run of inside cells, rows and
  /// columns limited to `rows` and `columns`. Polygons with fewer than three
  /// vertices cover nothing.
  static func forEachSpan(
    of polygon: [Point], rows: Range<Int>, columns: Range<Int>, origin: Double, spacing: Double,
    _ body: (_ row: Int, _ columns: Range<Int>) -> Void
  ) {
    guard polygon.count >= 3, !rows.isEmpty, !columns.isEmpty else { return }
    let ys = polygon.map(\.y)
    let top = max(rows.lowerBound, Int(((ys.min()! - origin) / spacing).rounded(.up)))
    let bottom = min(rows.upperBound, Int(((ys.max()! - origin) / spacing).rounded(.up)))
    guard top < bottom else { return }
    var crossings: [Double] = []
    for row in top..<bottom {
      let y = origin + spacing * Double(row)
      crossings.removeAll(keepingCapacity: true)
      var previous = polygon[polygon.count - 1]
      for point in polygon {
        if (previous.y <= y) != (point.y <= y) {
          crossings.append(previous.x + (y - previous.y) * (point.x - previous.x) / (point.y - previous.y))
        }
        previous = point
      }
      crossings.sort()
      var k = 0
      while k + 1 < crossings.count {
        let first = Int(((crossings[k] - origin) / spacing).rounded(.up))
        let end = Int(((crossings[k + 1] - origin) / spacing).rounded(.up))
        let span = max(first, columns.lowerBound)..<max(max(first, columns.lowerBound), min(end, columns.upperBound))
        if !span.isEmpty { body(row, span) }
        k += 2
      }
    }
  }
}
