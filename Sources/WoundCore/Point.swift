/// A point in the plane, in whatever unit its owner names (pixels of the
/// displayed photo, or millimetres on the marker's plane).
package struct Point: Sendable, Equatable, Hashable, Codable {
  package var x: Double
  package var y: Double
  package init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }
  package init(_ x: Double, _ y: Double) { self.init(x: x, y: y) }

  /// `[x, y]`: how JSON records and contracts write a point.
  package var coordinates: [Double] { [x, y] }

  /// The point written `[x, y]`; `nil` for any other count.
  package init?(coordinates: [Double]) {
    guard coordinates.count == 2 else { return nil }
    self.init(x: coordinates[0], y: coordinates[1])
  }
}
