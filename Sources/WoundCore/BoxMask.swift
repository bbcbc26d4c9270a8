/// A photo-sized mask whose set pixels all lie in one box, stored over that box only.
///
/// A wound covers a small part of a photo: a 12-megapixel photo's mask is
/// 12 MB as a ``Mask``, while its wound's box is typically a few hundred
/// thousand pixels. The stages after segmentation read the mask in photo
/// coordinates through the subscript (0 outside the box); the photo-sized
/// ``Mask`` is made only for what writes it whole (`--mask-out`).
package struct BoxMask: Sendable, Equatable {
  /// The photo's width in pixels.
  package let width: Int
  /// The photo's height in pixels.
  package let height: Int
  /// Where the stored pixels lie in the photo; every pixel outside it is unset.
  package let box: PixelRect
  /// The pixels of ``box``, row-major: `box.width x box.height`.
  package private(set) var boxPixels: Mask

  /// A `width x height` mask with no pixel set.
  package init(width: Int, height: Int) {
    self.width = width
    self.height = height
    box = PixelRect(x: 0, y: 0, width: 0, height: 0)
    boxPixels = Mask(width: 0, height: 0)
  }

  /// The pixels of `boxPixels` placed at `box` in a `width x height` photo.
  /// - Precondition: `boxPixels` has the size of `box`, which lies inside the photo.
  package init(width: Int, height: Int, box: PixelRect, boxPixels: Mask) {
    precondition(
      boxPixels.width == max(0, box.width) && boxPixels.height == max(0, box.height) && box.x >= 0 && box.y >= 0
        && box.maxX <= width && box.maxY <= height,
      "a \(boxPixels.width)x\(boxPixels.height) box mask does not fit \(box) in \(width)x\(height)")
    self.width = width
    self.height = height
    self.box = box
    self.boxPixels = boxPixels
  }

  /// The set pixels of `regions` (255), over their bounding box.
  package init(regions: MaskRegions) {
    guard let box = regions.boundingBox else {
      self.init(width: regions.width, height: regions.height)
      return
    }
    var pixels = Mask(width: box.width, height: box.height)
    pixels.pixels.withUnsafeMutableBufferPointer { buffer in
      for run in regions.runs {
        (buffer.baseAddress! + (run.y - box.y) * box.width + (run.start - box.x)).update(
          repeating: 255, count: run.length)
      }
    }
    self.init(width: regions.width, height: regions.height, box: box, boxPixels: pixels)
  }

  /// The set pixels of a photo-sized `mask` (255), over their bounding box. Where the
  /// regions are needed too, label once and use ``init(regions:)``.
  package init(_ mask: Mask) {
    self.init(regions: MaskRegions(mask: mask))
  }

  /// The value at photo pixel `(x, y)`: 0 outside ``box``.
  /// - Precondition: `(x, y)` lies in the photo (a programmer error otherwise).
  @inlinable
  package subscript(x: Int, y: Int) -> UInt8 {
    precondition(x >= 0 && y >= 0 && x < width && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
    guard box.contains(column: x, row: y) else { return 0 }
    return boxPixels.pixels[(y - box.y) * box.width + (x - box.x)]
  }

  /// Whether no pixel is set.
  package var isEmpty: Bool { !boxPixels.pixels.contains { $0 != 0 } }

  /// The photo-sized mask: for writing it whole, and for tests.
  package var photoSized: Mask {
    var mask = Mask(width: width, height: height)
    guard !box.isEmpty else { return mask }
    for y in 0..<box.height {
      let to = (box.y + y) * width + box.x
      mask.pixels.replaceSubrange(
        to..<to + box.width, with: boxPixels.pixels[y * box.width..<(y + 1) * box.width])
    }
    return mask
  }
}

extension MaskRegions {
  /// Labels the set pixels of a box mask, in photo coordinates.
  package init(mask: BoxMask) {
    self.init(mask: mask, window: mask.box)
  }

  /// Labels the set pixels of a box mask inside `window` only, as if every pixel
  /// outside it were unset (``init(mask:windows:)`` with one window), in photo coordinates.
  package init(mask: BoxMask, window: PixelRect) {
    let inBox = window.intersection(mask.box)
    guard !inBox.isEmpty else {
      self = .empty(width: mask.width, height: mask.height)
      return
    }
    let local = PixelRect(x: inBox.x - mask.box.x, y: inBox.y - mask.box.y, width: inBox.width, height: inBox.height)
    self = MaskRegions(mask: mask.boxPixels, windows: [local]).placed(
      at: mask.box, inWidth: mask.width, height: mask.height)
  }
}
