import WoundCore

/// Pixel neighbourhoods for the tissue classifier: the wound's bounding box,
/// smoothing restricted to wound pixels, and distances to the outline's edge.
enum TissueGeometry {
  /// The mean colour of the wound pixels in the `(2 radius + 1)` square
  /// around each wound pixel, in raster order of the wound pixels in `box`
  /// (``MaskedBoxMeans`` over the whole box; for tests and tools).
  static func maskedBoxMean(image: RGBImage, mask: BoxMask, box: PixelRect, radius: Int)
    -> [(red: Double, green: Double, blue: Double)]
  {
    var means: [(red: Double, green: Double, blue: Double)] = []
    var window = MaskedBoxMeans(image: image, mask: mask, box: box, radius: radius)
    for y in box.y..<box.maxY {
      window.moveTo(row: y)
      for x in box.x..<box.maxX where mask[x, y] != 0 { means.append(window.mean(atX: x)) }
    }
    return means
  }

  /// The masked box mean of ``maskedBoxMean(image:mask:box:radius:)``, row by
  /// row and only where it is asked for: a sliding window over column sums,
  /// memory proportional to the box's width, not its area.
  ///
  /// Call ``moveTo(row:)`` for each row of the box in increasing order, then
  /// ``mean(atX:)`` for wound pixels of that row. The sums are integers, so a
  /// mean is the same whichever pixels were asked for before it.
  struct MaskedBoxMeans {
    let image: RGBImage
    let mask: BoxMask
    let box: PixelRect
    let radius: Int
    /// Columns that can enter a window of the box.
    let left: Int
    let right: Int
    /// Per column, the sums over the rows of the current window (red, green, blue, count).
    private var sums: [Int]
    /// Running sums of `sums` along the row, computed at the first mean asked for in a row.
    private var prefix: [Int]
    private var prefixIsCurrent = false
    private var row: Int

    init(image: RGBImage, mask: BoxMask, box: PixelRect, radius: Int) {
      self.image = image
      self.mask = mask
      self.box = box
      self.radius = radius
      left = max(0, box.x - radius)
      right = min(image.width, box.maxX + radius)
      sums = [Int](repeating: 0, count: radius == 0 ? 0 : 4 * (right - left))
      prefix = [Int](repeating: 0, count: radius == 0 ? 0 : 4 * (right - left + 1))
      row = box.y - 1
      if radius > 0 {
        for y in (box.y - radius)..<(box.y + radius) { addRow(y, sign: 1) }
      }
    }

    private mutating func addRow(_ y: Int, sign: Int) {
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

    /// Slides the window down to `y`, the next row of the box.
    mutating func moveTo(row y: Int) {
      precondition(y == row + 1 && y < box.maxY, "rows of the box in order")
      row = y
      prefixIsCurrent = false
      guard radius > 0 else { return }
      addRow(y + radius, sign: 1)
      if y - radius - 1 >= box.y - radius { addRow(y - radius - 1, sign: -1) }
    }

    /// The mean colour of the wound pixels in the window around `(x, row)`,
    /// a wound pixel of the current row.
    mutating func mean(atX x: Int) -> (red: Double, green: Double, blue: Double) {
      if radius == 0 {
        let p = image[x, row]
        return (Double(p.r), Double(p.g), Double(p.b))
      }
      if !prefixIsCurrent {
        for c in 0..<(right - left) {
          for k in 0..<4 { prefix[4 * (c + 1) + k] = prefix[4 * c + k] + sums[4 * c + k] }
        }
        prefixIsCurrent = true
      }
      let lo = max(left, x - radius) - left
      let hi = min(right, x + radius + 1) - left
      let count = Double(prefix[4 * hi + 3] - prefix[4 * lo + 3])
      return (
        Double(prefix[4 * hi] - prefix[4 * lo]) / count,
        Double(prefix[4 * hi + 1] - prefix[4 * lo + 1]) / count,
        Double(prefix[4 * hi + 2] - prefix[4 * lo + 2]) / count
      )
    }
  }

  /// Chamfer (3-4) distance, in pixels, from each pixel of `box` to the
  /// nearest pixel outside the wound; row-major over `box`, 0 outside.
  ///
  /// Pixels beyond the box count as outside, so a wound pixel on the box's
  /// border is 1 pixel from the edge. Borgefors' two-pass algorithm; the
  /// result is within about 8% of the Euclidean distance. (``edgeChamfer(mask:box:)``
  /// divided by 3.)
  static func edgeDistances(mask: BoxMask, box: PixelRect) -> [Double] {
    edgeChamfer(mask: mask, box: box).map { Double($0) / 3 }
  }

  /// ``edgeDistances(mask:box:)`` in chamfer units (3 per pixel step, 4 per
  /// diagonal step), 4 bytes per pixel of the box.
  static func edgeChamfer(mask: BoxMask, box: PixelRect) -> [Int32] {
    let w = box.width
    let h = box.height
    let far = Int32.max / 4
    var d = [Int32](repeating: 0, count: w * h)
    for y in 0..<h {
      for x in 0..<w where mask[box.x + x, box.y + y] != 0 { d[y * w + x] = far }
    }
    func at(_ x: Int, _ y: Int) -> Int32 { x < 0 || y < 0 || x >= w || y >= h ? 0 : d[y * w + x] }
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
    return d
  }
}
