import Foundation
import WoundCore

extension Mask {
  /// A mask written as rows of text: `#` is set, `.` is not. Blank lines and
  /// indentation are ignored; all rows must have the same length.
  init(literal: String) {
    let rows = literal.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    let width = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == width }, "ragged mask literal")
    self.init(
      width: width, height: rows.count,
      pixels: rows.flatMap { row in row.map { $0 == "#" ? UInt8(255) : 0 } })
  }

  /// A mask whose pixel `(x, y)` is set when `inside` holds at its centre.
  init(width: Int, height: Int, inside: (Double, Double) -> Bool) {
    var pixels = [UInt8](repeating: 0, count: width * height)
    for y in 0..<height {
      for x in 0..<width where inside(Double(x), Double(y)) {
        pixels[y * width + x] = 255
      }
    }
    self.init(width: width, height: height, pixels: pixels)
  }
}
