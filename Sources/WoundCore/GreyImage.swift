/// An 8-bit single-channel image in one contiguous row-major buffer.
///
/// Used for grey photos handed to the marker detector and for masks, where
/// 0 means "not set" and any non-zero value (written as 255) means "set".
package struct GreyImage: Sendable, Equatable {
  /// Width in pixels.
  package let width: Int
  /// Height in pixels.
  package let height: Int
  /// `width * height` bytes, row-major, top-left first.
  package var pixels: [UInt8]

  /// Wraps a buffer. Traps if `pixels.count != width * height`.
  package init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(
      width >= 0 && height >= 0 && pixels.count == width * height,
      "GreyImage buffer size does not match \(width)x\(height)")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// An image filled with `value`.
  package init(width: Int, height: Int, value: UInt8 = 0) {
    self.init(width: width, height: height, pixels: LargeBuffers.bytes(repeating: value, count: width * height))
  }

  /// The value at `(x, y)`; traps when out of bounds.
  @inlinable
  package subscript(x: Int, y: Int) -> UInt8 {
    get { pixels[y * width + x] }
    set { pixels[y * width + x] = newValue }
  }
}

/// A binary mask: a ``GreyImage`` where non-zero means "inside".
package typealias Mask = GreyImage
