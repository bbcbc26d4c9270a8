import WoundCore

/// Pixel neighbourhoods for the tissue classifier: the wound's bounding box,
/// smoothing restricted to wound pixels, and distances to the outline's edge.
enum TissueGeometry {
  /// The smallest rectangle holding every non-zero pixel of `mask`; `nil` when it is empty.
  static func boundingBox(of mask: Mask) -> PixelRect? {
    MaskRegions(mask: mask).boundingBox
  }

  /// The mean colour of the wound pixels in the `(2 radius + 1)` square
  /// around each wound pixel, in raster order of the wound pixels in `box`.
  ///
  /// Only pixels where `mask` is non-zero enter the means, so the skin
  /// around the outline never tints its margin. A sliding window over column
  /// sums: time proportional to the box's area, memory to its width.
  static func maskedBoxMean(image: RGBImage, mask: Mask, box: PixelRect, radius: Int)
    -> [(red: Double, green: Double, blue: Double)]
  {
    var means: [(red: Double, green: Double, blue: Double)] = []
    means.reserveCapacity(box.width * box.height)
    if radius == 0 {
      for y in box.y..<box.maxY {
        for x in box.x..<box.maxX where mask[x, y] != 0 {
          let p = image[x, y]
          means.append((Double(p.r), Double(p.g), Double(p.b)))
        }
      }
      return means
    }
    // Columns that can enter a window of the box; per column, the sums over
    // the rows of the current window (red, green, blue, count).
    let left = max(0, box.x - radius)
    let right = min(image.width, box.maxX + radius)
    let columns = right - left
    var sums = [Int](repeating: 0, count: 4 * columns)
    func addRow(_ y: Int, sign: Int) {
      guard y >= 0 && y < image.height else { return }
      for x in left..<right where mask[x, y] != 0 {
        let p = image[x, y]
        let i = 4 * (x - left)
        sums[i] += sign * Int(p.r)
        sums[i + 1] += sign * Int(p.g)
        sums[i + 2] += sign * Int(p.b)
        sums[i + 3] += sign
      }
    }
    for y in (box.y - radius)..<(box.y + radius) { addRow(y, sign: 1) }
    var prefix = [Int](repeating: 0, count: 4 * (columns + 1))
    for y in box.y..<box.maxY {
      addRow(y + radius, sign: 1)
      if y - radius - 1 >= box.y - radius { addRow(y - radius - 1, sign: -1) }
      for c in 0..<columns {
        for k in 0..<4 { prefix[4 * (c + 1) + k] = prefix[4 * c + k] + sums[4 * c + k] }
      }
      for x in box.x..<box.maxX where mask[x, y] != 0 {
        let lo = max(left, x - radius) - left
        let hi = min(right, x + radius + 1) - left
        let count = Double(prefix[4 * hi + 3] - prefix[4 * lo + 3])
        means.append(
          (
            Double(prefix[4 * hi] - prefix[4 * lo]) / count,
            Double(prefix[4 * hi + 1] - prefix[4 * lo + 1]) / count,
            Double(prefix[4 * hi + 2] - prefix[4 * lo + 2]) / count
          ))
      }
    }
    return means
  }

  /// Chamfer (3-4) distance, in pixels, from each pixel of `box` to the
  /// nearest pixel outside the wound; row-major over `box`, 0 outside.
  ///
  /// Pixels beyond the box count as outside, so a wound pixel on the box's
  /// border is 1 pixel from the edge. Borgefors' two-pass algorithm; the
  /// result is within about 8% of the Euclidean distance.
  static func edgeDistances(mask: Mask, box: PixelRect) -> [Double] {
    let w = box.width
    let h = box.height
    let far = Int.max / 4
    var d = [Int](repeating: 0, count: w * h)
    for y in 0..<h {
      for x in 0..<w where mask[box.x + x, box.y + y] != 0 { d[y * w + x] = far }
    }
    func at(_ x: Int, _ y: Int) -> Int { x < 0 || y < 0 || x >= w || y >= h ? 0 : d[y * w + x] }
    for y in 0..<h {
      for x in 0..<w where d[y * w + x] != 0 {
        let v = min(d[y * w + x], at(x - 1, y) + 3, at(x - 1, y - 1) + 4, at(x, y - 1) + 3, at(x + 1, y - 1) + 4)
        d[y * w + x] = v
      }
    }
    for y in stride(from: h - 1, through: 0, by: -1) {
      for x in stride(from: w - 1, through: 0, by: -1) where d[y * w + x] != 0 {
        let v = min(d[y * w + x], at(x + 1, y) + 3, at(x + 1, y + 1) + 4, at(x, y + 1) + 3, at(x - 1, y + 1) + 4)
        d[y * w + x] = v
      }
    }
    return d.map { Double($0) / 3 }
  }
}
