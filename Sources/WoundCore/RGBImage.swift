/// An 8-bit RGB image in one contiguous row-major buffer.
///
/// Pixel `(x, y)` starts at byte `(y * width + x) * 3`; rows run top to
/// bottom, the first pixel is the top-left one. Coordinates everywhere in the
/// tool refer to the photo as displayed (EXIF orientation applied), with pixel
/// centres at integer coordinates.
package struct RGBImage: Sendable, Equatable {
  /// Width in pixels.
  package let width: Int
  /// Height in pixels.
  package let height: Int
  /// `width * height * 3` bytes, R, G, B per pixel, row-major.
  package var pixels: [UInt8]

  /// Wraps a buffer. Traps if `pixels.count != width * height * 3` (a
  /// programmer error).
  package init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(
      width >= 0 && height >= 0 && pixels.count == width * height * 3,
      "RGBImage buffer size does not match \(width)x\(height)")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// A black image of the given size.
  package init(width: Int, height: Int) {
    self.init(width: width, height: height, pixels: LargeBuffers.bytes(repeating: 0, count: width * height * 3))
  }

  /// The pixel at `(x, y)` as `(r, g, b)`; traps when out of bounds.
  @inlinable
  package subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
    get {
      let i = (y * width + x) * 3
      return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
    set {
      let i = (y * width + x) * 3
      pixels[i] = newValue.r
      pixels[i + 1] = newValue.g
      pixels[i + 2] = newValue.b
    }
  }
}
