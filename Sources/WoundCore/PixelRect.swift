/// A rectangle of whole pixels of the photo as displayed: columns
/// `x ..< x + width`, rows `y ..< y + height` (half-open).
package struct PixelRect: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
  /// The leftmost column.
  package var x: Int
  /// The top row.
  package var y: Int
  /// Columns covered.
  package var width: Int
  /// Rows covered.
  package var height: Int

  package init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  /// `[x, y, width, height]`: how records and the command line write a rectangle.
  package var components: [Int] { [x, y, width, height] }

  /// The rectangle written `[x, y, width, height]`; `nil` for any other count.
  package init?(components: [Int]) {
    guard components.count == 4 else { return nil }
    self.init(x: components[0], y: components[1], width: components[2], height: components[3])
  }

  /// One past the rightmost column.
  package var maxX: Int { x + width }
  /// One past the bottom row.
  package var maxY: Int { y + height }
  /// Whether the rectangle covers no pixel.
  package var isEmpty: Bool { width <= 0 || height <= 0 }

  /// Whether pixel `(column, row)` lies inside.
  package func contains(column: Int, row: Int) -> Bool {
    column >= x && column < maxX && row >= y && row < maxY
  }

  /// The pixels inside both rectangles (empty, with zero size, when they do not overlap).
  package func intersection(_ other: PixelRect) -> PixelRect {
    let left = max(x, other.x)
    let top = max(y, other.y)
    let right = min(maxX, other.maxX)
    let bottom = min(maxY, other.maxY)
    return PixelRect(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
  }

  /// The smallest rectangle covering both.
  package func union(_ other: PixelRect) -> PixelRect {
    let left = min(x, other.x)
    let top = min(y, other.y)
    return PixelRect(
      x: left, y: top, width: max(maxX, other.maxX) - left, height: max(maxY, other.maxY) - top)
  }

  /// `WIDTHxHEIGHT+X+Y`, as ImageMagick writes a geometry.
  package var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
