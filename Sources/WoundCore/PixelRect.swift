/// A rectangle of whole pixels of the photo as displayed: columns
/// `x ..< x + width`, rows `y ..< y + height` (half-open).
public struct PixelRect: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
  /// The leftmost column.
  public var x: Int
  /// The top row.
  public var y: Int
  /// Columns covered.
  public var width: Int
  /// Rows covered.
  public var height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  /// `[x, y, width, height]`: how records and the command line write a rectangle.
  public var components: [Int] { [x, y, width, height] }

  /// The rectangle written `[x, y, width, height]`; `nil` for any other count.
  public init?(components: [Int]) {
    guard components.count == 4 else { return nil }
    self.init(x: components[0], y: components[1], width: components[2], height: components[3])
  }

  /// One past the rightmost column.
  public var maxX: Int { x + width }
  /// One past the bottom row.
  public var maxY: Int { y + height }
  /// Whether the rectangle covers no pixel.
  public var isEmpty: Bool { width <= 0 || height <= 0 }

  /// Whether pixel `(column, row)` lies inside.
  public func contains(column: Int, row: Int) -> Bool {
    column >= x && column < maxX && row >= y && row < maxY
  }

  /// The pixels inside both rectangles (empty, with zero size, when they do not overlap).
  public func intersection(_ other: PixelRect) -> PixelRect {
    let left = max(x, other.x)
    let top = max(y, other.y)
    let right = min(maxX, other.maxX)
    let bottom = min(maxY, other.maxY)
    return PixelRect(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
  }

  /// The smallest rectangle covering both.
  public func union(_ other: PixelRect) -> PixelRect {
    let left = min(x, other.x)
    let top = min(y, other.y)
    return PixelRect(
      x: left, y: top, width: max(maxX, other.maxX) - left, height: max(maxY, other.maxY) - top)
  }

  /// `WIDTHxHEIGHT+X+Y`, as ImageMagick writes a geometry.
  public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
