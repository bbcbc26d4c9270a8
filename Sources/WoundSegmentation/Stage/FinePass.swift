import WoundCore

/// The rule of the fine pass, as the model file states it (`finePass` in its header).
package struct FinePassRule: Sendable, Equatable {
  /// A crop's side is this times the long side of its wound's box.
  package var marginFactor: Double
  /// The smallest crop side, photo pixels.
  package var minimumSidePixels: Int
  /// The network's input side for a crop, pixels.
  package var cropSizePixels: Int

  package init(marginFactor: Double, minimumSidePixels: Int, cropSizePixels: Int) {
    self.marginFactor = marginFactor
    self.minimumSidePixels = minimumSidePixels
    self.cropSizePixels = cropSizePixels
  }
}

/// Coarse to fine: each wound region the whole-photo pass found is segmented
/// again in a square crop around it, at the crop size the network was trained
/// on, and the outline comes from that pass.
///
/// The rule (also in `training/evaluate_c2f.py`, which measures it):
///
/// 1. **Crops.** For each kept coarse region, its box in photo pixels
///    (`[minX * f, (maxX + 1) * f)` by the same in y, `f` the working factor);
///    the crop is the square centred on the box's centre whose side is
///    `marginFactor` times the box's long side, at least `minimumSidePixels`.
///    Two crops that overlap are replaced by the crop of the union of their
///    boxes, until none overlap (so a pixel is never decided twice).
/// 2. **Input.** The photo is averaged in `k x k` blocks, `k = max(1,
///    floor(side / cropSize))` (as the working image is, so a large crop is
///    not aliased), then sampled bilinearly at the centres of a `cropSize x
///    cropSize` grid covering the crop; taps outside the photo read black, as
///    in training.
/// 3. **Outline.** The crop's probabilities are sampled bilinearly at every
///    photo pixel's centre inside the crop (clamped to the grid's outer
///    centres) and thresholded at the segmenter's threshold.
///
/// Every step is a pure function of the pixels and the model.
enum FinePass {
  /// A square crop in photo pixel-edge coordinates (pixel `i` covers `[i, i + 1)`).
  struct Crop: Equatable {
    var centreX: Double
    var centreY: Double
    var side: Double

    var minX: Double { centreX - side / 2 }
    var minY: Double { centreY - side / 2 }

    func overlaps(_ other: Crop) -> Bool {
      abs(centreX - other.centreX) * 2 < side + other.side && abs(centreY - other.centreY) * 2 < side + other.side
    }

    /// The photo pixels it covers, clipped to `bounds`.
    func pixels(clippedTo bounds: PixelRect) -> PixelRect {
      let x0 = Int(minX.rounded(.down))
      let y0 = Int(minY.rounded(.down))
      let x1 = Int((minX + side).rounded(.up))
      let y1 = Int((minY + side).rounded(.up))
      return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0).intersection(bounds)
    }
  }

  /// The crops for the coarse regions' boxes (photo pixels), merged until none overlap.
  static func crops(boxes: [PixelRect], rule: FinePassRule) -> [Crop] {
    func crop(_ box: PixelRect) -> Crop {
      let side = max(Double(rule.minimumSidePixels), rule.marginFactor * Double(max(box.width, box.height)))
      return Crop(
        centreX: Double(box.x) + Double(box.width) / 2, centreY: Double(box.y) + Double(box.height) / 2, side: side)
    }
    var merged = boxes
    var changed = true
    while changed {
      changed = false
      outer: for a in merged.indices {
        for b in merged.indices where b > a && crop(merged[a]).overlaps(crop(merged[b])) {
          merged[a] = merged[a].union(merged[b])
          merged.remove(at: b)
          changed = true
          break outer
        }
      }
    }
    return merged.sorted { ($0.y, $0.x) < ($1.y, $1.x) }.map(crop)
  }

  /// The network's planar normalised input for one crop: `[3][size][size]`.
  ///
  /// With `threads > 1` the block means are shared out by rows of blocks; each
  /// is the same sum whichever thread makes it.
  static func input(
    image: RGBImage, crop: Crop, size: Int, subtract: Float, divide: Float, threads: Int = 1
  ) -> [Float] {
    let k = max(1, Int((crop.side / Double(size)).rounded(.down)))
    let (blocksWide, blocksHigh) = AreaDownscaler.size(width: image.width, height: image.height, factor: k)
    // Average only the blocks the crop touches (plus one for the bilinear taps).
    let bx0 = max(0, Int((crop.minX / Double(k)).rounded(.down)) - 1)
    let by0 = max(0, Int((crop.minY / Double(k)).rounded(.down)) - 1)
    let bx1 = min(blocksWide, Int(((crop.minX + crop.side) / Double(k)).rounded(.up)) + 1)
    let by1 = min(blocksHigh, Int(((crop.minY + crop.side) / Double(k)).rounded(.up)) + 1)
    let plane = size * size
    var planes = [Float](repeating: 0, count: 3 * plane)
    guard bx1 > bx0, by1 > by0 else {
      for c in 0..<3 { for i in 0..<plane { planes[c * plane + i] = (0 - subtract) / divide } }
      return planes
    }
    let w = bx1 - bx0
    let h = by1 - by0
    var blocks = [Float](repeating: 0, count: 3 * w * h)
    let parts = Parallel.parts(threads: threads, items: h, work: w * h * k * k)
    image.pixels.withUnsafeBufferPointer { source in
      blocks.withUnsafeMutableBufferPointer { blocks in
        Parallel.run(parts) { part in
          for j in Parallel.range(part, of: parts, items: h, granule: 1) {
            let top = (by0 + j) * k
            let bottom = min(image.height, top + k)
            for i in 0..<w {
              let left = (bx0 + i) * k
              let right = min(image.width, left + k)
              var r: UInt32 = 0
              var g: UInt32 = 0
              var b: UInt32 = 0
              for y in top..<bottom {
                var p = (y * image.width + left) * 3
                for _ in left..<right {
                  r &+= UInt32(source[p])
                  g &+= UInt32(source[p + 1])
                  b &+= UInt32(source[p + 2])
                  p += 3
                }
              }
              let count = Float((bottom - top) * (right - left))
              let index = 3 * (j * w + i)
              blocks[index] = Float(r) / count
              blocks[index + 1] = Float(g) / count
              blocks[index + 2] = Float(b) / count
            }
          }
        }
      }
    }
    // Bilinear taps on the block grid; a tap outside the photo reads black.
    let step = crop.side / Double(size)
    func taps(_ u: Int, origin: Double, first: Int, blocks total: Int) -> (Int, Int, Float, Bool, Bool) {
      let position = (origin + (Double(u) + 0.5) * step) / Double(k) - 0.5  // in block-centre coordinates
      let i0 = Int(position.rounded(.down))
      let weight = Float(position - Double(i0))
      return (i0 - first, i0 + 1 - first, weight, i0 >= 0 && i0 < total, i0 + 1 >= 0 && i0 + 1 < total)
    }
    let columns = (0..<size).map { taps($0, origin: crop.minX, first: bx0, blocks: blocksWide) }
    for v in 0..<size {
      let (r0, r1, wy, r0In, r1In) = taps(v, origin: crop.minY, first: by0, blocks: blocksHigh)
      for u in 0..<size {
        let (c0, c1, wx, c0In, c1In) = columns[u]
        var rgb: (Float, Float, Float) = (0, 0, 0)
        func add(_ row: Int, _ column: Int, _ weight: Float) {
          guard weight != 0 else { return }
          let index = 3 * (row * w + column)
          rgb.0 += weight * blocks[index]
          rgb.1 += weight * blocks[index + 1]
          rgb.2 += weight * blocks[index + 2]
        }
        if r0In && c0In { add(r0, c0, (1 - wy) * (1 - wx)) }
        if r0In && c1In { add(r0, c1, (1 - wy) * wx) }
        if r1In && c0In { add(r1, c0, wy * (1 - wx)) }
        if r1In && c1In { add(r1, c1, wy * wx) }
        let index = v * size + u
        planes[index] = (rgb.0 - subtract) / divide
        planes[plane + index] = (rgb.1 - subtract) / divide
        planes[2 * plane + index] = (rgb.2 - subtract) / divide
      }
    }
    return planes
  }

  /// Where a photo pixel's centre falls on a crop's `size x size` grid: the four grid
  /// points around it (row-major indices) and the bilinear weights, clamped to the
  /// grid's outer centres.
  struct Taps {
    var topLeft: Int
    var topRight: Int
    var bottomLeft: Int
    var bottomRight: Int
    var wx: Float
    var wy: Float

    /// The bilinear value of the plane starting at `offset` in `values`.
    @inline(__always)
    func interpolate(_ values: UnsafeBufferPointer<Float>, offset: Int = 0) -> Float {
      let top = values[offset + topLeft] * (1 - wx) + values[offset + topRight] * wx
      let bottom = values[offset + bottomLeft] * (1 - wx) + values[offset + bottomRight] * wx
      return top * (1 - wy) + bottom * wy
    }

    /// The same on an array.
    func interpolate(_ values: [Float], offset: Int = 0) -> Float {
      values.withUnsafeBufferPointer { interpolate($0, offset: offset) }
    }
  }

  /// Calls `body(x, y, taps)` for every photo pixel of `area`, row by row, with the
  /// pixel centre's taps on the crop's grid.
  @inline(__always)
  static func sample(crop: Crop, size: Int, area: PixelRect, _ body: (Int, Int, Taps) -> Void) {
    let step = crop.side / Double(size)
    func tap(_ p: Int, origin: Double) -> (Int, Int, Float) {
      let u = min(max((Double(p) + 0.5 - origin) / step - 0.5, 0), Double(size - 1))
      let i0 = Int(u)
      return (i0, min(i0 + 1, size - 1), Float(u - Double(i0)))
    }
    let columns = (area.x..<area.maxX).map { tap($0, origin: crop.minX) }
    for y in area.y..<area.maxY {
      let (r0, r1, wy) = tap(y, origin: crop.minY)
      for (offset, (c0, c1, wx)) in columns.enumerated() {
        body(
          area.x + offset, y,
          Taps(
            topLeft: r0 * size + c0, topRight: r0 * size + c1, bottomLeft: r1 * size + c0,
            bottomRight: r1 * size + c1, wx: wx, wy: wy))
      }
    }
  }

  /// Writes 255 into `pixels` (the photo's pixels inside `frame`, row-major over it;
  /// `area` lies inside `frame`) at every pixel of `area` whose bilinearly sampled
  /// crop probability exceeds `threshold`.
  ///
  /// A bilinear value is a weighted mean of its four taps, so where all four
  /// lie clearly above the threshold (by more than ``paintMargin``, far more
  /// than the rounding of the interpolation) the pixel is inside without
  /// interpolating, and where all four lie clearly below it, outside; only
  /// pixels among taps near or across the threshold are interpolated. The
  /// mask is the same as interpolating every pixel.
  static func paint(
    _ probabilities: [Float], size: Int, crop: Crop, area: PixelRect, threshold: Float,
    into pixels: UnsafeMutablePointer<UInt8>, frame: PixelRect, threads: Int = 1
  ) {
    let cells = cellStates(probabilities, size: size, threshold: threshold)
    // Bands of rows on `threads` threads: each pixel is decided alone.
    let parts = Parallel.parts(threads: threads, items: area.height, work: 16 * area.width * area.height)
    probabilities.withUnsafeBufferPointer { p in
      cells.withUnsafeBufferPointer { cells in
        Parallel.run(parts) { part in
          let rows = Parallel.range(part, of: parts, items: area.height, granule: 1)
          let band = PixelRect(x: area.x, y: area.y + rows.lowerBound, width: area.width, height: rows.count)
          sample(crop: crop, size: size, area: band) { x, y, taps in
            switch cells[taps.topLeft] {
            case CellState.inside: pixels[(y - frame.y) * frame.width + (x - frame.x)] = 255
            case CellState.outside: break
            default:
              if taps.interpolate(p) > threshold { pixels[(y - frame.y) * frame.width + (x - frame.x)] = 255 }
            }
          }
        }
      }
    }
  }

  /// How far all four taps must lie from the threshold for ``paint`` to skip the interpolation.
  static let paintMargin: Float = 1e-5

  /// What the four taps whose top-left tap is grid point `(row, column)` decide; see ``cellStates``.
  enum CellState {
    static let outside: UInt8 = 0
    static let inside: UInt8 = 1
    static let mixed: UInt8 = 2
  }

  /// For each grid point `(row, column)` (index `row * size + column`), the
  /// ``CellState`` of the taps it starts: itself, `column + 1`, `row + 1` and
  /// both (clamped to the grid, as ``sample(crop:size:area:_:)`` clamps them).
  static func cellStates(_ probabilities: [Float], size: Int, threshold: Float) -> [UInt8] {
    var states = [UInt8](repeating: CellState.mixed, count: size * size)
    for row in 0..<size {
      let below = min(row + 1, size - 1)
      for column in 0..<size {
        let right = min(column + 1, size - 1)
        let a = probabilities[row * size + column], b = probabilities[row * size + right]
        let c = probabilities[below * size + column], d = probabilities[below * size + right]
        if min(a, b, c, d) > threshold + paintMargin {
          states[row * size + column] = CellState.inside
        } else if max(a, b, c, d) < threshold - paintMargin {
          states[row * size + column] = CellState.outside
        }
      }
    }
    return states
  }
}
