/// A point in the plane, in whatever unit its owner names (pixels of the
/// displayed photo, or millimetres on the marker's plane).
public struct Point: Sendable, Equatable, Hashable, Codable {
  public var x: Double
  public var y: Double
  public init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }
  public init(_ x: Double, _ y: Double) { self.init(x: x, y: y) }
}
