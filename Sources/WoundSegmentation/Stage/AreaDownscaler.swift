import WoundCore

/// Shrinks a photo by an integer factor, averaging each `factor x factor`
/// block of pixels (blocks at the right and bottom edges are cut by the photo
/// and average what they hold).
///
/// Sums are exact integers, so the result is deterministic; each source byte
/// is read once.
enum AreaDownscaler {
  /// The downscaled size of a `width x height` photo: `ceil(width / factor)` by `ceil(height / factor)`.
  static func size(width: Int, height: Int, factor: Int) -> (width: Int, height: Int) {
    ((width + factor - 1) / factor, (height + factor - 1) / factor)
  }

  /// Averages blocks of `image` into planar `[3][paddedHeight][paddedWidth]`
  /// floats normalised as `(mean - subtract) / divide`, repeating the last
  /// column and row into the padding.
  ///
  /// - Precondition: `paddedWidth` and `paddedHeight` are at least the
  ///   downscaled size (a programmer error otherwise).
  static func normalizedPlanes(
    _ image: RGBImage, factor: Int, paddedWidth: Int, paddedHeight: Int, subtract: Float, divide: Float
  ) -> [Float] {
    let (width, height) = size(width: image.width, height: image.height, factor: factor)
    precondition(paddedWidth >= width && paddedHeight >= height, "padding smaller than the downscaled photo")
    let plane = paddedWidth * paddedHeight
    var planes = [Float](repeating: 0, count: 3 * plane)
    let rowBytes = image.width * 3
    var columnSums = [UInt32](repeating: 0, count: rowBytes)
    image.pixels.withUnsafeBufferPointer { source in
      planes.withUnsafeMutableBufferPointer { target in
        columnSums.withUnsafeMutableBufferPointer { sums in
          let s = sums.baseAddress!
          for j in 0..<height {
            // Sum the block's rows column by column (vectorises), ...
            let top = j * factor
            let bottom = min(image.height, top + factor)
            s.update(repeating: 0, count: rowBytes)
            for y in top..<bottom {
              let row = source.baseAddress! + y * rowBytes
              for i in 0..<rowBytes { s[i] &+= UInt32(row[i]) }
            }
            // ... then each block's columns.
            let rows = bottom - top
            for i in 0..<width {
              let left = i * factor
              let right = min(image.width, left + factor)
              var r: UInt32 = 0
              var g: UInt32 = 0
              var b: UInt32 = 0
              for x in left..<right {
                r &+= s[3 * x]
                g &+= s[3 * x + 1]
                b &+= s[3 * x + 2]
              }
              let count = Float(rows * (right - left))
              let index = j * paddedWidth + i
              target[index] = (Float(r) / count - subtract) / divide
              target[plane + index] = (Float(g) / count - subtract) / divide
              target[2 * plane + index] = (Float(b) / count - subtract) / divide
            }
          }
          // Repeat edges into the padding.
          for c in 0..<3 {
            let base = target.baseAddress! + c * plane
            for j in 0..<height where paddedWidth > width {
              let row = base + j * paddedWidth
              (row + width).update(repeating: row[width - 1], count: paddedWidth - width)
            }
            for j in height..<paddedHeight {
              (base + j * paddedWidth).update(from: base + (height - 1) * paddedWidth, count: paddedWidth)
            }
          }
        }
      }
    }
    return planes
  }
}
