import WoundCore

extension RGBImage {
  /// The pixels of `region` (half-open, inside this image).
  func cropped(to region: PixelRect) -> RGBImage {
    var pixels = [UInt8]()
    pixels.reserveCapacity(region.width * region.height * 3)
    for y in region.y..<(region.y + region.height) {
      let start = (y * width + region.x) * 3
      pixels.append(contentsOf: self.pixels[start..<(start + region.width * 3)])
    }
    return RGBImage(width: region.width, height: region.height, pixels: pixels)
  }

  /// Box-averaged reduction by `factor`: output pixel `(x, y)` is the rounded
  /// mean of input pixels `factor * x ..< factor * (x + 1)` by
  /// `factor * y ..< factor * (y + 1)`, clipped at the right and bottom edges.
  /// The output is `ceil(width / factor)` x `ceil(height / factor)`, the same
  /// size libjpeg's DCT scaling gives.
  package func boxReduced(by factor: Int) -> RGBImage {
    precondition(factor >= 1, "reduction factor must be positive")
    if factor == 1 { return self }
    let outputWidth = (width + factor - 1) / factor
    let outputHeight = (height + factor - 1) / factor
    var output = [UInt8](repeating: 0, count: outputWidth * outputHeight * 3)
    var sums = [UInt32](repeating: 0, count: outputWidth * 3)
    pixels.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { target in
        sums.withUnsafeMutableBufferPointer { sums in
          for outY in 0..<outputHeight {
            let y0 = outY * factor
            let y1 = Swift.min(y0 + factor, height)
            sums.update(repeating: 0)
            for y in y0..<y1 {
              let row = y * width * 3
              for x in 0..<width {
                let s = (x / factor) * 3
                sums[s] += UInt32(source[row + x * 3])
                sums[s + 1] += UInt32(source[row + x * 3 + 1])
                sums[s + 2] += UInt32(source[row + x * 3 + 2])
              }
            }
            let rows = UInt32(y1 - y0)
            for outX in 0..<outputWidth {
              let columns = UInt32(Swift.min(factor, width - outX * factor))
              let n = rows * columns
              for c in 0..<3 {
                target[(outY * outputWidth + outX) * 3 + c] = UInt8((sums[outX * 3 + c] + n / 2) / n)
              }
            }
          }
        }
      }
    }
    return RGBImage(width: outputWidth, height: outputHeight, pixels: output)
  }
}
